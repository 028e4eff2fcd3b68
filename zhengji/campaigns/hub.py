"""The campaign and track panels of the staff hub (registered in CampaignsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhengji.accounts import roles as role_kinds
from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import localized
from zhengji.common.registry import Panel, PanelItem

from .models import Campaign, Track
from .roles import CampaignRole


def _campaign_note(c: Campaign, roles: list[str]) -> str:
    parts = [str(c.year), *roles]
    if not c.is_published:
        parts.append(pgettext("campaign state", "Draft"))
    return " · ".join(parts)


def hub_panels(user: Any) -> list[Panel]:
    """Campaigns the user administers or moderates (all for a superuser), tracks they host.
    Judging has its own card (the review app's judge queue)."""
    s = scopes_for(user)
    if user.is_superuser:
        campaigns = list(Campaign.objects.select_related("org"))
    else:
        campaign_ids = s.campaign_admin | s.moderator
        campaigns = list(Campaign.objects.filter(pk__in=campaign_ids).select_related("org")) if campaign_ids else []
    track_ids = s.host_tracks
    tracks = list(Track.objects.filter(pk__in=track_ids).select_related("campaign", "host_unit")) if track_ids else []

    panels: list[Panel] = []
    if campaigns:
        items = []
        for c in campaigns:
            held = [str(label) for cond, label in (
                (user.is_superuser or c.pk in s.campaign_admin, role_kinds.label(CampaignRole.CAMPAIGN_ADMIN)),
                (c.pk in s.moderator, role_kinds.label(CampaignRole.MODERATOR))) if cond]
            items.append(PanelItem(localized(c, "name"), reverse("campaigns:detail", args=[c.slug]),
                                   _campaign_note(c, held)))
        panels.append(Panel("campaigns", _("Campaigns you administer"), icon="bi-megaphone", items=tuple(items)))
    hosted = tuple(PanelItem(localized(t, "name"), reverse("campaigns:track", args=[t.campaign.slug, t.slug]),
                             localized(t.campaign, "name")) for t in tracks if t.pk in s.host_tracks)
    if hosted:
        panels.append(Panel("tracks", _("Tracks you host"), icon="bi-collection", items=hosted))
    return panels
