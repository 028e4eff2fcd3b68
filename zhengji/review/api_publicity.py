"""The JSON API of judging's publicity area (mounted by review/api.py at /api/v1/review): a
track's publicities (publish, withdraw, finalise) for its review staff; the public proposed and
final results (no login); objections: file (logged in, verified phone), the moderators' queue,
one objection, uphold or dismiss; the caller's own objections. The pages' permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from zhengji.campaigns.models import Track
from zhengji.common.apitypes import ApiError, InputSchema

from . import objection_files
from . import publicity_queries as pq
from .domain import publicity as domain
from .models import Objection, Publicity

router = Router()

ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}
PAGE_SIZE = 50


class ReviewPublicityRef(Schema):
    id: int
    name: str


class ReviewPublicityCounts(Schema):
    open: int
    upheld: int
    dismissed: int
    total: int


class ReviewPublicityOut(Schema):
    id: int
    track: ReviewPublicityRef
    status: str
    state: str = Field(..., description="upcoming, open, ended (waiting to be finalised), finalised or withdrawn")
    starts: dt.datetime
    ends: dt.datetime
    snapshot_version: int
    sha256: str
    finalised_at: dt.datetime | None
    objections: ReviewPublicityCounts


class ReviewPublicityWithdrawIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ReviewPublicityLine(Schema):
    entry_id: int
    number: str
    title: str
    authors: list[str]
    unit: str
    tier: str
    rank: int | None


class ReviewPublicityReopening(Schema):
    version: int
    sha256: str
    reopened_at: dt.datetime | None
    reason: str


class ReviewPublicityPublicOut(Schema):
    id: int
    campaign: ReviewPublicityRef
    track: ReviewPublicityRef
    state: str
    starts: dt.datetime
    ends: dt.datetime
    sha256: str
    finalised_at: dt.datetime | None


class ReviewPublicityResultsOut(ReviewPublicityPublicOut):
    host_unit: str
    snapshot_version: int
    frozen_at: dt.datetime
    takes_objections: bool
    lines: list[ReviewPublicityLine]
    reopenings: list[ReviewPublicityReopening]
    page: int
    pages: int


class ReviewObjectionIn(InputSchema):
    entry: int = Field(..., ge=1, description="An entry on the publicity's list.")
    name: str = Field(..., max_length=domain.MAX_NAME, description="Your real name.")
    unit_name: str = Field(..., max_length=domain.MAX_UNIT)
    reason: str = Field(..., max_length=domain.MAX_REASON)
    evidence: list[int] = Field(default_factory=list, max_length=objection_files.MAX_EVIDENCE,
                                description="MediaFile ids uploaded with the ingest target `objection_evidence`.")
    on_behalf_of_unit: bool = False
    sealed_letter: int | None = Field(None, ge=1, description="Required on behalf of a unit: the sealed letter's "
                                                              "MediaFile id.")


class ReviewObjectionOut(Schema):
    id: int
    publicity: int
    track: ReviewPublicityRef
    entry: ReviewPublicityRef
    entry_number: str
    status: str
    reply: str
    on_behalf_of_unit: bool
    created: dt.datetime
    handled_at: dt.datetime | None


class ReviewObjectionDetailOut(ReviewObjectionOut):
    name: str
    unit_name: str
    phone: str
    reason: str
    evidence: list[int]
    sealed_letter: int | None
    can_handle: bool


class ReviewObjectionPageOut(Schema):
    items: list[ReviewObjectionDetailOut]
    page: int
    pages: int
    count: int


class ReviewObjectionHandleIn(InputSchema):
    action: Literal["uphold", "dismiss"]
    reply: str = Field("", max_length=domain.MAX_REPLY, description="Required to dismiss.")


def _ref(obj: Any) -> ReviewPublicityRef:
    return ReviewPublicityRef(id=obj.pk, name=obj.name)


def _track(request: HttpRequest, track_id: int) -> Track:
    track = get_object_or_404(Track.objects.select_related("campaign", "host_unit"), pk=track_id)
    if not request.user.has_perm("review.run_review", track):
        raise PermissionDenied
    return track


def _out(p: Publicity) -> ReviewPublicityOut:
    counts = pq.objection_counts(p)
    return ReviewPublicityOut(id=p.pk, track=_ref(p.track), status=p.status, state=pq.state(p), starts=p.starts,
                              ends=p.ends, snapshot_version=p.snapshot.version, sha256=p.snapshot.sha256,
                              finalised_at=p.finalised_at, objections=ReviewPublicityCounts(**counts))


@router.get("/tracks/{int:track_id}/publicities", response={200: list[ReviewPublicityOut], **ERRORS})
def list_publicities(request: HttpRequest, track_id: int):
    """The track's publicities, newest first (the track's review staff)."""
    track = _track(request, track_id)
    return [_out(p) for p in pq.publicities_of(track).select_related("track")[:50]]


@router.post("/tracks/{int:track_id}/publicities", response={201: ReviewPublicityOut, **ERRORS})
def publish(request: HttpRequest, track_id: int):
    """Put the track's frozen results on public notice for the set-up's number of working days
    (409 `not_frozen`, `already_published`)."""
    track = _track(request, track_id)
    return Status(201, _out(domain.publish(request.user, track)))


@router.post("/publicities/{int:publicity_id}/withdraw", response={200: ReviewPublicityOut, **ERRORS})
def withdraw(request: HttpRequest, publicity_id: int, payload: ReviewPublicityWithdrawIn):
    """Take the results off public notice, with a reason."""
    pub = get_object_or_404(Publicity.objects.select_related("track"), pk=publicity_id)
    _track(request, pub.track_id)
    return _out(domain.withdraw(request.user, pub, payload.reason))


@router.post("/tracks/{int:track_id}/publicities/finalise", response={200: ReviewPublicityOut, **ERRORS})
def finalise(request: HttpRequest, track_id: int):
    """After the notice period with every objection answered: entries with an award tier are
    awarded, the other scored entries are not (409 `period_not_over` with the end date,
    `objections_open`, `snapshot_changed`)."""
    track = _track(request, track_id)
    return _out(domain.finalise(request.user, track))


def _public_out(p: Publicity) -> dict:
    return dict(id=p.pk, campaign=_ref(p.track.campaign), track=_ref(p.track), state=pq.state(p), starts=p.starts,
                ends=p.ends, sha256=p.snapshot.sha256, finalised_at=p.finalised_at)


@router.get("/public/publicities", auth=None, response={200: list[ReviewPublicityPublicOut], **ERRORS})
def public_publicities(request: HttpRequest, page: int = 1):
    """The newest public results of each track (on notice or final), 100 a page. No login."""
    pg = Paginator(pq.public_publicities(), 100).get_page(page)
    return [ReviewPublicityPublicOut(**_public_out(p)) for p in pg.object_list]


@router.get("/public/publicities/{int:publicity_id}", auth=None, response={200: ReviewPublicityResultsOut, **ERRORS})
def public_results(request: HttpRequest, publicity_id: int, page: int = 1):
    """One track's proposed (or final) results: the entries with an award tier (number, title,
    authors, unit; never a phone), the period, the frozen-results hash and its reopenings."""
    pub = pq.public_publicity(publicity_id)
    if pub is None:
        raise Http404
    pg = Paginator(pq.proposed_lines(pub), 200).get_page(page)
    lines = [ReviewPublicityLine(**vars(pq.public_line(ln))) for ln in pg.object_list]
    reopenings = [ReviewPublicityReopening(version=s.version, sha256=s.sha256, reopened_at=s.reopened_at,
                                           reason=s.reopen_reason) for s in pq.reopenings(pub.track_id)]
    return ReviewPublicityResultsOut(**_public_out(pub), host_unit=pub.track.host_unit.name,
                                     snapshot_version=pub.snapshot.version, frozen_at=pub.snapshot.frozen_at,
                                     takes_objections=objection_files.takes_objections(pub), lines=lines,
                                     reopenings=reopenings, page=pg.number, pages=pg.paginator.num_pages)


def _objection_out(o: Objection) -> dict:
    track = o.publicity.track
    return dict(id=o.pk, publicity=o.publicity_id, track=_ref(track),
                entry=ReviewPublicityRef(id=o.entry_id, name=o.entry.title), entry_number=o.entry.number or "",
                status=o.status, reply=o.reply, on_behalf_of_unit=o.on_behalf_of_unit, created=o.created,
                handled_at=o.handled_at)


def _detail(request: HttpRequest, o: Objection, evidence: list[int]) -> ReviewObjectionDetailOut:
    return ReviewObjectionDetailOut(**_objection_out(o), name=o.name, unit_name=o.unit_name, phone=o.phone,
                                    reason=o.reason, evidence=evidence, sealed_letter=o.sealed_letter_id,
                                    can_handle=request.user.has_perm("review.moderate", o))


@router.post("/publicities/{int:publicity_id}/objections", response={201: ReviewObjectionOut, 429: ApiError, **ERRORS})
def file_objection(request: HttpRequest, publicity_id: int, payload: ReviewObjectionIn):
    """File a real-name objection to an entry on the list while the notice runs (verified phone:
    403 `phone_unverified`; 409 `not_open`; 400 `not_on_list`, `sealed_letter_required`; 429
    `rate_limited` past five a day)."""
    pub = pq.public_publicity(publicity_id)
    if pub is None:
        raise Http404
    obj = domain.file_objection(request.user, pub, payload.entry, payload.name, payload.unit_name, payload.reason,
                                payload.evidence, payload.on_behalf_of_unit, payload.sealed_letter)
    obj = pq.my_objections(request.user).get(pk=obj.pk)
    return Status(201, ReviewObjectionOut(**_objection_out(obj)))


@router.get("/objections", response={200: ReviewObjectionPageOut, **ERRORS})
def objection_queue(request: HttpRequest, state: Literal["open", "handled", "all"] = "open",
                    track: int | None = None, page: int = 1):
    """The objections of the campaigns you moderate or administer (and the tracks whose review
    you run), 50 a page: `open` oldest first, `handled` newest first."""
    if not pq.may_see_queue(request.user):
        raise PermissionDenied
    pg = Paginator(pq.objection_queue(request.user, state, track).prefetch_related("evidence"),
                   PAGE_SIZE).get_page(page)
    items = [_detail(request, o, [m.pk for m in o.evidence.all()]) for o in pg.object_list]
    return ReviewObjectionPageOut(items=items, page=pg.number, pages=pg.paginator.num_pages, count=pg.paginator.count)


@router.get("/objections/mine", response={200: list[ReviewObjectionOut], **ERRORS})
def my_objections(request: HttpRequest, page: int = 1):
    """Your own objections with their status and reply, newest first, 50 a page."""
    pg = Paginator(pq.my_objections(request.user), PAGE_SIZE).get_page(page)
    return [ReviewObjectionOut(**_objection_out(o)) for o in pg.object_list]


def _readable(request: HttpRequest, objection_id: int) -> Objection:
    o = pq.objection_for(request.user, objection_id)
    if o is None or not request.user.has_perm("review.view_objection", o):
        raise Http404
    return o


@router.get("/objections/{int:objection_id}", response={200: ReviewObjectionDetailOut, **ERRORS})
def get_objection(request: HttpRequest, objection_id: int):
    """One objection with the objector's details and evidence ids (moderators and the track's staff)."""
    o = _readable(request, objection_id)
    return _detail(request, o, [m.pk for m in o.evidence.all()])


@router.post("/objections/{int:objection_id}/handle", response={200: ReviewObjectionDetailOut, **ERRORS})
def handle_objection(request: HttpRequest, objection_id: int, payload: ReviewObjectionHandleIn):
    """Uphold (the entry goes back to the track's staff) or dismiss (a reply is required); the
    objector is told either way (409 `already_handled`)."""
    o = _readable(request, objection_id)
    if payload.action == "uphold":
        domain.uphold(request.user, o, payload.reply)
    else:
        domain.dismiss(request.user, o, payload.reply)
    o = _readable(request, objection_id)
    return _detail(request, o, [m.pk for m in o.evidence.all()])

