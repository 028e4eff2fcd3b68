"""Extra builders for the orgs tests: import files made on the fly (never committed)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = ["编码", "名称", "简称", "类型", "上级编码", "会员数", "联系人", "联系电话"]


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig", header=HEADER) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], header=HEADER) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for j, h in enumerate(header):
        ws.write(0, j, h)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if v is not None:
                ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def upload(rows: list[list], kind: str = "csv", name: str | None = None, **kw) -> SimpleUploadedFile:
    data = xlsx_bytes(rows, **kw) if kind == "xlsx" else csv_bytes(rows, **kw)
    return SimpleUploadedFile(name or f"orgs.{kind}", data)
