"""The JSON API of judging's setup area (mounted by review/api.py at /api/review): a track's
review settings, its rounds (create, change, delete, open, close) and their rubric, the award
tiers, the panel (invite by mobile number, change, remove), the vetting queue and decisions, and
a campaign's public holidays. The pages' permissions: `review.run_review` on the track
(host-unit staff, campaign admins, superusers); holidays `review.manage_holidays` (campaign admins)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhengji.campaigns.models import Campaign, Track
from zhengji.common.apitypes import ApiError, InputSchema, IsoDate, IsoDateTime
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries import projections
from zhengji.entries.projections import HostEntry
from zhengji.entries.queries import View, entry_for

from .domain import setup as domain
from .models import AwardTier, Criterion, Holiday, PanelMember, ReviewSetup, Round

router = Router()

ERRORS = {400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}
PANEL_PAGE = 50
VETTING_PAGE = 50


# --- schemas ------------------------------------------------------------------------------------------

class ReviewSetupRef(Schema):
    id: int
    name: str


class ReviewSetupSettingsOut(Schema):
    track: int
    blind: bool
    aggregation: str = Field(description="mean, trimmed or median.")
    normalise: bool
    public_vote_weight: int = Field(description="Percent, 0–50.")
    tie_break: str = Field(description="criteria, votes or panel.")
    publicity_days: int = Field(description="Working days, 1–30.")


class ReviewSetupSettingsIn(InputSchema):
    """Only the settings given change."""

    blind: bool | None = None
    aggregation: Literal["mean", "trimmed", "median"] | None = None
    normalise: bool | None = None
    public_vote_weight: int | None = Field(None, description="Percent, 0–50.")
    tie_break: Literal["criteria", "votes", "panel"] | None = None
    publicity_days: int | None = Field(None, description="Working days, 1–30.")


class ReviewSetupCriterionOut(Schema):
    id: int
    position: int
    name: str
    name_en: str
    description: str
    maximum: Decimal
    weight: Decimal


class ReviewSetupCriterionIn(InputSchema):
    id: int | None = Field(None, description="A criterion kept (changed in place); none: a new one.")
    name: str = Field(..., max_length=100)
    name_en: str = Field("", max_length=100)
    description: str = Field("", max_length=2000)
    maximum: Decimal = Field(Decimal(10), description="Points from 0 to this (above 0).")
    weight: Decimal = Field(Decimal(1), description="0 or more; not all 0.")


class ReviewSetupCriteriaIn(InputSchema):
    criteria: list[ReviewSetupCriterionIn] = Field(..., max_length=domain.MAX_ROWS,
                                                   description="The whole rubric, in order.")


class ReviewSetupRoundOut(Schema):
    id: int
    track: int
    position: int
    kind: str = Field(description="vetting, scoring or final.")
    name: str
    name_en: str
    opens: dt.datetime
    closes: dt.datetime
    judges_per_entry: int
    status: str = Field(description="draft, open or closed.")
    instructions: str
    entries: int = 0
    criteria: list[ReviewSetupCriterionOut] = []


class ReviewSetupRoundIn(InputSchema):
    kind: Literal["vetting", "scoring", "final"]
    name: str = Field(..., max_length=100)
    name_en: str = Field("", max_length=100)
    opens: IsoDateTime = Field(..., description="ISO 8601; without an offset, Beijing time.")
    closes: IsoDateTime
    judges_per_entry: int = Field(3, ge=1, le=15)
    instructions: str = Field("", max_length=5000)


class ReviewSetupRoundPatch(InputSchema):
    """Only the fields given change (while open: name, name_en, closes, instructions)."""

    name: str | None = Field(None, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    opens: IsoDateTime | None = None
    closes: IsoDateTime | None = None
    judges_per_entry: int | None = Field(None, ge=1, le=15)
    instructions: str | None = Field(None, max_length=5000)


class ReviewSetupOpenedOut(Schema):
    round: ReviewSetupRoundOut
    added: int = Field(description="Entries put in the round by this call.")
    total: int


class ReviewSetupClosedOut(Schema):
    round: ReviewSetupRoundOut
    scored: list[int] = Field(description="Entries marked scored (closing the last scoring round).")
    unscored: list[int] = Field(description="Eligible entries of the round without a submitted score.")


class ReviewSetupTierOut(Schema):
    id: int
    position: int
    name: str
    name_en: str
    quota: int


class ReviewSetupTierIn(InputSchema):
    id: int | None = None
    name: str = Field(..., max_length=60)
    name_en: str = Field("", max_length=60)
    quota: int = Field(..., ge=1, le=100000)


class ReviewSetupTiersIn(InputSchema):
    tiers: list[ReviewSetupTierIn] = Field(..., max_length=domain.MAX_ROWS, description="Best first.")


class ReviewSetupSeatOut(Schema):
    id: int
    user: int
    name: str
    phone: str = Field(description="Masked.")
    org: ReviewSetupRef | None
    affiliation: str
    cap: int | None
    active: bool
    load: int = Field(0, description="Active assignments in rounds not closed.")
    scored: int = Field(0, description="Scores submitted in the track.")
    invited_at: dt.datetime
    left_at: dt.datetime | None


class ReviewSetupPanelPage(Schema):
    items: list[ReviewSetupSeatOut]
    page: int
    pages: int
    count: int


class ReviewSetupInviteIn(InputSchema):
    phone: str = Field(..., max_length=20, description="A mainland mobile number.")
    name: str = Field(..., max_length=60, description="The judge's real name.")
    org: int | None = Field(None, description="Their organisation (None: an outside expert).")
    affiliation: str = Field("", max_length=200)
    cap: int | None = Field(None, ge=1, le=100000, description="Most entries per round.")


class ReviewSetupInviteOut(ReviewSetupSeatOut):
    new_account: bool = Field(description="A judge-only account was created (they log in by SMS code).")
    reactivated: bool


class ReviewSetupSeatPatch(InputSchema):
    """Only the fields given change; `cap: null` removes the cap, `org: null` the organisation."""

    cap: int | None = Field(None, ge=1, le=100000)
    org: int | None = None
    affiliation: str | None = Field(None, max_length=200)
    active: bool | None = None


class ReviewSetupVettingItem(Schema):
    id: int
    number: str | None
    title: str
    summary: str
    status: str
    entrant_type: str
    unit: ReviewSetupRef
    authors: list[str]
    submitted_at: dt.datetime | None


class ReviewSetupVettingPage(Schema):
    items: list[ReviewSetupVettingItem]
    page: int
    pages: int
    count: int


class ReviewSetupVettingParams(Schema):
    state: Literal["reported", "eligible", "disqualified"] = "reported"
    unit: int | None = Field(None, description="Entries of this organisation's subtree.")
    q: str = Field("", max_length=100, description="Search in titles and entry numbers.")
    page: int = Field(1, ge=1)


class ReviewSetupVetIn(InputSchema):
    entries: list[int] = Field(..., min_length=1, max_length=domain.MAX_BULK)
    eligible: bool = Field(description="true: eligible; false: disqualified (a reason is required).")
    reason: str = Field("", max_length=2000)


class ReviewSetupVetResult(Schema):
    entry: int
    ok: bool
    status: str
    code: str
    message: str


class ReviewSetupVetOut(Schema):
    done: int
    refused: int
    results: list[ReviewSetupVetResult] = Field(description="One per entry, in the given order.")


class ReviewSetupRequalifyIn(InputSchema):
    entry: int
    reason: str = Field(..., max_length=2000)


class ReviewSetupHolidayItem(InputSchema):
    date: IsoDate
    name: str = Field("", max_length=60)
    workday: bool = Field(False, description="A weekend day that is worked (调休).")


class ReviewSetupHolidaysIn(InputSchema):
    days: list[ReviewSetupHolidayItem] = Field(..., max_length=domain.MAX_HOLIDAYS)


class ReviewSetupHolidaysOut(Schema):
    campaign: str
    days: list[ReviewSetupHolidayItem]


# --- helpers ------------------------------------------------------------------------------------------

def _track(request: HttpRequest, track_id: int) -> Track:
    track = Track.objects.select_related("campaign", "host_unit").filter(pk=track_id).first()
    if track is None:
        raise Http404
    if not request.user.has_perm("review.run_review", track):
        raise NotPermitted(_no())
    return track


def _round(request: HttpRequest, round_id: int) -> Round:
    rnd = Round.objects.select_related("track__campaign", "track__host_unit").filter(pk=round_id).first()
    if rnd is None:
        raise Http404
    if not request.user.has_perm("review.run_review", rnd.track):
        raise NotPermitted(_no())
    return rnd


def _seat(request: HttpRequest, seat_id: int) -> PanelMember:
    seat = PanelMember.objects.select_related("track__campaign", "user", "org").filter(pk=seat_id).first()
    if seat is None:
        raise Http404
    if not request.user.has_perm("review.run_review", seat.track):
        raise NotPermitted(_no())
    return seat


def _no() -> str:
    return _("You may not set up the review of this track.")


def _settings_out(s: ReviewSetup) -> ReviewSetupSettingsOut:
    return ReviewSetupSettingsOut(track=s.track.pk, blind=s.blind, aggregation=s.aggregation, normalise=s.normalise,
                                  public_vote_weight=s.public_vote_weight, tie_break=s.tie_break,
                                  publicity_days=s.publicity_days)


def _criterion_out(c: Criterion) -> ReviewSetupCriterionOut:
    return ReviewSetupCriterionOut(id=c.pk, position=c.position, name=c.name, name_en=c.name_en,
                                   description=c.description, maximum=c.maximum, weight=c.weight)


def _round_out(r: Round, *, criteria: bool = True) -> ReviewSetupRoundOut:
    entries = r.n_entries if hasattr(r, "n_entries") else r.round_entries.count()
    return ReviewSetupRoundOut(
        id=r.pk, track=r.track_id, position=r.position, kind=r.kind, name=r.name, name_en=r.name_en, opens=r.opens,
        closes=r.closes, judges_per_entry=r.judges_per_entry, status=r.status, instructions=r.instructions,
        entries=entries or 0,
        criteria=[_criterion_out(c) for c in Criterion.objects.filter(round=r)] if criteria else [])


def _seat_out(s: PanelMember, cls: type[ReviewSetupSeatOut] = ReviewSetupSeatOut, **extra: Any) -> Any:
    return cls(id=s.pk, user=s.user_id, name=s.user.display_name, phone=s.user.masked_phone,
               org=ReviewSetupRef(id=s.org.pk, name=s.org.name) if s.org else None, affiliation=s.affiliation,
               cap=s.cap, active=s.active, load=getattr(s, "load", 0), scored=getattr(s, "scored", 0),
               invited_at=s.invited_at, left_at=s.left_at, **extra)


# --- settings -----------------------------------------------------------------------------------------

@router.get("/tracks/{int:track_id}/setup", response={200: ReviewSetupSettingsOut, **ERRORS})
def get_setup(request: HttpRequest, track_id: int):
    """The track's review settings (the defaults until changed)."""
    return _settings_out(domain.settings_of(_track(request, track_id)))


@router.put("/tracks/{int:track_id}/setup", response={200: ReviewSetupSettingsOut, **ERRORS})
def put_setup(request: HttpRequest, track_id: int, payload: ReviewSetupSettingsIn):
    """Change the settings given. 400 `out_of_range` (vote weight 0–50, publicity 1–30 days),
    400 `votes_without_weight`, 409 `frozen` once the results are frozen."""
    track = _track(request, track_id)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return _settings_out(domain.update_setup(request.user, track, **fields))


# --- rounds -------------------------------------------------------------------------------------------

@router.get("/tracks/{int:track_id}/rounds", response={200: list[ReviewSetupRoundOut], **ERRORS})
def list_rounds(request: HttpRequest, track_id: int):
    """The track's rounds in order, with their entry counts and rubric."""
    track = _track(request, track_id)
    rounds = domain.rounds_with_counts(track)
    criteria: dict[int, list[ReviewSetupCriterionOut]] = {}
    for c in Criterion.objects.filter(round__track=track):
        criteria.setdefault(c.round_id, []).append(_criterion_out(c))
    out = []
    for r in rounds:
        item = _round_out(r, criteria=False)
        item.criteria = criteria.get(r.pk, [])
        out.append(item)
    return out


@router.post("/tracks/{int:track_id}/rounds", response={201: ReviewSetupRoundOut, **ERRORS})
def create_round(request: HttpRequest, track_id: int, payload: ReviewSetupRoundIn):
    """Add a round in its place (vetting first, scoring rounds, final last). 400 `duplicate_round`,
    `round_order`, `bad_dates`."""
    track = _track(request, track_id)
    rnd = domain.create_round(request.user, track, payload.kind, payload.name, payload.opens, payload.closes,
                              judges_per_entry=payload.judges_per_entry, instructions=payload.instructions,
                              name_en=payload.name_en)
    return 201, _round_out(rnd)


@router.get("/rounds/{int:round_id}", response={200: ReviewSetupRoundOut, **ERRORS})
def get_round(request: HttpRequest, round_id: int):
    return _round_out(_round(request, round_id))


@router.patch("/rounds/{int:round_id}", response={200: ReviewSetupRoundOut, **ERRORS})
def patch_round(request: HttpRequest, round_id: int, payload: ReviewSetupRoundPatch):
    """Change a round: anything while being set up; while open only name, name_en, closes,
    instructions (409 `round_open`); nothing once closed (409 `round_closed`)."""
    rnd = _round(request, round_id)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return _round_out(domain.update_round(request.user, rnd, **fields))


@router.delete("/rounds/{int:round_id}", response={204: None, **ERRORS})
def delete_round(request: HttpRequest, round_id: int):
    """Delete a round that has not opened and has no entries or judges (409 otherwise)."""
    domain.delete_round(request.user, _round(request, round_id))
    return 204, None


@router.post("/rounds/{int:round_id}/open", response={200: ReviewSetupOpenedOut, **ERRORS})
def open_round(request: HttpRequest, round_id: int):
    """Open the round (every earlier round closed: 409 `round_order`); it takes its entries in
    bulk. Again on an open round: adds entries that qualified since."""
    opened = domain.open_round(request.user, _round(request, round_id))
    return ReviewSetupOpenedOut(round=_round_out(opened.round), added=opened.added, total=opened.total)


@router.post("/rounds/{int:round_id}/close", response={200: ReviewSetupClosedOut, **ERRORS})
def close_round(request: HttpRequest, round_id: int):
    """Close the round; closing the last scoring round marks the scored entries."""
    closed = domain.close_round(request.user, _round(request, round_id))
    return ReviewSetupClosedOut(round=_round_out(closed.round), scored=closed.scored, unscored=closed.unscored)


@router.get("/rounds/{int:round_id}/criteria", response={200: list[ReviewSetupCriterionOut], **ERRORS})
def get_criteria(request: HttpRequest, round_id: int):
    return [_criterion_out(c) for c in Criterion.objects.filter(round=_round(request, round_id))]


@router.put("/rounds/{int:round_id}/criteria", response={200: list[ReviewSetupCriterionOut], **ERRORS})
def put_criteria(request: HttpRequest, round_id: int, payload: ReviewSetupCriteriaIn):
    """Replace the rubric (in order). 409 `rubric_locked` once a score was submitted in the round."""
    rnd = _round(request, round_id)
    rows = [c.dict() for c in payload.criteria]
    return [_criterion_out(c) for c in domain.set_criteria(request.user, rnd, rows)]


# --- tiers --------------------------------------------------------------------------------------------

def _tier_out(t: AwardTier) -> ReviewSetupTierOut:
    return ReviewSetupTierOut(id=t.pk, position=t.position, name=t.name, name_en=t.name_en, quota=t.quota)


@router.get("/tracks/{int:track_id}/tiers", response={200: list[ReviewSetupTierOut], **ERRORS})
def get_tiers(request: HttpRequest, track_id: int):
    return [_tier_out(t) for t in AwardTier.objects.filter(track=_track(request, track_id))]


@router.put("/tracks/{int:track_id}/tiers", response={200: list[ReviewSetupTierOut], **ERRORS})
def put_tiers(request: HttpRequest, track_id: int, payload: ReviewSetupTiersIn):
    """Replace the award tiers, best first. 409 `tier_in_use`, `frozen`."""
    track = _track(request, track_id)
    return [_tier_out(t) for t in domain.set_tiers(request.user, track, [t.dict() for t in payload.tiers])]


# --- panel --------------------------------------------------------------------------------------------

@router.get("/tracks/{int:track_id}/panel", response={200: ReviewSetupPanelPage, **ERRORS})
def get_panel(request: HttpRequest, track_id: int, page: int = 1):
    """The panel, active seats first, 50 a page, with each judge's load."""
    pg = Paginator(domain.panel_of(_track(request, track_id)), PANEL_PAGE).get_page(page)
    return ReviewSetupPanelPage(items=[_seat_out(s) for s in pg.object_list], page=pg.number,
                                pages=pg.paginator.num_pages, count=pg.paginator.count)


@router.post("/tracks/{int:track_id}/panel", response={201: ReviewSetupInviteOut, **ERRORS})
def invite(request: HttpRequest, track_id: int, payload: ReviewSetupInviteIn):
    """Invite a judge by mobile number: an existing account, or a new judge-only account (logs in
    by SMS code). Re-inviting someone who left brings them back. 409 `already_on_panel`."""
    track = _track(request, track_id)
    inv = domain.invite_judge(request.user, track, payload.phone, payload.name, org=payload.org,
                              affiliation=payload.affiliation, cap=payload.cap)
    return 201, _seat_out(inv.seat, ReviewSetupInviteOut, new_account=inv.new_account, reactivated=inv.reactivated)


@router.patch("/panel/{int:seat_id}", response={200: ReviewSetupSeatOut, **ERRORS})
def patch_seat(request: HttpRequest, seat_id: int, payload: ReviewSetupSeatPatch):
    seat = _seat(request, seat_id)
    fields = payload.dict(exclude_unset=True)
    return _seat_out(domain.update_judge(request.user, seat, **fields))


@router.delete("/panel/{int:seat_id}", response={200: ReviewSetupSeatOut, **ERRORS})
def remove_seat(request: HttpRequest, seat_id: int, reason: str = ""):
    """Take the judge off the panel (the role is revoked); their assignments stay until the
    assignment replaces them. 409 `not_on_panel`."""
    return _seat_out(domain.remove_judge(request.user, _seat(request, seat_id), reason[:2000]))


# --- vetting ------------------------------------------------------------------------------------------

@router.get("/tracks/{int:track_id}/vetting", response={200: ReviewSetupVettingPage, **ERRORS})
def vetting_queue(request: HttpRequest, track_id: int, params: Query[ReviewSetupVettingParams]):
    """The track's entries waiting for vetting (or those eligible / disqualified), 50 a page."""
    track = _track(request, track_id)
    filters = domain.VettingFilters(state=params.state, unit=params.unit, q=params.q.strip())
    pg = Paginator(domain.vetting_entries(request.user, track, filters), VETTING_PAGE).get_page(params.page)
    items = [ReviewSetupVettingItem(id=e.pk, number=e.number, title=e.title, summary=e.summary, status=e.status,
                                    entrant_type=e.entrant_type, unit=ReviewSetupRef(id=e.unit.pk, name=e.unit.name),
                                    authors=[a.name for a in e.authors.all()], submitted_at=e.submitted_at)
             for e in pg.object_list]
    return ReviewSetupVettingPage(items=items, page=pg.number, pages=pg.paginator.num_pages,
                                  count=pg.paginator.count)


@router.get("/tracks/{int:track_id}/vetting/{int:entry_id}", response={200: HostEntry, **ERRORS})
def vetting_entry(request: HttpRequest, track_id: int, entry_id: int):
    """One entry of the track as the host unit sees it (phone masked)."""
    track = _track(request, track_id)
    entry = entry_for(request.user, entry_id, None, view=View.HOST)
    if entry.track_id != track.pk:
        raise Http404
    return projections.host(entry, request.user)


@router.post("/tracks/{int:track_id}/vetting", response={200: ReviewSetupVetOut, **ERRORS})
def vet(request: HttpRequest, track_id: int, payload: ReviewSetupVetIn):
    """Eligible or disqualified (with a reason: 400 `reason_required`), each entry on its own: the
    result of each says whether it was done and, if not, why (e.g. `not_vettable`)."""
    track = _track(request, track_id)
    if not payload.eligible and not payload.reason.strip():
        raise DomainError(_("Say why the entries are disqualified."), code="reason_required", field="reason")
    from_track = set(track.entries.filter(pk__in=payload.entries).values_list("pk", flat=True))
    results = domain.vet(request.user, [pk for pk in payload.entries if pk in from_track], payload.eligible,
                         payload.reason) if from_track else []
    by_id = {r.entry_id: r for r in results}
    out = []
    for pk in payload.entries:
        r = by_id.get(pk)
        if r is None:
            out.append(ReviewSetupVetResult(entry=pk, ok=False, status="", code="not_found",
                                            message=str(_not_in_track())))
        else:
            out.append(ReviewSetupVetResult(entry=pk, ok=r.ok, status=r.status, code=r.code, message=r.message))
    done = sum(1 for r in out if r.ok)
    return ReviewSetupVetOut(done=done, refused=len(out) - done, results=out)


def _not_in_track() -> str:
    return _("No such entry in this track.")


@router.post("/tracks/{int:track_id}/requalify", response={200: ReviewSetupVettingItem, **ERRORS})
def requalify(request: HttpRequest, track_id: int, payload: ReviewSetupRequalifyIn):
    """Make a disqualified entry of the track eligible again, with a reason."""
    track = _track(request, track_id)
    entry = track.entries.filter(pk=payload.entry).first()
    if entry is None:
        raise Http404
    e = domain.requalify(request.user, entry, payload.reason)
    return ReviewSetupVettingItem(id=e.pk, number=e.number, title=e.title, summary=e.summary, status=e.status,
                                  entrant_type=e.entrant_type, unit=ReviewSetupRef(id=e.unit.pk, name=e.unit.name),
                                  authors=[a.name for a in e.authors.all()], submitted_at=e.submitted_at)


# --- holidays -----------------------------------------------------------------------------------------

def _campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise Http404
    if not request.user.has_perm("review.manage_holidays", campaign):
        raise NotPermitted(_only_admins())
    return campaign


def _only_admins() -> str:
    return _("Only the campaign's admins list its public holidays.")


def _holidays_out(campaign: Campaign) -> ReviewSetupHolidaysOut:
    days = [ReviewSetupHolidayItem(date=h.date, name=h.name, workday=h.workday)
            for h in Holiday.objects.filter(campaign=campaign)]
    return ReviewSetupHolidaysOut(campaign=campaign.slug, days=days)


@router.get("/campaigns/{slug}/holidays", response={200: ReviewSetupHolidaysOut, **ERRORS})
def get_holidays(request: HttpRequest, slug: str):
    """The campaign's public holidays and worked weekend days (campaign admins)."""
    return _holidays_out(_campaign(request, slug))


@router.put("/campaigns/{slug}/holidays", response={200: ReviewSetupHolidaysOut, **ERRORS})
def put_holidays(request: HttpRequest, slug: str, payload: ReviewSetupHolidaysIn):
    """Replace the list. 400 `bad_workday` (only a weekend day is worked), `duplicate`."""
    campaign = _campaign(request, slug)
    domain.set_holidays(request.user, campaign, [d.dict() for d in payload.days])
    return _holidays_out(campaign)
