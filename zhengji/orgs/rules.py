"""Permission predicates for organisations: scoped by subtree, and who may see a member's full
phone number (membership lives here, so the rule does too)."""

from __future__ import annotations

import rules

from zhengji.accounts.rules import is_superuser, is_unit_admin
from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import mask_phone

from .models import Membership


@rules.predicate
def administers_org(user, org) -> bool:
    """Unit admin of this organisation or one of its ancestors."""
    if org is None:
        return False
    return scopes_for(user).administers_path(org.path)


@rules.predicate
def administers_strictly_above(user, org) -> bool:
    """Unit admin of an ancestor (not only of the org itself): may move or deactivate it."""
    if org is None:
        return False
    return any(org.path.startswith(p) and org.path != p for p in scopes_for(user).admin_org_paths)


can_manage_org = is_superuser | administers_org
rules.add_perm("orgs.view_org", can_manage_org)
rules.add_perm("orgs.change_org", can_manage_org)
rules.add_perm("orgs.add_child", can_manage_org)
rules.add_perm("orgs.move_org", is_superuser | administers_strictly_above)
rules.add_perm("orgs.deactivate_org", is_superuser | administers_strictly_above)
rules.add_perm("orgs.manage_members", can_manage_org)
rules.add_perm("orgs.appoint_admin", can_manage_org)
rules.add_perm("orgs.import", can_manage_org)

# Who may open the organisation management pages at all (workers may not).
rules.add_perm("orgs.access", is_superuser | is_unit_admin)
# Full phone numbers of members: only for those who administer the org's subtree.
rules.add_perm("orgs.view_member_phones", can_manage_org)


def can_see_phone(user, other_user) -> bool:
    """Full phone numbers are for the owner, superusers, and unit admins whose subtree holds the
    other user's membership organisation. Everyone else sees 138****1234."""
    if user is None or other_user is None or not user.is_authenticated:
        return False
    if user.pk == other_user.pk or user.is_superuser:
        return True
    paths = scopes_for(user).admin_org_paths
    if not paths:
        return False
    # Use a prefetched membership when the caller has one (lists), else one query.
    try:
        membership = other_user.membership
    except Membership.DoesNotExist:
        return False
    org_path = membership.org.path if membership is not None else ""
    return bool(org_path) and any(org_path.startswith(p) for p in paths)


rules.add_perm("accounts.see_phone", rules.predicate(can_see_phone))


def shown_phone(user, other_user) -> str:
    """The phone of `other_user` as `user` may see it."""
    phone = getattr(other_user, "phone", "") or ""
    return phone if can_see_phone(user, other_user) else mask_phone(phone)
