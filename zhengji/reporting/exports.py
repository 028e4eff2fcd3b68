"""The batch's summary table (报送汇总表) as .xlsx: xlsxwriter in constant-memory mode, every
text cell escaped against formula injection, phones masked."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from zhengji.common import audit
from zhengji.common.i18n import mask_phone
from zhengji.entries.models import Entry

from .models import Batch, UnitOpinion
from .queries import batch_entries

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    """A cell's text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def summary_xlsx(batch: Batch, entries: Iterable[Entry]) -> bytes:
    entries = list(entries)
    opinions = dict(UnitOpinion.objects.filter(entry__in=entries, level=batch.level)
                    .values_list("entry_id", "text"))
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    ws = wb.add_worksheet(_("Summary"))
    bold = wb.add_format({"bold": True})
    ws.write_string(0, 0, safe(_("Reporting summary table")), bold)
    ws.write_string(1, 0, safe(_("Batch %(number)s: %(level)s → %(target)s, %(track)s")
                               % {"number": batch.number, "level": batch.level.name, "target": batch.target.name,
                                  "track": batch.track.name}))
    head = [_("No."), _("Entry number"), _("Track"), _("Title"), _("Authors"), _("Unit"), _("Contact phone"),
            _("Summary"), _("Unit opinion")]
    for col, text in enumerate(head):
        ws.write_string(3, col, safe(text), bold)
    for n, e in enumerate(entries, start=1):
        row = 3 + n
        authors = "、".join(a.name for a in e.authors.all())
        cells = [e.number or "", e.track.name, e.title, authors, e.unit.name, mask_phone(e.contact_phone),
                 e.summary[:2000], opinions.get(e.pk, "")]
        ws.write_number(row, 0, n)
        for col, value in enumerate(cells, start=1):
            ws.write_string(row, col, safe(value))
    ws.set_column(0, 0, 6)
    ws.set_column(1, 2, 16)
    ws.set_column(3, 8, 24)
    wb.close()
    return out.getvalue()


def summary_response(request: HttpRequest, batch: Batch) -> HttpResponse:
    data = summary_xlsx(batch, batch_entries(batch))
    audit.record("batch.export", batch, actor=request.user, after={"format": "xlsx"},
                 scope=audit.AuditScope(org_path=batch.level.path, campaign_id=batch.track.campaign_id))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="summary-{batch.number}.xlsx"'
    return response
