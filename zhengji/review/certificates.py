"""Award certificates: the PDF of one awarded entry's certificate (A4 landscape, Noto CJK fonts
embedded as subsets) with a QR code to its public verification page (`results:certificate_verify`).

`render(certificate)` makes the PDF; `pdf_bytes(certificate)` returns the stored copy, rendering
and storing it on first use (issuing 10,000 certificates writes rows only; each PDF is made when
first downloaded). A certificate shows no phone number, only what the public page shows too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from zhengji.entries.models import EntryAuthor

from .models import Certificate, Notice
from .notice import NOTICE_LANGUAGE, chinese_date

CSS_PATH = Path(__file__).resolve().parent / "templates" / "review" / "notice" / "pdf" / "certificate.css"
QR_BORDER = 4


def verify_path(code: str) -> str:
    return reverse("results:certificate_verify", args=[code])


def verify_url(certificate: Certificate) -> str:
    return settings.SITE_URL.rstrip("/") + verify_path(certificate.code)


def qr_code(certificate: Certificate) -> Any:
    """The QR code of the verification URL (segno; error correction level M)."""
    return segno.make(verify_url(certificate), error="m")


def issuer_of(campaign: Any) -> str:
    """The issuing body of the campaign's newest published notice, else the campaign's organisation."""
    issuer = (Notice.objects.filter(campaign=campaign, published_at__isnull=False).order_by("-published_at")
              .values_list("issuer", flat=True).first())
    return issuer or campaign.org.name


@dataclass(frozen=True)
class CertificateView:
    """What a certificate says (the PDF and the public verification page): no phone, no contact."""

    code: str
    campaign: str
    track: str
    tier: str
    title: str
    number: str
    authors: str
    unit: str
    date: str
    issuer: str
    revoked: bool
    revoked_on: str


def view_of(certificate: Certificate, *, issuer: str | None = None) -> CertificateView:
    entry = certificate.entry
    campaign = entry.track.campaign
    authors = "、".join(EntryAuthor.objects.filter(entry_id=entry.pk).order_by("position", "id")
                       .values_list("name", flat=True))
    issued = timezone.localtime(certificate.issued_at).date()
    revoked = certificate.revoked_at is not None
    return CertificateView(
        code=certificate.code, campaign=campaign.name, track=entry.track.name, tier=certificate.tier_name,
        title=entry.title, number=entry.number or "", authors=authors, unit=entry.unit.name,
        date=chinese_date(issued), issuer=issuer if issuer is not None else issuer_of(campaign),
        revoked=revoked,
        revoked_on=chinese_date(timezone.localtime(certificate.revoked_at).date()) if revoked else "")


def render(certificate: Certificate) -> bytes:
    """The certificate as PDF."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 (loading pango costs ~1 s: only when a PDF is made)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 (as above)

    with translation.override(NOTICE_LANGUAGE):
        url = verify_url(certificate)
        qr = qr_code(certificate).png_data_uri(scale=1, border=QR_BORDER)
        html = render_to_string("review/notice/pdf/certificate.html",
                                {"c": view_of(certificate), "qr": qr, "url": url})
    fonts = FontConfiguration()
    css = CSS(filename=str(CSS_PATH), font_config=fonts)
    data: bytes = HTML(string=html, base_url=settings.SITE_URL).write_pdf(stylesheets=[css], font_config=fonts)
    return data


def pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF, made and stored on first use."""
    if certificate.pdf:
        try:
            with certificate.pdf.open("rb") as fh:
                return bytes(fh.read())
        except FileNotFoundError:
            pass  # the stored copy is gone (storage moved): make it again
    data = render(certificate)
    certificate.pdf.save(f"certificate-{certificate.pk}.pdf", ContentFile(data), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return data


__all__ = ["CertificateView", "pdf_bytes", "qr_code", "render", "verify_path", "verify_url", "view_of"]
