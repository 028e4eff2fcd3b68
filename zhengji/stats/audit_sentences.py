"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("stats", pgettext_lazy("audit kind", "Statistics and outstanding units"), order=35)
    actions.add("stats.export", _("%(actor)s exported the statistics of %(object)s"), kind="stats")
    actions.add("stats.pick", _("%(actor)s picked %(object)s as outstanding"), kind="stats")
    actions.add("stats.unpick", _("%(actor)s withdrew the outstanding pick %(object)s"), kind="stats")
