"""Permission predicates for accounts and roles. Who may see a member's full phone number is
decided by `orgs` (membership lives there): `orgs.rules.can_see_phone`, perm `accounts.see_phone`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules
from django.db import models

from . import roles
from .scopes import scopes_for

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_staff_of_anything(user) -> bool:
    return is_superuser(user) or scopes_for(user).is_staff_of_anything


@rules.predicate
def is_unit_admin(user) -> bool:
    return bool(scopes_for(user).admin_org_paths)


rules.add_perm("accounts.access_manage", is_staff_of_anything)


def can_grant(actor: AbstractBaseUser | AnonymousUser | None, role: str, scope: models.Model | None) -> bool:
    """Who may grant (or revoke) which role in which scope: superusers always; otherwise the
    registered role kind decides (e.g. unit admins appoint unit admins within their subtree)."""
    if scope is None or not roles.is_registered(role):
        return False
    kind = roles.get(role)
    if scope._meta.label_lower != kind.scope_model:
        return False
    if is_superuser(actor):
        return True
    if actor is None or not actor.is_authenticated:
        return False
    return bool(kind.may_grant(actor, scope))


