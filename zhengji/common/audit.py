"""The one audit helper every domain function calls.

Every record says which organisation subtree and campaign it belongs to and who may read it: the
audited model declares it with `audit_scope()` (see `AuditScope`), or the caller passes
`scope=AuditScope(...)`. Nothing is guessed from attribute names; a record with neither raises
`TypeError`. Bulk writes (the organisation import) go through `record_many`, one `bulk_create`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, runtime_checkable

from django.db import models

from .context import current_actor, current_ip
from .models import AuditAudience, AuditLog

STAFF: Final = AuditAudience.STAFF.value
ENTRANT: Final = AuditAudience.ENTRANT.value
AUDIENCES: Final = (STAFF, ENTRANT)


@dataclass(frozen=True, slots=True)
class AuditScope:
    """Who may read a record. `org_path`: the organisation subtree it belongs to (admins of an
    ancestor read it; "" = no subtree). `campaign_id`: the campaign it belongs to (its admins
    read it). `audience`: "staff" (the staff of that scope only) or "entrant" (also the
    entrant/owner of the object, e.g. on their entry's timeline). Superusers read everything."""

    org_path: str = ""
    campaign_id: int | None = None
    audience: str = STAFF

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audit audience {self.audience!r}; use one of {AUDIENCES}")


@runtime_checkable
class Audited(Protocol):
    """A model that declares the scope of its own audit records."""

    def audit_scope(self) -> AuditScope: ...


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One record for `record_many` (the same arguments as `record`, minus actor and IP, which
    are the same for the whole batch)."""

    action: str
    obj: models.Model
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = ""
    scope: AuditScope | None = None


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model's concrete fields (or the named ones), for before/after."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        value = f.value_from_object(obj)
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[f.attname if f.is_relation else f.name] = value
    return data


def scope_of(obj: models.Model, scope: AuditScope | None = None) -> AuditScope:
    """The explicit scope if given, else the object's own `audit_scope()`; TypeError otherwise."""
    if scope is not None:
        if not isinstance(scope, AuditScope):
            raise TypeError(f"scope must be an AuditScope, not {type(scope).__name__}")
        return scope
    # getattr, not isinstance(obj, Audited): a runtime Protocol check is slow for record_many's thousands.
    declare: Callable[[], object] | None = getattr(obj, "audit_scope", None)
    if declare is None or not callable(declare):
        raise TypeError(
            f"audit record for {obj._meta.label} without a scope: give {type(obj).__name__} an "
            "audit_scope() method or pass scope=AuditScope(...)"
        )
    declared = declare()
    if not isinstance(declared, AuditScope):
        raise TypeError(f"{type(obj).__name__}.audit_scope() must return an AuditScope")
    return declared


def _actor(actor: Any) -> Any:
    actor = actor if actor is not None else current_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


def _row(action: str, obj: models.Model, *, actor: Any, ip: str | None, before: dict[str, Any] | None,
         after: dict[str, Any] | None, reason: str, scope: AuditScope) -> AuditLog:
    return AuditLog(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=before,
        after=after,
        reason=reason,
        ip=ip,
        org_path=scope.org_path,
        campaign_id=scope.campaign_id,
        audience=scope.audience,
    )


def record(
    action: str,
    obj: models.Model,
    *,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    scope: AuditScope | None = None,
    at: dt.datetime | None = None,
) -> AuditLog:
    """Write one audit record. The actor defaults to the request's (common.context); an
    anonymous actor is stored as none. The scope is `scope`, else `obj.audit_scope()`."""
    row = _row(action, obj, actor=_actor(actor), ip=current_ip(), before=before, after=after, reason=reason,
               scope=scope_of(obj, scope))
    if at is not None:
        row.at = at  # a step recorded at a given moment (e.g. the demo's back-dated entries)
    row.save(force_insert=True)
    return row


def record_many(records: Sequence[AuditRecord], *, actor: Any = None, batch_size: int = 1000) -> list[AuditLog]:
    """Write many audit records in one `bulk_create` (batched), with the same actor and IP
    handling as `record`. Every record's scope is resolved first, so a record without one
    raises TypeError before anything is written."""
    who = _actor(actor)
    ip = current_ip()
    rows = [
        _row(r.action, r.obj, actor=who, ip=ip, before=r.before, after=r.after, reason=r.reason,
             scope=scope_of(r.obj, r.scope))
        for r in records
    ]
    if not rows:
        return []
    return AuditLog.objects.bulk_create(rows, batch_size=batch_size)
