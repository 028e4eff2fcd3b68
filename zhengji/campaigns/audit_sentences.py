"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("campaigns", pgettext_lazy("audit kind", "Campaigns"), order=40)
    actions.add("campaign.create", _("%(actor)s created the campaign %(object)s"), kind="campaigns")
    actions.add("campaign.update", _("%(actor)s changed the campaign %(object)s"), kind="campaigns")
    actions.add("campaign.richtext_file", _("%(actor)s uploaded an image or attachment for campaign %(object)s"),
                kind="campaigns")
    actions.add("campaign.publish", _("%(actor)s published the campaign %(object)s"), kind="campaigns")
    actions.add("track.create", _("%(actor)s created the track %(object)s"), kind="campaigns")
    actions.add("track.update", _("%(actor)s changed the track %(object)s"), kind="campaigns")
    actions.add("track.form", _("%(actor)s changed the entry form of track %(object)s"), kind="campaigns")
    actions.add("track.reorder", _("%(actor)s reordered the tracks of %(object)s"), kind="campaigns")
    actions.add("deadline.extend", _("%(actor)s extended a deadline for %(object)s"), kind="campaigns")
    actions.add("deadline.unextend", _("%(actor)s withdrew a deadline extension for %(object)s"), kind="campaigns")
    actions.add("levelrules.set", _("%(actor)s set the reporting rules of %(object)s"), kind="campaigns")
    actions.add("announcement.create", _("%(actor)s wrote the announcement %(object)s"), kind="campaigns")
    actions.add("announcement.update", _("%(actor)s changed the announcement %(object)s"), kind="campaigns")
    actions.add("announcement.publish", _("%(actor)s published the announcement %(object)s"), kind="campaigns")
    actions.add("announcement.unpublish", _("%(actor)s unpublished the announcement %(object)s"), kind="campaigns")
    actions.add("announcement.pin", _("%(actor)s pinned or unpinned the announcement %(object)s"), kind="campaigns")
    actions.add("announcement.delete", _("%(actor)s deleted the announcement %(object)s"), kind="campaigns")
