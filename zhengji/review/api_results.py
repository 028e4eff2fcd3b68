"""The JSON API of judging's results area (mounted by review/api.py at /api/v1/review): progress
and reminders, the score table, the ranking preview, advancing, decisions, freezing, reopening,
snapshots and the trace of an entry. Staff of the track only (`review.run_review`): anyone else
gets 404, as on the pages. Thin over `review.domain.results`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.entries.models import Entry

from . import results as calc
from .domain import results as domain
from .models import ResultLine, ResultSnapshot
from .views_results import staff_round, staff_track

router = Router()

ERRORS = {400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


class ReviewResultsJudgeProgressOut(Schema):
    judge: int
    name: str
    assigned: int
    draft: int
    submitted: int
    last_activity: dt.datetime | None


class ReviewResultsRemindIn(InputSchema):
    judges: list[int] | None = Field(None, max_length=1000, description="Only these judges (default: all with "
                                                                          "unfinished work).")


class ReviewResultsRemindOut(Schema):
    reminded: int


class ReviewResultsJudgeScoreOut(Schema):
    judge: int
    name: str
    total: float
    values: dict[str, Any]
    normalised: float | None
    outlier: bool


class ReviewResultsEntryScoresOut(Schema):
    entry: int
    number: str | None
    title: str
    rank: int | None
    tied: bool
    aggregated: float | None
    final: float | None
    judges: list[ReviewResultsJudgeScoreOut]


class ReviewResultsCriterionOut(Schema):
    id: int
    name: str
    maximum: float
    weight: float


class ReviewResultsScoresOut(Schema):
    round: int
    aggregation: str
    normalise: bool
    round_mean: float | None
    round_sd: float | None
    no_spread_judges: list[int]
    criteria: list[ReviewResultsCriterionOut]
    count: int
    page: int
    pages: int
    items: list[ReviewResultsEntryScoresOut]


class ReviewResultsPageParams(Schema):
    page: int = Field(1, ge=1, le=100000)
    size: int = Field(50, ge=1, le=200)


class ReviewResultsRankingParams(ReviewResultsPageParams):
    round: int | None = Field(None, description="A scoring round of the track (default: the last with scores).")


class ReviewResultsRankLineOut(Schema):
    entry: int
    number: str | None
    rank: int | None
    tied: bool
    broken_by: str
    final: float | None
    score: float | None
    votes: int
    suggested_tier: int | None
    tie_at_cutoff: bool
    decided_tier: int | None
    decided: bool


class ReviewResultsCutoffOut(Schema):
    tier: int
    last_place: int


class ReviewResultsStraddleOut(Schema):
    tier: int
    cutoff: int
    rank: int
    entries: list[int]
    places_left: int
    overflow: int


class ReviewResultsRankingOut(Schema):
    round: int | None
    tie_break: str
    frozen: bool
    cutoffs: list[ReviewResultsCutoffOut]
    straddles: list[ReviewResultsStraddleOut]
    count: int
    page: int
    pages: int
    items: list[ReviewResultsRankLineOut]


class ReviewResultsAdvanceIn(InputSchema):
    entries: list[int] = Field(..., min_length=1, max_length=domain.MAX_BULK)


class ReviewResultsAdvanceOut(Schema):
    round: int
    added: list[int]


class ReviewResultsDecisionIn(Schema):
    entry: int
    tier: int | None = None
    note: str = Field("", max_length=2000)


class ReviewResultsDecideIn(InputSchema):
    decisions: list[ReviewResultsDecisionIn] = Field(..., min_length=1, max_length=domain.MAX_BULK)
    round: int | None = Field(None, description="The round whose ranking gives rank and score.")


class ReviewResultsLineOut(Schema):
    entry: int
    rank: int | None
    score: float | None
    tier: int | None
    note: str


class ReviewResultsReopenIn(InputSchema):
    reason: str = Field(..., max_length=2000)


class ReviewResultsSnapshotOut(Schema):
    version: int
    sha256: str
    frozen_at: dt.datetime
    frozen_by: str | None
    reopened_at: dt.datetime | None
    reopened_by: str | None
    reopen_reason: str
    current: bool


class ReviewResultsSnapshotDetailOut(ReviewResultsSnapshotOut):
    data: dict[str, Any]
    verified: bool


def _f(x: Any) -> float | None:
    return None if x is None else float(x)


@router.get("/results/rounds/{int:round_id}/progress", response={200: list[ReviewResultsJudgeProgressOut], **ERRORS})
def get_progress(request: HttpRequest, round_id: int):
    """Per judge of the round: assigned, drafts, submitted and the last activity."""
    rnd = staff_round(request.user, round_id)
    return [ReviewResultsJudgeProgressOut(judge=p.judge_id, name=p.name, assigned=p.assigned, draft=p.draft,
                                          submitted=p.submitted, last_activity=p.last_activity)
            for p in domain.progress(rnd)]


@router.post("/results/rounds/{int:round_id}/reminders", response={200: ReviewResultsRemindOut, **ERRORS})
def post_reminders(request: HttpRequest, round_id: int, payload: ReviewResultsRemindIn):
    """Remind the judges with unfinished work (409 `round_closed`, 400 `nothing_to_remind`)."""
    rnd = staff_round(request.user, round_id)
    return ReviewResultsRemindOut(reminded=domain.remind_judges(request.user, rnd, payload.judges))


@router.get("/results/rounds/{int:round_id}/scores", response={200: ReviewResultsScoresOut, **ERRORS})
def get_scores(request: HttpRequest, round_id: int, params: Query[ReviewResultsPageParams]):
    """The score table, a page of entries at a time (in ranking order): per judge the total, the
    points per criterion, the normalised number and the outlier flag."""
    rnd = staff_round(request.user, round_id)
    data, res = domain.compute_round(rnd)
    ordered = res.ordered()
    pg = Paginator(ordered, params.size)
    page = pg.get_page(params.page)
    ids = [er.entry_id for er in page.object_list]
    entries = Entry.objects.filter(pk__in=ids).only("pk", "number", "title").in_bulk()
    on_page = set(ids)
    names = {u.pk: str(u) for u in _users({r["judge_id"] for r in data.rows if r["entry_id"] in on_page})}
    flagged = {(o.entry_id, o.judge_id) for o in res.outliers}
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for r in data.rows:
        if r["entry_id"] in on_page:
            by_entry.setdefault(r["entry_id"], []).append(r)
    norm = res.normalisation
    items = []
    for er in page.object_list:
        e = entries.get(er.entry_id)
        judges = [ReviewResultsJudgeScoreOut(
            judge=r["judge_id"], name=names.get(r["judge_id"], ""), total=float(r["total"]), values=r["values"] or {},
            normalised=norm.value(er.entry_id, r["judge_id"]) if norm else None,
            outlier=(er.entry_id, r["judge_id"]) in flagged) for r in by_entry.get(er.entry_id, [])]
        items.append(ReviewResultsEntryScoresOut(
            entry=er.entry_id, number=e.number if e else None, title=e.title if e else "",
            rank=er.ranked.rank if er.ranked else None, tied=bool(er.ranked and er.ranked.tied),
            aggregated=er.aggregate.value if er.aggregate else None, final=er.final, judges=judges))
    return ReviewResultsScoresOut(
        round=rnd.pk, aggregation=res.settings.aggregation, normalise=res.settings.normalise,
        round_mean=norm.round_mean if norm else None, round_sd=norm.round_sd if norm else None,
        no_spread_judges=res.no_spread,
        criteria=[ReviewResultsCriterionOut(id=c.pk, name=c.name, maximum=float(c.maximum), weight=float(c.weight))
                  for c in data.criteria],
        count=pg.count, page=page.number, pages=pg.num_pages, items=items)


def _users(ids: set[int]) -> Any:
    return get_user_model().objects.filter(pk__in=ids)


@router.get("/results/tracks/{int:track_id}/ranking", response={200: ReviewResultsRankingOut, **ERRORS})
def get_ranking(request: HttpRequest, track_id: int, params: Query[ReviewResultsRankingParams]):
    """The ranking preview of a round with tier cut-offs, ties, ties across a cut-off and the
    decisions made so far."""
    track = staff_track(request.user, track_id)
    rnd = domain.ranking_round(track, params.round)
    frozen = domain.current_snapshot(track) is not None
    conf = domain.settings_of(track)
    if rnd is None:
        return ReviewResultsRankingOut(round=None, tie_break=conf.tie_break, frozen=frozen, cutoffs=[], straddles=[],
                                       count=0, page=1, pages=1, items=[])
    _data, res = domain.compute_round(rnd)
    pg = Paginator(res.ordered(), params.size)
    page = pg.get_page(params.page)
    ids = [er.entry_id for er in page.object_list]
    numbers = dict(Entry.objects.filter(pk__in=ids).values_list("pk", "number"))
    lines = {line.entry_id: line for line in ResultLine.objects.filter(track=track, entry_id__in=ids)}
    items = []
    for er in page.object_list:
        line = lines.get(er.entry_id)
        items.append(ReviewResultsRankLineOut(
            entry=er.entry_id, number=numbers.get(er.entry_id), rank=er.ranked.rank if er.ranked else None,
            tied=bool(er.ranked and er.ranked.tied), broken_by=er.ranked.broken_by if er.ranked else "",
            final=er.final, score=er.blend.score if er.blend else None, votes=er.blend.votes if er.blend else 0,
            suggested_tier=er.tier_id, tie_at_cutoff=er.straddle is not None,
            decided_tier=line.tier_id if line else None, decided=line is not None))
    return ReviewResultsRankingOut(
        round=rnd.pk, tie_break=conf.tie_break, frozen=frozen,
        cutoffs=[ReviewResultsCutoffOut(tier=t, last_place=last) for t, last in res.cut.cutoffs],
        straddles=[_straddle(s) for s in res.cut.straddles],
        count=pg.count, page=page.number, pages=pg.num_pages, items=items)


def _straddle(s: calc.Straddle) -> ReviewResultsStraddleOut:
    return ReviewResultsStraddleOut(tier=s.tier_id, cutoff=s.cutoff, rank=s.rank, entries=list(s.entry_ids),
                                    places_left=s.places_left, overflow=s.overflow)


@router.post("/results/rounds/{int:round_id}/advance", response={200: ReviewResultsAdvanceOut, **ERRORS})
def post_advance(request: HttpRequest, round_id: int, payload: ReviewResultsAdvanceIn):
    """Put entries of this round into the track's next round (409 `frozen` after a freeze)."""
    rnd = staff_round(request.user, round_id)
    added = domain.advance(request.user, rnd, payload.entries)
    nxt = domain.next_round(rnd)
    return ReviewResultsAdvanceOut(round=nxt.pk if nxt else 0, added=added)


@router.post("/results/tracks/{int:track_id}/decisions", response={200: list[ReviewResultsLineOut], **ERRORS})
def post_decisions(request: HttpRequest, track_id: int, payload: ReviewResultsDecideIn):
    """Final decisions in bulk: per entry a tier of the track (or null: no award) and a note;
    rank and score come from the ranking. 409 `frozen` while the results are frozen."""
    track = staff_track(request.user, track_id)
    decisions = [domain.Decision(d.entry, d.tier, d.note) for d in payload.decisions]
    lines = domain.decide(request.user, track, decisions, round_id=payload.round)
    return [ReviewResultsLineOut(entry=line.entry_id, rank=line.rank, score=_f(line.score), tier=line.tier_id,
                                 note=line.note) for line in lines]


def _snap(s: ResultSnapshot, current: bool) -> dict[str, Any]:
    return dict(version=s.version, sha256=s.sha256, frozen_at=s.frozen_at,
                frozen_by=str(s.frozen_by) if s.frozen_by else None, reopened_at=s.reopened_at,
                reopened_by=str(s.reopened_by) if s.reopened_by else None, reopen_reason=s.reopen_reason,
                current=current)


@router.post("/results/tracks/{int:track_id}/freeze", response={201: ReviewResultsSnapshotOut, **ERRORS})
def post_freeze(request: HttpRequest, track_id: int):
    """Freeze the track's results (409 `already_frozen`)."""
    track = staff_track(request.user, track_id)
    snap = domain.freeze(request.user, track)
    return Status(201, ReviewResultsSnapshotOut(**_snap(snap, True)))


@router.post("/results/tracks/{int:track_id}/reopen", response={200: ReviewResultsSnapshotOut, **ERRORS})
def post_reopen(request: HttpRequest, track_id: int, payload: ReviewResultsReopenIn):
    """Reopen frozen results with a reason (400 `reason_required`, 409 `not_frozen`)."""
    track = staff_track(request.user, track_id)
    snap = domain.reopen(request.user, track, payload.reason)
    return ReviewResultsSnapshotOut(**_snap(snap, False))


@router.get("/results/tracks/{int:track_id}/snapshots", response={200: list[ReviewResultsSnapshotOut], **ERRORS})
def get_snapshots(request: HttpRequest, track_id: int):
    """Every snapshot of the track, newest first, with its hash and any reopening."""
    track = staff_track(request.user, track_id)
    snaps = domain.snapshots(track)
    return [ReviewResultsSnapshotOut(**_snap(s, i == 0 and s.reopened_at is None)) for i, s in enumerate(snaps)]


@router.get("/results/tracks/{int:track_id}/snapshots/{int:version}",
            response={200: ReviewResultsSnapshotDetailOut, **ERRORS})
def get_snapshot(request: HttpRequest, track_id: int, version: int):
    """One snapshot with its data (the canonical JSON hashes to `sha256`: `verified`)."""
    track = staff_track(request.user, track_id)
    snap = ResultSnapshot.objects.select_related("frozen_by", "reopened_by").filter(track=track,
                                                                                     version=version).first()
    if snap is None:
        raise Http404
    latest = ResultSnapshot.objects.filter(track=track).order_by("-version").values_list("version", flat=True).first()
    return ReviewResultsSnapshotDetailOut(**_snap(snap, snap.version == latest and snap.reopened_at is None),
                                          data=snap.data, verified=domain.verify(snap))


class ReviewResultsTraceScoreOut(Schema):
    judge: int
    name: str
    status: str
    values: dict[str, Any]
    total: float | None
    submitted_at: dt.datetime | None
    counted: bool
    judge_mean: float | None
    judge_sd: float | None
    z: float | None
    normalised: float | None
    outlier: bool


class ReviewResultsTraceRoundOut(Schema):
    round: int
    name: str
    ranks_the_track: bool
    settings: dict[str, Any]
    round_mean: float | None
    round_sd: float | None
    scores: list[ReviewResultsTraceScoreOut]
    aggregate: dict[str, Any] | None
    blend: dict[str, Any] | None
    criteria_means: list[float]
    rank: int | None
    tied: bool
    suggested_tier: int | None


class ReviewResultsTraceEventOut(Schema):
    at: dt.datetime
    action: str
    actor: str | None
    object_type: str
    object_id: str
    reason: str


class ReviewResultsTraceOut(Schema):
    entry: int
    number: str | None
    title: str
    decision: ReviewResultsLineOut | None
    decided_by: str | None
    decided_at: dt.datetime | None
    rounds: list[ReviewResultsTraceRoundOut]
    objections: list[dict[str, Any]]
    events: list[ReviewResultsTraceEventOut]


@router.get("/results/tracks/{int:track_id}/entries/{int:entry_id}/trace",
            response={200: ReviewResultsTraceOut, **ERRORS})
def get_trace(request: HttpRequest, track_id: int, entry_id: int):
    """From an entry's result to its scores per judge per criterion, the normalisation and
    aggregation steps with their numbers, the decision, objections and who did what when."""
    track = staff_track(request.user, track_id)
    entry = Entry.objects.filter(pk=entry_id, track=track).first()
    if entry is None:
        raise Http404
    t = domain.entry_trace(track, entry)
    rounds = []
    for rt in t.rounds:
        er = rt.result
        norm = rt.computed.normalisation
        agg = er.aggregate if er else None
        rounds.append(ReviewResultsTraceRoundOut(
            round=rt.round.pk, name=rt.round.name, ranks_the_track=rt.is_ranking_round,
            settings={"aggregation": rt.computed.settings.aggregation, "normalise": rt.computed.settings.normalise,
                      "vote_weight": rt.computed.settings.vote_weight, "tie_break": rt.computed.settings.tie_break},
            round_mean=norm.round_mean if norm else None, round_sd=norm.round_sd if norm else None,
            scores=[ReviewResultsTraceScoreOut(
                judge=j.judge_id, name=j.name, status=j.status, values={str(c.pk): v for c, v in j.values},
                total=_f(j.total), submitted_at=j.submitted_at, counted=j.counted,
                judge_mean=j.stats.mean if j.stats else None, judge_sd=j.stats.sd if j.stats else None,
                z=j.norm.z if j.norm else None, normalised=j.norm.value if j.norm else None,
                outlier=j.outlier is not None) for j in rt.judges],
            aggregate=None if agg is None else {"method": agg.method, "inputs": list(agg.inputs), "mean": agg.mean,
                                                "trimmed": agg.trimmed, "dropped": list(agg.dropped),
                                                "median": agg.median, "value": agg.value},
            blend=None if er is None or er.blend is None else {
                "score": er.blend.score, "votes": er.blend.votes, "vote_scaled": er.blend.vote_scaled,
                "weight": er.blend.weight, "final": er.blend.final},
            criteria_means=list(er.criteria) if er else [],
            rank=er.ranked.rank if er and er.ranked else None, tied=bool(er and er.ranked and er.ranked.tied),
            suggested_tier=er.tier_id if er else None))
    line = t.line
    return ReviewResultsTraceOut(
        entry=entry.pk, number=entry.number, title=entry.title,
        decision=None if line is None else ReviewResultsLineOut(entry=line.entry_id, rank=line.rank,
                                                                score=_f(line.score), tier=line.tier_id,
                                                                note=line.note),
        decided_by=str(line.decided_by) if line and line.decided_by else None,
        decided_at=line.decided_at if line else None, rounds=rounds,
        objections=[{"id": o.pk, "status": o.status, "name": o.name, "unit": o.unit_name, "reason": o.reason,
                     "created": o.created.isoformat(), "reply": o.reply,
                     "handled_by": str(o.handled_by) if o.handled_by else None,
                     "handled_at": o.handled_at.isoformat() if o.handled_at else None} for o in t.objections],
        events=[ReviewResultsTraceEventOut(at=ev.at, action=ev.action, actor=str(ev.actor) if ev.actor else None,
                                           object_type=ev.object_type, object_id=ev.object_id, reason=ev.reason)
                for ev in t.events])
