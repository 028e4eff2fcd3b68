"""Shared pages: the staff hub, the audit log (browse, CSV export), notifications."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from . import registry, services
from .audit_log import (
    AuditFilterForm,
    can_browse_audit,
    describe_html,
    diff,
    distinct_values,
    filtered_log,
    fold_sessions,
    keyset_page,
    kind_label,
    readable_changes,
    scoped_log,
    session_counts,
    type_label,
)
from .errors import DomainError

AUDIT_PAGE_SIZE = 50
NOTIFICATIONS_PAGE_SIZE = 30


# --- Staff hub ----------------------------------------------------------------------------------

@login_required
@require_GET
def manage(request):
    """What this user administers: the panels the apps registered (common.registry.hub), each
    with links to the pages of the owning app."""
    user = request.user
    if not registry.staff_checks.is_staff(user):
        raise PermissionDenied
    return render(request, "common/manage.html", {"panels": registry.hub.panels(user)})


def audit_hub_panels(user) -> list[registry.Panel]:
    """The audit log's own card on the hub, for those who may read some of it."""
    if not can_browse_audit(user):
        return []
    return [registry.Panel("audit", _("Audit log"), icon="bi-journal-text", template="common/_hub_audit.html")]


# --- Audit log ----------------------------------------------------------------------------------

def _audit_form(request) -> tuple[AuditFilterForm, dict]:
    if not can_browse_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


@login_required
@require_GET
def audit(request):
    """The log as sentences in the reader's language, newest first, autosaves of one session
    folded into one row, keyset pages (`before` / `after` cursors)."""
    form, filters = _audit_form(request)
    qs = fold_sessions(filtered_log(request.user, filters))
    page = keyset_page(qs, before=request.GET.get("before"), after=request.GET.get("after"), size=AUDIT_PAGE_SIZE)
    counts = session_counts(page.rows)
    for row in page.rows:
        row.sentence = describe_html(row)
        row.kind = kind_label(row.action)
        row.changes = readable_changes(row.object_type, diff(row.before, row.after))
        row.type_label = type_label(row.object_type)
        row.session, row.session_more = counts.get(row.id, (1, False))
    base_qs = scoped_log(request.user)
    query = {k: v for k, v in request.GET.items() if k not in ("before", "after") and v}
    return render(request, "common/audit.html", {
        "form": form,
        "page": page,
        "rows": page.rows,
        "object_types": [(t, type_label(t)) for t in distinct_values(base_qs, "object_type")],
        "query": urlencode(query),
    })


class _Echo:
    def write(self, value):
        return value


def _csv_rows(qs):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheet programs then read the Chinese text as UTF-8
    yield writer.writerow([
        pgettext("audit log", "Time"), pgettext("audit log", "Who"), pgettext("audit log", "Action"),
        pgettext("audit log", "Object type"), pgettext("audit log", "Object ID"), pgettext("audit log", "Object"),
        pgettext("audit log", "Before"), pgettext("audit log", "After"), pgettext("audit log", "Reason"),
        _("IP address"),
    ])
    for r in qs.iterator(chunk_size=500):
        changes = diff(r.before, r.after)
        yield writer.writerow([
            timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
            r.actor.display_name if r.actor else "",
            r.action, r.object_type, r.object_id, r.object_repr,
            "; ".join(f"{c.field}: {c.before}" if c.field else c.before for c in changes),
            "; ".join(f"{c.field}: {c.after}" if c.field else c.after for c in changes),
            r.reason, r.ip or "",
        ])


@login_required
@require_GET
def audit_export(request):
    form, filters = _audit_form(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Please correct the filters before exporting."))
        return redirect(reverse("common:audit") + "?" + request.GET.urlencode())
    qs = filtered_log(request.user, filters)
    services.record_audit_export(request.user, filters)
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


# --- Notifications ------------------------------------------------------------------------------

@login_required
@require_GET
def notifications(request):
    qs = request.user.notifications.order_by(F("read_at").asc(nulls_first=True), "-created", "-id")
    page = Paginator(qs, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "common/notifications.html", {"page": page, "items": page.object_list})


def _back(request, fallback: str) -> HttpResponseRedirect:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(nxt)
    return redirect(fallback)


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        n = services.mark_notification_read(request.user, pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("common:notifications")
    # "Open" a notification: mark it read and go where it points (local links only).
    if request.POST.get("open") and n.url and url_has_allowed_host_and_scheme(n.url, {request.get_host()}):
        return HttpResponseRedirect(n.url)
    return _back(request, "common:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.mark_all_notifications_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return _back(request, "common:notifications")
