"""Domain functions for the organisation tree. Every change: one transaction, permission-checked,
audited with before/after. Views and the API call only these (and membership.py)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.services import grant_role, revoke_role
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted

from . import importing
from .models import Organization, OrgKind
from .roles import OrgRole

EDITABLE_FIELDS = ("name", "short_name", "name_en", "kind", "code", "member_count", "contact_name",
                   "contact_phone", "address")
MAX_MEMBERS = 100_000_000
_MAX_LEN = {f: Organization._meta.get_field(f).max_length for f in EDITABLE_FIELDS if f not in ("member_count",)}


def _check(actor, perm: str, org: Organization, message: str | None = None) -> None:
    if not actor.has_perm(perm, org):
        raise NotPermitted(message or _("You do not administer this organisation."))


def _clean(fields: dict[str, Any], *, instance: Organization | None = None) -> dict[str, Any]:
    """Normalise and validate editable fields; unknown keys are refused."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field")
    data: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "member_count":
            try:
                value = int(value if value not in (None, "") else 0)
            except (TypeError, ValueError):
                raise DomainError(_("The member count must be a whole number."), code="bad_member_count",
                                  field="member_count")
            if value < 0:
                raise DomainError(_("The member count cannot be negative."), code="bad_member_count",
                                  field="member_count")
            if value > MAX_MEMBERS:
                raise DomainError(_("The member count is too large."), code="bad_member_count",
                                  field="member_count")
        else:
            value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
            if "\x00" in value:
                raise DomainError(_("This value contains characters that are not allowed."), code="bad_chars",
                                  field=key)
            if len(value) > _MAX_LEN[key]:
                raise DomainError(_("This value is too long (at most %(n)d characters).") % {"n": _MAX_LEN[key]},
                                  code="too_long", field=key)
        data[key] = value
    if "name" in data and not data["name"]:
        raise DomainError(_("The name is required."), code="name_required", field="name")
    if "code" in data:
        if not data["code"]:
            raise DomainError(_("The code is required."), code="code_required", field="code")
        clash = Organization.objects.filter(code=data["code"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise DomainError(_("The code %(code)s is already in use.") % {"code": data["code"]},
                              code="duplicate_code", field="code")
    if "kind" in data and data["kind"] not in OrgKind.values:
        raise DomainError(_("Unknown kind of organisation."), code="bad_kind", field="kind")
    return data


def _snap(org: Organization) -> dict[str, Any]:
    return audit.snapshot(org, [*EDITABLE_FIELDS, "path", "is_active"])


@transaction.atomic
def create_child(actor, parent: Organization, **fields) -> Organization:
    _check(actor, "orgs.add_child", parent)
    if not parent.is_active:
        raise DomainError(_("This organisation is no longer active."), code="org_inactive")
    data = _clean(fields)
    for required in ("name", "code"):
        if not data.get(required):
            raise DomainError(_("The name and the code are required."), code="required", field=required)
    data.setdefault("kind", OrgKind.GRASSROOTS)
    parent = Organization.objects.get(pk=parent.pk)  # fresh path/numchild: siblings may have shifted
    try:
        with transaction.atomic():
            child = Organization.objects.add_child(parent, data)
    except IntegrityError:
        raise DomainError(_("The code %(code)s is already in use.") % {"code": data["code"]},
                          code="duplicate_code", field="code")
    audit.record("org.create", child, actor=actor, after=_snap(child))
    return child


@transaction.atomic
def update_org(actor, org: Organization, **fields) -> Organization:
    _check(actor, "orgs.change_org", org)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    data = _clean(fields, instance=org)
    before = _snap(org)
    for key, value in data.items():
        setattr(org, key, value)
    org.save(update_fields=[*data.keys(), "updated"])
    after = _snap(org)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.record("org.update", org, actor=actor, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    return org


def _move(org: Organization, target: Organization) -> Organization:
    """The tree operation itself (no checks): the org and its whole subtree go under target."""
    org = Organization.objects.get(pk=org.pk)
    target = Organization.objects.get(pk=target.pk)
    Organization.objects.move(org, target, "sorted-child")
    return Organization.objects.get(pk=org.pk)


@transaction.atomic
def move_org(actor, org: Organization, target: Organization) -> Organization:
    """Move a sub-organisation under another organisation of the actor's subtree. Only orgs strictly
    below the actor's own organisation may move, and never into their own subtree."""
    org = Organization.objects.get(pk=org.pk)
    target = Organization.objects.get(pk=target.pk)
    _check(actor, "orgs.move_org", org, _("You may only move organisations below your own."))
    if not actor.has_perm("orgs.add_child", target):
        raise NotFound(_("The target organisation was not found."), field="target")
    if target.path.startswith(org.path):
        raise DomainError(_("An organisation cannot be moved into its own subtree."), code="move_cycle",
                          field="target")
    if not target.is_active:
        raise DomainError(_("The target organisation is no longer active."), code="org_inactive", field="target")
    parent_path = org.path[: -Organization.steplen]
    if target.path == parent_path:
        return org
    before = {"parent": parent_path, "path": org.path}
    org = _move(org, target)
    audit.record("org.move", org, actor=actor, before=before, after={"parent": target.path, "path": org.path})
    return org


@transaction.atomic
def deactivate_org(actor, org: Organization, *, reason: str = "") -> int:
    """Deactivate an organisation and its whole subtree; returns how many were deactivated."""
    org = Organization.objects.get(pk=org.pk)
    _check(actor, "orgs.deactivate_org", org, _("You may only deactivate organisations below your own."))
    n = Organization.objects.filter(path__startswith=org.path, is_active=True).update(is_active=False)
    audit.record("org.deactivate", org, actor=actor, before={"is_active": org.is_active},
                 after={"is_active": False, "subtree_deactivated": n}, reason=reason)
    org.is_active = False
    return n


@transaction.atomic
def reactivate_org(actor, org: Organization) -> Organization:
    """Reactivate one organisation (not its descendants: some may have been closed on their own)."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check(actor, "orgs.deactivate_org", org, _("You may only reactivate organisations below your own."))
    parent = Organization.objects.get_parent(org)
    if parent is not None and not parent.is_active:
        raise DomainError(_("Reactivate the parent organisation first."), code="parent_inactive")
    if not org.is_active:
        org.is_active = True
        org.save(update_fields=["is_active", "updated"])
        audit.record("org.reactivate", org, actor=actor, before={"is_active": False}, after={"is_active": True})
    return org


@transaction.atomic
def appoint_admin(actor, org: Organization, phone: str) -> RoleAssignment:
    """Make the existing user with this phone number a unit admin of org."""
    _check(actor, "orgs.appoint_admin", org)
    phone = (phone or "").strip().replace(" ", "")
    user = User.objects.filter(phone=phone, is_active=True).first() if phone else None
    if user is None:
        raise DomainError(_("No user is registered with this mobile number."), code="user_not_found",
                          field="phone")
    return grant_role(actor, user, OrgRole.UNIT_ADMIN, org)


@transaction.atomic
def revoke_admin(actor, org: Organization, assignment: RoleAssignment) -> None:
    _check(actor, "orgs.appoint_admin", org)
    if (assignment.scope_type, assignment.scope_id, assignment.role) != ("orgs.organization", org.pk,
                                                                         OrgRole.UNIT_ADMIN):
        raise NotFound(_("Not found."))
    revoke_role(actor, assignment)


@transaction.atomic
def apply_import(actor, rows, *, filename: str = ""):
    """Apply a parsed import file all-or-nothing; it is validated again here, inside the transaction.
    Raises DomainError when any row has an error (nothing is changed)."""
    if not (actor.is_superuser or actor.has_perm("orgs.access")):
        raise NotPermitted(_("You do not administer any organisation."))
    plan = importing.validate(actor, rows)
    if plan.errors:
        raise DomainError(_("The file has errors; nothing was imported."), code="import_errors")
    try:
        with transaction.atomic():
            result = importing.execute(actor, plan)
    except IntegrityError:
        raise DomainError(_("The tree changed while importing; please try again."), code="import_conflict")
    audit.record("org.import", result.anchor, actor=actor,
                 after={"file": filename, "created": result.created, "updated": result.updated,
                        "moved": result.moved})
    return result
