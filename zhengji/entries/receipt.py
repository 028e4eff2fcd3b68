"""The printable receipt of a submitted entry, as a PDF (WeasyPrint, Noto CJK fonts)."""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Entry
from .pledge import pledge_text
from .projections import detail
from .services import format_local


def entry_link(entry: Entry, request=None) -> str:
    path = reverse("entries:detail", args=[entry.pk])
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL.rstrip("/") + path


def render_receipt(entry: Entry, request=None) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 (loading pango costs ~1 s: only worth it for a receipt)

    link = entry_link(entry, request)
    qr = segno.make(link, error="m").svg_data_uri(scale=3, border=2)
    # What the reader may see of the entry: the same projection as the page and the API.
    view = detail(entry, getattr(request, "user", None))
    html = render_to_string("entries/receipt.html", {
        "entry": view, "authors": view.authors, "files": view.media, "qr": qr, "link": link,
        "submitted": format_local(view.submitted_at), "pledged": format_local(view.pledged_at),
        "pledge_text": pledge_text(entry.pledge_version) if entry.pledge_version else "",
    }, request=request)
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()
