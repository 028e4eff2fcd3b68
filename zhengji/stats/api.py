"""Statistics API (mounted at /api/stats): the dashboard's figures, the per-child table, the
silent units, the outstanding candidates and picks. Same permissions as the pages: 401 without
login, 403 for a user with no statistics role (or not a campaign admin, for the outstanding
lists), 404 for a campaign or organisation outside what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.orgs.models import Organization

from . import queries, services
from .models import OutstandingPick
from .rules import is_stats_user
from .views import choose, pick_campaign, to_id

router = Router()



ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError}


class StatsRef(Schema):
    id: int
    name: str


class RootsOut(Schema):
    campaign: StatsRef
    roots: list[StatsRef]


class Figures(Schema):
    org: StatsRef
    has_children: bool
    entries: int
    recommended: int
    participants: int
    members: int
    participation: float | None = Field(description="participants ÷ members (null without members)")
    units: int
    covered: int
    coverage: float | None = Field(description="covered units ÷ units")
    silent: int
    activities: int = Field(description="activities recorded by the subtree's units")
    activity_participants: int
    brand_projects: int
    volunteers: int


class TrackOut(Schema):
    track: StatsRef
    counts: dict[str, int]
    total: int


class DayOut(Schema):
    day: dt.date
    submissions: int


class LevelOut(Schema):
    kind: str
    label: str
    on_time: int
    late: int
    rate: float | None


class DashboardOut(Schema):
    campaign: StatsRef
    root: Figures
    tracks: list[TrackOut]
    children: list[Figures]
    daily: list[DayOut]
    levels: list[LevelOut]


class Where(Schema):
    campaign: int | None = Field(None, description="Campaign id (default: the newest one you may see).")
    org: int | None = Field(None, description="Subtree root (default: the top of your first subtree).")


class SilentParams(Where):
    after: str = Field("", max_length=255, description="`next_cursor` of the previous page.")


class SilentOut(Schema):
    items: list[StatsRef]
    next_cursor: str | None


class UnitIndicators(Schema):
    org: StatsRef
    participation: float | None
    coverage: float | None
    recommended: int
    awards: int | None = Field(description="null until judging exists")
    on_time: float | None
    activities: int
    pick: int | None


class UnitsParams(Schema):
    campaign: int | None = None
    level: int | None = Field(None, description="Depth in the tree (see `levels`).")
    sort: Literal["recommended", "participation", "coverage", "on_time", "activities", "awards"] = "recommended"
    page: int = Field(1, ge=1)


class UnitsOut(Schema):
    levels: list[tuple[int, str]]
    level: int | None
    items: list[UnitIndicators]
    count: int


class PersonOut(Schema):
    user: StatsRef
    unit: str
    entries: int
    recommended: int
    reported: int
    awards: int | None
    pick: int | None


class PeopleOut(Schema):
    items: list[PersonOut]
    count: int


class PickIn(InputSchema):
    campaign: int
    kind: Literal["unit", "individual"]
    org: int | None = None
    user: int | None = None
    note: str = Field("", max_length=500)


class PickOut(Schema):
    id: int
    kind: str
    org: StatsRef | None
    user: StatsRef | None
    note: str
    indicators: dict
    picked_at: dt.datetime


def _ref(org: Organization) -> StatsRef:
    return StatsRef(id=org.pk, name=org.name)


def _where(request: HttpRequest, params: Where) -> tuple:
    campaign, org, roots = choose(request.user, {"campaign": params.campaign, "org": params.org})
    if campaign is None or org is None:
        raise Http404
    return campaign, org, roots


def _figures(r: queries.Row) -> Figures:
    return Figures(org=_ref(r.org), has_children=r.has_children, entries=r.entries, recommended=r.recommended,
                   participants=r.participants, members=r.members, participation=r.participation, units=r.units,
                   covered=r.covered, coverage=r.coverage, silent=r.silent, activities=r.activities,
                   activity_participants=r.activity_participants, brand_projects=r.brand_projects,
                   volunteers=r.volunteers)


@router.get("/campaigns", response={200: list[RootsOut], **ERRORS})
def campaigns(request: HttpRequest):
    """Campaigns whose statistics you may see, each with the tops of your subtrees in it."""
    if not is_stats_user(request.user):
        raise PermissionDenied
    return [RootsOut(campaign=StatsRef(id=c.pk, name=c.name),
                     roots=[_ref(o) for o in queries.roots_for(request.user, c)])
            for c in queries.campaigns_for(request.user)[:100]]


@router.get("/dashboard", response={200: DashboardOut, **ERRORS})
def dashboard(request: HttpRequest, params: Query[Where]):
    """Figures of one subtree: totals, by track and state, per child, per day, on-time per level."""
    campaign, org, _roots = _where(request, params)
    d = queries.dashboard(campaign, org)
    return DashboardOut(
        campaign=StatsRef(id=campaign.pk, name=campaign.name), root=_figures(d.root),
        tracks=[TrackOut(track=StatsRef(id=t.track.pk, name=t.track.name),
                         counts={s: n for (s, _label), n in zip(d.states, t.counts, strict=True)}, total=t.total)
                for t in d.tracks],
        children=[_figures(r) for r in d.children], daily=[DayOut(day=day, submissions=n) for day, n in d.daily],
        levels=[LevelOut(kind=lv.kind, label=lv.label, on_time=lv.on_time, late=lv.late, rate=lv.rate)
                for lv in d.levels])


@router.get("/children", response={200: list[Figures], **ERRORS})
def children(request: HttpRequest, params: Query[Where]):
    """The per-child table of a subtree (drill down with `org` = a child's id)."""
    campaign, org, _roots = _where(request, params)
    return [_figures(r) for r in queries.dashboard(campaign, org).children]


@router.get("/silent", response={200: SilentOut, **ERRORS})
def silent(request: HttpRequest, params: Query[SilentParams]):
    """Organisations of the subtree with no entry and no activity (keyset pages of 50)."""
    campaign, org, _roots = _where(request, params)
    rows, cursor = queries.silent_page(campaign, org, after=params.after.replace("\x00", ""))
    return SilentOut(items=[_ref(o) for o, _label in rows], next_cursor=cursor)


@router.get("/outstanding/units", response={200: UnitsOut, **ERRORS})
def outstanding_units(request: HttpRequest, params: Query[UnitsParams]):
    """Candidate units at one level, ranked (campaign admins)."""
    campaign, _found = pick_campaign(request.user, params.campaign)
    levels = queries.candidate_levels(campaign)
    valid = [d for d, _label in levels]
    level = params.level if params.level is not None and params.level in valid else (valid[0] if valid else None)
    ranked = queries.unit_candidates(campaign, level, params.sort) if level else []
    start = (min(params.page, 10**6) - 1) * 50
    items = [UnitIndicators(org=_ref(c.org), participation=c.participation, coverage=c.coverage,
                            recommended=c.recommended, awards=c.awards, on_time=c.on_time, activities=c.activities,
                            pick=c.pick_id) for c in ranked[start:start + 50]]
    return UnitsOut(levels=levels, level=level, items=items, count=len(ranked))


@router.get("/outstanding/individuals", response={200: PeopleOut, **ERRORS})
def outstanding_individuals(request: HttpRequest, campaign: int | None = None, page: int = 1):
    """Workers ranked by entries recommended, reported, then entered (campaign admins)."""
    c, _found = pick_campaign(request.user, campaign)
    pg, rows = queries.individual_page(c, max(1, min(page, 10**6)))
    return PeopleOut(items=[PersonOut(user=StatsRef(id=r.user_id, name=r.name), unit=r.unit, entries=r.entries,
                                      recommended=r.recommended, reported=r.reported, awards=r.awards, pick=r.pick_id)
                            for r in rows], count=pg.paginator.count)


def _pick_out(p: OutstandingPick) -> PickOut:
    return PickOut(id=p.pk, kind=p.kind, org=_ref(p.org) if p.org else None,
                   user=StatsRef(id=p.user.pk, name=queries.person_name(p.user)) if p.user else None, note=p.note,
                   indicators=p.indicators, picked_at=p.picked_at)


@router.get("/outstanding/picks", response={200: list[PickOut], **ERRORS})
def picks(request: HttpRequest, campaign: int | None = None):
    c, _found = pick_campaign(request.user, campaign)
    return [_pick_out(p) for p in OutstandingPick.objects.filter(campaign=c).select_related("org", "user")]


@router.post("/outstanding/picks", response={201: PickOut, **ERRORS})
def add_pick(request: HttpRequest, payload: PickIn):
    """Pick a unit (`org`) or a worker (`user`); audited. 409 `already_picked`."""
    c, _found = pick_campaign(request.user, payload.campaign)
    if payload.kind == "unit":
        org = Organization.objects.filter(pk=to_id(payload.org) or 0).first()
        if org is None:
            raise Http404
        p = services.pick_unit(request.user, c, org, note=payload.note)
    else:
        p = services.pick_individual(request.user, c, to_id(payload.user) or 0, note=payload.note)
    return 201, _pick_out(p)


@router.delete("/outstanding/picks/{pick_id}", response={204: None, **ERRORS})
def remove_pick(request: HttpRequest, pick_id: int):
    """Unpick; audited."""
    found = OutstandingPick.objects.filter(pk=to_id(pick_id) or 0).select_related("campaign").first()
    if found is None or not request.user.has_perm("stats.pick_outstanding", found.campaign):
        raise Http404
    services.unpick(request.user, found)
    return 204, None
