"""The JSON API of judging's notice area (mounted by review/api.py at /api/review): the results
notices (list, create, update, Word template, publish, downloads, honour suggestions), the award
certificates (issue per track, list, revoke, the caller's own, download) and the public
verification of a certificate. Thin over `review.domain.notice`, with the pages' permissions:
campaign admins and superusers manage; host staff of a track do not edit the campaign's notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from zhengji.common import registry
from zhengji.common.apitypes import ApiError, InputSchema, IsoDate
from zhengji.common.errors import DomainError

from . import certificates as cert_doc
from . import notice as notice_doc
from . import views_notice as pages
from .domain import notice as domain
from .models import Certificate, Notice

router = Router()
ERRORS = {400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}
MAX_PAGE = 200


class ReviewNoticeHonour(Schema):
    kind: Literal["unit", "person"]
    name: str = Field(..., min_length=1, max_length=200)
    unit: str = Field("", max_length=200)


class ReviewNoticeSuggestionOut(ReviewNoticeHonour):
    why: str


class ReviewNoticeOut(Schema):
    id: int
    campaign: int
    issuer: str
    number: str
    title: str
    recipients: str
    body: str
    issued_on: dt.date
    honours: list[ReviewNoticeHonour]
    custom_template: bool
    published_at: dt.datetime | None
    pdf_url: str | None
    docx_url: str | None


class ReviewNoticeCreateIn(InputSchema):
    campaign: int
    issuer: str = Field("", max_length=200)
    number: str = Field("", max_length=60)
    title: str = Field("", max_length=200)
    recipients: str = Field("", max_length=300)
    body: str = Field("", max_length=20000)
    issued_on: IsoDate | None = None
    honours: list[ReviewNoticeHonour] = Field(default_factory=list, max_length=domain.MAX_HONOURS)


class ReviewNoticeUpdateIn(InputSchema):
    issuer: str | None = Field(None, max_length=200)
    number: str | None = Field(None, max_length=60)
    title: str | None = Field(None, max_length=200)
    recipients: str | None = Field(None, max_length=300)
    body: str | None = Field(None, max_length=20000)
    issued_on: IsoDate | None = None
    honours: list[ReviewNoticeHonour] | None = Field(None, max_length=domain.MAX_HONOURS)


class ReviewCertificateOut(Schema):
    id: int
    code: str
    entry: int
    entry_number: str | None
    title: str
    track: str
    tier: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    verify_url: str
    download_url: str | None


class ReviewCertificatePage(Schema):
    items: list[ReviewCertificateOut]
    count: int
    next_offset: int | None


class ReviewCertificateIssueOut(Schema):
    created: int
    existing: int


class ReviewCertificateRevokeIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ReviewCertificateVerifyOut(Schema):
    code: str
    valid: bool
    revoked: bool
    campaign: str
    track: str
    tier: str
    title: str
    authors: str
    unit: str
    date: str
    issuer: str


class ReviewNoticeListParams(Schema):
    campaign: int | None = None


class ReviewCertificateListParams(Schema):
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=MAX_PAGE)


def _url(request: HttpRequest, name: str, **kwargs: object) -> str:
    """An endpoint's path in the API that serves this request (its namespace)."""
    ns = request.resolver_match.namespace if request.resolver_match else "api"
    return reverse(f"{ns}:{name}", kwargs=kwargs)


def _notice_out(request: HttpRequest, n: Notice) -> ReviewNoticeOut:
    published = n.published_at is not None
    return ReviewNoticeOut(
        id=n.pk, campaign=n.campaign_id, issuer=n.issuer, number=n.number, title=n.title, recipients=n.recipients,
        body=n.body, issued_on=n.issued_on, honours=[ReviewNoticeHonour(**h) for h in n.honours or []],
        custom_template=bool(n.template), published_at=n.published_at,
        pdf_url=_url(request, "download_notice", notice_id=n.pk, fmt="pdf") if published else None,
        docx_url=_url(request, "download_notice", notice_id=n.pk, fmt="docx") if published else None)


def _certificate_out(request: HttpRequest, c: Certificate) -> ReviewCertificateOut:
    return ReviewCertificateOut(
        id=c.pk, code=c.code, entry=c.entry_id, entry_number=c.entry.number, title=c.entry.title,
        track=c.entry.track.name, tier=c.tier_name, issued_at=c.issued_at, revoked_at=c.revoked_at,
        verify_url=cert_doc.verify_url(c),
        download_url=_url(request, "certificate_pdf", certificate_id=c.pk) if c.revoked_at is None else None)


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    return pages._download(data, filename, content_type)


# --- notices --------------------------------------------------------------------------------------

@router.get("/notices", response={200: list[ReviewNoticeOut], **ERRORS})
def list_notices(request: HttpRequest, params: Query[ReviewNoticeListParams]):
    """The notices of the campaigns you administer (superusers: all), newest first."""
    qs = Notice.objects.filter(campaign__in=pages.managed_campaigns(request.user)).order_by("-issued_on", "-id")
    if params.campaign is not None:
        qs = qs.filter(campaign_id=params.campaign)
    return [_notice_out(request, n) for n in qs[:MAX_PAGE]]


@router.post("/notices", response={201: ReviewNoticeOut, **ERRORS})
def create_notice(request: HttpRequest, payload: ReviewNoticeCreateIn):
    """A draft notice of a campaign you administer (issuer, title and body default)."""
    campaign = pages.managed_campaigns(request.user).filter(pk=payload.campaign).first()
    if campaign is None:
        raise Http404
    n = domain.create_notice(request.user, campaign, issuer=payload.issuer, number=payload.number,
                             title=payload.title, recipients=payload.recipients, body=payload.body,
                             issued_on=payload.issued_on, honours=[h.dict() for h in payload.honours])
    return 201, _notice_out(request, n)


@router.get("/notices/published", auth=None, response={200: list[ReviewNoticeOut], **ERRORS})
def published_notices(request: HttpRequest):
    """Published notices (public), newest first."""
    return [_notice_out(request, n) for n in pages.published_notices()[:MAX_PAGE]]


@router.get("/notices/{int:notice_id}", response={200: ReviewNoticeOut, **ERRORS})
def get_notice(request: HttpRequest, notice_id: int):
    return _notice_out(request, pages.managed_notice(request.user, notice_id))


@router.patch("/notices/{int:notice_id}", response={200: ReviewNoticeOut, **ERRORS})
def update_notice(request: HttpRequest, notice_id: int, payload: ReviewNoticeUpdateIn):
    """Change the fields sent; 409 `notice_published` once published."""
    n = pages.managed_notice(request.user, notice_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "honours" in changes:
        changes["honours"] = [dict(h) for h in changes["honours"]]
    return _notice_out(request, domain.update_notice(request.user, n, **changes))


@router.get("/notices/{int:notice_id}/suggestions", response={200: list[ReviewNoticeSuggestionOut], **ERRORS})
def honour_suggestions(request: HttpRequest, notice_id: int):
    """Outstanding units and individuals suggested from the reporting indicators (never votes)."""
    n = pages.managed_notice(request.user, notice_id)
    return [ReviewNoticeSuggestionOut(**s) for s in registry.honour_suggestions.suggestions(n.campaign_id)
            if s["kind"] in domain.HONOUR_KINDS]


@router.post("/notices/{int:notice_id}/template", response={200: ReviewNoticeOut, **ERRORS})
def upload_template(request: HttpRequest, notice_id: int, file: File[UploadedFile]):
    """Replace the Word template (.docx with docxtpl tags); refused with the reason (422
    `bad_template`, 400 `not_docx`) when it is not a .docx or does not render."""
    n = pages.managed_notice(request.user, notice_id)
    try:
        return _notice_out(request, domain.replace_template(request.user, n, file))
    except DomainError as exc:
        if exc.code == "bad_template":
            exc.status = 422
        raise


@router.delete("/notices/{int:notice_id}/template", response={200: ReviewNoticeOut, **ERRORS})
def reset_template(request: HttpRequest, notice_id: int):
    """Go back to the default template."""
    n = pages.managed_notice(request.user, notice_id)
    return _notice_out(request, domain.replace_template(request.user, n, None))


@router.post("/notices/{int:notice_id}/publish", response={200: ReviewNoticeOut, **ERRORS})
def publish(request: HttpRequest, notice_id: int):
    """Render and store the .docx and the PDF; the notice is then public."""
    n = pages.managed_notice(request.user, notice_id)
    return _notice_out(request, domain.publish_notice(request.user, n))


@router.get("/notices/{int:notice_id}/download/{fmt}", auth=None, response={200: None, **ERRORS},
            openapi_extra={"responses": {200: {"description": "The notice as PDF or Word (.docx)", "content": {
                "application/pdf": {}, notice_doc.DOCX_TYPE: {}}}}})
def download_notice(request: HttpRequest, notice_id: int, fmt: Literal["pdf", "docx"]):
    """A published notice's stored file (public); for its managers before publication, a
    preview rendered now."""
    n = Notice.objects.select_related("campaign").filter(pk=notice_id).first()
    if n is None:
        raise Http404
    content_type = "application/pdf" if fmt == "pdf" else notice_doc.DOCX_TYPE
    if n.published_at is not None and n.campaign.is_published:
        stored = n.pdf if fmt == "pdf" else n.docx
        with stored.open("rb") as fh:
            return _attachment(fh.read(), f"{n.title}.{fmt}", content_type)
    if not request.user.is_authenticated or not request.user.has_perm("review.manage_notice", n.campaign):
        raise Http404
    try:
        data = notice_doc.render_pdf(n) if fmt == "pdf" else notice_doc.render_docx(n)
    except notice_doc.TemplateProblem as exc:
        raise DomainError(str(exc), code="bad_template", status=422) from exc
    return _attachment(data, f"{n.title}.{fmt}", content_type)


# --- certificates -------------------------------------------------------------------------------------

@router.post("/tracks/{int:track_id}/certificates", response={200: ReviewCertificateIssueOut, **ERRORS})
def issue_certificates(request: HttpRequest, track_id: int):
    """A certificate per awarded entry of the track that has none (idempotent)."""
    track = pages.managed_track(request.user, track_id)
    done = domain.issue_certificates(request.user, track)
    return ReviewCertificateIssueOut(created=done.created, existing=done.existing)


@router.get("/tracks/{int:track_id}/certificates", response={200: ReviewCertificatePage, **ERRORS})
def list_certificates(request: HttpRequest, track_id: int, params: Query[ReviewCertificateListParams]):
    track = pages.managed_track(request.user, track_id)
    qs = Certificate.objects.filter(entry__track=track).select_related("entry__track").order_by("entry__number", "id")
    count = qs.count()
    rows = list(qs[params.offset:params.offset + params.limit])
    nxt = params.offset + params.limit
    return ReviewCertificatePage(items=[_certificate_out(request, c) for c in rows], count=count,
                                 next_offset=nxt if nxt < count else None)


@router.post("/certificates/{int:certificate_id}/revoke", response={200: ReviewCertificateOut, **ERRORS})
def revoke(request: HttpRequest, certificate_id: int, payload: ReviewCertificateRevokeIn):
    c = Certificate.objects.select_related("entry__track").filter(pk=certificate_id).first()
    if c is None or not request.user.has_perm("review.manage_certificates", c):
        raise Http404
    done = domain.revoke_certificate(request.user, c, payload.reason)
    done.entry = c.entry
    return _certificate_out(request, done)


@router.get("/certificates/mine", response={200: list[ReviewCertificateOut], **ERRORS})
def my_certificates(request: HttpRequest):
    """Your certificates (entries you submitted that stand awarded)."""
    rows = pages.my_certificates_qs(request.user).select_related("entry__track")[:MAX_PAGE]
    return [_certificate_out(request, c) for c in rows]


@router.get("/certificates/{int:certificate_id}/pdf", response={200: None, **ERRORS},
            openapi_extra={"responses": {200: {"description": "The certificate as PDF",
                                               "content": {"application/pdf": {}}}}})
def certificate_pdf(request: HttpRequest, certificate_id: int):
    """The certificate as PDF: its entrant, the campaign's admins, superusers; 409 once revoked."""
    c = Certificate.objects.select_related("entry__track__campaign__org", "entry__unit").filter(
        pk=certificate_id).first()
    if c is None or not request.user.has_perm("review.download_certificate", c):
        raise Http404
    if c.revoked_at is not None:
        raise DomainError(_("This certificate has been revoked."), code="revoked", status=409)
    return _attachment(cert_doc.pdf_bytes(c), f"{c.entry.title}-{c.tier_name}.pdf", "application/pdf")


@router.get("/certificates/verify/{code}", auth=None, response={200: ReviewCertificateVerifyOut, **ERRORS})
def verify(request: HttpRequest, code: str):
    """Public: whether a certificate is genuine, with what it says (no phone); 404 when unknown."""
    c = (Certificate.objects.select_related("entry__track__campaign__org", "entry__unit")
         .filter(code=code[:32]).first())
    if c is None:
        raise Http404
    v = cert_doc.view_of(c)
    return ReviewCertificateVerifyOut(
        code=v.code, valid=c.revoked_at is None and c.entry.status in notice_doc.AWARDED_STATES, revoked=v.revoked,
        campaign=v.campaign, track=v.track, tier=v.tier, title=v.title, authors=v.authors, unit=v.unit, date=v.date,
        issuer=v.issuer)
