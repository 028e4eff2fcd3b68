"""The originality API (mounted at /api/originality): flags of entries, decisions, the reference
set, a track's AI rule. Same domain functions and predicates as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhengji.campaigns.models import Campaign, Track
from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import Entry
from zhengji.media.models import MediaFile

from . import domain
from .labels import ai_labels
from .models import AISuspicion, Flag, ReferenceItem
from .queries import flag_for, flags_by_entry

router = Router()
ERRORS = {400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}
MAX_ENTRIES = 100


class OriginalityFlagOut(Schema):
    id: int
    entry_id: int
    kind: str
    kind_label: str
    scope: str
    previously_awarded: bool
    score: float
    medium: str
    matched_entry_id: int | None
    matched_entry_number: str | None = None
    matched_entry_title: str = ""
    reference_id: int | None
    reference_title: str = ""
    status: str
    reason: str
    decided_at: dt.datetime | None
    detail: dict[str, Any]


def _flag_out(f: Flag) -> OriginalityFlagOut:
    m = f.matched_entry
    return OriginalityFlagOut(
        id=f.pk, entry_id=f.entry_id, kind=f.kind, kind_label=str(f.get_kind_display()), scope=f.scope,
        previously_awarded=f.previously_awarded, score=f.score, medium=f.medium,
                   matched_entry_id=f.matched_entry_id, matched_entry_number=getattr(m, "number", None),
                   matched_entry_title=getattr(m, "title", ""), reference_id=f.reference_id,
                   reference_title=getattr(f.reference, "title", ""), status=f.status, reason=f.reason,
                   decided_at=f.decided_at, detail=f.detail)


def _login(request: HttpRequest) -> Any:
    if not request.user.is_authenticated:
        raise NotPermitted("Please log in.")
    return request.user


class OriginalityFlagsQuery(Schema):
    entry: list[int] = Field(default_factory=list, description=f"Entry ids (at most {MAX_ENTRIES}).")


@router.get("/flags", response={200: dict[int, list[OriginalityFlagOut]], **ERRORS})
def list_flags(request: HttpRequest, params: Query[OriginalityFlagsQuery]):
    """The flags of several entries (`?entry=1&entry=2`), keyed by entry id; entries the caller
    may not see flags of are left out."""
    user = _login(request)
    ids = list(dict.fromkeys(params.entry))[:MAX_ENTRIES]
    entries = Entry.objects.filter(pk__in=ids).select_related("unit", "track")
    allowed = [e.pk for e in entries if user.has_perm("originality.view_flags", e)]
    return {pk: [_flag_out(f) for f in flags] for pk, flags in flags_by_entry(allowed).items()}


@router.get("/entries/{int:entry_id}/flags", response={200: list[OriginalityFlagOut], **ERRORS})
def entry_flags(request: HttpRequest, entry_id: int):
    user = _login(request)
    entry = get_object_or_404(Entry.objects.select_related("unit", "track"), pk=entry_id)
    if not user.has_perm("originality.view_flags", entry):
        raise PermissionDenied
    return [_flag_out(f) for f in flags_by_entry([entry.pk])[entry.pk]]


class OriginalityDecisionIn(InputSchema):
    status: Literal["cleared", "disqualified"]
    reason: str = Field(..., max_length=2000)


class OriginalityDecisionOut(Schema):
    flag: OriginalityFlagOut
    step: str
    handed_over: bool


@router.post("/flags/{int:flag_id}/decision", response={200: OriginalityDecisionOut, **ERRORS})
def decide_flag(request: HttpRequest, flag_id: int, payload: OriginalityDecisionIn):
    """Clear or disqualify (with a reason). Disqualifying applies the entry's workflow step where
    the caller may take it (`step`), else it is recorded and handed over (`handed_over`)."""
    user = _login(request)
    flag = flag_for(user, flag_id)
    result = domain.decide(user, flag, payload.status, payload.reason)
    fresh = flag_for(user, flag.pk)
    return OriginalityDecisionOut(flag=_flag_out(fresh), step=result.step, handed_over=result.handed_over)


class OriginalitySuspicionOut(Schema):
    entry_id: int
    suspected: bool
    reason: str
    marked_at: dt.datetime | None
    label: str = Field("", description="The explicit AI label the published work now carries (\"\": none).")


class OriginalitySuspicionIn(InputSchema):
    suspected: bool = Field(..., description="true: mark as suspected AI-generated; false: withdraw the mark.")
    reason: str = Field(..., max_length=2000)


def _suspicion_out(entry: Entry) -> OriginalitySuspicionOut:
    row = AISuspicion.objects.filter(entry_id=entry.pk).first()
    active = bool(row is not None and row.active)
    return OriginalitySuspicionOut(entry_id=entry.pk, suspected=active, reason=row.reason if row else "",
                                   marked_at=row.marked_at if row else None,
                                   label=ai_labels([entry.pk]).get(entry.pk, ""))


@router.get("/entries/{int:entry_id}/suspicion", response={200: OriginalitySuspicionOut, **ERRORS})
def get_suspicion(request: HttpRequest, entry_id: int):
    """Whether staff marked the entry as suspected AI-generated (for those who see its flags)."""
    user = _login(request)
    entry = get_object_or_404(Entry.objects.select_related("unit", "track"), pk=entry_id)
    if not user.has_perm("originality.view_flags", entry):
        raise PermissionDenied
    return _suspicion_out(entry)


@router.put("/entries/{int:entry_id}/suspicion", response={200: OriginalitySuspicionOut, **ERRORS})
def put_suspicion(request: HttpRequest, entry_id: int, payload: OriginalitySuspicionIn):
    """Mark the entry as suspected AI-generated or withdraw the mark (a reason is required;
    409 when nothing would change). Those who decide its flags may."""
    user = _login(request)
    entry = get_object_or_404(Entry.objects.select_related("unit", "track"), pk=entry_id)
    if not user.has_perm("originality.view_flags", entry):
        raise PermissionDenied
    domain.mark_suspected(user, entry, suspected=payload.suspected, reason=payload.reason)
    return _suspicion_out(entry)


class OriginalityReferenceOut(Schema):
    id: int
    title: str
    source_url: str
    media_id: int | None
    text_chars: int
    created: dt.datetime


class OriginalityReferenceIn(InputSchema):
    title: str = Field(..., max_length=200)
    source_url: str = Field("", max_length=500)
    text: str = ""
    media: int | None = Field(None, description="A file the caller uploaded (a MediaFile id), instead of a text.")


def _ref_out(r: ReferenceItem) -> OriginalityReferenceOut:
    return OriginalityReferenceOut(id=r.pk, title=r.title, source_url=r.source_url, media_id=r.media_id,
                        text_chars=len(r.text), created=r.created)


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    user = _login(request)
    campaign = get_object_or_404(Campaign, slug=slug)
    if not user.has_perm("originality.manage_references", campaign):
        raise PermissionDenied
    return campaign


@router.get("/campaigns/{slug}/references", response={200: list[OriginalityReferenceOut], **ERRORS})
def list_references(request: HttpRequest, slug: str, offset: int = 0, limit: int = 50):
    campaign = _campaign(request, slug)
    offset, limit = max(offset, 0), min(max(limit, 1), 200)
    return [_ref_out(r) for r in ReferenceItem.objects.filter(campaign=campaign)[offset:offset + limit]]


@router.post("/campaigns/{slug}/references", response={201: OriginalityReferenceOut, **ERRORS})
def add_reference(request: HttpRequest, slug: str, payload: OriginalityReferenceIn):
    campaign = _campaign(request, slug)
    media = None
    if payload.media is not None:
        media = MediaFile.objects.filter(pk=payload.media).first()
        if media is None:
            raise DomainError("No such file.", code="invalid_file")
    ref = domain.add_reference(request.user, campaign, title=payload.title, source_url=payload.source_url,
                               text=payload.text, media=media)
    return Status(201, _ref_out(ref))


@router.delete("/references/{int:ref_id}", response={204: None, **ERRORS})
def remove_reference(request: HttpRequest, ref_id: int):
    user = _login(request)
    ref = ReferenceItem.objects.select_related("campaign").filter(pk=ref_id).first()
    if ref is None:
        raise Http404
    domain.remove_reference(user, ref)
    return Status(204, None)


class OriginalityPolicyOut(Schema):
    track_id: int
    allow_generated: bool


class OriginalityPolicyIn(InputSchema):
    allow_generated: bool


def _track(request: HttpRequest, track_id: int) -> Track:
    user = _login(request)
    track = get_object_or_404(Track.objects.select_related("campaign"), pk=track_id)
    if not user.has_perm("originality.set_track_policy", track):
        raise PermissionDenied
    return track


@router.get("/tracks/{int:track_id}/ai-policy", response={200: OriginalityPolicyOut, **ERRORS})
def get_policy(request: HttpRequest, track_id: int):
    track = _track(request, track_id)
    return OriginalityPolicyOut(track_id=track.pk, allow_generated=domain.allows_generated(track))


@router.put("/tracks/{int:track_id}/ai-policy", response={200: OriginalityPolicyOut, **ERRORS})
def put_policy(request: HttpRequest, track_id: int, payload: OriginalityPolicyIn):
    track = _track(request, track_id)
    row = domain.set_track_policy(request.user, track, payload.allow_generated)
    return OriginalityPolicyOut(track_id=track.pk, allow_generated=row.allow_generated)
