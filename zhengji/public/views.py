"""The public site: campaign home, track pages, announcements, the campaign list. Read only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Announcement, Campaign, Track
from zhengji.campaigns.policy import policy_for
from zhengji.entries.services import start_states

from . import presenters

ANNOUNCEMENTS_ON_HOME = 10
ANNOUNCEMENTS_PER_PAGE = 20


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


def _campaign_page(request, campaign: Campaign | None):
    ctx: dict = {"campaign": campaign}
    if campaign is not None:
        today = timezone.localdate()
        tracks = list(campaign.tracks.select_related("host_unit").order_by("number"))
        states = start_states(request.user, tracks)
        for t in tracks:
            t.entrants = presenters.entrant_words(t.entrant_types)  # type: ignore[attr-defined]  # for the template
            t.start = states.get(t.pk, "")  # type: ignore[attr-defined]  # the "enter" button
        phase = presenters.current_phase(campaign, today)
        ctx.update(
            preview=not campaign.is_published,
            today=today,
            phase=phase,
            phase_label=presenters.phase_label(phase),
            timeline=presenters.timeline(campaign, today),
            tracks=tracks,
            announcements=list(_visible_announcements(campaign)[:ANNOUNCEMENTS_ON_HOME]),
        )
    return render(request, "public/campaign.html", ctx)


@require_safe
def home(request):
    campaign = Campaign.objects.filter(is_published=True).select_related("org").first()
    return _campaign_page(request, campaign)


@require_safe
def campaign_detail(request, slug: str):
    return _campaign_page(request, _visible_campaign(request, slug))


@require_safe
def campaign_list(request):
    user = request.user
    visible = Q(is_published=True)
    if user.is_authenticated:
        if user.is_superuser:
            visible = Q()
        elif scopes_for(user).campaign_admin:
            visible |= Q(pk__in=scopes_for(user).campaign_admin)
    campaigns = list(Campaign.objects.filter(visible).select_related("org"))
    today = timezone.localdate()
    for c in campaigns:
        c.phase_label = presenters.phase_label(presenters.current_phase(c, today))  # type: ignore[attr-defined]  # for the template
    return render(request, "public/campaign_list.html", {"campaigns": campaigns, "today": today})


@require_safe
def track_detail(request, slug: str, track_slug: str):
    campaign = _visible_campaign(request, slug)
    track = get_object_or_404(Track.objects.select_related("host_unit", "campaign"), campaign=campaign,
                              slug=track_slug)
    policy = policy_for(campaign)
    others = campaign.tracks.only("slug", "number", "name", "name_en", "campaign_id").order_by("number")
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
    })


@require_safe
def announcement_detail(request, slug: str, pk: int):
    campaign = _visible_campaign(request, slug)
    item = get_object_or_404(Announcement, campaign=campaign, pk=pk)
    scheduled = not item.is_visible
    if scheduled and not _can_preview(request.user, campaign):
        raise Http404
    return render(request, "public/announcement.html", {
        "campaign": campaign, "item": item, "preview": not campaign.is_published, "scheduled": scheduled,
    })


@require_safe
def announcement_list(request, slug: str):
    campaign = _visible_campaign(request, slug)
    page = Paginator(_visible_announcements(campaign), ANNOUNCEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "public/announcement_list.html", {
        "campaign": campaign, "page": page, "items": page.object_list, "preview": not campaign.is_published,
    })

