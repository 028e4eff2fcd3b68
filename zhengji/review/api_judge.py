"""The JSON API of judging's judge area (mounted by review/api.py at /api/review): the judge's
queue, one assignment's entry through the blind projection (`projections.BlindEntry`) with the
rubric and the judge's score, saving and submitting the score, declaring a conflict of interest
and downloading a file's clean copy. The pages' permissions: only the judge's own active
assignments in open rounds, with the entry in their judge view; anything else is 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.entries import projections

from . import views_judge
from .domain import scoring
from .domain.scoring import ScoreInvalid
from .models import Assignment, Score
from .queries import open_credits

router = Router()

ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


class ReviewJudgeRoundRef(Schema):
    id: int
    name: str
    track: str
    closes: dt.datetime


class ReviewJudgeProgressOut(ReviewJudgeRoundRef):
    assigned: int
    submitted: int
    drafts: int


class ReviewJudgeQueueItem(Schema):
    assignment_id: int
    round_id: int
    entry_id: int
    number: str | None
    title: str
    score_status: str = Field(description="todo, draft or submitted.")
    url: str = Field(description="The judge's page of this entry.")


class ReviewJudgeQueueOut(Schema):
    rounds: list[ReviewJudgeProgressOut]
    items: list[ReviewJudgeQueueItem]
    count: int
    page: int
    pages: int


class ReviewJudgeQueueParams(Schema):
    state: str = Field("", pattern="^(|todo|done)$", description="todo (not submitted), done (submitted) or all.")
    page: int = Field(1, ge=1, le=100000)


class ReviewJudgeCriterionOut(Schema):
    id: int
    name: str
    description: str
    maximum: Decimal
    weight: Decimal


class ReviewJudgeScoreOut(Schema):
    values: dict[str, float] = Field(description="Criterion id → points.")
    total: Decimal | None
    comment: str
    status: str = Field(description="draft or submitted.")
    submitted_at: dt.datetime | None
    updated: dt.datetime


class ReviewJudgeCreditsOut(Schema):
    authors: list[str]
    unit: str


class ReviewJudgeEntryOut(Schema):
    assignment_id: int
    round: ReviewJudgeRoundRef
    instructions: str
    criteria: list[ReviewJudgeCriterionOut]
    entry: projections.BlindEntry
    score: ReviewJudgeScoreOut | None
    downloads: dict[str, str] = Field(description="File id → URL of its copy without metadata (where there is one).")
    previous: int | None = Field(description="The previous assignment in the queue.")
    next: int | None = Field(description="The next assignment in the queue.")
    credits: ReviewJudgeCreditsOut | None = Field(
        None, description="Authors and unit, only when the track's review is not blind (never a phone).")


class ReviewJudgeScoreIn(InputSchema):
    values: dict[str, float | int | str | None] = Field(
        default_factory=dict, description="Criterion id → points (0 to the criterion's maximum, two decimal places at "
                                          "most); empty or null leaves it unscored (drafts only).")
    comment: str = Field("", max_length=4000)
    submit: bool = Field(False, description="Submit (every criterion needed); a submitted score stays submitted.")


class ReviewJudgeConflictIn(InputSchema):
    reason: str = Field(..., max_length=2000)


class ReviewJudgeConflictOut(Schema):
    assignment_id: int
    entry_id: int
    status: str


def _round_ref(a: Assignment) -> ReviewJudgeRoundRef:
    r = a.round
    return ReviewJudgeRoundRef(id=r.pk, name=r.name, track=r.track.name, closes=r.closes)


def _score_out(s: Score | None) -> ReviewJudgeScoreOut | None:
    if s is None:
        return None
    return ReviewJudgeScoreOut(values=s.values, total=s.total, comment=s.comment, status=s.status,
                               submitted_at=s.submitted_at, updated=s.updated)


@router.get("/judge/queue", response={200: ReviewJudgeQueueOut, **ERRORS})
def judge_queue(request: HttpRequest, params: Query[ReviewJudgeQueueParams]):
    """Your assignments in open rounds (entries you may see), with each round's progress and
    deadline, 25 a page."""
    qs = views_judge.filtered(views_judge.my_assignments(request.user), params.state).order_by(*views_judge.ORDER)
    page = Paginator(qs, views_judge.PAGE_SIZE).get_page(params.page)
    rounds = [ReviewJudgeProgressOut(id=p.round.pk, name=p.round.name, track=p.round.track.name,
                                     closes=p.round.closes, assigned=p.total, submitted=p.done, drafts=p.drafts)
              for p in views_judge.progress(request.user)]
    items = [ReviewJudgeQueueItem(assignment_id=a.pk, round_id=a.round_id, entry_id=a.entry_id,
                                  number=a.entry.number, title=a.entry.title,
                                  score_status=getattr(a, "score_status", None) or "todo",
                                  url=reverse("review:judge_entry", args=[a.pk])) for a in page.object_list]
    return ReviewJudgeQueueOut(rounds=rounds, items=items, count=page.paginator.count, page=page.number,
                               pages=page.paginator.num_pages)


def _credits(a: Assignment) -> ReviewJudgeCreditsOut | None:
    c = open_credits(a.entry)
    return ReviewJudgeCreditsOut(**c) if c is not None else None


@router.get("/judge/assignments/{int:assignment_id}", response={200: ReviewJudgeEntryOut, **ERRORS})
def judge_entry(request: HttpRequest, assignment_id: int):
    """One of your assignments: the entry as the blind projection (no author, phone, unit or file
    name), the round's rubric and your score so far."""
    a = views_judge.assignment_for(request.user, assignment_id)
    view = projections.blind(a.entry)
    prev_id, next_id, _pos, _count, _todo = views_judge.neighbours(request.user, a)
    downloads = {str(pk): reverse("review:judge_file", args=[a.pk, pk])
                 for pk in views_judge.file_names(a.entry, view)}
    criteria = [ReviewJudgeCriterionOut(id=c.pk, name=c.name, description=c.description, maximum=c.maximum,
                                        weight=c.weight) for c in a.round.criteria.all()]
    return ReviewJudgeEntryOut(assignment_id=a.pk, round=_round_ref(a), instructions=a.round.instructions,
                               criteria=criteria, entry=view, score=_score_out(views_judge.score_of(a)),
                               downloads=downloads, previous=prev_id, next=next_id,
                               credits=_credits(a))


@router.put("/judge/assignments/{int:assignment_id}/score", response={200: ReviewJudgeScoreOut, **ERRORS})
def save_score(request: HttpRequest, assignment_id: int, payload: ReviewJudgeScoreIn):
    """Save your score as a draft (criteria may be left empty) or submit it (`submit`: every
    criterion). Changes are allowed until the round closes (409 `round_closed` after). A value out
    of bounds is 422 `invalid_score` with a message per criterion in `errors`
    ("values.<criterion id>"); a submission with criteria missing is 422 `incomplete_score`."""
    a = views_judge.assignment_for(request.user, assignment_id)
    try:
        score = scoring.save_score(request.user, a, payload.values, payload.comment, submit=payload.submit)
    except ScoreInvalid as exc:
        return Status(exc.status, ApiError(code=exc.code, message=str(exc.message), field=exc.field,
                                           errors=exc.errors))
    return _score_out(score)


@router.post("/judge/assignments/{int:assignment_id}/conflict", response={200: ReviewJudgeConflictOut, **ERRORS})
def declare_conflict(request: HttpRequest, assignment_id: int, payload: ReviewJudgeConflictIn):
    """Declare a conflict of interest with the entry (a reason is needed): the assignment is
    removed from your queue and the organisers are told so they can give it to another judge."""
    a = views_judge.assignment_for(request.user, assignment_id)
    scoring.declare_conflict(request.user, a, payload.reason)
    return ReviewJudgeConflictOut(assignment_id=a.pk, entry_id=a.entry_id, status="removed")


@router.get("/judge/assignments/{int:assignment_id}/files/{int:media_id}", response={200: None, **ERRORS},
            openapi_extra={"responses": {"200": {"description": "The file's copy without metadata, under a neutral "
                                                                "name (Content-Disposition)."}}})
def download(request: HttpRequest, assignment_id: int, media_id: int):
    """A copy of one of the entry's files with all its metadata removed (EXIF/XMP/GPS, ID3, MP4
    tags, document properties), never the original; 404 for types without one (use the
    renditions)."""
    return views_judge.serve_clean_copy(request, views_judge.assignment_for(request.user, assignment_id), media_id)
