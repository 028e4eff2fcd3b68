"""The audit log's sentences for the votes area (registered from hooks_votes.connect())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("public_votes", pgettext_lazy("audit kind", "Public votes"), order=75)
    actions.add("vote.window", _("%(actor)s set the public vote of %(object)s"), kind="public_votes")
    actions.add("vote.anomaly.confirm", _("%(actor)s confirmed flagged votes %(object)s (kept out of the count)"),
                kind="public_votes")
    actions.add("vote.anomaly.release", _("%(actor)s released flagged votes %(object)s (counted again)"),
                kind="public_votes")
