"""Pages of the results notice and the award certificates. Thin: parse, call one domain function
of `review.domain.notice` or a query below, render.

Staff (campaign admins, superusers; namespace "review"): the notices of their campaigns with the
certificate issuing per track, the notice editor (fields, honours from the suggestions, Word
template, previews, publishing), a track's certificates. Public (namespace "results"): the
published notices with their downloads, the certificate verification page. The entrant: their
certificates (personal centre) and the PDF of each.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign, Track
from zhengji.common import registry
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id

from . import certificates as cert_doc
from . import notice as notice_doc
from .domain import notice as domain
from .models import Certificate, Notice, ResultLine

PAGE_SIZE = 50
AWARDED = notice_doc.AWARDED_STATES


# --- queries (read-only) ------------------------------------------------------------------------------

def managed_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns whose notice the user may manage (superusers: all), newest first."""
    qs = Campaign.objects.select_related("org").order_by("-year", "-id")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(pk__in=sorted(scopes_for(user).campaign_admin))


def managed_notice(user: Any, pk: int) -> Notice:
    """The notice if the user manages its campaign; 404 otherwise (its existence is not revealed)."""
    n = Notice.objects.select_related("campaign__org").filter(pk=pk).first()
    if n is None or not user.has_perm("review.manage_notice", n.campaign):
        raise Http404
    return n


def managed_track(user: Any, pk: int) -> Track:
    t = Track.objects.select_related("campaign", "host_unit").filter(pk=pk).first()
    if t is None or not user.has_perm("review.manage_certificates", t):
        raise Http404
    return t


def track_rows(campaign_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per campaign, its tracks with awarded entries and certificates issued: three queries."""
    tracks = list(Track.objects.filter(campaign_id__in=campaign_ids).order_by("campaign_id", "number"))
    awarded = dict(ResultLine.objects.filter(track_id__in=[t.pk for t in tracks], tier__isnull=False,
                                             entry__status__in=AWARDED)
                   .values("track_id").annotate(n=Count("pk")).values_list("track_id", "n").order_by())
    issued = dict(Certificate.objects.filter(entry__track_id__in=[t.pk for t in tracks])
                  .values("entry__track_id").annotate(n=Count("pk", filter=Q(revoked_at__isnull=True)))
                  .values_list("entry__track_id", "n").order_by())
    out: dict[int, list[dict[str, Any]]] = {}
    for t in tracks:
        out.setdefault(t.campaign_id, []).append({"track": t, "awarded": awarded.get(t.pk, 0),
                                                  "issued": issued.get(t.pk, 0)})
    return out


def my_certificates_qs(user: Any) -> QuerySet[Certificate]:
    """The user's certificates: entries they submitted that stand awarded, not revoked."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return (Certificate.objects.filter(entry__submitter_id=user.pk, entry__status__in=AWARDED,
                                       revoked_at__isnull=True)
            .select_related("entry__track__campaign").order_by("-issued_at", "-id"))


def centre_panels(user: Any) -> list[registry.Panel]:
    """"My certificates" in the personal centre, for entrants who have one (one query)."""
    if not user.is_authenticated:
        return []
    items = list(my_certificates_qs(user)[:5])
    if not items:
        return []
    return [registry.Panel("review.certificates", _("My award certificates"), icon="bi-patch-check",
                           template="review/notice/_centre.html", context={"certificates": items})]


# --- staff pages --------------------------------------------------------------------------------------

def _require_manager(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or scopes_for(user).campaign_admin):
        raise PermissionDenied


@login_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """The results notices of the campaigns the user administers, and certificates per track."""
    _require_manager(request)
    campaigns = list(managed_campaigns(request.user)[:50])
    ids = [c.pk for c in campaigns]
    by_campaign: dict[int, list[Notice]] = {}
    for n in Notice.objects.filter(campaign_id__in=ids).order_by("-issued_on", "-id"):
        by_campaign.setdefault(n.campaign_id, []).append(n)
    tracks = track_rows(ids)
    rows = [{"campaign": c, "notices": by_campaign.get(c.pk, []), "tracks": tracks.get(c.pk, [])} for c in campaigns]
    return render(request, "review/notice/notices.html", {"rows": rows})


@login_required
@require_POST
def notice_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    campaign = managed_campaigns(request.user).filter(pk=parse_id(request.POST.get("campaign", "")) or 0).first()
    if campaign is None:
        raise Http404
    n = domain.create_notice(request.user, campaign)
    messages.success(request, _("A draft notice was created; fill it in and publish it."))
    return redirect("review:notice_edit", n.pk)


def _chosen_honours(request: HttpRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for raw in request.POST.getlist("honour"):
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict):
            out.append(item)
    name = request.POST.get("add_name", "").strip()
    if name:
        out.append({"kind": request.POST.get("add_kind", "unit"), "name": name,
                    "unit": request.POST.get("add_unit", "").strip()})
    return out


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def honour_choices(notice: Notice) -> list[dict[str, Any]]:
    """The notice's honours (chosen) followed by the suggestions not chosen yet."""
    chosen = [{**h, "chosen": True, "why": ""} for h in notice.honours or []]
    keys = {(h["kind"], h["name"], h.get("unit", "")) for h in chosen}
    extra = [{**s, "chosen": False} for s in registry.honour_suggestions.suggestions(notice.campaign_id)
             if (s["kind"], s["name"], s["unit"]) not in keys]
    for h in chosen + extra:
        h["value"] = json.dumps({"kind": h["kind"], "name": h["name"], "unit": h.get("unit", "")}, ensure_ascii=False)
    return chosen + extra


@login_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, notice_id: int) -> HttpResponse:
    n = managed_notice(request.user, notice_id)
    if request.method == "POST":
        issued_on = _date(request.POST.get("issued_on", ""))
        try:
            if issued_on is None:
                raise DomainError(_("Enter a valid date."), code="invalid", field="issued_on")
            domain.update_notice(request.user, n, issuer=request.POST.get("issuer", ""),
                                 number=request.POST.get("number", ""), title=request.POST.get("title", ""),
                                 recipients=request.POST.get("recipients", ""), body=request.POST.get("body", ""),
                                 issued_on=issued_on, honours=_chosen_honours(request))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Notice saved."))
        return redirect("review:notice_edit", n.pk)
    c = notice_doc.content(n)
    return render(request, "review/notice/edit.html", {
        "notice": n, "content": c, "sections": c.sections(), "honours": honour_choices(n),
        "published": n.published_at is not None})


@login_required
@require_POST
def notice_template(request: HttpRequest, notice_id: int) -> HttpResponse:
    n = managed_notice(request.user, notice_id)
    upload = request.FILES.get("template")
    try:
        if request.POST.get("reset"):
            domain.replace_template(request.user, n, None)
            messages.success(request, _("The default template is used again."))
        elif upload is None:
            raise DomainError(_("Choose a .docx file."), code="required", field="template")
        else:
            domain.replace_template(request.user, n, upload)
            messages.success(request, _("The Word template was replaced."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("review:notice_edit", n.pk)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
@require_GET
def notice_preview(request: HttpRequest, notice_id: int, fmt: str) -> HttpResponse:
    """The notice as it would be published now (.docx or PDF), not stored."""
    n = managed_notice(request.user, notice_id)
    if fmt == "docx":
        try:
            data = notice_doc.render_docx(n)
        except notice_doc.TemplateProblem as exc:
            messages.error(request, str(exc))
            return redirect("review:notice_edit", n.pk)
        return _download(data, f"{n.title}.docx", notice_doc.DOCX_TYPE)
    if fmt == "pdf":
        return _download(notice_doc.render_pdf(n), f"{n.title}.pdf", "application/pdf")
    raise Http404


@login_required
@require_POST
def notice_publish(request: HttpRequest, notice_id: int) -> HttpResponse:
    n = managed_notice(request.user, notice_id)
    try:
        domain.publish_notice(request.user, n)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("review:notice_edit", n.pk)
    messages.success(request, _("The notice is published on the public site."))
    return redirect("results:notice", n.pk)


@login_required
@require_http_methods(["GET", "POST"])
def track_certificates(request: HttpRequest, track_id: int) -> HttpResponse:
    """A track's certificates (a page at a time); POST issues the missing ones."""
    track = managed_track(request.user, track_id)
    if request.method == "POST":
        try:
            done = domain.issue_certificates(request.user, track)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(n)d certificates issued (%(m)d already were).") % {
                "n": done.created, "m": done.existing})
        return redirect("review:certificates", track.pk)
    qs = (Certificate.objects.filter(entry__track=track).select_related("entry__unit")
          .order_by("entry__number", "id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    awarded = ResultLine.objects.filter(track=track, tier__isnull=False, entry__status__in=AWARDED).count()
    return render(request, "review/notice/certificates.html", {"track": track, "page": page, "awarded": awarded})


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, certificate_id: int) -> HttpResponse:
    c = Certificate.objects.select_related("entry__track").filter(pk=certificate_id).first()
    if c is None or not request.user.has_perm("review.manage_certificates", c):
        raise Http404
    try:
        domain.revoke_certificate(request.user, c, request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The certificate is revoked."))
    return redirect("review:certificates", c.entry.track_id)


@login_required
@require_GET
def certificate_download(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """The certificate's PDF: its entrant (entry awarded), the campaign's admins, superusers."""
    c = Certificate.objects.select_related("entry__track__campaign__org", "entry__unit").filter(
        pk=certificate_id).first()
    if c is None or not request.user.has_perm("review.download_certificate", c):
        raise Http404
    if c.revoked_at is not None:
        return HttpResponse(_("This certificate has been revoked."), status=410, content_type="text/plain")
    return _download(cert_doc.pdf_bytes(c), f"{c.entry.title}-{c.tier_name}.pdf", "application/pdf")


@login_required
@require_GET
def my_certificates(request: HttpRequest) -> HttpResponse:
    page = Paginator(my_certificates_qs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/notice/mine.html", {"page": page})


# --- public pages ----------------------------------------------------------------------------------------

def published_notices() -> QuerySet[Notice]:
    return (Notice.objects.filter(published_at__isnull=False, campaign__is_published=True)
            .select_related("campaign").order_by("-published_at", "-id"))


@require_GET
def public_notices(request: HttpRequest) -> HttpResponse:
    page = Paginator(published_notices(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/notice/public_list.html", {"page": page})


@require_GET
def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    n = published_notices().filter(pk=pk).first()
    if n is None:
        raise Http404
    units, people = notice_doc.honours_of(n)
    return render(request, "review/notice/public_notice.html", {
        "notice": n, "body": notice_doc.body_paragraphs(n.body), "units": units, "people": people,
        "date": notice_doc.chinese_date(n.issued_on)})


@require_GET
def public_notice_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    n = published_notices().filter(pk=pk).first()
    if n is None or fmt not in ("pdf", "docx"):
        raise Http404
    stored = n.pdf if fmt == "pdf" else n.docx
    if not stored:
        raise Http404
    content_type = "application/pdf" if fmt == "pdf" else notice_doc.DOCX_TYPE
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{n.title}.{fmt}",
                        content_type=content_type)


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Whether a certificate is genuine (or revoked), with what it says; 404 for an unknown code."""
    c = (Certificate.objects.select_related("entry__track__campaign__org", "entry__unit")
         .filter(code=code[:32]).first())
    if c is None:
        raise Http404
    # Genuine: issued, not revoked, and the entry still stands awarded (a reopened result is not).
    valid = c.revoked_at is None and c.entry.status in AWARDED
    return render(request, "review/notice/verify.html", {"c": cert_doc.view_of(c), "valid": valid})
