"""Read-only public API (mounted at /api/public): what the public site shows, as JSON. No login;
drafts are hidden except from their campaign admins. Content follows the request's language."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from zhengji.campaigns.models import Campaign
from zhengji.campaigns.policy import policy_for
from zhengji.common.i18n import localized

from . import api_comments, api_entry, api_gallery, api_votes, presenters
from .views import _can_preview, _visible_announcements

router = Router()


class PublicCampaignBrief(Schema):
    slug: str
    name: str
    year: int
    organisation: str
    phase: str
    phase_label: str


class Step(Schema):
    key: str
    label: str
    start: dt.date
    end: dt.date | None
    state: str


class LevelDeadline(Schema):
    level: str
    level_label: str
    deadline: dt.datetime
    quota: int | None


class PublicTrackOut(Schema):
    number: int
    slug: str
    name: str
    host_unit: str
    work_kind: str
    work_kind_label: str
    entrant_types: list[str]
    who_may_enter: str
    collection_deadline: dt.date
    deadlines: list[LevelDeadline]
    is_open: bool


class PublicAnnouncementOut(Schema):
    id: int
    title: str
    publish_at: dt.datetime
    pinned: bool


class PublicCampaignOut(PublicCampaignBrief):
    summary: str
    is_published: bool
    timeline: list[Step]
    tracks: list[PublicTrackOut]
    announcements: list[PublicAnnouncementOut]


def _brief(c: Campaign, today: dt.date) -> dict:
    phase = presenters.current_phase(c, today)
    return {"slug": c.slug, "name": localized(c, "name"), "year": c.year, "organisation": localized(c.org, "name"),
            "phase": phase, "phase_label": presenters.phase_label(phase)}


@router.get("/campaigns", response=list[PublicCampaignBrief], auth=None, summary="Published campaigns, newest first")
def list_campaigns(request: HttpRequest):
    today = timezone.localdate()
    return [_brief(c, today) for c in Campaign.objects.filter(is_published=True).select_related("org")]


@router.get("/campaigns/{slug}", response=PublicCampaignOut, auth=None,
            summary="A campaign with its timeline, tracks and visible announcements")
def get_campaign(request: HttpRequest, slug: str):
    c = get_object_or_404(Campaign.objects.select_related("org"), slug=slug)
    if not c.is_published and not _can_preview(request.user, c):
        raise Http404
    today = timezone.localdate()
    tracks = c.tracks.select_related("host_unit").order_by("number")
    policy = policy_for(c)
    return {
        **_brief(c, today),
        "summary": localized(c, "summary"),
        "is_published": c.is_published,
        "timeline": [vars(s) for s in presenters.timeline(c, today)],
        "tracks": [{
            "number": t.number, "slug": t.slug, "name": localized(t, "name"),
            "host_unit": localized(t.host_unit, "name"), "work_kind": t.work_kind,
            "work_kind_label": str(t.get_work_kind_display()), "entrant_types": list(t.entrant_types or []),
            "who_may_enter": presenters.entrant_words(t.entrant_types), "collection_deadline": c.collect_end,
            "deadlines": [{"level": r.org_kind, "level_label": r.level_label,
                           "deadline": timezone.localtime(r.deadline), "quota": r.quota}
                          for r in policy.level_rules(t)],
            "is_open": t.is_open,
        } for t in tracks],
        "announcements": [{"id": a.pk, "title": localized(a, "title"), "publish_at": a.publish_at,
                           "pinned": a.pinned} for a in _visible_announcements(c)[:20]],
    }


# The areas' routers (gallery, entry page, votes, comments and moderation), under /api/public.
router.add_router("", api_gallery.router)
router.add_router("", api_entry.router)
router.add_router("", api_votes.router)
router.add_router("", api_comments.router)
