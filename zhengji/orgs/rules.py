"""Permission predicates for organisations: scoped by subtree."""

from __future__ import annotations

import rules

from zhengji.accounts.rules import is_superuser, is_unit_admin
from zhengji.accounts.scopes import scopes_for


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
