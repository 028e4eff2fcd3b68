"""Pages of entries on behalf of workers (代报): start one (then the track's own entry form), the
list of the subtree's on-behalf entries, the batch import (template, upload, preview, apply,
status) and the worker's claim. Thin: parse, call one domain function or query, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.campaigns.models import Track
from zhengji.common.context import current_ip
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.entries import services as entry_services
from zhengji.entries.services import Changes
from zhengji.orgs.models import Organization

from . import imports, onbehalf, tasks
from .models import EntryImport, ImportStatus

PAGE = 50


def _require_enterer(request: HttpRequest) -> None:
    if not onbehalf.may_enter(request.user):
        raise PermissionDenied


def find_unit(actor, value: str) -> Organization | None:
    """A unit of the actor's subtree by its code or exact name (None when unknown or ambiguous)."""
    value = (value or "").strip()
    if not value:
        return None
    found = list(entry_services.unit_choices(actor).filter(Q(code=value) | Q(name=value))[:2])
    return found[0] if len(found) == 1 else None


def _int(value: str | None) -> int | None:
    return parse_id(value)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Start an entry for a named worker; the track's own entry form follows."""
    _require_enterer(request)
    tracks = imports.importable_tracks()
    units = list(entry_services.unit_choices(request.user)[:300])
    errors: dict[str, str] = {}
    typed = {k: request.POST.get(k, "") for k in ("track", "unit", "worker_name", "phone", "title")}
    if request.method == "POST":
        track = next((t for t in tracks if t.pk == _int(typed["track"])), None)
        unit = find_unit(request.user, typed["unit"])
        if track is None:
            errors["track"] = _("Choose a track that is collecting entries.")
        if unit is None:
            errors["unit"] = _("Choose a unit you administer (its code or exact name).")
        if not errors:
            assert track is not None
            try:
                entry = onbehalf.start(request.user, track, unit=unit, worker_name=typed["worker_name"],
                                       phone=typed["phone"], changes=Changes(title=typed["title"]))
            except DomainError as exc:
                errors[exc.field or "form"] = str(exc.message)
            else:
                messages.success(request, _("Fill in the entry for %(name)s and submit it.")
                                 % {"name": typed["worker_name"].strip()})
                return redirect("entries:edit", pk=entry.pk)
    return render(request, "reporting/onbehalf_new.html",
                  {"tracks": tracks, "units": units, "errors": errors, "typed": typed},
                  status=400 if errors else 200)


@login_required
@require_GET
def entered(request: HttpRequest) -> HttpResponse:
    """On-behalf entries of the admin's subtree, newest first, a page at a time (keyset)."""
    _require_enterer(request)
    qs = onbehalf.entered_for(request.user).order_by("-entry_id")
    before = _int(request.GET.get("before"))
    if before:
        qs = qs.filter(entry_id__lt=before)
    rows = list(qs[:PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    items = [{"ob": ob, "phone": onbehalf.shown_phone(request.user, ob)} for ob in rows]
    next_url = f"{request.path}?before={rows[-1].entry_id}" if more and rows else ""
    return render(request, "reporting/onbehalf_list.html", {"items": items, "next_url": next_url})


# --- import ------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload the sheet and zip of an import; the check runs in the background."""
    _require_enterer(request)
    tracks = imports.importable_tracks()
    error = ""
    field = ""
    if request.method == "POST":
        track = next((t for t in tracks if t.pk == _int(request.POST.get("track"))), None)
        try:
            if track is None:
                raise DomainError(_("Choose a track that is collecting entries."), code="invalid", field="track")
            imp = imports.upload(request.user, track, request.FILES.get("sheet"), request.FILES.get("archive"))
        except DomainError as exc:
            error, field = str(exc.message), exc.field or ""
        else:
            tasks.check_import.enqueue(imp.pk)
            return redirect("reporting:import", pk=imp.pk)
    recent = EntryImport.objects.filter(created_by_id=request.user.pk).select_related("track")[:20]
    return render(request, "reporting/import_start.html",
                  {"tracks": tracks, "error": error, "field": field, "recent": recent,
                   "chosen": _int(request.POST.get("track", ""))},
                  status=400 if error else 200)


@login_required
@require_GET
def import_template(request: HttpRequest, track_id: int) -> HttpResponse:
    _require_enterer(request)
    track = Track.objects.select_related("campaign").filter(pk=track_id).first()
    if track is None:
        raise Http404
    try:
        data = imports.template_xlsx(track)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("reporting:import_start")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="entries-track-{track.number:02d}.xlsx"'
    return response


def _import(request: HttpRequest, pk: int) -> EntryImport:
    _require_enterer(request)
    imp = imports.import_for(request.user, pk)
    if imp is None:
        raise Http404
    return imp


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: every row with its errors (bad rows first when asked), a page at a time; the
    apply form when nothing is wrong; the status while the check or the apply runs."""
    imp = _import(request, pk)
    only_bad = request.GET.get("show") == "bad"
    rows = imp.rows.order_by("row")
    if only_bad:
        rows = rows.exclude(errors=[])
    after = _int(request.GET.get("after"))
    if after:
        rows = rows.filter(row__gt=after)
    page = list(rows.select_related("entry")[:PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    base = f"{request.path}?show=bad&" if only_bad else f"{request.path}?"
    context = {"imp": imp, "rows": page, "only_bad": only_bad,
               "next_url": f"{base}after={page[-1].row}" if more and page else "",
               "busy": imp.status in (ImportStatus.CHECKING, ImportStatus.APPLYING),
               "can_apply": imp.status == ImportStatus.READY and not imp.files_removed}
    return render(request, "reporting/import_detail.html", context)


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    imp = _import(request, pk)
    try:
        imp = imports.request_apply(request.user, imp, pledge=request.POST.get("pledge") == "on")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        tasks.apply_import.enqueue(imp.pk)
    return redirect("reporting:import", pk=imp.pk)


# --- claim ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """A worker takes over the entries entered for their number, after an SMS code."""
    waiting = list(onbehalf.claimable(request.user)[:200])
    error = ""
    sent = False
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "send":
                onbehalf.send_claim_code(request.user, ip=current_ip())
                sent = True
                messages.info(request, _("A code was sent to your mobile number."))
            else:
                done = onbehalf.claim(request.user, request.POST.get("code", ""))
                messages.success(request, _("%(n)d entries are now yours; find them under My entries.")
                                 % {"n": len(done)})
                return redirect(reverse("entries:mine"))
        except DomainError as exc:
            error = str(exc.message)
            sent = action != "send"
    return render(request, "reporting/claim.html",
                  {"waiting": waiting, "error": error, "sent": sent,
                   "phone": getattr(request.user, "masked_phone", "")},
                  status=400 if error else 200)
