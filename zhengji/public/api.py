"""Read-only public API (mounted at /api/public): what the public site shows, as JSON. No login;
drafts are hidden except from their campaign admins. Content follows the request's language."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from zhengji.campaigns.models import Campaign
from zhengji.campaigns.policy import policy_for
from zhengji.common.errors import DomainError
from zhengji.common.i18n import localized

from . import api_comments, api_entry, api_gallery, api_votes, presenters, qr, views_info
from .share import absolute
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


class WinnerOut(Schema):
    id: int
    number: str
    title: str
    authors: list[str]
    unit: str | None
    url: str


class WinnerTierOut(Schema):
    label: str
    order: int
    entries: list[WinnerOut]


class WinnerTrackOut(Schema):
    number: int
    slug: str
    name: str
    results_url: str
    tiers: list[WinnerTierOut]


class WinnersOut(Schema):
    page: int
    pages: int
    count: int
    tracks: list[WinnerTrackOut]


@router.get("/campaigns/{slug}/winners", response=WinnersOut, auth=None,
            summary="The winners' gallery: awarded entries by track and tier, once the results are public")
def campaign_winners(request: HttpRequest, slug: str, page: int = 1):
    c = get_object_or_404(Campaign, slug=slug)
    if not c.is_published and not _can_preview(request.user, c):
        raise Http404
    tracks = list(c.tracks.only("id", "number", "slug", "name", "name_en", "campaign_id").order_by("number"))
    ids, awards = views_info.visible_winners(request.user, [t.pk for t in tracks])
    got = Paginator(ids, views_info.WINNERS_PER_PAGE).get_page(page)
    groups = views_info.group(views_info.winner_cards(request.user, list(got.object_list), awards), awards)
    return {
        "page": got.number, "pages": got.paginator.num_pages, "count": got.paginator.count,
        "tracks": [{"number": g.track.number, "slug": g.track.slug, "name": localized(g.track, "name"),
                    "results_url": reverse("results:track", args=[g.track.pk]),
                    "tiers": [{"label": t.label, "order": t.order,
                               "entries": [{"id": w.entry_id, "number": w.number, "title": w.title,
                                            "authors": w.authors, "unit": w.unit,
                                            "url": reverse("public:entry", args=[w.entry_id])} for w in t.cards]}
                              for t in g.tiers]} for g in groups],
    }


class ShareOut(Schema):
    url: str
    qr: str


@router.get("/share", response=ShareOut, auth=None,
            summary="The address and QR code of one of this site's pages (for apps that share it)")
def share_of(request: HttpRequest, path: str):
    try:
        site = qr.site_path(path)
    except qr.BadTarget as exc:
        raise DomainError(_("Only the addresses of this site's pages have a QR code."), code="bad_path") from exc
    return {"url": absolute(site), "qr": absolute(reverse("public:qr") + "?" + urlencode({"path": site}))}


# The areas' routers (gallery, entry page, votes, comments and moderation), under /api/public.
router.add_router("", api_gallery.router)
router.add_router("", api_entry.router)
router.add_router("", api_votes.router)
router.add_router("", api_comments.router)
