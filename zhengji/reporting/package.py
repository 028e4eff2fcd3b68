"""Export packages: a zip with one folder per entry (its files and its filled recommendation
form as .xlsx and PDF) and the summary table at the root; for the receiving level of a batch the
same without the files (the batch's forms).

The package is laid out first (`zipper.ZipPlan`): media by their recorded size, forms and the
summary from the `RenderedFile` cache (rendered once per change of their data, kept deflated
with their CRC-32), so the response has a Content-Length and an ETag, and a Range request
(a resumed download) regenerates the archive from its offset without reading what lies before.
Files are read from Django's storage in 1 MiB chunks; nothing holds the package, and no copy
of it is written anywhere.

Nobody receives another person's file metadata (GPS, camera, ID3 artist, document authors): a
file that can be stripped (`media.stripping.can_strip`) is shipped as its clean copy, made once
per content and kept in storage under `stripping.cache_name` (so the layout knows its size before
the first byte; the copy is usually made when the entry reaches the host, `prepare_media`); any
other file is shipped as uploaded and listed in a note at the package's root. The clean copy's
CRC-32 is recorded by its storage name and size (`CleanChecksum`), like `MediaChecksum` for
originals.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhengji.common import audit
from zhengji.entries.models import Entry, EntryFile
from zhengji.media import stripping
from zhengji.media.models import MediaFile

from .documents import FormRow, PdfWriter, form_pdf, form_rows, form_xlsx, summary_pdf, summary_rows_xlsx
from .models import CleanChecksum, MediaChecksum, RenderedFile
from .zipper import ZIP_DEFLATED, ZIP_STORED, Member, RangeNotSatisfiable, ZipPlan, parse_range

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHUNK_ENTRIES = 200
NAME_MAX = 80
ZIP_TYPE = "application/zip"
_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(name: str, limit: int = NAME_MAX, default: str = "file") -> str:
    """A file or folder name every system opens: no path separators or characters Windows
    forbids, no trailing dots or spaces, no reserved device names, at most `limit` characters
    (the extension kept). Chinese is kept as it is (the zip marks names as UTF-8)."""
    name = unicodedata.normalize("NFC", name or "")
    name = _BAD.sub("_", name).strip().strip(".").strip()
    if not name:
        name = default
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    stem = stem[: max(limit - len(ext) - 1, 1)].rstrip(". ")
    return f"{stem}.{ext}" if ext else stem


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n, candidate = 1, name
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    taken.add(candidate.lower())
    return candidate


def _when(moment: Any) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment, SHANGHAI)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


# --- rendered documents --------------------------------------------------------------------------

class RenderCache:
    """Rendered documents by key; a missing or stale one is rendered now and stored."""

    def __init__(self) -> None:
        self.rows: dict[str, RenderedFile] = {}
        self._pdf: PdfWriter | None = None

    @property
    def pdf_writer(self) -> PdfWriter:
        if self._pdf is None:
            self._pdf = PdfWriter()
        return self._pdf

    def prefetch(self, keys: list[str]) -> None:
        self.rows.update({r.key: r for r in RenderedFile.objects.filter(key__in=keys)})

    def get(self, key: str, fingerprint: str, render: Callable[[], bytes]) -> RenderedFile:
        found = self.rows.get(key)
        if found is None:
            found = RenderedFile.objects.filter(key=key).first()
        if found is not None and found.fingerprint == fingerprint:
            return found
        data = render()
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = packer.compress(data) + packer.flush()
        digest = hashlib.sha256(key.encode()).hexdigest()
        name = default_storage.save(f"reporting/rendered/{digest[:2]}/{digest[:24]}-{fingerprint[:12]}.bin",
                                    ContentFile(payload))
        fields = {"fingerprint": fingerprint, "file": name, "size": len(data), "stored_size": len(payload),
                  "crc32": zlib.crc32(data) & 0xFFFFFFFF, "deflated": True, "created": timezone.now()}
        old = found.file.name if found is not None else None
        try:
            with transaction.atomic():
                row, _created = RenderedFile.objects.update_or_create(key=key, defaults=fields)
        except IntegrityError:  # another request rendered it at the same moment: keep theirs
            default_storage.delete(name)
            row = RenderedFile.objects.get(key=key)
        if old and old != row.file.name:
            default_storage.delete(old)
        self.rows[key] = row
        return row


def _rendered_member(name: str, rf: RenderedFile) -> Member:
    storage, path = rf.file.storage, rf.file.name or ""

    def opener() -> IO[bytes]:
        fh: IO[bytes] = storage.open(path, "rb")
        return fh

    return Member(name=name, size=rf.size, stored_size=rf.stored_size, date_time=_when(rf.created), open=opener,
                  method=ZIP_DEFLATED if rf.deflated else ZIP_STORED, crc=rf.crc32, key=("r", rf.pk))


def _media_member(name: str, link: EntryFile, crc: int | None) -> Member:
    m = link.media
    storage, path = m.original.storage, m.original.name or ""

    def opener() -> IO[bytes]:
        fh: IO[bytes] = storage.open(path, "rb")
        return fh

    return Member(name=name, size=m.size, stored_size=m.size, date_time=_when(m.created), open=opener,
                  method=ZIP_STORED, crc=crc, key=m.pk)


def _clean_member(name: str, link: EntryFile, copy: stripping.StrippedCopy, crc: int | None) -> Member:
    """The file's copy without metadata (named with the copy's extension by the caller)."""
    return Member(name=name, size=copy.size, stored_size=copy.size, date_time=_when(link.media.created),
                  open=copy.open, method=ZIP_STORED, crc=crc, key=("clean", copy.name, copy.size))


# Files whose clean copy cannot be made are remembered for a day (no retry per download).
REFUSED_TTL = 24 * 3600


def _refused_key(media: MediaFile) -> str:
    return "pkg:nostrip:" + hashlib.sha256(stripping.cache_name(media).encode()).hexdigest()[:32]


def clean_copy(media: MediaFile, *, refused: bool | None = None) -> stripping.StrippedCopy | None:
    """The file's copy without metadata (made now if missing), or None when its type has none or
    it cannot be made (then the original is shipped, with a note). `refused`: whether it is
    remembered as impossible, when the caller read that for many files at once."""
    if not stripping.can_strip(media):
        return None
    if refused is None:
        refused = bool(django_cache.get(_refused_key(media)))
    if refused:
        return None
    try:
        return stripping.stripped_copy(media)
    except stripping.StrippingRefused:
        log.warning("package: no clean copy of media %s; the original is shipped", media.pk)
        django_cache.set(_refused_key(media), 1, REFUSED_TTL)
        return None


def prepare_media(entry: Entry | int) -> int:
    """Make the clean copies of an entry's files ahead of the first package (when it reaches the
    host): how many exist now."""
    pk = entry.pk if isinstance(entry, Entry) else entry
    links = EntryFile.objects.filter(entry_id=pk).select_related("media")
    return sum(1 for link in links if clean_copy(link.media) is not None)


def _save_crc(member: Member, crc: int) -> None:
    if isinstance(member.key, int):
        MediaChecksum.objects.update_or_create(media_id=member.key, defaults={"size": member.size, "crc32": crc})
    elif isinstance(member.key, tuple) and member.key[0] == "clean":
        CleanChecksum.objects.update_or_create(name=member.key[1], defaults={"size": member.key[2], "crc32": crc})


def _note_member(name: str, shipped_as_uploaded: list[str], when: Any) -> Member:
    """A text file listing the files shipped as uploaded (their metadata could not be removed)."""
    lines = [_("These files are included as they were uploaded: their metadata (camera, place, author) could not "
               "be removed. Do not pass them on to anyone else."), ""]
    data = "\r\n".join([*lines, *shipped_as_uploaded, ""]).encode("utf-8-sig")
    return Member(name=name, size=len(data), stored_size=len(data), date_time=_when(when),
                  open=lambda: io.BytesIO(data), method=ZIP_STORED, crc=zlib.crc32(data) & 0xFFFFFFFF,
                  key=("note", hashlib.sha256(data).hexdigest()))


# --- packages ------------------------------------------------------------------------------------

@dataclass
class Package:
    plan: ZipPlan
    filename: str
    entries: int
    files: int

    @property
    def etag(self) -> str:
        return self.plan.etag(self.filename)


def _chunks(qs: QuerySet[Entry], size: int = CHUNK_ENTRIES) -> Iterator[list[Entry]]:
    chunk: list[Entry] = []
    for e in qs.iterator(chunk_size=size):
        chunk.append(e)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def form_key(row: FormRow, ext: str) -> str:
    """The cache key of an entry's form: per phone variant and language (the labels)."""
    return f"form:{row.entry_id}:{'masked' if row.phone_masked else 'full'}:{get_language()}:{ext}"


def form_document(row: FormRow, ext: str, cache: RenderCache | None = None) -> tuple[bytes, RenderedFile]:
    """One entry's form, from the cache (rendered when missing or stale), as bytes."""
    rf = cached_form(row, ext, cache or RenderCache())
    with rf.file.storage.open(rf.file.name or "", "rb") as fh:
        payload = fh.read()
    return (zlib.decompress(payload, -15) if rf.deflated else payload), rf


def build_package(reader: Any, entries: QuerySet[Entry], *, filename: str, title: str, subtitle: str,
                  summary_key: str, with_media: bool, summary_as_pdf: bool = False) -> Package:
    """Lay out the package of these entries (in the queryset's order) for `reader`."""
    cache = RenderCache()
    members: list[Member] = []
    rows: list[FormRow] = []
    taken: set[str] = set()
    n_files = 0
    as_uploaded: list[str] = []
    note_when: Any = None
    for chunk in _chunks(entries):
        chunk_rows = form_rows(chunk, reader)
        cache.prefetch([form_key(r, ext) for r in chunk_rows for ext in ("xlsx", "pdf")])
        links: dict[int, list[EntryFile]] = {}
        crcs: dict[int, int] = {}
        if with_media:
            for link in (EntryFile.objects.filter(entry__in=chunk).select_related("media")
                         .order_by("entry_id", "slot", "position", "id")):
                links.setdefault(link.entry_id, []).append(link)
            crcs = dict(MediaChecksum.objects.filter(media_id__in=[li.media_id for ls in links.values() for li in ls])
                        .values_list("media_id", "crc32"))
        media = [li.media for ls in links.values() for li in ls]
        # Which files are remembered as impossible to clean: one cache round trip for the chunk.
        keys = {m.pk: _refused_key(m) for m in media if stripping.can_strip(m)}
        refused = django_cache.get_many(list(keys.values())) if keys else {}
        copies = {m.pk: clean_copy(m, refused=bool(refused.get(keys.get(m.pk, "")))) for m in media}
        clean_crcs = {(n, size): crc for n, size, crc in CleanChecksum.objects.filter(
            name__in=[c.name for c in copies.values() if c is not None]).values_list("name", "size", "crc32")}
        for e, row in zip(chunk, chunk_rows, strict=True):
            folder = _unique(safe_name(f"{row.number} {row.title}", NAME_MAX, default=str(e.pk)), taken)
            inside: set[str] = set()
            for link in links.get(e.pk, []):
                copy = copies.get(link.media_id)
                if copy is not None:
                    base = safe_name(link.media.filename)
                    stem, dot, ext = base.rpartition(".")
                    if copy.ext and (not dot or ext.lower() != copy.ext):
                        base = safe_name(f"{stem if dot else base}.{copy.ext}")
                    name = _unique(base, inside)
                    members.append(_clean_member(f"{folder}/{name}", link, copy,
                                                 clean_crcs.get((copy.name, copy.size))))
                else:
                    name = _unique(safe_name(link.media.filename), inside)
                    members.append(_media_member(f"{folder}/{name}", link, crcs.get(link.media_id)))
                    as_uploaded.append(f"{folder}/{name}")
                    note_when = max(note_when, link.media.created) if note_when else link.media.created
                n_files += 1
            for ext in ("xlsx", "pdf"):
                rf = cached_form(row, ext, cache)
                name = _unique(safe_name(f"{_('Recommendation form')} {row.number}.{ext}"), inside)
                members.append(_rendered_member(f"{folder}/{name}", rf))
        rows.extend(chunk_rows)
    fingerprint = hashlib.sha256("".join(r.fingerprint() for r in rows).encode() + title.encode()
                                 + subtitle.encode()).hexdigest()
    variant = hashlib.sha256(repr([r.phone_masked for r in rows]).encode()).hexdigest()[:8]
    summary_key = f"{summary_key}:{variant}:{get_language()}"
    summary = cache.get(f"{summary_key}:xlsx", fingerprint, lambda: summary_rows_xlsx(title, subtitle, rows))
    base = safe_name(_("Summary table"), NAME_MAX)
    members.append(_rendered_member(_unique(f"{base}.xlsx", taken), summary))
    if summary_as_pdf:
        pdf = cache.get(f"{summary_key}:pdf", fingerprint,
                        lambda: summary_pdf(title, subtitle, iter(rows), cache.pdf_writer))
        members.append(_rendered_member(_unique(f"{base}.pdf", taken), pdf))
    if as_uploaded:
        note = _unique(safe_name(f"{_('Files with metadata')}.txt", NAME_MAX), taken)
        members.append(_note_member(note, as_uploaded, note_when))
    return Package(ZipPlan(members, on_crc=_save_crc), filename=filename, entries=len(rows), files=n_files)


def cached_form(row: FormRow, ext: str, cache: RenderCache) -> RenderedFile:
    """The entry's form as `ext` ("xlsx" or "pdf") from the cache, rendered when missing or stale."""
    render: Callable[[], bytes] = ((lambda: form_xlsx(row)) if ext == "xlsx"
                                   else (lambda: form_pdf(row, cache.pdf_writer)))
    return cache.get(form_key(row, ext), row.fingerprint(), render)


# --- responses -----------------------------------------------------------------------------------

def document_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def package_response(request: HttpRequest, package: Package, *, audit_action: str, audit_obj: Any,
                     scope: audit.AuditScope) -> HttpResponseBase:
    """The package with Content-Length, ETag and Range support (one range; If-Range honoured):
    206 with the bytes asked for, 416 when the range lies past the end."""
    plan, length, etag = package.plan, len(package.plan), package.etag
    start, end = 0, length
    header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    partial = False
    if header and (not if_range or if_range == etag):
        try:
            found = parse_range(header, length)
        except RangeNotSatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{length}"
            response["Accept-Ranges"] = "bytes"
            return response
        if found is not None:
            (start, end), partial = found, True
    if start == 0:
        audit.record(audit_action, audit_obj, actor=request.user,
                     after={"entries": package.entries, "files": package.files, "bytes": length}, scope=scope)
    stream = StreamingHttpResponse(plan.stream(start, end), status=206 if partial else 200, content_type=ZIP_TYPE)
    stream["Content-Length"] = str(end - start)
    stream["Accept-Ranges"] = "bytes"
    stream["ETag"] = etag
    stream["Cache-Control"] = "private, no-store"
    stream["Content-Disposition"] = content_disposition_header(True, package.filename)
    if partial:
        stream["Content-Range"] = f"bytes {start}-{end - 1}/{length}"
    return stream
