"""The sentences the audit log shows for originality's action codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("originality", pgettext_lazy("audit kind", "Originality"), order=45)
    actions.add("originality.decide", _("%(actor)s decided the originality flag %(object)s"), kind="originality")
    actions.add("originality.reference_add", _("%(actor)s added the reference work %(object)s"),
                kind="originality")
    actions.add("originality.reference_remove", _("%(actor)s removed the reference work %(object)s"),
                kind="originality")
    actions.add("originality.suspect", _("%(actor)s marked %(object)s as suspected AI-generated content"),
                kind="originality")
    actions.add("originality.unsuspect",
                _("%(actor)s withdrew the suspected AI-generated mark of %(object)s"), kind="originality")
    actions.add("originality.track_policy", _("%(actor)s changed the AI rule of track %(object)s"),
                kind="originality")
