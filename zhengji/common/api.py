"""GET /api/audit: the audit log in the caller's scope, filtered and paginated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from . import registry
from .apitypes import IsoDate
from .audit_log import can_browse_audit, describe, filtered_log

router = Router()

MAX_PAGE_SIZE = 200


class AuditFilters(Schema):
    action: str = ""
    kind: str = Field("", description="A kind of action: entries, reporting, activities, campaigns, orgs, "
                                      "accounts, media, system (another value: 422)")
    actor: str = Field("", description="Name, user name, mobile number or user id")
    object_type: str = ""
    date_from: IsoDate | None = Field(None, description="First day (Asia/Shanghai), inclusive")
    date_to: IsoDate | None = Field(None, description="Last day (Asia/Shanghai), inclusive")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class AuditActor(Schema):
    id: int
    name: str


class AuditRecordOut(Schema):
    id: int
    at: dt.datetime
    actor: AuditActor | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any | None
    after: Any | None
    reason: str
    ip: str | None
    summary: str = Field(description="The record as a sentence in the request's language")


class AuditPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[AuditRecordOut]


@router.get("", response=AuditPage, summary="Browse the audit log (scoped to what you administer)")
def list_audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict:
    user = request.user
    if not can_browse_audit(user):
        raise PermissionDenied
    data = filters.dict()
    if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
        raise ValidationError({"date_to": [_("The end date is before the start date.")]})
    if data["kind"] and data["kind"] not in registry.audit_actions.kinds:
        raise ValidationError({"kind": [_("Unknown kind of action.")]})
    qs = filtered_log(user, data)
    count = qs.count()
    size = filters.page_size
    pages = max(1, -(-count // size))
    start = (filters.page - 1) * size
    rows = list(qs[start:start + size])
    return {
        "count": count,
        "page": filters.page,
        "pages": pages,
        "page_size": size,
        "results": [
            {
                "id": r.pk, "at": r.at,
                "actor": {"id": r.actor.pk, "name": r.actor.display_name} if r.actor else None,
                "action": r.action, "object_type": r.object_type, "object_id": r.object_id,
                "object_repr": r.object_repr, "before": r.before, "after": r.after, "reason": r.reason,
                "ip": r.ip,
                "summary": describe(r),
            }
            for r in rows
        ],
    }
