"""The statistics card on the staff hub (registered in StatsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.registry import Panel, PanelItem

from .rules import is_stats_user


def hub_panels(user: Any) -> list[Panel]:
    if not is_stats_user(user):
        return []
    items = [PanelItem(_("Statistics dashboard"), reverse("stats:dashboard"),
                       _("Entries, participation and coverage of your subtrees"))]
    if user.is_superuser or scopes_for(user).campaign_admin:
        items.append(PanelItem(_("Outstanding units and individuals"), reverse("stats:outstanding"),
                               _("Ranked candidates for the year-end notice")))
    return [Panel("stats", _("Statistics"), icon="bi-bar-chart", items=tuple(items))]
