"""The documents of a report: the recommendation form of one entry (推荐表) as .xlsx and PDF, and
the summary table of a batch or a package (报送汇总表) as PDF (the .xlsx is `exports.summary_xlsx`).

What goes on them is a `FormRow` per entry, built in bulk (a fixed number of queries for any
number of entries) for one reader: the contact phone is shown whole only to a superuser or an
admin of the entry's unit subtree, masked for everyone else (the host's staff included). Every
spreadsheet text cell goes through `exports.safe` (formula injection); PDFs are WeasyPrint from
templates with the Noto CJK fonts, one shared font configuration per run so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import mask_phone
from zhengji.entries.models import Entry, EntryAuthor, EntryFile
from zhengji.entries.services import format_local
from zhengji.originality.labels import ai_labels

from .exports import safe
from .models import UnitOpinion

# Bump when a template or layout changes: every cached document is rendered again.
LAYOUT_VERSION = "1"
# xlsxwriter stamps the creation time into the file; a fixed one keeps the bytes stable.
FIXED_CREATED = dt.datetime(2020, 1, 1)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FormRow:
    entry_id: int
    number: str
    campaign: str
    track: str
    title: str
    authors: str
    unit: str
    phone: str
    phone_masked: bool
    media: str
    summary: str
    opinions: tuple[tuple[str, str], ...]
    submitted: str
    ai_label: str = ""  # the explicit AI label of the work (originality.labels), "" for none

    @property
    def opinion_text(self) -> str:
        return "\n".join(f"{level}：{text}" for level, text in self.opinions)

    def fingerprint(self) -> str:
        raw = json.dumps([LAYOUT_VERSION, asdict(self)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()


def sees_phone(reader: Any, entry: Entry) -> bool:
    """Whole contact phones: superusers and admins of the entry's unit subtree."""
    if reader is None or not reader.is_authenticated:
        return False
    return bool(reader.is_superuser or scopes_for(reader).administers_path(entry.unit.path))


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def media_text(files: Sequence[tuple[int, float | None]]) -> str:
    """"3 files, 12.3 MB, duration 4:05" from (size, duration) pairs."""
    if not files:
        return _("No files")
    size = sum(s for s, _d in files)
    text = _("%(n)d file(s), %(size)s") % {"n": len(files), "size": filesizeformat(size)}
    seconds = sum(d for _s, d in files if d)
    if seconds:
        text += "，" + _("duration %(time)s") % {"time": _duration(seconds)}
    return text


def form_rows(entries: Iterable[Entry], reader: Any) -> list[FormRow]:
    """The rows for these entries (in their order) as `reader` may see them: five queries."""
    entries = list(entries)
    ids = [e.pk for e in entries]
    labels = ai_labels(ids)
    authors: dict[int, list[str]] = {}
    for eid, name in (EntryAuthor.objects.filter(entry_id__in=ids).order_by("entry_id", "position", "id")
                      .values_list("entry_id", "name")):
        authors.setdefault(eid, []).append(name)
    files: dict[int, list[tuple[int, float | None]]] = {}
    for eid, size, duration in (EntryFile.objects.filter(entry_id__in=ids)
                                .values_list("entry_id", "media__size", "media__duration")):
        files.setdefault(eid, []).append((size or 0, duration))
    opinions: dict[int, list[tuple[int, str, str]]] = {}
    for eid, depth, name, text in (UnitOpinion.objects.filter(entry_id__in=ids).exclude(text="")
                                   .values_list("entry_id", "level__depth", "level__name", "text")):
        opinions.setdefault(eid, []).append((depth, name, text))
    rows = []
    for e in entries:
        full = sees_phone(reader, e)
        ops = tuple((name, text) for _d, name, text in sorted(opinions.get(e.pk, []), key=lambda o: -o[0]))
        rows.append(FormRow(
            entry_id=e.pk, number=e.number or "", campaign=e.track.campaign.name, track=e.track.name,
            title=e.title, authors="、".join(authors.get(e.pk, [])), unit=e.unit.name,
            phone=e.contact_phone if full else mask_phone(e.contact_phone), phone_masked=not full,
            media=media_text(files.get(e.pk, [])), summary=e.summary[:2000], opinions=ops,
            submitted=format_local(e.submitted_at), ai_label=labels.get(e.pk, "")))
    return rows


def rows_in_chunks(entries: QuerySet[Entry], reader: Any, size: int = 200) -> Iterator[FormRow]:
    """Rows for a long list, built `size` entries at a time (memory bounded by the chunk)."""
    chunk: list[Entry] = []
    for e in entries.iterator(chunk_size=size):
        chunk.append(e)
        if len(chunk) == size:
            yield from form_rows(chunk, reader)
            chunk = []
    if chunk:
        yield from form_rows(chunk, reader)


# --- the recommendation form --------------------------------------------------------------------

def _fields(row: FormRow) -> list[tuple[str, str]]:
    return [(_("Entry number"), row.number), (_("Track"), row.track), (_("Title"), row.title),
            (_("Authors"), row.authors), (_("Unit"), row.unit), (_("Contact phone"), row.phone),
            (_("Duration / size"), row.media), (_("Submitted at"), row.submitted),
            (pgettext("entry field", "Summary"), row.summary),
            (_("Unit opinion"), row.opinion_text), (_("AI-generated content label"), row.ai_label or "—")]


def _workbook(out: io.BytesIO) -> Any:
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED})
    return wb


def form_xlsx(row: FormRow) -> bytes:
    out = io.BytesIO()
    wb = _workbook(out)
    ws = wb.add_worksheet(_("Recommendation form"))
    bold = wb.add_format({"bold": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, safe(_("Recommendation form")), bold)
    ws.write_string(0, 1, safe(row.campaign), bold)
    for n, (label, value) in enumerate(_fields(row), start=2):
        ws.write_string(n, 0, safe(label), bold)
        ws.write_string(n, 1, safe(value), wrap)
    wb.close()
    return out.getvalue()


class PdfWriter:
    """WeasyPrint with one font configuration for a run of documents: loading the CJK fonts per
    document costs time and, without it, memory that is not given back."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 (loading pango costs ~1 s: only when a PDF is made)

        self.fonts = FontConfiguration()

    def pdf(self, template: str, context: dict[str, Any]) -> bytes:
        from weasyprint import HTML  # noqa: PLC0415 (see __init__)

        html = render_to_string(template, context)
        data: bytes = HTML(string=html, base_url=settings.SITE_URL).write_pdf(font_config=self.fonts)
        return data


def form_pdf(row: FormRow, writer: PdfWriter | None = None) -> bytes:
    return (writer or PdfWriter()).pdf("reporting/pdf/form.html", {"row": row, "fields": _fields(row)})


def summary_pdf(title: str, subtitle: str, rows: Iterable[FormRow], writer: PdfWriter | None = None) -> bytes:
    """The summary table; `rows` may be an iterator (the template walks it once)."""
    return (writer or PdfWriter()).pdf("reporting/pdf/summary.html", {
        "title": title, "subtitle": subtitle, "rows": rows,
        "made": format_local(timezone.now())})


def summary_rows_xlsx(title: str, subtitle: str, rows: Iterable[FormRow]) -> bytes:
    """The summary table as .xlsx from rows (constant memory; every text cell escaped)."""
    out = io.BytesIO()
    wb = _workbook(out)
    ws = wb.add_worksheet(_("Summary"))
    bold = wb.add_format({"bold": True})
    ws.set_column(0, 0, 6)
    ws.set_column(1, 2, 16)
    ws.set_column(3, 10, 24)
    ws.write_string(0, 0, safe(title), bold)
    ws.write_string(1, 0, safe(subtitle))
    head = [_("No."), _("Entry number"), _("Track"), _("Title"), _("Authors"), _("Unit"), _("Contact phone"),
            _("Duration / size"), pgettext("entry field", "Summary"), _("Unit opinion"),
            _("AI-generated content label")]
    for col, text in enumerate(head):
        ws.write_string(3, col, safe(text), bold)
    for n, row in enumerate(rows, start=1):
        ws.write_number(3 + n, 0, n)
        cells = [row.number, row.track, row.title, row.authors, row.unit, row.phone, row.media, row.summary,
                 row.opinion_text, row.ai_label]
        for col, value in enumerate(cells, start=1):
            ws.write_string(3 + n, col, safe(value))
    wb.close()
    return out.getvalue()
