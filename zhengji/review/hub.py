"""Judging's cards on the staff hub and in the personal centre (registered in ReviewConfig.ready).
Each card names a page of one area of the app (set-up, judging, results, publicity)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.registry import Panel, PanelItem


def hub_panels(user: Any) -> list[Panel]:
    scopes = scopes_for(user)
    items: list[PanelItem] = []
    if user.is_superuser or scopes.host_tracks or scopes.campaign_admin:
        items.append(PanelItem(_("Judging of your tracks"), reverse("review:tracks"),
                               _("Rounds, rubric, panel, assignment, scores, results and publicity")))
    if scopes.judge_tracks:
        items.append(PanelItem(_("My judging queue"), reverse("review:judge_queue"),
                               _("The entries assigned to you, scored blind")))
    if user.is_superuser or scopes.moderator or scopes.campaign_admin:
        items.append(PanelItem(_("Objections"), reverse("review:objections"),
                               _("Objections to results on public notice")))
    if user.is_superuser or scopes.campaign_admin:
        items.append(PanelItem(_("Results notices"), reverse("review:notices"),
                               _("The official notice of excellent works and outstanding units")))
    if not items:
        return []
    return [Panel("review", _("Judging and results"), icon="bi-award", items=tuple(items))]


def centre_panels(user: Any) -> list[Panel]:
    """A judge's queue in their centre (outside experts have no hub)."""
    if not scopes_for(user).judge_tracks:
        return []
    return [Panel("review.judge", _("Judging"), icon="bi-award",
                  items=(PanelItem(_("My judging queue"), reverse("review:judge_queue")),))]
