"""Structural checks of documents at ingest: a PDF must be a PDF (header, cross-reference table,
trailer with a document catalog, pages, %%EOF at the end), and a ZIP-based document (DOCX, XLSX,
PPTX, ODT) must not inflate beyond the limits (total size, per-member ratio, member count, nested
archives). Nothing here decodes pictures or runs macros; each failure is an exception naming the
limit that applied, turned into a translated message by `validation`."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from .probe import CHUNK, ProbeError

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
# Members with these endings are archives of another kind: never expected inside a document.
FOREIGN_ARCHIVES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".tar", ".cab", ".jar", ".apk")
# Office documents embedded in an office document (a chart's workbook in word/embeddings/): a nested
# ZIP of these kinds is inspected as part of the outer one, up to MEDIA_ZIP_MAX_DEPTH.
OFFICE_EMBEDDED = (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".odt", ".ods", ".odp")


# --- ZIP / OOXML ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ZipLimits:
    max_total: int  # bytes, all members inflated (nested ones included)
    max_members: int  # members, nested ones included
    max_ratio: int  # inflated / compressed, per member (only for members above ratio_floor)
    ratio_floor: int  # bytes: smaller members may compress as well as they like
    max_depth: int  # 1: no nested office documents; 2: one level (a chart's workbook)

    @classmethod
    def from_settings(cls) -> ZipLimits:
        return cls(max_total=int(getattr(settings, "MEDIA_ZIP_MAX_TOTAL_BYTES", 256 * 1024 * 1024)),
                   max_members=int(getattr(settings, "MEDIA_ZIP_MAX_MEMBERS", 5000)),
                   max_ratio=int(getattr(settings, "MEDIA_ZIP_MAX_RATIO", 100)),
                   ratio_floor=int(getattr(settings, "MEDIA_ZIP_RATIO_FLOOR_BYTES", 1024 * 1024)),
                   max_depth=int(getattr(settings, "MEDIA_ZIP_MAX_DEPTH", 2)))


class ArchiveRefused(ProbeError):
    """A ZIP-based document broke a limit. `limit` names which: "total", "members", "ratio",
    "nested", "depth", "size" (a member inflates to more than it declares), "overlap" (members
    share their data), "doctype" (an XML part with a DTD) or "damaged"; `value`/`allowed` are the
    numbers, `member` the member's name."""

    def __init__(self, limit: str, *, value: float = 0, allowed: float = 0, member: str = ""):
        super().__init__(f"{limit}: {member} {value} > {allowed}")
        self.limit = limit
        self.value = value
        self.allowed = allowed
        self.member = member


@dataclass
class _Tally:
    total: int = 0
    members: int = 0


def check_zip(path: str | os.PathLike[str], limits: ZipLimits | None = None) -> dict:
    """Inspect a ZIP-based document's members before accepting it: the central directory first
    (declared sizes, count, ratios, names), then every member is inflated with its declared size
    as a cap and its CRC checked (a member that lies about its size fails), never more than
    `max_total` bytes in all and never a whole member in memory. Returns {"members", "inflated"}."""
    limits = limits or ZipLimits.from_settings()
    tally = _Tally()
    _check_zip(path, limits, tally, depth=1)
    return {"members": tally.members, "inflated": tally.total}


def _check_zip(path: str | os.PathLike[str], limits: ZipLimits, tally: _Tally, *, depth: int) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveRefused("damaged", member=str(exc)) from exc
    with zf:
        infos = zf.infolist()
        # Declared sizes first: refuse a bomb without inflating a byte of it.
        for info in infos:
            tally.members += 1
            if tally.members > limits.max_members:
                raise ArchiveRefused("members", value=tally.members, allowed=limits.max_members)
            tally.total += info.file_size
            if tally.total > limits.max_total:
                raise ArchiveRefused("total", value=tally.total, allowed=limits.max_total, member=info.filename)
            _check_ratio(info.filename, info.file_size, info.compress_size, limits)
            lower = info.filename.lower()
            if lower.endswith(FOREIGN_ARCHIVES):
                raise ArchiveRefused("nested", member=info.filename)
        _check_overlap(infos)
        for info in infos:
            if info.is_dir():
                continue
            nested = info.filename.lower().endswith(OFFICE_EMBEDDED)
            _inflate(zf, info, path, limits, tally, depth=depth, nested=nested)


def _check_overlap(infos: list[zipfile.ZipInfo]) -> None:
    """Members whose data share bytes (one deflate stream counted many times: the "overlapping"
    zip bomb) are refused from the directory alone."""
    spans = sorted((info.header_offset, info.header_offset + 30 + len(info.filename.encode("utf-8", "replace"))
                    + info.compress_size, info.filename) for info in infos if not info.is_dir())
    for (_start, end, _name), (start, _end, name) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise ArchiveRefused("overlap", member=name)


def _check_ratio(name: str, size: int, compressed: int, limits: ZipLimits) -> None:
    if size > limits.ratio_floor:
        ratio = size / max(compressed, 1)
        if ratio > limits.max_ratio:
            raise ArchiveRefused("ratio", value=round(ratio), allowed=limits.max_ratio, member=name)


# Members that are XML: OOXML and ODF parts never carry a document type declaration, so one with
# `<!DOCTYPE` or `<!ENTITY` (an entity bomb, an external entity) is refused without being parsed.
XML_MEMBERS = (".xml", ".rels", ".vml", ".xsd", ".svg")
_DTD = re.compile(rb"<!(?:doctype|entity)[\s\[>]", re.IGNORECASE)
_LOCAL = struct.Struct("<4s5H3L2H")  # a local file header


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str | os.PathLike[str], limits: ZipLimits,
             tally: _Tally, *, depth: int, nested: bool) -> None:
    """Read one member to its end; a nested ZIP (an embedded office document, or anything
    starting with the ZIP magic) is written to a temporary file and inspected in turn, its sizes
    added to the outer tally. Stored and deflated members are inflated from their raw bytes
    (`_stream_member`), so a member whose data inflates to more than it declares is refused as
    soon as it passes the declared size; other methods go through zipfile (capped there)."""
    tmp: str | None = None
    out = None
    xml = info.filename.lower().endswith(XML_MEMBERS)
    carry = b""
    head = b""

    def sink(block: bytes) -> None:
        nonlocal carry, head, out, tmp
        if len(head) < len(ZIP_MAGIC):
            head += block[: len(ZIP_MAGIC) - len(head)]
            if len(head) >= len(ZIP_MAGIC) and (head == ZIP_MAGIC or nested) and out is None:
                if depth >= limits.max_depth:
                    raise ArchiveRefused("depth", value=depth + 1, allowed=limits.max_depth, member=info.filename)
                fd, tmp = tempfile.mkstemp(prefix="zj-zip-", dir=getattr(settings, "MEDIA_WORK_DIR", None))
                out = os.fdopen(fd, "wb")
        if out is not None:
            out.write(block)
        if xml:
            data = carry + block
            if _DTD.search(data):
                raise ArchiveRefused("doctype", member=info.filename)
            carry = data[-16:]

    try:
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _stream_member(path, info, sink)
        else:
            with zf.open(info) as src:
                while block := src.read(CHUNK):
                    sink(block)
    except ArchiveRefused:
        if tmp is not None:
            _drop(out, tmp)
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, struct.error) as exc:
        # Bad CRC, an unknown method, an encrypted member: not a document we can vouch for.
        if tmp is not None:
            _drop(out, tmp)
        raise ArchiveRefused("damaged", member=f"{info.filename}: {exc}") from exc
    if tmp is not None:
        assert out is not None
        out.close()
        try:
            _check_zip(tmp, limits, tally, depth=depth + 1)
        finally:
            os.unlink(tmp)


def _drop(out, tmp: str) -> None:
    if out is not None:
        out.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def _stream_member(path: str | os.PathLike[str], info: zipfile.ZipInfo, sink) -> None:
    """Inflate a stored or deflated member from its raw bytes in blocks of at most 1 MB, counting
    what comes out: more than the declared size is refused ("size") at once, before a byte more is
    inflated; at the end the stream must be complete, exactly the declared size, with the CRC."""
    if info.flag_bits & 0x1:
        raise ValueError("encrypted member")
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        sig, *_rest, name_len, extra_len = _LOCAL.unpack(fh.read(_LOCAL.size))
        if sig != ZIP_MAGIC:
            raise zipfile.BadZipFile("no local header")
        fh.seek(name_len + extra_len, os.SEEK_CUR)
        left = info.compress_size
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        total = 0
        crc = 0
        pending = b""
        while True:
            if pending:
                raw = pending
            elif left > 0:
                raw = fh.read(min(CHUNK, left))
                if not raw:
                    raise EOFError("member data cut short")
                left -= len(raw)
            else:
                break
            if inflater is None:
                block, pending = raw, b""
            else:
                block = inflater.decompress(raw, CHUNK)
                pending = inflater.unconsumed_tail
            total += len(block)
            if total > info.file_size:
                raise ArchiveRefused("size", value=total, allowed=info.file_size, member=info.filename)
            crc = zlib.crc32(block, crc)
            sink(block)
            if inflater is not None and inflater.eof:
                break
    if inflater is not None and not inflater.eof:
        raise EOFError("deflate stream incomplete")
    if total != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"size {total} / CRC {crc:08x} differ from the directory")


def is_zip_document(ext: str) -> bool:
    return ext in {"docx", "xlsx", "pptx", "odt", "ods", "odp", "zip"}


# --- PDF ------------------------------------------------------------------------------------

class PdfRefused(ProbeError):
    """Not a structurally valid PDF; `reason` is for the log, not for users."""


def check_pdf(path: str | os.PathLike[str]) -> dict:
    """A PDF's structure: `%PDF-` header, `%%EOF` within the last 1024 bytes (where readers look;
    a PDF header followed by HTML or anything else has none), a cross-reference table or stream
    and a trailer whose /Root is a document catalog, and at least one page. Returns {"pages": n}
    (None for an encrypted PDF whose pages cannot be counted without its password)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 1024))
        tail = fh.read(1024)
    if not head.startswith(b"%PDF-1.") and not head.startswith(b"%PDF-2."):
        raise PdfRefused("no %PDF-1.x header")
    if b"%%EOF" not in tail:
        raise PdfRefused("no %%EOF in the last 1024 bytes")
    # pypdf (with the cryptography it loads) adds ~20 MB to a process: only processes that see a PDF pay.
    from pypdf import PdfReader  # noqa: PLC0415 (heavy import, needed for PDFs only)
    from pypdf.errors import PyPdfError  # noqa: PLC0415 (as above)
    from pypdf.generic import DictionaryObject  # noqa: PLC0415 (as above)

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # repairs of slightly broken files are not our news
    try:
        reader = PdfReader(Path(path), strict=False)
        if reader.trailer.get("/Root") is None:
            raise PdfRefused("no /Root in the trailer")
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))  # restrictions only: opens without a password
            except Exception:  # noqa: BLE001 (an unsupported cipher: the structure is enough)
                opened = False
            if not opened:  # a password is needed to read further: trailer and xref were read
                return {"pages": None}
        catalog = reader.trailer["/Root"].get_object()
        if not isinstance(catalog, DictionaryObject) or catalog.get("/Type") != "/Catalog":
            raise PdfRefused("no document catalog")
        pages = len(reader.pages)
    except PdfRefused:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
            OSError, AssertionError) as exc:
        raise PdfRefused(f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        pypdf_log.setLevel(level)
    if pages < 1:
        raise PdfRefused("no pages")
    return {"pages": pages}


def member_name(name: str) -> str:
    """A member's name as shown in a message: its last part, shortened."""
    shown = PurePosixPath(name).name or name
    return shown if len(shown) <= 60 else shown[:57] + "…"
