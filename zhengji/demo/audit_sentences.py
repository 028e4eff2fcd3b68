"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.add("demo.load", _("%(actor)s loaded demo data: %(object)s"), kind="system")
