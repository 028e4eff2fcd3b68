"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("reporting", pgettext_lazy("audit kind", "Reporting and review"), order=20)
    actions.add("entry.recommend", _("%(actor)s recommended entry %(object)s"), kind="reporting")
    actions.add("entry.reject", _("%(actor)s did not recommend entry %(object)s"), kind="reporting")
    actions.add("entry.report_up", _("%(actor)s reported entry %(object)s to the next level"), kind="reporting")
    actions.add("entry.report_to_host", _("%(actor)s reported entry %(object)s to the organiser"), kind="reporting")
    actions.add("entry.unit_opinion", _("%(actor)s wrote the unit's opinion on entry %(object)s"), kind="reporting")
    actions.add("entry.claim", _("%(actor)s claimed entry %(object)s"), kind="reporting")
    actions.add("entry.on_behalf", _("%(actor)s entered entry %(object)s on behalf of an entrant"), kind="reporting")
    actions.add("entries.import_upload", _("%(actor)s uploaded an entry import file %(object)s"), kind="reporting")
    actions.add("entries.import_apply", _("%(actor)s started the entry import %(object)s"), kind="reporting")
    actions.add("entries.import_applied", _("%(actor)s completed the entry import %(object)s"), kind="reporting")
    actions.add("batch.create", _("%(actor)s created the reporting batch %(object)s"), kind="reporting")
    actions.add("batch.export", _("%(actor)s exported the reporting batch %(object)s"), kind="reporting")
    actions.add("host.export", _("%(actor)s downloaded a recommendation form of track %(object)s"), kind="reporting")
    actions.add("host.package", _("%(actor)s downloaded the export package of track %(object)s"), kind="reporting")
    actions.add("batch.stamp", _("%(actor)s uploaded the stamped form of batch %(object)s"), kind="reporting")
    actions.add("batch.send", _("%(actor)s sent the reporting batch %(object)s"), kind="reporting")
    actions.add("reminder.settings", _("%(actor)s changed the reminder settings of %(object)s"), kind="reporting")
    actions.add("reminder.send", _("%(actor)s sent a reminder about %(object)s"), kind="reporting")
    actions.add("reminder.auto", _("%(actor)s sent an automatic reminder about %(object)s"), kind="reporting")
    actions.add("reporting.reorder", _("%(actor)s reordered the recommended entries of %(object)s"), kind="reporting")
