"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("system", pgettext_lazy("audit kind", "System"), order=90)
    actions.add("audit.export", _("%(actor)s exported the audit log"), kind="system")
