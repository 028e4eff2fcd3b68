"""The dashboard as .xlsx: xlsxwriter in constant-memory mode (rows written in order, then
dropped), every text cell escaped against formula injection; the silent units are streamed
from the database in keyset chunks."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhengji.orgs.models import Organization

from .queries import Dashboard, iter_silent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    """A cell's text that no spreadsheet will run as a formula (as `reporting.exports.safe`)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def dashboard_xlsx(dash: Dashboard) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    pct = wb.add_format({"num_format": "0.0%"})

    def sheet(title: str, head: list[str]) -> xlsxwriter.worksheet.Worksheet:
        ws = wb.add_worksheet(title)
        ws.write_string(0, 0, safe(f"{dash.campaign.name} · {dash.root.org.name}"), bold)
        for col, text in enumerate(head):
            ws.write_string(2, col, safe(text), bold)
        ws.set_column(0, 0, 28)
        ws.set_column(1, len(head), 12)
        return ws

    def cells(ws: xlsxwriter.worksheet.Worksheet, row: int, values: list[object]) -> None:
        for col, v in enumerate(values):
            if v is None:
                ws.write_blank(row, col, None)
            elif isinstance(v, float):
                ws.write_number(row, col, v, pct)
            elif isinstance(v, int):
                ws.write_number(row, col, v)
            else:
                ws.write_string(row, col, safe(v))

    head = [_("Organisation"), _("Entries"), _("Recommended"), _("Participants"), _("Members"),
            _("Participation rate"), _("Units"), _("Covered units"), _("Coverage rate"), _("Silent units")]
    ws = sheet(_("Overview"), head)
    for i, r in enumerate([dash.root, *dash.children], start=3):
        cells(ws, i, [r.org.name, r.entries, r.recommended, r.participants, r.members, r.participation, r.units,
                      r.covered, r.coverage, r.silent])
    ws = sheet(_("By track"), [_("Track")] + [label for _s, label in dash.states] + [pgettext("sum", "Total")])
    for i, t in enumerate(dash.tracks, start=3):
        cells(ws, i, [t.track.name, *t.counts, t.total])
    ws = sheet(_("Per day"), [_("Day"), _("Submissions")])
    for i, (day, n) in enumerate(dash.daily, start=3):
        cells(ws, i, [day.isoformat(), n])
    ws = sheet(_("On-time reporting"), [_("Level"), _("On time"), _("Late"), _("On-time rate")])
    for i, lv in enumerate(dash.levels, start=3):
        cells(ws, i, [lv.label, lv.on_time, lv.late, lv.rate])
    ws = sheet(_("Silent units"), [_("Organisation"), _("Code"), _("Kind"), _("Members")])
    kinds = dict(Organization._meta.get_field("kind").choices or [])
    for i, o in enumerate(iter_silent(dash.campaign, dash.root.org), start=3):
        cells(ws, i, [o.name, o.code, str(kinds.get(o.kind, o.kind)), o.member_count])
    wb.close()
    return out.getvalue()
