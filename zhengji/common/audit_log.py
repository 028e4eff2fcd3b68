"""Browsing the audit log: who may see which records (scoping) and the filters, shared by the
staff pages, the CSV export and the API."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import registry
from .models import AuditLog
from .numbers import parse_id


def read_filter(scope: registry.AuditReadScope) -> Q:
    """The records a read scope covers, as a filter."""
    if scope.everything:
        return Q()
    q = Q()
    for path in sorted(scope.org_paths):
        if path:  # an empty path would match everything
            q |= Q(org_path__startswith=path)
    if scope.campaign_ids:
        q |= Q(campaign_id__in=sorted(scope.campaign_ids))
    return q


def audit_filter(user: Any) -> Q | None:
    """The records a user may read, as a filter; None when they may read none. What a user may
    read is registered by the apps that know the roles (accounts: superusers all, unit admins
    their subtrees, campaign admins their campaigns; see common.registry.audit_readers)."""
    scope = registry.audit_readers.scope_for(user)
    return None if scope is None else read_filter(scope)


def can_browse_audit(user: Any) -> bool:
    return registry.audit_readers.scope_for(user) is not None


def scoped_log(user: Any) -> QuerySet[AuditLog]:
    q = audit_filter(user)
    if q is None:
        return AuditLog.objects.none()
    return AuditLog.objects.filter(q)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=pgettext_lazy("audit log", "Action"), required=False, max_length=64)
    actor = forms.CharField(label=pgettext_lazy("audit log", "Who"), required=False, max_length=60,
                            help_text=_("Name, user name or mobile number"))
    object_type = forms.CharField(label=pgettext_lazy("audit log", "Object type"), required=False, max_length=64)
    date_from = forms.DateField(label=pgettext_lazy("audit log", "From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=pgettext_lazy("audit log", "To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and a > b:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _day_start(day: dt.date) -> dt.datetime:
    # Dates are Asia/Shanghai calendar days (the current time zone).
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def apply_filters(qs: QuerySet[AuditLog], *, action: str = "", actor: str = "", object_type: str = "",
                  date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[AuditLog]:
    if action:
        qs = qs.filter(action=action.strip())
    if object_type:
        qs = qs.filter(object_type=object_type.strip())
    if actor:
        term = actor.strip()
        who = Q(actor__real_name__icontains=term) | Q(actor__username=term) | Q(actor__phone=term)
        if (actor_pk := parse_id(term)) is not None:
            who |= Q(actor_id=actor_pk)
        qs = qs.filter(who)
    # Clamp far-off dates: 0001-01-01 in Asia/Shanghai is before year 1 in UTC, and the day after
    # 9999-12-31 does not exist; no record is that old or that new anyway.
    if date_from:
        qs = qs.filter(at__gte=_day_start(max(date_from, _EARLIEST)))
    if date_to:
        qs = qs.filter(at__lt=_day_start(min(date_to, _LATEST) + dt.timedelta(days=1)))
    return qs


_EARLIEST = dt.date(1970, 1, 1)
_LATEST = dt.date(9000, 12, 31)


def filtered_log(user: Any, filters: dict[str, Any]) -> QuerySet[AuditLog]:
    qs = apply_filters(
        scoped_log(user),
        action=filters.get("action") or "", actor=filters.get("actor") or "",
        object_type=filters.get("object_type") or "",
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    return qs.select_related("actor")


@dataclass
class Change:
    field: str
    before: str
    after: str


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def diff(before: Any, after: Any) -> list[Change]:
    """Changed keys between two snapshots; non-dict snapshots are shown whole."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [Change("", _show(before), _show(after))]
    b = before if isinstance(before, dict) else {}
    a = after if isinstance(after, dict) else {}
    out: list[Change] = []
    for key in list(b) + [k for k in a if k not in b]:
        if b.get(key) != a.get(key) or (key not in b) != (key not in a):
            out.append(Change(str(key), _show(b.get(key)) if key in b else "—",
                              _show(a.get(key)) if key in a else "—"))
    return out


def type_label(object_type: str) -> str:
    """"orgs.organization" -> the model's verbose name in the reader's language."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def distinct_values(qs: QuerySet[AuditLog], field: str, limit: int = 200) -> list[str]:
    return list(qs.order_by(field).values_list(field, flat=True).distinct()[:limit])
