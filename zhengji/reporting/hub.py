"""The reporting chain's card on the staff hub (registered in ReportingConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign
from zhengji.common.registry import Panel, PanelItem

from .onbehalf import claimable


def hub_panels(user: Any) -> list[Panel]:
    """Unit admins (and superusers) vet, recommend and report entries level by level; campaign
    admins set their campaigns' automatic reminders; a track's host staff (and campaign admins)
    see what reached the host unit and download its package."""
    scopes = scopes_for(user)
    settings_items = tuple(
        PanelItem(_("Automatic reminders"), reverse("reporting:reminder_settings", args=[c.slug]), c.name)
        for c in Campaign.objects.filter(pk__in=scopes.campaign_admin).order_by("-year", "-id")[:5])
    host_items: tuple[PanelItem, ...] = ()
    if user.is_superuser or scopes.host_tracks or scopes.campaign_admin:
        host_items = (PanelItem(_("Entries reported to the host unit"), reverse("reporting:host_index"),
                                _("Every city's entries of your tracks and their export package")),)
    if not (user.is_superuser or scopes.admin_org_paths):
        if settings_items:
            return [Panel("reporting", _("Reporting chain"), icon="bi-send-check",
                          items=(*host_items, *settings_items,
                                 PanelItem(_("Reminder log"), reverse("reporting:reminder_log"))))]
        if host_items:
            return [Panel("reporting", _("Reporting chain"), icon="bi-send-check", items=host_items)]
        return []
    items = (PanelItem(_("Vetting queue"), reverse("reporting:queue"),
                       _("Entries waiting for your level's decision")),
             PanelItem(_("Reporting batches"), reverse("reporting:batches"),
                       _("Sent to and received from other levels")),
             PanelItem(_("Entries on behalf of workers"), reverse("reporting:onbehalf"),
                       _("Enter a work for a worker who has not registered")),
             PanelItem(_("Import entries"), reverse("reporting:import_start"),
                       _("A sheet of entries and a zip of their files")),
             PanelItem(_("Reminders"), reverse("reporting:reminders"),
                       _("Remind silent units and entrants with drafts before the deadline")),
             PanelItem(_("Child units' deadlines"), reverse("reporting:extensions"),
                       _("Extend a child unit's deadline, or revoke it")),
             *host_items,
             *settings_items)
    return [Panel("reporting", _("Reporting chain"), icon="bi-send-check", items=items)]


def centre_panels(user: Any) -> list[Panel]:
    """In the worker's personal centre: works their union entered for their number, to claim."""
    n = claimable(user).count()
    if not n:
        return []
    item = PanelItem(ngettext("%(n)d entry was entered for your number", "%(n)d entries were entered for your number",
                              n) % {"n": n}, reverse("reporting:claim"), _("Verify your number to claim them"))
    return [Panel("reporting.claim", _("Entries entered for you"), icon="bi-person-check", items=(item,))]
