"""The reporting chain's card on the staff hub (registered in ReportingConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.registry import Panel, PanelItem


def hub_panels(user: Any) -> list[Panel]:
    """Unit admins (and superusers) vet, recommend and report entries level by level; a track's
    host staff (and campaign admins) see what reached the host unit and download its package."""
    scopes = scopes_for(user)
    items: list[PanelItem] = []
    if user.is_superuser or scopes.admin_org_paths:
        items += [PanelItem(_("Vetting queue"), reverse("reporting:queue"),
                            _("Entries waiting for your level's decision")),
                  PanelItem(_("Reporting batches"), reverse("reporting:batches"),
                            _("Sent to and received from other levels"))]
    if user.is_superuser or scopes.host_tracks or scopes.campaign_admin:
        items.append(PanelItem(_("Entries reported to the host unit"), reverse("reporting:host_index"),
                               _("Every city's entries of your tracks and their export package")))
    if not items:
        return []
    return [Panel("reporting", _("Reporting chain"), icon="bi-send-check", items=tuple(items))]
