"""The role orgs owns: unit admin of an organisation (and its subtree). Registered from
`OrgsConfig.ready()`."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhengji.accounts import roles
from zhengji.accounts.models import RoleAssignment
from zhengji.accounts.scopes import UNIT_ADMIN, scopes_for
from zhengji.common.i18n import localized

from .models import Organization


class OrgRole(StrEnum):
    UNIT_ADMIN = UNIT_ADMIN


def admin_assignments(org: Organization) -> QuerySet[RoleAssignment]:
    """The unit-admin assignments of one organisation (not of its subtree)."""
    return RoleAssignment.objects.filter(role=OrgRole.UNIT_ADMIN, scope_type="orgs.organization", scope_id=org.pk)


def _may_appoint(actor: Any, org: Organization) -> bool:
    """Unit admins appoint unit admins within their subtree."""
    return scopes_for(actor).administers_path(org.path)


def _paths(ids: frozenset[int]) -> list[str]:
    """The administered subtrees' paths, in one query."""
    return list(Organization.objects.filter(pk__in=ids).order_by("path").values_list("path", flat=True))


def _describe(org: Organization) -> str:
    return localized(org, "name")


def _audit_scope(org: Organization) -> Mapping[str, Any]:
    return {"org_path": org.path}


def register() -> None:
    roles.register(roles.RoleKind(
        name=OrgRole.UNIT_ADMIN, label=_("Unit admin"), scope_model="orgs.organization",
        may_grant=_may_appoint, load=_paths, describe=_describe, audit_scope=_audit_scope,
        scope_label=_("organisation"), scope_key="org",
    ))
