"""The one audit helper every domain function calls."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_actor, current_ip
from .models import AuditLog


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


def record(
    action: str,
    obj: models.Model,
    *,
    actor: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    org_path: str = "",
    campaign_id: int | None = None,
) -> AuditLog:
    actor = actor if actor is not None else current_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if not org_path:
        org_path = _guess_org_path(obj)
    if campaign_id is None:
        campaign_id = _guess_campaign_id(obj)
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=before,
        after=after,
        reason=reason,
        ip=current_ip(),
        org_path=org_path,
        campaign_id=campaign_id,
    )


def _guess_org_path(obj: models.Model) -> str:
    for attr in ("path",):
        if obj._meta.label_lower == "orgs.organization":
            return getattr(obj, attr, "") or ""
    for attr in ("org", "organization", "unit", "host_unit"):
        target = getattr(obj, attr, None)
        if target is not None and hasattr(target, "path"):
            return target.path
    return ""


def _guess_campaign_id(obj: models.Model) -> int | None:
    if obj._meta.label_lower == "campaigns.campaign":
        return obj.pk
    cid = getattr(obj, "campaign_id", None)
    if cid is None:
        track = getattr(obj, "track", None)
        cid = getattr(track, "campaign_id", None) if track is not None else None
    return cid
