"""Builders for the on-behalf tests: an .xlsx sheet of entries and a .zip of their files, with
Chinese names written as Windows writes them (GBK, no UTF-8 flag) or as UTF-8."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from tests.entries.builders import png_bytes

HEADER = ["作品名称", "作品简介", "职工姓名", "手机号", "单位", "作者", "创作说明", "作品故事", "时长", "类别",
          "照片"]


class GbkZipInfo(zipfile.ZipInfo):
    """A member whose name is stored as GBK bytes with the UTF-8 flag (bit 11) cleared, as the
    zip of Windows' Explorer on a Chinese system writes it. zipfile itself would write any
    non-ASCII name as UTF-8 and set the flag, so the name encoding is overridden here."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's own name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_bytes(files: dict[str, bytes], *, gbk: bool = True, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in files.items():
            info = GbkZipInfo(name) if gbk else zipfile.ZipInfo(name)
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


def row(title="夕阳下的工地", worker="王师傅", phone="13900001111", unit="AH-TL-YA-01", photos="工地.png", **kw):
    values = {"作品名称": title, "作品简介": "一线工人的一天", "职工姓名": worker, "手机号": phone, "单位": unit,
              "作者": "", "创作说明": "原创", "作品故事": "一个好故事", "时长": 5, "类别": "甲", "照片": photos}
    values.update(kw)
    return [values[h] for h in HEADER]


def sheet_bytes(rows: list[list], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def photos(*names: str) -> dict[str, bytes]:
    return {n: png_bytes((10 * i % 255, 60, 90)) for i, n in enumerate(names, start=1)}
