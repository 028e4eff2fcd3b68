"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("entries", pgettext_lazy("audit kind", "Entries"), order=10)
    actions.add("entry.create", _("%(actor)s created entry %(object)s"), kind="entries")
    actions.add("entry.save", _("%(actor)s edited entry %(object)s"), kind="entries", collapsible=True)
    actions.add("entry.edit", _("%(actor)s edited submitted entry %(object)s"), kind="entries", collapsible=True)
    actions.add("entry.submit", _("%(actor)s submitted entry %(object)s"), kind="entries")
    actions.add("entry.resubmit", _("%(actor)s resubmitted entry %(object)s"), kind="entries")
    actions.add("entry.withdraw", _("%(actor)s withdrew entry %(object)s"), kind="entries")
    actions.add("entry.delete", _("%(actor)s deleted the draft %(object)s"), kind="entries")
    actions.add("entry.return", _("%(actor)s returned entry %(object)s for changes"), kind="entries")
