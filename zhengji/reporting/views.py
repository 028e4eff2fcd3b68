"""Reporting pages: the vetting queue with bulk decisions, one entry's decision page, the level's
batches (sent and received) and the summary table. Thin: parse, call a domain function or a
query, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_count, parse_id
from zhengji.entries.models import Entry
from zhengji.orgs.models import Organization

from . import queries, services
from .exports import summary_response
from .models import Batch, ChainPosition

ACTIONS = {"recommend", "return", "reject"}


def _require_admin(request: HttpRequest) -> None:
    if not (request.user.is_superuser or scopes_for(request.user).admin_org_paths):
        raise PermissionDenied


def _back(request: HttpRequest, default: str) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    filters = queries.QueueFilters.from_params(request.GET)
    cursor = request.GET.get("cursor") or None
    try:
        pg = queries.page(queries.queue(request.user, filters), filters.sort, cursor)
    except queries.BadCursor:
        messages.info(request, _("This page link is no longer valid; start from the first page."))
        return redirect(f"{request.path}?{urlencode(filters.as_params())}")
    tracks = queries.queue_tracks(request.user)
    levels = queries.administered_levels(request.user)
    params = filters.as_params()
    rows = [{"entry": e, "pos": e.chain_position, "opinion": pg.opinions.get(e.pk, ""), **_can(request.user, e)}
            for e in pg.rows]
    context = {
        "rows": rows, "filters": filters, "tracks": tracks, "levels": levels,
        "summary": queries.level_summary(levels, tracks),
        "children": queries.child_units(request.user),
        "states": [("waiting", _("Waiting")), ("recommended", _("Recommended here")),
                   ("returned", _("Returned")), ("rejected", _("Not recommended"))],
        "sorts": [("-arrived", _("Newest arrivals")), ("arrived", _("Oldest arrivals")),
                  ("number", _("Entry number")), ("rank", _("Recommendation order"))],
        "next_url": f"{request.path}?{urlencode({**params, 'cursor': pg.next_cursor})}" if pg.next_cursor else "",
        "first_url": f"{request.path}?{urlencode(params)}" if cursor else "",
        "here": request.get_full_path(),
    }
    return render(request, "reporting/queue.html", context)


def _can(user, e: Entry) -> dict[str, bool]:
    return {"can_recommend": user.has_perm("reporting.recommend_entry", e) and not e.chain_position.recommended,
            "can_return": user.has_perm("reporting.return_entry", e),
            "can_reject": user.has_perm("reporting.reject_entry", e),
            "can_comment": user.has_perm("reporting.comment_entry", e)}


def _chosen(request: HttpRequest) -> list[int]:
    return [pk for v in request.POST.getlist("entry") if (pk := parse_id(v))]


@login_required
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """A bulk decision from the queue (or one entry's page)."""
    _require_admin(request)
    action = request.POST.get("action", "")
    ids = _chosen(request)
    default = "reporting:queue"
    try:
        if action not in ACTIONS:
            raise DomainError(_("Choose an action."), code="invalid")
        if not ids:
            raise DomainError(_("Choose at least one entry."), code="nothing_chosen")
        entries = queries.waiting_entries(request.user, ids)
        level_id = request.POST.get("level", "")
        level = queries.deciding_level(parse_id(level_id), entries)
        reason = request.POST.get("reason", "")
        if action == "recommend":
            services.recommend(request.user, entries, level)
            messages.success(request, _("%(n)d entries recommended.") % {"n": len(entries)})
        elif action == "return":
            services.return_for_revision(request.user, entries, level, reason)
            messages.success(request, _("%(n)d entries returned for changes.") % {"n": len(entries)})
        else:
            services.reject(request.user, entries, level, reason)
            messages.success(request, _("%(n)d entries not recommended.") % {"n": len(entries)})
    except Http404:
        messages.error(request, _("Some of the chosen entries are not waiting at your levels."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return _back(request, default)


def _waiting(request: HttpRequest, pk: int) -> Entry:
    entry = queries.queue_base(request.user).filter(pk=pk).select_related("chain_position__level").first()
    if entry is None:
        raise Http404
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One waiting entry: the level's opinion and decisions (the full entry is on its own page)."""
    _require_admin(request)
    e = _waiting(request, pk)
    pos: ChainPosition = e.chain_position
    if request.method == "POST":
        try:
            services.set_opinion(request.user, e, pos.level, request.POST.get("opinion", ""))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Opinion saved."))
        return redirect("reporting:entry", pk=e.pk)
    opinion = queries.opinions_for([e]).get(e.pk, "")
    context = {"e": e, "pos": pos, "opinion": opinion,
               "summary": queries.level_summary([pos.level], [e.track]), **_can(request.user, e)}
    return render(request, "reporting/entry.html", context)


@login_required
@require_POST
def move(request: HttpRequest) -> HttpResponse:
    """Move one recommended entry up or down the level's order."""
    _require_admin(request)
    e = _waiting(request, parse_id(request.POST.get("entry", "")) or 0)
    pos = e.chain_position
    order = list(ChainPosition.objects.filter(level=pos.level, track=e.track, recommended=True)
                 .order_by("rank", "entry_id").values_list("entry_id", flat=True))
    if e.pk in order:
        i = order.index(e.pk)
        j = i - 1 if request.POST.get("direction") == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
    try:
        services.reorder_recommended(request.user, pos.level, e.track, order)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return _back(request, "reporting:queue")


@login_required
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest) -> HttpResponse:
    """The batches the user's levels sent and received; POST prepares a level's draft batch."""
    _require_admin_or_host(request)
    if request.method == "POST":
        _require_admin(request)
        level = Organization.objects.filter(pk=_num(request.POST.get("level"))).first()
        track = Track.objects.filter(pk=_num(request.POST.get("track"))).first()
        if level is None or track is None:
            messages.error(request, _("Choose a level and a track."))
            return redirect("reporting:batches")
        try:
            batch = services.create_batch(request.user, level, track, note=request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("reporting:batches")
        return redirect("reporting:batch", pk=batch.pk)
    levels = queries.administered_levels(request.user)
    context = {"sent": queries.batches_for(request.user, "sent")[:200],
               "received": queries.batches_for(request.user, "received")[:200],
               "levels": levels, "tracks": queries.queue_tracks(request.user) if levels else []}
    return render(request, "reporting/batches.html", context)


def _num(value: str | None) -> int:
    return parse_count(value) or 0


def _require_admin_or_host(request: HttpRequest) -> None:
    scopes = scopes_for(request.user)
    if not (request.user.is_superuser or scopes.admin_org_paths or scopes.host_tracks or scopes.campaign_admin):
        raise PermissionDenied


def _batch(request: HttpRequest, pk: int) -> Batch:
    batch = queries.batch_for(request.user, pk)
    if batch is None:
        raise Http404
    return batch


@login_required
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    b = _batch(request, pk)
    context = {"b": b, "entries": queries.batch_entries(b),
               "can_send": request.user.has_perm("reporting.send_batch", b),
               "sender": request.user.is_superuser or scopes_for(request.user).administers_path(b.level.path),
               "receiver": (b.status == "sent" and not b.to_host
                            and scopes_for(request.user).administers_path(b.target.path))}
    return render(request, "reporting/batch.html", context)


@login_required
@require_POST
def batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    b = _batch(request, pk)
    try:
        services.send_batch(request.user, b)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Batch %(number)s sent to %(target)s.") % {"number": b.number,
                                                                                "target": b.target.name})
    return redirect("reporting:batch", pk=b.pk)


@login_required
@require_POST
def batch_stamp(request: HttpRequest, pk: int) -> HttpResponse:
    b = _batch(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(_("Choose the scan to upload."), code="nothing_chosen")
        services.attach_stamp(request.user, b, upload)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Stamped summary uploaded."))
    return redirect("reporting:batch", pk=b.pk)


@login_required
@require_GET
def batch_summary(request: HttpRequest, pk: int) -> HttpResponse:
    return summary_response(request, _batch(request, pk))


@login_required
@require_GET
def batch_stamp_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The stamped scan, for those who may see the batch (never served from MEDIA_ROOT)."""
    b = _batch(request, pk)
    if not b.stamp_scan:
        raise Http404
    ext = (b.stamp_scan.name or "").rsplit(".", 1)[-1].lower()
    types = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
    return FileResponse(b.stamp_scan.open("rb"), content_type=types.get(ext, "application/octet-stream"),
                        as_attachment=False, filename=f"stamp-{b.number}.{ext}")
