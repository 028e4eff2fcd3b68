"""What accounts plugs into common's registries at start-up (see AccountsConfig.ready): who is
staff (the staff hub and its menu link) and which audit records a user may read."""

from __future__ import annotations

from typing import Any

from zhengji.common.registry import AuditReadScope

from .rules import is_staff_of_anything
from .scopes import scopes_for


def is_staff(user: Any) -> bool:
    """A superuser, or holds any staff role (unit admin, campaign admin, moderator, host, judge)."""
    return bool(is_staff_of_anything(user))


def audit_readable(user: Any) -> AuditReadScope | None:
    """Superusers read every record; unit admins the records of their subtrees; campaign admins
    the records of their campaigns."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return AuditReadScope(everything=True)
    s = scopes_for(user)
    paths = frozenset(p for p in s.admin_org_paths if p)  # an empty path would match everything
    if not paths and not s.campaign_admin:
        return None
    return AuditReadScope(org_paths=paths, campaign_ids=frozenset(s.campaign_admin))
