"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("accounts", pgettext_lazy("audit kind", "Accounts and sign-in"), order=60)
    actions.add("user.register", _("%(actor)s registered as %(object)s"), kind="accounts")
    actions.add("user.update_profile", _("%(actor)s changed the profile of %(object)s"), kind="accounts")
    actions.add("user.change_password", _("%(actor)s changed the password of %(object)s"), kind="accounts")
    actions.add("user.reset_password", _("%(actor)s reset the password of %(object)s"), kind="accounts")
    actions.add("role.grant", _("%(actor)s granted the role %(object)s"), kind="accounts")
    actions.add("role.revoke", _("%(actor)s revoked the role %(object)s"), kind="accounts")
    actions.add("token.create", _("%(actor)s created the API token %(object)s"), kind="accounts")
    actions.add("token.revoke", _("%(actor)s revoked the API token %(object)s"), kind="accounts")
    actions.add("totp.start", _("%(actor)s started setting up two-step sign-in for %(object)s"), kind="accounts")
    actions.add("totp.enable", _("%(actor)s turned on two-step sign-in for %(object)s"), kind="accounts")
    actions.add("totp.disable", _("%(actor)s turned off two-step sign-in for %(object)s"), kind="accounts")
    actions.add("totp.login", _("%(actor)s signed in with a two-step code as %(object)s"), kind="accounts")
    actions.add("code.send", _("%(actor)s sent a verification code to %(object)s"), kind="accounts")
    actions.add("code.send_registered", _("%(actor)s sent a verification code to the registered number %(object)s"),
                kind="accounts")
    actions.add("code.send_unknown", _("%(actor)s asked for a verification code for the unknown number %(object)s"),
                kind="accounts")
    actions.add("code.verify", _("%(actor)s verified a code for %(object)s"), kind="accounts")
    actions.add("login.locked", _("%(actor)s locked sign-in for %(object)s after wrong passwords"), kind="accounts")
    actions.add("login.address_locked", _("%(actor)s locked sign-in from the address %(object)s after wrong passwords"),
                kind="accounts")
    actions.add("login.device_locked", _("%(actor)s locked sign-in from the device %(object)s after wrong passwords"),
                kind="accounts")
