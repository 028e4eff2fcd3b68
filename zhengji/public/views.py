"""The public site: campaign home, track pages, announcements, the campaign list (the archive).
Read only. Anonymous pages are served from the tag-invalidated page cache (`cache.cached_page`):
a campaign's pages depend on "campaign:<id>" (bumped by hooks_info when the campaign, a track or
an announcement is saved, and by cache.bump_entry), on the day (the timeline's "today") and on the
newest announcement already visible (a scheduled one appears at its time without any save)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Announcement, Campaign, Phase, Track
from zhengji.campaigns.policy import policy_for
from zhengji.common.i18n import localized
from zhengji.entries.services import start_states

from . import presenters
from .cache import cached_page, remember
from .share import share_context, summary

ANNOUNCEMENTS_ON_HOME = 10
ANNOUNCEMENTS_PER_PAGE = 20
CAMPAIGNS_PER_PAGE = 50
# Phases in which a campaign's results are (or are about to be) public.
RESULT_PHASES = (Phase.PUBLICITY, Phase.CONCLUDED)


def _can_preview(user, campaign: Campaign) -> bool:
    return bool(user.is_authenticated and user.has_perm("campaigns.change_campaign", campaign))


def _visible_campaign(request, slug: str) -> Campaign:
    """A published campaign, or a draft for its admins (who see a preview banner)."""
    campaign = get_object_or_404(Campaign.objects.select_related("org"), slug=slug)
    if not campaign.is_published and not _can_preview(request.user, campaign):
        raise Http404
    return campaign


def _visible_announcements(campaign: Campaign):
    return campaign.announcements.filter(publish_at__isnull=False, publish_at__lte=timezone.now()).order_by(
        "-pinned", "-publish_at", "-id")


# --- cache tags -------------------------------------------------------------------------------------

def _tags(row: tuple | None) -> list[str]:
    day = f"day:{timezone.localdate().isoformat()}"
    if row is None:
        return ["site", day]
    pk, newest = row
    # The newest visible announcement's time is part of the key: a scheduled announcement shows
    # at its time although nothing was saved then.
    return ["site", f"campaign:{pk}", day, f"news:{pk}:{newest.timestamp() if newest else 0}"]


def _tag_row(qs) -> tuple | None:
    now = timezone.now()
    return (qs.annotate(newest=Max("announcements__publish_at", filter=Q(announcements__publish_at__lte=now)))
            .values_list("pk", "newest").first())


TAGS_SECONDS = 30  # how long a page's tag row is remembered at most (a scheduled announcement is due)


def _remembered_row(key: str, qs) -> tuple | None:
    """The tag row, remembered until a campaign or an announcement is saved (they bump "site"), so
    a cached page's hit costs no query. The next scheduled announcement's time is kept with it:
    once that time has passed nothing was saved, so the row is read again (one query) until the
    remembered value expires."""
    def compute() -> tuple:
        now = timezone.now()
        due = Announcement.objects.filter(publish_at__gt=now).aggregate(m=Min("publish_at"))["m"]
        return _tag_row(qs), due

    row, due = remember(key, ["site"], compute, ttl=TAGS_SECONDS)
    if due is not None and due <= timezone.now():
        row, _due = compute()
    return row


def campaign_tags(request, slug: str, *args, **kwargs) -> list[str]:
    """What a campaign's pages depend on (no query when remembered)."""
    return _tags(_remembered_row(f"tags:c:{slug}", Campaign.objects.filter(slug=slug)))


def home_tags(request) -> list[str]:
    return _tags(_remembered_row("tags:home", Campaign.objects.filter(is_published=True).order_by("-year", "-id")))


def announcement_tags(request, slug: str, pk: int) -> list[str]:
    return campaign_tags(request, slug) + [f"announcement:{pk}"]


# --- pages ------------------------------------------------------------------------------------------

def _campaign_share(request, campaign: Campaign) -> dict:
    name = localized(campaign, "name")
    description = localized(campaign, "summary") or _("%(org)s call for works, %(year)s") % {
        "org": localized(campaign.org, "name"), "year": campaign.year}
    return share_context(request, title=name, description=description,
                         image=campaign.banner.url if campaign.banner else "")


def _campaign_page(request, campaign: Campaign | None):
    ctx: dict = {"campaign": campaign}
    if campaign is None:
        ctx["share"] = share_context(request, title=_("Zhengji call for works"),
                                     description=_("Call-for-works campaigns of the trade unions."))
        return render(request, "public/campaign.html", ctx)
    today = timezone.localdate()
    tracks = list(campaign.tracks.select_related("host_unit").order_by("number"))
    states = start_states(request.user, tracks)
    with_results = presenters.awarded_tracks([t.pk for t in tracks])
    for t in tracks:
        t.entrants = presenters.entrant_words(t.entrant_types)  # type: ignore[attr-defined]  # for the template
        t.start = states.get(t.pk, "")  # type: ignore[attr-defined]  # the "enter" button
        t.has_results = t.pk in with_results  # type: ignore[attr-defined]  # the results link
    phase = presenters.current_phase(campaign, today)
    ctx.update(
        preview=not campaign.is_published,
        today=today,
        phase=phase,
        phase_label=presenters.phase_label(phase),
        concluded=phase == Phase.CONCLUDED,
        show_results=bool(with_results) or phase in RESULT_PHASES,
        timeline=presenters.timeline(campaign, today),
        tracks=tracks,
        announcements=list(_visible_announcements(campaign)[:ANNOUNCEMENTS_ON_HOME]),
        share=_campaign_share(request, campaign),
    )
    return render(request, "public/campaign.html", ctx)


@require_safe
@cached_page(home_tags)
def home(request):
    campaign = Campaign.objects.filter(is_published=True).select_related("org").first()
    return _campaign_page(request, campaign)


@require_safe
@cached_page(campaign_tags)
def campaign_detail(request, slug: str):
    return _campaign_page(request, _visible_campaign(request, slug))


def _archive_years(campaigns: list[Campaign], today: dt.date) -> list[tuple[int, list[Campaign]]]:
    for c in campaigns:
        phase = presenters.current_phase(c, today)
        c.phase_label = presenters.phase_label(phase)  # type: ignore[attr-defined]  # for the template
        c.concluded = phase == Phase.CONCLUDED  # type: ignore[attr-defined]
        c.show_results = phase in RESULT_PHASES  # type: ignore[attr-defined]
    return [(year, list(items)) for year, items in groupby(campaigns, key=lambda c: c.year)]


@require_safe
@cached_page(lambda request: ["site", f"day:{timezone.localdate().isoformat()}"])
def campaign_list(request):
    """Every published campaign by year, newest first: the current ones and the archive of past
    years, each with its results (winners, results on notice, notices)."""
    user = request.user
    visible = Q(is_published=True)
    if user.is_authenticated:
        if user.is_superuser:
            visible = Q()
        elif scopes_for(user).campaign_admin:
            visible |= Q(pk__in=scopes_for(user).campaign_admin)
    qs = Campaign.objects.filter(visible).select_related("org").order_by("-year", "-launch_date", "-id")
    page = Paginator(qs, CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    campaigns = list(page.object_list)
    return render(request, "public/campaign_list.html", {
        "campaigns": campaigns, "years": _archive_years(campaigns, today), "page": page, "today": today,
        "share": share_context(request, title=_("Campaigns"),
                               description=_("Every call-for-works campaign of the trade unions, with the results "
                                             "of past years.")),
    })


@require_safe
@cached_page(lambda request, slug, track_slug: campaign_tags(request, slug))
def track_detail(request, slug: str, track_slug: str):
    campaign = _visible_campaign(request, slug)
    track = get_object_or_404(Track.objects.select_related("host_unit", "campaign"), campaign=campaign,
                              slug=track_slug)
    policy = policy_for(campaign)
    others = campaign.tracks.only("slug", "number", "name", "name_en", "campaign_id").order_by("number")
    name = localized(track, "name")
    description = (localized(track, "description") or summary(localized(track, "rules"))
                   or localized(campaign, "name"))
    return render(request, "public/track.html", {
        "campaign": campaign,
        "track": track,
        "preview": not campaign.is_published,
        "entrants": presenters.entrant_words(track.entrant_types),
        "fields": presenters.form_summary(track.form_schema),
        "level_rules": policy.level_rules(track),
        "other_tracks": others,
        "phase": policy.dated_phase,
        "policy": policy,
        "start": start_states(request.user, [track]).get(track.pk, ""),
        "has_results": track.pk in presenters.awarded_tracks([track.pk]),
        "share": share_context(request, title=f"{name} · {localized(campaign, 'name')}", description=description,
                               image=campaign.banner.url if campaign.banner else ""),
    })


@require_safe
@cached_page(announcement_tags)
def announcement_detail(request, slug: str, pk: int):
    campaign = _visible_campaign(request, slug)
    item = get_object_or_404(Announcement, campaign=campaign, pk=pk)
    scheduled = not item.is_visible
    if scheduled and not _can_preview(request.user, campaign):
        raise Http404
    body = presenters.announcement_body(localized(item, "body"))
    return render(request, "public/announcement.html", {
        "campaign": campaign, "item": item, "announcement": item, "preview": not campaign.is_published,
        "scheduled": scheduled, "body": body,
        "share": share_context(request, title=localized(item, "title"),
                               description=summary(body.html) or localized(campaign, "name"),
                               image=body.images[0] if body.images else (campaign.banner.url if campaign.banner
                                                                          else ""),
                               kind="article"),
    })


@require_safe
@cached_page(campaign_tags)
def announcement_list(request, slug: str):
    campaign = _visible_campaign(request, slug)
    page = Paginator(_visible_announcements(campaign), ANNOUNCEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "public/announcement_list.html", {
        "campaign": campaign, "page": page, "items": page.object_list, "preview": not campaign.is_published,
        "share": share_context(request, title=_("Announcements · %(campaign)s") % {
            "campaign": localized(campaign, "name")}, description=localized(campaign, "summary")
            or localized(campaign, "name")),
    })
