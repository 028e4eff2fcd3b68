"""Downloads of the reporting chain (thin): a batch's recommendation forms (one entry's as .xlsx or
PDF, or all of them as a zip) and its summary table as PDF for the sending and the receiving
level; the host unit's page per track and its export package (zip, Range requests)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhengji.campaigns.models import Track
from zhengji.common import audit
from zhengji.entries.models import Entry

from . import host, queries
from .documents import XLSX_TYPE, form_rows, rows_in_chunks, summary_pdf
from .models import Batch
from .package import Package, build_package, document_response, form_document, package_response, safe_name

PDF_TYPE = "application/pdf"
FORMATS = {"xlsx": XLSX_TYPE, "pdf": PDF_TYPE}


def batch_or_404(user: Any, pk: int) -> Batch:
    batch = queries.batch_for(user, pk)
    if batch is None:
        raise Http404
    return batch


def batch_scope(batch: Batch) -> audit.AuditScope:
    return audit.AuditScope(org_path=batch.level.path, campaign_id=batch.track.campaign_id)


def batch_entry_qs(batch: Batch) -> Any:
    return (Entry.objects.filter(batch_items__batch=batch).select_related("track__campaign", "unit")
            .order_by("batch_items__position", "batch_items__id"))


def form_response(user: Any, entry: Entry, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    (row,) = form_rows([entry], user)
    data, _rf = form_document(row, fmt)
    return document_response(data, safe_name(f"{_('Recommendation form')} {row.number}.{fmt}"), FORMATS[fmt])


def batch_form(user: Any, batch: Batch, entry_id: int, fmt: str) -> HttpResponse:
    entry = batch_entry_qs(batch).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    audit.record("batch.export", batch, actor=user, after={"format": f"form.{fmt}", "entry": entry.pk},
                 scope=batch_scope(batch))
    return form_response(user, entry, fmt)


def batch_summary_pdf(user: Any, batch: Batch) -> HttpResponse:
    rows = rows_in_chunks(batch_entry_qs(batch), user)
    data = summary_pdf(_("Reporting summary table"), batch_subtitle(batch), rows)
    audit.record("batch.export", batch, actor=user, after={"format": "pdf"}, scope=batch_scope(batch))
    return document_response(data, f"summary-{batch.number}.pdf", PDF_TYPE)


def batch_subtitle(batch: Batch) -> str:
    return (_("Batch %(number)s: %(level)s → %(target)s, %(track)s")
            % {"number": batch.number, "level": batch.level.name, "target": batch.target.name,
               "track": batch.track.name})


def batch_forms_package(user: Any, batch: Batch) -> Package:
    return build_package(user, batch_entry_qs(batch), filename=safe_name(f"{_('Recommendation forms')} "
                                                                        f"{batch.number}.zip"),
                         title=_("Reporting summary table"), subtitle=batch_subtitle(batch),
                         summary_key=f"summary:batch:{batch.pk}", with_media=False, summary_as_pdf=True)


def host_package(user: Any, track: Track, filters: host.HostFilters) -> Package:
    qs = host.host_entries(user, track, filters).select_related("track__campaign", "unit").order_by("number", "pk")
    subtitle = f"{track.campaign.name} · {track.name} · {track.host_unit.name}"
    name = safe_name(f"{track.campaign.year} {track.name} {_('export package')}.zip")
    return build_package(user, qs, filename=name, title=_("Reporting summary table"), subtitle=subtitle,
                         summary_key=f"summary:host:{track.pk}:{filters.key}", with_media=True)


def track_scope(track: Track) -> audit.AuditScope:
    return audit.AuditScope(org_path=track.host_unit.path, campaign_id=track.campaign_id)


def track_or_404(user: Any, pk: int) -> Track:
    track = host.hosted_track(user, pk)
    if track is None:
        raise Http404
    return track


# --- pages ---------------------------------------------------------------------------------------

@login_required
@require_GET
def batch_form_view(request: HttpRequest, pk: int, entry_id: int, fmt: str) -> HttpResponse:
    return batch_form(request.user, batch_or_404(request.user, pk), entry_id, fmt)


@login_required
@require_GET
def batch_forms_zip_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = batch_or_404(request.user, pk)
    return package_response(request, batch_forms_package(request.user, batch), audit_action="batch.export",
                            audit_obj=batch, scope=batch_scope(batch))


@login_required
@require_GET
def batch_summary_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    return batch_summary_pdf(request.user, batch_or_404(request.user, pk))


@login_required
@require_GET
def host_index(request: HttpRequest) -> HttpResponse:
    tracks = list(host.hosted_tracks(request.user)[:500])
    if not tracks:
        raise PermissionDenied
    return render(request, "reporting/host_index.html", {"tracks": tracks})


@login_required
@require_GET
def host_track(request: HttpRequest, pk: int) -> HttpResponse:
    track = track_or_404(request.user, pk)
    filters = host.HostFilters.from_params(request.GET)
    after = request.GET.get("after") or None
    pg = host.page(host.host_entries(request.user, track, filters).select_related("unit"), after)
    params = filters.as_params()
    context = {
        "track": track, "rows": pg.rows, "filters": filters, "cities": host.cities(track),
        "batches": list(host.incoming_batches(track)[:200]), "count": host.host_entries(request.user, track,
                                                                                       filters).count(),
        "next_url": f"{request.path}?{urlencode({**params, 'after': pg.next_after})}" if pg.next_after else "",
        "first_url": f"{request.path}?{urlencode(params)}" if after else "",
        "package_query": urlencode(params),
    }
    return render(request, "reporting/host.html", context)


@login_required
@require_GET
def host_form_view(request: HttpRequest, pk: int, entry_id: int, fmt: str) -> HttpResponse:
    track = track_or_404(request.user, pk)
    entry = host.host_entries(request.user, track).filter(pk=entry_id).select_related("unit").first()
    if entry is None:
        raise Http404
    audit.record("host.export", track, actor=request.user, after={"format": f"form.{fmt}", "entry": entry.pk},
                 scope=track_scope(track))
    return form_response(request.user, entry, fmt)


@login_required
@require_GET
def host_package_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    track = track_or_404(request.user, pk)
    filters = host.HostFilters.from_params(request.GET)
    return package_response(request, host_package(request.user, track, filters), audit_action="host.package",
                            audit_obj=track, scope=track_scope(track))
