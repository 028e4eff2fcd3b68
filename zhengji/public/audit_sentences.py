"""Sentences of the public site's audit action codes (registered from the areas' hooks). Each area
appends its own codes here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register_gallery() -> None:
    actions = registry.audit_actions
    actions.kind("public", pgettext_lazy("audit kind", "Public site"), order=60)
    actions.add("showcase.approve", _("%(actor)s approved entry %(object)s for display in the gallery"), kind="public")
    actions.add("showcase.withdraw", _("%(actor)s withdrew entry %(object)s from display in the gallery"),
                kind="public")
    actions.add("showcase.credit", _("%(actor)s chose how entry %(object)s is credited in public"), kind="public")
