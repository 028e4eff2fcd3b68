"""The JSON API of judging's assign area (mounted by review/api.py at /api/v1/review): a round's
proposed assignment and applying it, the round's assignments, manual additions and removals,
replacing a judge, and a track's recorded conflicts of interest. Staff of the track only
(`review.run_review`); thin over `review.domain.assignment` and `review.domain.conflicts`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhengji.campaigns.models import Track
from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import Entry

from .domain import assignment as assign
from .domain import conflicts as conflicts_domain
from .models import Assignment, Conflict, Round, Score, ScoreStatus

router = Router()

ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}
MAX_LIMIT = 500


class ReviewAssignStatsOut(Schema):
    entries: int
    judges: int
    k: int
    load_min: int
    load_max: int
    balanced: bool = Field(description="Every judge's load is within one of the others' (caps aside).")
    repeats: int = Field(description="Judges sharing an organisation with another judge of the same entry.")
    conflicts: int
    kept: int = Field(description="Assignments kept whatever happens: submitted scores and manual ones.")
    create: int
    keep: int
    remove: int
    uncovered: int
    cost: int
    seconds: float


class ReviewAssignLoadOut(Schema):
    judge: int
    name: str
    cap: int | None
    load: int


class ReviewAssignUncoveredOut(Schema):
    entry: int
    reason: str = Field(description='"conflicts" or "capacity"')
    needed: int
    available: int
    message: str


class ReviewAssignPairOut(Schema):
    entry: int
    judge: int


class ReviewAssignPreviewOut(Schema):
    round: int
    hash: str = Field(description="Pass it back to apply: refused (409 `stale`) if anything changed since.")
    feasible: bool
    message: str
    stats: ReviewAssignStatsOut
    loads: list[ReviewAssignLoadOut]
    uncovered: list[ReviewAssignUncoveredOut]
    pairs: list[ReviewAssignPairOut] = Field(description="The proposed (judge, entry) pairs, a page of them.")
    pairs_total: int
    page: int
    pages: int


class ReviewAssignPageParams(Schema):
    page: int = Field(1, ge=1)
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


class ReviewAssignApplyIn(InputSchema):
    hash: str = Field(..., min_length=1, max_length=64)


class ReviewAssignApplyOut(Schema):
    round: int
    created: int
    removed: int
    kept: int


class ReviewAssignmentOut(Schema):
    id: int
    round: int
    entry: int
    judge: int
    judge_name: str
    status: str
    manual: bool
    scored: bool
    created: dt.datetime
    removed_at: dt.datetime | None


class ReviewAssignListOut(Schema):
    items: list[ReviewAssignmentOut]
    count: int
    page: int
    pages: int


class ReviewAssignListParams(ReviewAssignPageParams):
    status: Literal["active", "removed", "all"] = "active"
    judge: int | None = None
    entry: int | None = None


class ReviewAssignAddIn(InputSchema):
    entry: int = Field(..., ge=1)
    judge: int = Field(..., ge=1, description="The judge's user id.")


class ReviewAssignRemoveIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ReviewAssignReplaceIn(InputSchema):
    judge: int = Field(..., ge=1)
    reason: str = Field(..., min_length=1, max_length=2000)


class ReviewAssignReplaceOut(Schema):
    round: int
    judge: int
    moved: list[ReviewAssignPairOut]
    kept_scored: int


class ReviewAssignConflictOut(Schema):
    id: int
    judge: int
    judge_name: str
    entry: int
    entry_number: str | None
    source: str
    source_label: str
    reason: str
    created: dt.datetime
    created_by: int | None


class ReviewAssignConflictListOut(Schema):
    items: list[ReviewAssignConflictOut]
    count: int
    page: int
    pages: int


class ReviewAssignConflictIn(InputSchema):
    judge: int = Field(..., ge=1)
    entry: int = Field(..., ge=1)
    reason: str = Field(..., min_length=1, max_length=2000)


def _staff(request: HttpRequest, track: Track) -> None:
    if not request.user.has_perm("review.run_review", track):
        raise NotPermitted(_("You may not assign judges in this track."))


def _round(request: HttpRequest, round_id: int) -> Round:
    rnd = Round.objects.select_related("track", "track__host_unit", "track__campaign").filter(pk=round_id).first()
    if rnd is None:
        raise Http404
    _staff(request, rnd.track)
    return rnd


def _track(request: HttpRequest, track_id: int) -> Track:
    track = Track.objects.select_related("host_unit", "campaign").filter(pk=track_id).first()
    if track is None:
        raise Http404
    _staff(request, track)
    return track


def _name(user: Any) -> str:
    return getattr(user, "real_name", "") or user.get_username()


def _judge(pk: int) -> Any:
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise DomainError(_("No such judge."), code="not_found", status=404, field="judge")
    return user


def _entry(track_id: int, pk: int) -> Entry:
    entry = Entry.objects.filter(pk=pk, track_id=track_id).first()
    if entry is None:
        raise DomainError(_("No such entry in this track."), code="not_found", status=404, field="entry")
    return entry


@router.get("/rounds/{int:round_id}/assignment/preview", response={200: ReviewAssignPreviewOut, **ERRORS})
def preview(request: HttpRequest, round_id: int, params: Query[ReviewAssignPageParams]):
    """The proposed assignment of the round (nothing is written): statistics, every judge's load,
    the entries that cannot get their judges and why, and a page of the proposed pairs."""
    rnd = _round(request, round_id)
    plan = assign.preview(request.user, rnd)
    pairs = list(plan.solution.pairs) + list(plan.kept) if plan.feasible else []
    pairs.sort(key=lambda p: (p[1], p[0]))
    paginator = Paginator(pairs, params.limit)
    page = paginator.get_page(params.page)
    return ReviewAssignPreviewOut(
        round=rnd.pk, hash=plan.hash, feasible=plan.feasible,
        message="" if plan.feasible else assign.uncovered_message(plan.solution.uncovered),
        stats=ReviewAssignStatsOut(**plan.stats()),
        loads=[ReviewAssignLoadOut(judge=j, name=_name(s.user), cap=s.cap, load=plan.loads.get(j, 0))
               for j, s in sorted(plan.seats.items())],
        uncovered=[ReviewAssignUncoveredOut(entry=u.entry, reason=u.reason, needed=u.needed, available=u.available,
                                            message=assign.reason_text(u)) for u in plan.solution.uncovered],
        pairs=[ReviewAssignPairOut(judge=j, entry=e) for j, e in page.object_list],
        pairs_total=len(pairs), page=page.number, pages=paginator.num_pages)


@router.post("/rounds/{int:round_id}/assignment/apply", response={200: ReviewAssignApplyOut, **ERRORS})
def apply(request: HttpRequest, round_id: int, payload: ReviewAssignApplyIn):
    """Apply the previewed assignment, all or nothing: 409 `stale` when the data changed since the
    preview with this hash, 409 `infeasible` when some entries cannot get their judges."""
    rnd = _round(request, round_id)
    plan = assign.apply(request.user, rnd, payload.hash)
    return ReviewAssignApplyOut(round=rnd.pk, created=len(plan.create), removed=len(plan.remove_ids),
                                kept=len(plan.keep_ids))


def _assignment_out(a: Assignment, scored: set[int]) -> ReviewAssignmentOut:
    return ReviewAssignmentOut(id=a.pk, round=a.round_id, entry=a.entry_id, judge=a.judge_id,
                               judge_name=_name(a.judge), status=a.status, manual=a.manual, scored=a.pk in scored,
                               created=a.created, removed_at=a.removed_at)


@router.get("/rounds/{int:round_id}/assignments", response={200: ReviewAssignListOut, **ERRORS})
def list_assignments(request: HttpRequest, round_id: int, params: Query[ReviewAssignListParams]):
    """The round's assignments, by entry then judge, a page at a time (`scored`: a submitted score)."""
    rnd = _round(request, round_id)
    qs = Assignment.objects.filter(round=rnd).select_related("judge").order_by("entry_id", "judge_id", "id")
    if params.status != "all":
        qs = qs.filter(status=params.status)
    if params.judge:
        qs = qs.filter(judge_id=params.judge)
    if params.entry:
        qs = qs.filter(entry_id=params.entry)
    paginator = Paginator(qs, params.limit)
    page = paginator.get_page(params.page)
    rows = list(page.object_list)
    scored = set(Score.objects.filter(assignment_id__in=[a.pk for a in rows], status=ScoreStatus.SUBMITTED)
                 .values_list("assignment_id", flat=True))
    return ReviewAssignListOut(items=[_assignment_out(a, scored) for a in rows], count=paginator.count,
                               page=page.number, pages=paginator.num_pages)


@router.post("/rounds/{int:round_id}/assignments", response={201: ReviewAssignmentOut, **ERRORS})
def add(request: HttpRequest, round_id: int, payload: ReviewAssignAddIn):
    """Assign a judge to an entry by hand: 409 `conflict` for a judge in conflict with it."""
    rnd = _round(request, round_id)
    a = assign.add(request.user, rnd, _entry(rnd.track_id, payload.entry), _judge(payload.judge))
    a = Assignment.objects.select_related("judge").get(pk=a.pk)
    return Status(201, _assignment_out(a, set()))


@router.post("/assignments/{int:assignment_id}/remove", response={200: ReviewAssignmentOut, **ERRORS})
def remove(request: HttpRequest, assignment_id: int, payload: ReviewAssignRemoveIn):
    """Take the judge off the entry (the row stays, removed, with any score)."""
    a = Assignment.objects.select_related("round__track__host_unit", "judge").filter(pk=assignment_id).first()
    if a is None:
        raise Http404
    _staff(request, a.round.track)
    assign.remove(request.user, a, payload.reason)
    a.refresh_from_db()
    scored = set(Score.objects.filter(assignment=a, status=ScoreStatus.SUBMITTED).values_list("assignment_id",
                                                                                              flat=True))
    return _assignment_out(a, scored)


@router.post("/rounds/{int:round_id}/replace-judge", response={200: ReviewAssignReplaceOut, **ERRORS})
def replace_judge(request: HttpRequest, round_id: int, payload: ReviewAssignReplaceIn):
    """A judge drops out: their unscored assignments move to other judges under the same rules;
    their submitted scores are kept (409 `infeasible` when the others cannot take the work)."""
    rnd = _round(request, round_id)
    result = assign.replace_judge(request.user, rnd, _judge(payload.judge), payload.reason)
    return ReviewAssignReplaceOut(round=rnd.pk, judge=payload.judge, kept_scored=result.kept,
                                  moved=[ReviewAssignPairOut(judge=j, entry=e) for j, e in result.moved])


def _conflict_out(c: Conflict) -> ReviewAssignConflictOut:
    return ReviewAssignConflictOut(id=c.pk, judge=c.judge_id, judge_name=_name(c.judge), entry=c.entry_id,
                                   entry_number=c.entry.number, source=c.source,
                                   source_label=str(c.get_source_display()), reason=c.reason, created=c.created,
                                   created_by=c.created_by_id)


@router.get("/tracks/{int:track_id}/conflicts", response={200: ReviewAssignConflictListOut, **ERRORS})
def list_conflicts(request: HttpRequest, track_id: int, params: Query[ReviewAssignPageParams]):
    """The track's recorded conflicts of interest (declared by judges or set by staff), newest
    first. Automatic ones (organisation, authorship, unit) are not stored and not listed."""
    track = _track(request, track_id)
    qs = Conflict.objects.filter(track=track).select_related("judge", "entry").order_by("-created", "-id")
    paginator = Paginator(qs, params.limit)
    page = paginator.get_page(params.page)
    return ReviewAssignConflictListOut(items=[_conflict_out(c) for c in page.object_list], count=paginator.count,
                                       page=page.number, pages=paginator.num_pages)


@router.post("/tracks/{int:track_id}/conflicts", response={201: ReviewAssignConflictOut, **ERRORS})
def add_conflict(request: HttpRequest, track_id: int, payload: ReviewAssignConflictIn):
    """Record a conflict; the judge's active assignments to the entry in running rounds are removed."""
    track = _track(request, track_id)
    c = conflicts_domain.set_conflict(request.user, track, _judge(payload.judge), _entry(track.pk, payload.entry),
                                      payload.reason)
    c = Conflict.objects.select_related("judge", "entry").get(pk=c.pk)
    return Status(201, _conflict_out(c))


@router.delete("/conflicts/{int:conflict_id}", response={204: None, **ERRORS})
def delete_conflict(request: HttpRequest, conflict_id: int):
    """Remove a recorded conflict of interest."""
    c = Conflict.objects.select_related("track__host_unit").filter(pk=conflict_id).first()
    if c is None:
        raise Http404
    _staff(request, c.track)
    conflicts_domain.remove_conflict(request.user, c)
    return Status(204, None)


__all__ = ["router"]
