"""The registry of role kinds. `accounts` stores role assignments generically (a role name and a
scope: model label + primary key) and knows no role by itself: each app that owns a scope
registers its roles from its `AppConfig.ready()`:

    roles.register(roles.RoleKind(
        name="unit_admin", label=_("Unit admin"), scope_model="orgs.organization",
        may_grant=lambda actor, org: scopes_for(actor).administers_path(org.path),
        load=lambda ids: sorted(Organization.objects.filter(pk__in=ids).values_list("path", flat=True)),
        audit_scope=lambda org: {"org_path": org.path},
    ))

- `may_grant(actor, scope_obj)` says who may grant (and revoke) the role in that scope; superusers
  may always (checked by `accounts.rules.can_grant`, not here).
- `load(ids)` (optional) turns the scope ids a user holds into the data permission checks need
  (e.g. organisation paths); `scopes_for` calls it once per kind the user holds (one query).
- `describe(scope_obj)` is how the scope is shown in pages (default `str`; notifications keep `str`);
  `related` names what to `select_related` when loading scope objects for display.
- `audit_scope(scope_obj)` gives `org_path` / `campaign_id` for the audit record of a grant.

This module imports no other app: it only holds the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser
else:
    Actor = Any

Label = str | Promise


def _no_data(ids: frozenset[int]) -> None:
    return None


def _describe(obj: models.Model) -> str:
    return str(obj)


def _no_audit_scope(obj: models.Model) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class RoleKind:
    """One kind of role, scoped to one kind of object."""

    name: str
    label: Label
    scope_model: str  # the scope's model label, lower case: "orgs.organization"
    may_grant: Callable[[Actor, Any], bool]
    load: Callable[[frozenset[int]], object] | None = None
    describe: Callable[[Any], str] = _describe
    related: tuple[str, ...] = ()
    audit_scope: Callable[[Any], Mapping[str, Any]] = _no_audit_scope
    scope_label: Label = field(default="")  # "organisation", "track": used in error messages
    scope_key: str = ""  # a short name of the scope kind for the API ("org"); default: the model name

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", str(self.name))  # a plain str, not an enum member
        if not self.scope_key:
            object.__setattr__(self, "scope_key", self.scope_model.rsplit(".", 1)[-1])

    def model(self) -> type[models.Model]:
        return apps.get_model(self.scope_model)

    def scope_name(self) -> str:
        return str(self.scope_label or self.model()._meta.verbose_name)


_kinds: dict[str, RoleKind] = {}


class UnknownRole(LookupError):
    pass


def register(kind: RoleKind) -> RoleKind:
    """Register a role kind (from `AppConfig.ready()`). Registering the same name twice with a
    different definition is a programming error; the same definition again is ignored."""
    if kind.scope_model != kind.scope_model.lower() or "." not in kind.scope_model:
        raise ValueError(f"scope_model must be an 'app_label.modelname' label in lower case: {kind.scope_model!r}")
    existing = _kinds.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"role {kind.name!r} is already registered")
    _kinds[kind.name] = kind
    # The assignments of a deleted scope object go with it (what the foreign keys' CASCADE did).
    post_delete.connect(_delete_assignments, sender=kind.model(), dispatch_uid=f"zj-roles-{kind.scope_model}",
                        weak=False)
    return kind


def _delete_assignments(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    assignments = apps.get_model("accounts", "RoleAssignment")
    assignments._default_manager.filter(scope_type=sender._meta.label_lower, scope_id=instance.pk).delete()


def unregister(name: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(name, None)


def get(name: str) -> RoleKind:
    try:
        return _kinds[str(name)]
    except KeyError:
        raise UnknownRole(name) from None


def is_registered(name: str) -> bool:
    return str(name) in _kinds


def kinds() -> Iterator[RoleKind]:
    return iter(list(_kinds.values()))


def names() -> list[str]:
    return list(_kinds)


def for_scope(scope_model: str) -> list[RoleKind]:
    """The kinds scoped to one model label."""
    return [k for k in _kinds.values() if k.scope_model == scope_model]


def label(name: str) -> str:
    """The role's name in the reader's language (the raw name for an unregistered role)."""
    kind = _kinds.get(str(name))
    return str(kind.label) if kind is not None else str(name)


def choices(names_: Collection[str] | None = None) -> list[tuple[str, str]]:
    """(name, label) pairs for a form field, in registration order (or the order given)."""
    wanted = list(names_) if names_ is not None else list(_kinds)
    return [(n, label(n)) for n in wanted if n in _kinds]


def scope_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def validate_role(value: str) -> None:
    """Model-field validator: the role must be registered."""
    if not is_registered(value):
        raise ValidationError(_("Unknown role: %(role)s"), code="unknown_role", params={"role": value})
