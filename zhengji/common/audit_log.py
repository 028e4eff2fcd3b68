"""Browsing the audit log: who may see which records (scoping) and the filters, shared by the
staff pages, the CSV export and the API."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
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
    kind = forms.ChoiceField(label=pgettext_lazy("audit log", "Kind of action"), required=False)
    action = forms.CharField(label=pgettext_lazy("audit log", "Action"), required=False, max_length=64)
    actor = forms.CharField(label=pgettext_lazy("audit log", "Who"), required=False, max_length=60,
                            help_text=_("Name, user name or mobile number"))
    object_type = forms.CharField(label=pgettext_lazy("audit log", "Object type"), required=False, max_length=64)
    date_from = forms.DateField(label=pgettext_lazy("audit log", "From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=pgettext_lazy("audit log", "To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", pgettext_lazy("audit log", "All")), *registry.audit_actions.kind_choices()]

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
                  date_from: dt.date | None = None, date_to: dt.date | None = None,
                  kind: str = "") -> QuerySet[AuditLog]:
    if kind:
        qs = qs.filter(action__in=registry.audit_actions.codes_of(kind))
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
        date_from=filters.get("date_from"), date_to=filters.get("date_to"), kind=filters.get("kind") or "",
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


# --- the log as sentences, autosaves folded, keyset pages ---------------------------------------------

# Consecutive collapsible records (autosaves) by one actor on one object, each within this time of
# the next, are one session: the log shows its newest record with the count.
SESSION_GAP = dt.timedelta(minutes=30)
# How far back the count of a session is looked for (a session longer than this shows "N+").
SESSION_LOOKBACK = dt.timedelta(hours=12)
SESSION_COUNT_LIMIT = 5000


def mask_name(name: str) -> str:
    """"王小明" -> "王…": the first character and an ellipsis (the full name is in the details)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if "*" in name:  # already a masked phone number
        return name
    return f"{name[0]}…"


def actor_label(row: AuditLog) -> str:
    if row.actor is None:
        return str(pgettext_lazy("audit log", "The system"))
    return mask_name(row.actor.display_name)


def describe(row: AuditLog) -> str:
    """The record as a sentence in the reader's language; unknown codes get a generic one."""
    action = registry.audit_actions.get(row.action)
    values = {"actor": actor_label(row), "object": row.object_repr or f"#{row.object_id}"}
    if action is None:
        return str(_("%(actor)s: %(action)s on %(object)s")) % {**values, "action": row.action}
    return str(action.sentence) % values


TOKEN_MAX = 24


def describe_html(row: AuditLog) -> SafeString:
    """`describe` for a page: escaped, the object's label in a `zj-token` span (an entry
    number never breaks inside on a phone)."""
    action = registry.audit_actions.get(row.action)
    label = row.object_repr or f"#{row.object_id}"
    # A short label (an entry number, a code) is one token; a long title may wrap.
    token = "zj-token" if len(label) <= TOKEN_MAX else "zj-label"
    values = {"actor": escape(actor_label(row)), "object": format_html('<span class="{}">{}</span>', token, label)}
    if action is None:
        return mark_safe(escape(str(_("%(actor)s: %(action)s on %(object)s"))) % {  # noqa: S308 (all parts escaped)
            **values, "action": format_html("<code>{}</code>", row.action)})
    return mark_safe(escape(str(action.sentence)) % values)  # noqa: S308 (all parts escaped)


def kind_label(code: str) -> str:
    action = registry.audit_actions.get(code)
    if action is None:
        return ""
    kind = dict(registry.audit_actions.kind_choices()).get(action.kind)
    return kind or ""


def _field(object_type: str, key: str) -> Any:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    name = key[:-3] if key.endswith("_id") else key
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a key that is not a field (e.g. "failures")
        return None


def _names(shown: str) -> list[str] | None:
    try:
        value = json.loads(shown)
    except ValueError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def _verbose(object_type: str, key: str) -> str:
    field = _field(object_type, key)
    return str(getattr(field, "verbose_name", None) or key)


def readable_changes(object_type: str, changes: list[Change]) -> list[Change]:
    """Field names as the reader's words, and a choice field's values ("draft") as their labels
    ("草稿"); anything else as it is."""
    out: list[Change] = []
    for c in changes:
        if c.field == "changed" and (names := _names(c.after)) is not None:
            # {"changed": ["title", "files"]}: which fields a save changed, named in the reader's words.
            words = [_verbose(object_type, n) for n in names]
            out.append(Change(str(pgettext_lazy("audit log", "Changed fields")), "—", "、".join(words) or "—"))
            continue
        field = _field(object_type, c.field) if c.field else None
        if field is None:
            out.append(c)
            continue
        choices = {str(k): str(v) for k, v in (getattr(field, "flatchoices", None) or [])}
        out.append(Change(str(field.verbose_name), choices.get(c.before, c.before), choices.get(c.after, c.after)))
    return out


def _folded() -> Exists:
    """True for a collapsible record whose next record on the same object is a collapsible one
    by the same actor within SESSION_GAP: the newer record stands for it."""
    codes = registry.audit_actions.collapsible_codes()
    nxt = (AuditLog.objects
           .filter(object_type=OuterRef(OuterRef("object_type")), object_id=OuterRef(OuterRef("object_id")))
           .filter(Q(at__gt=OuterRef(OuterRef("at"))) | Q(at=OuterRef(OuterRef("at")), id__gt=OuterRef(OuterRef("id"))))
           .order_by("at", "id").values("id")[:1])
    return Exists(AuditLog.objects.filter(
        pk=Subquery(nxt), action__in=codes, actor_id=OuterRef("actor_id"),
        at__lte=OuterRef("at") + SESSION_GAP,
    ))


def fold_sessions(qs: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
    """Leave out the records a newer record of the same session stands for (evaluated per row the
    page reads, with the index on object and time: no scan of the whole log)."""
    codes = registry.audit_actions.collapsible_codes()
    if not codes:
        return qs
    return qs.exclude(Q(action__in=codes) & Q(_folded()))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Cursor:
    at: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{(self.at - _EPOCH) // dt.timedelta(microseconds=1)}.{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        if not value:
            return None
        stamp, _sep, pk = value.partition(".")
        try:
            micros, ident = int(stamp), int(pk)
            at = _EPOCH + dt.timedelta(microseconds=micros)
        except (ValueError, OverflowError, OSError):
            return None
        return cls(at, ident)


@dataclass
class LogPage:
    rows: list[AuditLog]
    newer: str | None  # cursor of the page before (newer records), if any
    older: str | None  # cursor of the page after (older records), if any


def keyset_page(qs: QuerySet[AuditLog], *, before: str | None = None, after: str | None = None,
                size: int = 50) -> LogPage:
    """One page of `qs` newest first, by (at, id): `before` = older than that cursor, `after` =
    newer than it; at most size+1 rows are read."""
    if (c := Cursor.decode(after)) is not None:
        rows = list(qs.filter(Q(at__gt=c.at) | Q(at=c.at, id__gt=c.id)).order_by("at", "id")[:size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        newer = Cursor(rows[0].at, rows[0].id).encode() if more and rows else None
        older = Cursor(rows[-1].at, rows[-1].id).encode() if rows else None
        return LogPage(rows, newer, older)
    c = Cursor.decode(before)
    if c is not None:
        qs = qs.filter(Q(at__lt=c.at) | Q(at=c.at, id__lt=c.id))
    rows = list(qs.order_by("-at", "-id")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    newer = Cursor(rows[0].at, rows[0].id).encode() if c is not None and rows else None
    older = Cursor(rows[-1].at, rows[-1].id).encode() if more else None
    return LogPage(rows, newer, older)


def session_counts(rows: list[AuditLog]) -> dict[int, tuple[int, bool]]:
    """For each collapsible record shown: (records in its session, True when the count is a
    lower bound). One query for the page, bounded by SESSION_LOOKBACK and SESSION_COUNT_LIMIT."""
    codes = set(registry.audit_actions.collapsible_codes())
    heads = [r for r in rows if r.action in codes]
    if not heads:
        return {}
    objects = Q()
    for r in heads:
        objects |= Q(object_type=r.object_type, object_id=r.object_id)
    earliest = min(r.at for r in heads) - SESSION_LOOKBACK
    latest = max(r.at for r in heads)
    found = list(AuditLog.objects.filter(objects, at__gte=earliest, at__lte=latest)
                 .order_by("object_type", "object_id", "-at", "-id")
                 .values_list("id", "object_type", "object_id", "action", "actor_id", "at")[:SESSION_COUNT_LIMIT])
    truncated = len(found) >= SESSION_COUNT_LIMIT
    by_object: dict[tuple[str, str], list[tuple[int, str, int | None, dt.datetime]]] = {}
    for pk, otype, oid, action, actor_id, at in found:
        by_object.setdefault((otype, oid), []).append((pk, action, actor_id, at))
    out: dict[int, tuple[int, bool]] = {}
    for head in heads:
        seq = by_object.get((head.object_type, head.object_id), [])
        index = next((i for i, item in enumerate(seq) if item[0] == head.id), None)
        if index is None:
            continue
        count, newer_at, lower_bound = 1, head.at, False
        for _pk, action, who, at in seq[index + 1:]:
            if action not in codes or who != head.actor_id or newer_at - at > SESSION_GAP:
                break
            count, newer_at = count + 1, at
        else:
            lower_bound = truncated or (newer_at - earliest) <= SESSION_GAP
        out[head.id] = (count, lower_bound)
    return out
