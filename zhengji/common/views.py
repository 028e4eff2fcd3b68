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

from zhengji.accounts import roles
from zhengji.accounts.scopes import scopes_for

from . import services
from .audit_log import (
    AuditFilterForm,
    can_browse_audit,
    diff,
    distinct_values,
    filtered_log,
    scoped_log,
    type_label,
)
from .errors import DomainError

AUDIT_PAGE_SIZE = 50
NOTIFICATIONS_PAGE_SIZE = 30


# --- Staff hub ----------------------------------------------------------------------------------

@login_required
@require_GET
def manage(request):
    """What this user administers, by role, with links to the pages of the owning apps."""
    from zhengji.campaigns.models import Campaign, Track
    from zhengji.orgs.models import Organization

    user = request.user
    s = scopes_for(user)
    if not (user.is_superuser or s.is_staff_of_anything):
        raise PermissionDenied
    if user.is_superuser:
        orgs = list(Organization.get_root_nodes())
        campaigns = list(Campaign.objects.select_related("org"))
    else:
        orgs = list(Organization.objects.filter(pk__in=s.admin_org_ids).order_by("path"))
        campaign_ids = s.campaign_admin | s.moderator
        campaigns = list(Campaign.objects.filter(pk__in=campaign_ids).select_related("org")) if campaign_ids else []
    track_ids = s.host_tracks | s.judge_tracks
    tracks = list(Track.objects.filter(pk__in=track_ids).select_related("campaign", "host_unit")) if track_ids else []
    for o in orgs:
        o.hub_url = reverse("orgs:detail", args=[o.pk])
    for c in campaigns:
        c.hub_url = reverse("campaigns:detail", args=[c.slug])
        c.roles = [label for cond, label in (
            (user.is_superuser or c.pk in s.campaign_admin, roles.label("campaign_admin")),
            (c.pk in s.moderator, roles.label("moderator"))) if cond]
    hosted, judged = [], []
    for t in tracks:
        if t.pk in s.host_tracks:
            t.hub_url = reverse("campaigns:track", args=[t.campaign.slug, t.slug])
            hosted.append(t)
        if t.pk in s.judge_tracks:
            # Judging pages come with the review work; until then the track is listed only.
            t.review_url = None
            judged.append(t)
    return render(request, "common/manage.html", {
        "orgs": orgs, "campaigns": campaigns, "hosted": hosted, "judged": judged,
        "can_audit": can_browse_audit(user),
    })


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
    form, filters = _audit_form(request)
    qs = filtered_log(request.user, filters)
    page = Paginator(qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.changes = diff(row.before, row.after)
        row.type_label = type_label(row.object_type)
    base_qs = scoped_log(request.user)
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "common/audit.html", {
        "form": form,
        "page": page,
        "actions": distinct_values(base_qs, "action"),
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
