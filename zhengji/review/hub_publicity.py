"""Publicity's card in the personal centre: the user's own objections and their answers
(registered in ReviewConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.common.registry import Panel, PanelItem

from .models import Objection, ObjectionStatus


def centre_panels(user: Any) -> list[Panel]:
    """"My objections" for someone who filed one (one query)."""
    if not user.is_authenticated:
        return []
    rows = list(Objection.objects.filter(objector_id=user.pk).values_list("status", flat=True)[:1000])
    if not rows:
        return []
    waiting = sum(1 for s in rows if s == ObjectionStatus.OPEN)
    note = (ngettext("%(n)d is being handled", "%(n)d are being handled", waiting) % {"n": waiting} if waiting
            else _("All answered"))
    item = PanelItem(ngettext("%(n)d objection filed", "%(n)d objections filed", len(rows)) % {"n": len(rows)},
                     reverse("results:my_objections"), note)
    return [Panel("review.objections", _("My objections"), icon="bi-megaphone", items=(item,))]
