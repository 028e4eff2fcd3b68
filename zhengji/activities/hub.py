"""The activities card on the staff hub (registered in ActivitiesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.common.registry import Panel, PanelItem


def hub_panels(user: Any) -> list[Panel]:
    """Unit admins record activities, brand projects and volunteers; campaign admins and
    superusers look at them."""
    if not user.has_perm("activities.access"):
        return []
    items = (PanelItem(_("Activities, brand projects and volunteers"), reverse("activities:index"),
                       _("What units do besides collecting entries; counts towards coverage")),)
    return [Panel("activities", _("Activities and volunteers"), icon="bi-people", items=items)]
