"""Permission predicates for accounts and roles."""

from __future__ import annotations

import rules

from .scopes import scopes_for


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
