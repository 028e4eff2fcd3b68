"""The volunteers list as .xlsx: xlsxwriter in constant-memory mode writing to a temporary file,
rows read from the database in chunks (never all in a Python list), every text cell escaped
against formula injection, phones masked for whoever may not see them whole."""

from __future__ import annotations

import tempfile
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign
from zhengji.common import audit
from zhengji.common.i18n import mask_phone

from .models import Volunteer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def safe(value: object) -> str:
    """A cell's text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_volunteers(fh: Any, user: Any, campaign: Campaign, qs: QuerySet[Volunteer]) -> int:
    """Write the workbook to the open binary file `fh`; returns the number of volunteers."""
    scopes = scopes_for(user)
    whole = bool(user.is_superuser)
    wb = xlsxwriter.Workbook(fh, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                  "in_memory": False, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet(_("Volunteers"))
    bold = wb.add_format({"bold": True})
    ws.write_string(0, 0, safe(_("Network-civility volunteers: %(campaign)s") % {"campaign": campaign.name}), bold)
    head = [_("No."), _("Name"), _("Mobile number"), _("Unit"), _("Skills"), _("Registered")]
    for col, text in enumerate(head):
        ws.write_string(2, col, safe(text), bold)
    rows = (qs.order_by("org__path", "pk")
            .values_list("name", "phone", "org__name", "org__path", "skills", "created_at").iterator(chunk_size=CHUNK))
    n = 0
    for name, phone, org_name, org_path, skills, created in rows:
        n += 1
        row = 2 + n
        shown = phone if whole or scopes.administers_path(org_path) else mask_phone(phone)
        ws.write_number(row, 0, n)
        cells = [name, shown, org_name, skills, timezone.localtime(created).strftime("%Y-%m-%d")]
        for col, value in enumerate(cells, start=1):
            ws.write_string(row, col, safe(value))
    ws.set_column(0, 0, 6)
    ws.set_column(1, 2, 16)
    ws.set_column(3, 4, 30)
    ws.set_column(5, 5, 12)
    wb.close()
    return n


def volunteers_response(user: Any, campaign: Campaign, qs: QuerySet[Volunteer]) -> FileResponse:
    fh = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse when sent)
    n = write_volunteers(fh, user, campaign, qs)
    fh.seek(0)
    audit.record("volunteers.export", campaign, actor=user, after={"format": "xlsx", "rows": n})
    return FileResponse(fh, as_attachment=True, filename=f"volunteers-{campaign.slug}.xlsx", content_type=XLSX)
