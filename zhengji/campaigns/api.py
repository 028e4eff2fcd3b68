"""Campaigns API: public reads of published campaigns; writes for their admins (and a track's
host staff for the track's rules and form). Thin over campaigns.services."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhengji.common.apitypes import ApiError, InputSchema, IsoDate, IsoDateTime
from zhengji.common.errors import NotPermitted
from zhengji.orgs.models import Organization

from . import services
from .models import Announcement, Campaign, DeadlineExtension, Track
from .policy import policy_for

router = Router()


# --- schemas ----------------------------------------------------------------------------------

class OrgRef(Schema):
    id: int
    name: str
    name_en: str


class PhaseOut(Schema):
    key: str
    label: str
    start: dt.date
    end: dt.date | None


class TrackSummaryOut(Schema):
    number: int
    slug: str
    name: str
    name_en: str
    work_kind: str
    entrant_types: list[str]
    is_open: bool
    host_unit: OrgRef


class CampaignOut(Schema):
    slug: str
    name: str
    name_en: str
    year: int
    summary: str
    summary_en: str
    is_published: bool
    org: OrgRef
    banner_url: str | None
    current_phase: str
    launch_date: dt.date
    collect_start: dt.date
    collect_end: dt.date
    review_start: dt.date
    review_end: dt.date
    publicity_start: dt.date
    publicity_end: dt.date
    conclude_date: dt.date
    pending_members: str = Field(description="What a worker awaiting membership confirmation may do: "
                                             "nothing, drafts (save drafts only) or submit")


class CampaignDetailOut(CampaignOut):
    phases: list[PhaseOut]
    tracks: list[TrackSummaryOut]


class LevelRuleOut(Schema):
    org_kind: str
    deadline: dt.datetime
    quota: int | None
    track_override: bool


class TrackDetailOut(TrackSummaryOut):
    description: str
    description_en: str
    rules: str
    rules_en: str
    form_schema: list[dict[str, Any]]
    deadlines: list[LevelRuleOut]


class AnnouncementOut(Schema):
    id: int
    title: str
    title_en: str
    body: str
    body_en: str
    publish_at: dt.datetime | None
    pinned: bool



class FormErrorsOut(Schema):
    code: str
    message: str
    errors: dict[str, Any]


class CampaignIn(InputSchema):
    org_id: int
    slug: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    name: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    year: int = Field(ge=2000, le=2100)
    summary: str = ""
    summary_en: str = ""
    launch_date: IsoDate
    collect_start: IsoDate
    collect_end: IsoDate
    review_start: IsoDate
    review_end: IsoDate
    publicity_start: IsoDate
    publicity_end: IsoDate
    conclude_date: IsoDate
    pending_members: Literal["nothing", "drafts", "submit"] = "drafts"


class CampaignPatch(InputSchema):
    slug: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=2000, le=2100)
    summary: str | None = None
    summary_en: str | None = None
    launch_date: IsoDate | None = None
    collect_start: IsoDate | None = None
    collect_end: IsoDate | None = None
    review_start: IsoDate | None = None
    review_end: IsoDate | None = None
    publicity_start: IsoDate | None = None
    publicity_end: IsoDate | None = None
    conclude_date: IsoDate | None = None
    pending_members: Literal["nothing", "drafts", "submit"] | None = None
    is_published: bool | None = None


class TrackIn(InputSchema):
    number: int | None = Field(None, ge=1, le=999)
    slug: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    name: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    description: str = ""
    description_en: str = ""
    host_unit_id: int
    rules: str = ""
    rules_en: str = ""
    work_kind: str = "case"
    entrant_types: list[str] = ["individual"]
    is_open: bool = True
    form_schema: list[Any] = []


class TrackPatch(InputSchema):
    number: int | None = Field(None, ge=1, le=999)
    slug: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description: str | None = None
    description_en: str | None = None
    host_unit_id: int | None = None
    rules: str | None = None
    rules_en: str | None = None
    work_kind: str | None = None
    entrant_types: list[str] | None = None
    is_open: bool | None = None


class FormOut(Schema):
    form_schema: list[dict[str, Any]]


class AnnouncementIn(InputSchema):
    title: str = Field(max_length=200)
    title_en: str = Field("", max_length=200)
    body: str = ""
    body_en: str = ""
    pinned: bool = False
    publish_at: dt.datetime | None = Field(None, description="Empty: a draft. Now or later: published then.")


class AnnouncementPatch(InputSchema):
    title: str | None = Field(None, max_length=200)
    title_en: str | None = Field(None, max_length=200)
    body: str | None = None
    body_en: str | None = None
    pinned: bool | None = None
    published: bool | None = Field(None, description="true: publish now (or at publish_at); false: unpublish")
    publish_at: dt.datetime | None = None


class LevelRuleIn(InputSchema):
    org_kind: str
    deadline: dt.datetime = Field(description="Naive times are Asia/Shanghai.")
    quota: int | None = Field(None, ge=0)


class LevelRulesIn(InputSchema):
    rules: list[LevelRuleIn]


# --- helpers ----------------------------------------------------------------------------------

def _org(o: Organization) -> dict:
    return {"id": o.pk, "name": o.name, "name_en": o.name_en}


def _campaign_out(c: Campaign, request: HttpRequest) -> dict:
    data = {f: getattr(c, f) for f in services.CAMPAIGN_FIELDS}
    data.update(is_published=c.is_published, org=_org(c.org), current_phase=policy_for(c).phase,
                banner_url=request.build_absolute_uri(c.banner.url) if c.banner else None)
    return data


def _phases(c: Campaign) -> list[dict]:
    return [p | {"label": str(p["label"])} for p in c.timeline()]


def _track_summary(t: Track) -> dict:
    return {"number": t.number, "slug": t.slug, "name": t.name, "name_en": t.name_en, "work_kind": t.work_kind,
            "entrant_types": t.entrant_types, "is_open": t.is_open, "host_unit": _org(t.host_unit)}


def _track_detail(t: Track) -> dict:
    deadlines = [{"org_kind": r.org_kind, "deadline": timezone.localtime(r.deadline), "quota": r.quota,
                  "track_override": r.track_override} for r in policy_for(t.campaign).level_rules(t)]
    return _track_summary(t) | {
        "description": t.description, "description_en": t.description_en, "rules": t.rules,
        "rules_en": t.rules_en, "form_schema": t.form_schema, "deadlines": deadlines}


def _readable_campaign(request: HttpRequest, slug: str) -> Campaign:
    """A published campaign for anyone; an unpublished one only for those who manage it."""
    c = get_object_or_404(Campaign.objects.select_related("org"), slug=slug)
    if not c.is_published and not request.user.has_perm("campaigns.view_manage", c):
        raise Http404
    return c


def _campaign_for(request: HttpRequest, slug: str, perm: str) -> Campaign:
    c = get_object_or_404(Campaign.objects.select_related("org"), slug=slug)
    if not request.user.has_perm(perm, c):
        if not request.user.has_perm("campaigns.view_manage", c) and not c.is_published:
            raise Http404
        raise NotPermitted(_("You do not have permission to do this."))
    return c


def _track_of(campaign: Campaign, track_slug: str) -> Track:
    return get_object_or_404(Track.objects.select_related("host_unit", "campaign"), campaign=campaign,
                             slug=track_slug)


def _form_errors(exc: services.SchemaInvalid) -> dict:
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for n, msg in exc.errors:
        if n is None:
            general.append(msg)
        else:
            by_field.setdefault(str(n), []).append(msg)
    return {"code": exc.code, "message": str(exc.message),
            "errors": {"form_schema": [m for _n, m in exc.errors], "fields": by_field, "__all__": general}}


def _host(pk: int | None) -> Organization | None:
    if pk is None:
        return None
    return Organization.objects.filter(pk=pk).first()


# --- public reads -----------------------------------------------------------------------------

@router.get("/campaigns", auth=None, response=list[CampaignOut])
def list_campaigns(request: HttpRequest):
    """Published campaigns, newest first."""
    qs = Campaign.objects.filter(is_published=True).select_related("org")
    return [_campaign_out(c, request) for c in qs]


@router.get("/campaigns/{slug}", auth=None, response=CampaignDetailOut)
def get_campaign(request: HttpRequest, slug: str):
    c = _readable_campaign(request, slug)
    tracks = c.tracks.select_related("host_unit").order_by("number")
    return _campaign_out(c, request) | {"phases": _phases(c), "tracks": [_track_summary(t) for t in tracks]}


@router.get("/campaigns/{slug}/tracks", auth=None, response=list[TrackSummaryOut])
def list_tracks(request: HttpRequest, slug: str):
    c = _readable_campaign(request, slug)
    return [_track_summary(t) for t in c.tracks.select_related("host_unit").order_by("number")]


@router.get("/campaigns/{slug}/tracks/{track_slug}", auth=None, response=TrackDetailOut)
def get_track(request: HttpRequest, slug: str, track_slug: str):
    c = _readable_campaign(request, slug)
    return _track_detail(_track_of(c, track_slug))


@router.get("/campaigns/{slug}/announcements", auth=None, response=list[AnnouncementOut])
def list_announcements(request: HttpRequest, slug: str):
    """Published announcements whose time has come, pinned first."""
    c = _readable_campaign(request, slug)
    return list(c.announcements.filter(publish_at__lte=timezone.now()))


# --- admin writes -----------------------------------------------------------------------------

@router.post("/campaigns", response={201: CampaignDetailOut, 403: ApiError, 404: ApiError})
def create_campaign(request: HttpRequest, payload: CampaignIn):
    data = payload.model_dump()
    org = get_object_or_404(Organization, pk=data.pop("org_id"))
    c = services.create_campaign(request.user, org=org, **data)
    return 201, _campaign_out(c, request) | {"phases": _phases(c), "tracks": []}


@router.patch("/campaigns/{slug}", response=CampaignDetailOut)
def patch_campaign(request: HttpRequest, slug: str, payload: CampaignPatch):
    c = _campaign_for(request, slug, "campaigns.change_campaign")
    data = payload.model_dump(exclude_unset=True)
    published = data.pop("is_published", None)
    data = {k: v for k, v in data.items() if v is not None}
    if data:
        services.update_campaign(request.user, c, **data)
    if published is not None:
        services.set_campaign_published(request.user, c, published)
    tracks = c.tracks.select_related("host_unit").order_by("number")
    return _campaign_out(c, request) | {"phases": _phases(c), "tracks": [_track_summary(t) for t in tracks]}


@router.post("/campaigns/{slug}/tracks", response={201: TrackDetailOut, 422: FormErrorsOut})
def create_track(request: HttpRequest, slug: str, payload: TrackIn):
    c = _campaign_for(request, slug, "campaigns.add_track")
    data = payload.model_dump()
    data["host_unit"] = _host(data.pop("host_unit_id"))
    try:
        t = services.create_track(request.user, c, **data)
    except services.SchemaInvalid as exc:
        return 422, _form_errors(exc)
    return 201, _track_detail(t)


@router.patch("/campaigns/{slug}/tracks/{track_slug}", response=TrackDetailOut)
def patch_track(request: HttpRequest, slug: str, track_slug: str, payload: TrackPatch):
    c = _campaign_for(request, slug, "campaigns.view_manage")
    t = _track_of(c, track_slug)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "host_unit_id" in data:
        data["host_unit"] = _host(data.pop("host_unit_id"))
    if data:
        services.update_track(request.user, t, **data)
    return _track_detail(t)


@router.put("/campaigns/{slug}/tracks/{track_slug}/form", response={200: FormOut, 422: FormErrorsOut})
def put_track_form(request: HttpRequest, slug: str, track_slug: str, payload: list[dict[str, Any]]):
    """Replace the entry form schema (see campaigns.schema); 422 lists translated errors per field."""
    c = _campaign_for(request, slug, "campaigns.view_manage")
    t = _track_of(c, track_slug)
    try:
        services.set_track_form(request.user, t, payload)
    except services.SchemaInvalid as exc:
        return 422, _form_errors(exc)
    return 200, {"form_schema": t.form_schema}


@router.put("/campaigns/{slug}/level-rules", response=list[LevelRuleOut])
def put_level_rules(request: HttpRequest, slug: str, payload: LevelRulesIn):
    """Replace the campaign's per-level deadlines and quotas."""
    c = _campaign_for(request, slug, "campaigns.manage_level_rules")
    rows = services.set_level_rules(request.user, c, [r.model_dump() for r in payload.rules])
    return [{"org_kind": r.org_kind, "deadline": timezone.localtime(r.deadline), "quota": r.quota,
             "track_override": False}
            for r in rows]


@router.put("/campaigns/{slug}/tracks/{track_slug}/level-rules", response=list[LevelRuleOut])
def put_track_level_rules(request: HttpRequest, slug: str, track_slug: str, payload: LevelRulesIn):
    """Replace one track's overrides of the campaign's deadlines and quotas."""
    c = _campaign_for(request, slug, "campaigns.manage_level_rules")
    t = _track_of(c, track_slug)
    rows = services.set_level_rules(request.user, c, [r.model_dump() for r in payload.rules], track=t)
    return [{"org_kind": r.org_kind, "deadline": timezone.localtime(r.deadline), "quota": r.quota,
             "track_override": True}
            for r in rows]


class ExtensionIn(InputSchema):
    org: int = Field(description="The organisation whose deadline moves (its entrants' too).")
    until: IsoDateTime = Field(description="The new deadline; naive times are Asia/Shanghai.")
    track: str | None = Field(None, description="A track's slug; empty: every track of the campaign.")
    reason: str = Field("", max_length=2000)


class ExtensionOut(Schema):
    id: int
    org: int
    org_name: str
    track: str | None
    until: dt.datetime
    reason: str


def _extension_out(e: DeadlineExtension) -> dict:
    return {"id": e.pk, "org": e.org_id, "org_name": e.org.name, "track": e.track.slug if e.track else None,
            "until": timezone.localtime(e.until), "reason": e.reason}


@router.get("/campaigns/{slug}/extensions", response={200: list[ExtensionOut], 404: ApiError})
def list_extensions(request: HttpRequest, slug: str):
    """The deadline extensions of the campaign that you may grant: all for campaign admins, those
    of organisations below your own subtree's top for unit admins."""
    c = get_object_or_404(Campaign, slug=slug)
    rows = DeadlineExtension.objects.filter(campaign=c).select_related("org", "track", "campaign").order_by("org__path")
    return [_extension_out(e) for e in rows[:2000] if services.can_grant_extension(request.user, c, e.org)]


@router.post("/campaigns/{slug}/extensions", response={201: ExtensionOut, 400: ApiError, 403: ApiError,
                                                       404: ApiError})
def post_extension(request: HttpRequest, slug: str, payload: ExtensionIn):
    """Give one organisation a later deadline (the level above it, or a campaign admin). Granting
    again for the same organisation and track replaces the date."""
    c = get_object_or_404(Campaign, slug=slug)
    org = get_object_or_404(Organization, pk=payload.org)
    track = _track_of(c, payload.track) if payload.track else None
    ext = services.grant_extension(request.user, c, org, payload.until, track=track, reason=payload.reason)
    return 201, _extension_out(ext)


@router.delete("/campaigns/{slug}/extensions/{extension_id}", response={204: None, 403: ApiError, 404: ApiError})
def delete_extension(request: HttpRequest, slug: str, extension_id: int):
    c = get_object_or_404(Campaign, slug=slug)
    ext = get_object_or_404(DeadlineExtension.objects.select_related("org", "campaign"), campaign=c, pk=extension_id)
    services.revoke_extension(request.user, ext)
    return 204, None


def _announcement(c: Campaign, pk: int) -> Announcement:
    return get_object_or_404(Announcement.objects.select_related("campaign"), campaign=c, pk=pk)


@router.post("/campaigns/{slug}/announcements", response={201: AnnouncementOut})
def create_announcement(request: HttpRequest, slug: str, payload: AnnouncementIn):
    c = _campaign_for(request, slug, "campaigns.manage_announcements")
    data = payload.model_dump()
    a = services.create_announcement(request.user, c, **data)
    return 201, a


@router.patch("/campaigns/{slug}/announcements/{announcement_id}", response=AnnouncementOut)
def patch_announcement(request: HttpRequest, slug: str, announcement_id: int, payload: AnnouncementPatch):
    c = _campaign_for(request, slug, "campaigns.manage_announcements")
    a = _announcement(c, announcement_id)
    data = payload.model_dump(exclude_unset=True)
    published = data.pop("published", None)
    publish_at = data.pop("publish_at", None)
    pinned = data.pop("pinned", None)
    data = {k: v for k, v in data.items() if v is not None}
    if data:
        services.update_announcement(request.user, a, **data)
    if pinned is not None:
        services.set_announcement_pinned(request.user, a, pinned)
    if published is False:
        services.unpublish_announcement(request.user, a)
    elif published or publish_at is not None:
        services.publish_announcement(request.user, a, at=publish_at)
    return a


@router.delete("/campaigns/{slug}/announcements/{announcement_id}", response={204: None})
def delete_announcement(request: HttpRequest, slug: str, announcement_id: int):
    c = _campaign_for(request, slug, "campaigns.manage_announcements")
    services.delete_announcement(request.user, _announcement(c, announcement_id))
    return 204, None
