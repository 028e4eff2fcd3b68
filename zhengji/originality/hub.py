"""The originality panel of the staff hub: the reference set of each campaign one administers,
and the AI rule of the tracks one hosts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign, Track
from zhengji.common.registry import Panel, PanelItem

MAX_ITEMS = 10


def hub_panels(user: Any) -> list[Panel]:
    if not user.is_authenticated:
        return []
    scopes = scopes_for(user)
    if not (scopes.campaign_admin or scopes.host_tracks):
        return []
    items = [PanelItem(_("Reference works: %(name)s") % {"name": c.name},
                       reverse("originality:references", args=[c.slug]))
             for c in Campaign.objects.filter(pk__in=scopes.campaign_admin).order_by("-year", "pk")[:MAX_ITEMS]]
    tracks = Track.objects.filter(Q_tracks(scopes)).order_by("campaign_id", "number")[:MAX_ITEMS]
    items += [PanelItem(_("AI rule: %(name)s") % {"name": t.name}, reverse("originality:policy", args=[t.pk]))
              for t in tracks]
    return [Panel("originality", _("Originality"), icon="bi-fingerprint", items=tuple(items))]


def Q_tracks(scopes: Any) -> Any:  # noqa: N802 (reads as a Q object)
    return Q(pk__in=scopes.host_tracks) | Q(campaign_id__in=scopes.campaign_admin)
