"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("orgs", pgettext_lazy("audit kind", "Organisations and members"), order=50)
    actions.add("org.create", _("%(actor)s created the organisation %(object)s"), kind="orgs")
    actions.add("org.update", _("%(actor)s changed the organisation %(object)s"), kind="orgs")
    actions.add("org.move", _("%(actor)s moved the organisation %(object)s"), kind="orgs")
    actions.add("org.deactivate", _("%(actor)s deactivated the organisation %(object)s"), kind="orgs")
    actions.add("org.reactivate", _("%(actor)s reactivated the organisation %(object)s"), kind="orgs")
    actions.add("org.import", _("%(actor)s imported organisations into %(object)s"), kind="orgs")
    actions.add("membership.request", _("%(actor)s asked to join as %(object)s"), kind="orgs")
    actions.add("membership.confirm", _("%(actor)s confirmed the membership %(object)s"), kind="orgs")
    actions.add("membership.join_by_invite", _("%(actor)s joined by invitation as %(object)s"), kind="orgs")
    actions.add("invite.create", _("%(actor)s created the invitation %(object)s"), kind="orgs")
    actions.add("invite.revoke", _("%(actor)s revoked the invitation %(object)s"), kind="orgs")
