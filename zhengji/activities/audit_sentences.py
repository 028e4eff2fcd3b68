"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("activities", pgettext_lazy("audit kind", "Activities and volunteers"), order=30)
    actions.add("activity.create", _("%(actor)s created the activity %(object)s"), kind="activities")
    actions.add("activity.update", _("%(actor)s changed the activity %(object)s"), kind="activities")
    actions.add("activity.delete", _("%(actor)s deleted the activity %(object)s"), kind="activities")
    actions.add("activity.photos", _("%(actor)s changed the photos of activity %(object)s"), kind="activities")
    actions.add("brand_project.create", _("%(actor)s created the brand project %(object)s"), kind="activities")
    actions.add("brand_project.update", _("%(actor)s changed the brand project %(object)s"), kind="activities")
    actions.add("brand_project.delete", _("%(actor)s deleted the brand project %(object)s"), kind="activities")
    actions.add("volunteer.create", _("%(actor)s added the volunteer %(object)s"), kind="activities")
    actions.add("volunteer.update", _("%(actor)s changed the volunteer %(object)s"), kind="activities")
    actions.add("volunteer.delete", _("%(actor)s removed the volunteer %(object)s"), kind="activities")
    actions.add("volunteers.export", _("%(actor)s exported the volunteers of %(object)s"), kind="activities")
