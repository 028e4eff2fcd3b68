"""Batch import of entries on behalf of workers: an .xlsx of entries (one row each) and a .zip of
their files.

upload → check (a background task: the sheet is read as a stream, rows are checked in chunks, every
file named in the sheet is read from the zip member by member and checked against the track's file
rule) → preview (every row with its errors in the user's language: row, column, message) → apply
(a background task: every row becomes a submitted entry in ONE transaction; if any row fails, the
transaction rolls back and the files already stored are deleted, so nothing is left: no entry, no
file, no number). The uploaded sheet and zip wait in a private storage between upload and apply;
`cleanup` (a periodic job) removes them after `REPORTING_IMPORT_KEEP_HOURS`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import EntrantType, Track
from zhengji.campaigns.policy import entrant_types_of, policy_for
from zhengji.campaigns.schema import FieldDef, count_words
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.i18n import localized
from zhengji.entries import services as entry_services
from zhengji.entries.answers import clean_answers
from zhengji.entries.file_targets import track_slot_target
from zhengji.entries.services import PHONE_RE, Changes
from zhengji.media.processing.validation import MediaInvalid, validate_path
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.orgs.models import Organization

from . import onbehalf
from .archive import Archive, ArchiveRefused
from .exports import safe
from .models import EntryImport, ImportRow, ImportStatus, OnBehalf

CHUNK = 500
logger = logging.getLogger(__name__)
SPLIT = re.compile(r"[、,，;；\n]+")
FILE_SPLIT = re.compile(r"[;；\n|]+")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_rows() -> int:
    return int(_setting("REPORTING_IMPORT_MAX_ROWS", 5000))


def max_sheet_bytes() -> int:
    return int(_setting("REPORTING_IMPORT_MAX_SHEET_BYTES", 20 * 1024 * 1024))


def max_archive_bytes() -> int:
    return int(_setting("REPORTING_IMPORT_MAX_ARCHIVE_BYTES", 4 * 1024 ** 3))


def keep_hours() -> int:
    return int(_setting("REPORTING_IMPORT_KEEP_HOURS", 48))


# --- storage of pending imports --------------------------------------------------------------------

def storage() -> Storage:
    """A private place: the (private) bucket with S3, else a directory outside MEDIA_ROOT."""
    if settings.STORAGES["default"]["BACKEND"].endswith("S3Storage"):
        return default_storage
    location = _setting("REPORTING_IMPORT_DIR", None) or os.path.join(
        os.path.dirname(str(settings.ORGS_IMPORT_DIR)), "reporting-import")
    return FileSystemStorage(location=location)


def _store(user_id: int, upload: Any, ext: str) -> str:
    name = f"reporting-import/{user_id}/{secrets.token_urlsafe(18)}.{ext}"
    return str(storage().save(name, upload))


def _remove_files(imp: EntryImport) -> None:
    st = storage()
    for key in (imp.sheet_key, imp.archive_key):
        if key:
            with contextlib.suppress(OSError, NotImplementedError):
                st.delete(key)


# --- columns ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # title, summary, worker_name, phone, unit, authors, data:<key>, file:<key>
    header: str
    required: bool = False
    note: str = ""
    aliases: tuple[str, ...] = ()


def columns_for(track: Track, fields: list[FieldDef]) -> list[Column]:
    """The sheet's columns for a track: the core ones, then the form schema's fields, then one
    column per file field (file names in the zip)."""
    cols = [
        Column("title", _("Title"), True, _("At most 200 characters."), ("title", "作品名称", "标题")),
        Column("summary", _("Summary of the work"), False, "", ("summary", "作品简介", "简介")),
        Column("worker_name", _("Worker's name"), True, _("The worker the work is entered for."),
               ("worker_name", "职工姓名", "姓名")),
        Column("phone", _("Mobile number"), True, _("11 digits; the worker claims the entry with this number."),
               ("phone", "手机号", "手机号码", "联系电话")),
        Column("unit", _("Unit (code or name)"), True, _("A unit you administer."),
               ("unit", "单位", "所在单位", "单位编码", "单位名称")),
        Column("authors", _("Authors"), False, _("Separated by 、; by default the worker."),
               ("authors", "作者")),
    ]
    for f in fields:
        label = localized(f, "label")
        names = (f.key, f.label, f.label_en or f.key)
        if f.type == "file":
            cols.append(Column(f"file:{f.key}", _("%(label)s (file names in the zip)") % {"label": label},
                               f.required, _("Several names separated by ;"), names))
        else:
            note = ""
            if f.type in ("choice", "multichoice"):
                note = "、".join(localized(c, "label") for c in f.choices)
            elif f.type == "date":
                note = "2025-09-05"
            cols.append(Column(f"data:{f.key}", label, f.required, note, names))
    return cols


def _norm_header(text: str) -> str:
    return re.sub(r"[\s*＊]+", "", str(text or "")).lower()


def header_lookup(cols: list[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for c in cols:
        for alias in c.aliases:
            lookup.setdefault(_norm_header(alias), c.key)
    for c in cols:  # the header as written in the template wins
        lookup[_norm_header(c.header)] = c.key
    return lookup


def template_xlsx(track: Track) -> bytes:
    """The sheet to fill in for a track: a header row (required columns marked *) and a second
    sheet explaining each column and the file rules."""
    fields = entry_services.track_fields(track)
    cols = columns_for(track, fields)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(_("Entries"))
    bold = wb.add_format({"bold": True, "bg_color": "#F2F2F2"})
    text = wb.add_format({"num_format": "@"})
    for i, c in enumerate(cols):
        ws.write_string(0, i, safe(c.header + (" *" if c.required else "")), bold)
        ws.set_column(i, i, 22, text)
    ws.freeze_panes(1, 0)
    help_ws = wb.add_worksheet(_("Instructions"))
    help_ws.write_string(0, 0, safe(_("Track: %(track)s") % {"track": track.name}), bold)
    help_ws.write_string(1, 0, safe(_("One row per entry. Columns marked * are required. Put the files in one .zip "
                                      "and write each file's name (or its path in the zip) in its column.")))
    help_ws.write_row(3, 0, [_("Column"), _("Required"), _("Notes")], bold)
    rules = {f.key: f.file for f in fields if f.type == "file" and f.file is not None}
    for n, c in enumerate(cols, start=4):
        note = c.note
        rule = rules.get(c.key.removeprefix("file:")) if c.key.startswith("file:") else None
        if rule is not None:
            bits = [", ".join(rule.extensions or rule.kinds)]
            if rule.max_size_mb:
                bits.append(f"≤ {rule.max_size_mb} MB")
            if rule.max_duration_s:
                bits.append(f"≤ {rule.max_duration_s} s")
            bits.append(_("%(min)d to %(max)d file(s)") % {"min": rule.min_count, "max": rule.max_count})
            note = "; ".join([note, *bits]) if note else "; ".join(bits)
        help_ws.write_string(n, 0, safe(c.header))
        help_ws.write_string(n, 1, _("yes") if c.required else "")
        help_ws.write_string(n, 2, safe(note))
    help_ws.set_column(0, 0, 28)
    help_ws.set_column(2, 2, 60)
    wb.close()
    return out.getvalue()


# --- upload ----------------------------------------------------------------------------------------

def importable_tracks(at: dt.datetime | None = None) -> list[Track]:
    """Collecting tracks that take individual or team entries."""
    return [t for t in entry_services.open_tracks(at)
            if {EntrantType.INDIVIDUAL, EntrantType.TEAM} & set(entrant_types_of(t))]


def upload(actor: Any, track: Track, sheet: Any, archive: Any | None) -> EntryImport:
    """Keep the uploaded sheet (and zip) privately and record the import; the check runs next
    (`tasks.check_import`)."""
    if not onbehalf.may_enter(actor):
        raise NotPermitted(_("Only unit admins enter works on behalf of workers."))
    onbehalf.entrant_type_for(track)
    policy_for(track.campaign).check_collecting(track)
    if sheet is None:
        raise DomainError(_("Choose the .xlsx sheet of entries."), code="sheet_required", field="sheet")
    sheet_name = os.path.basename(sheet.name or "")
    if not sheet_name.lower().endswith(".xlsx"):
        raise DomainError(_("The sheet must be an .xlsx file (save it from Excel or WPS as .xlsx)."),
                          code="bad_sheet_type", field="sheet")
    if (sheet.size or 0) > max_sheet_bytes():
        raise DomainError(_("The sheet is larger than %(mb)d MB.") % {"mb": max_sheet_bytes() // (1024 * 1024)},
                          code="sheet_too_large", field="sheet")
    archive_name = ""
    if archive is not None:
        archive_name = os.path.basename(archive.name or "")
        if not archive_name.lower().endswith(".zip"):
            raise DomainError(_("The files must come in one .zip file."), code="bad_archive_type", field="archive")
        if (archive.size or 0) > max_archive_bytes():
            raise DomainError(_("The .zip is larger than %(gb)d GB.") % {"gb": max_archive_bytes() // 1024 ** 3},
                              code="archive_too_large", field="archive")
    sheet_key = _store(actor.pk, sheet, "xlsx")
    archive_key = _store(actor.pk, archive, "zip") if archive is not None else ""
    imp = EntryImport.objects.create(track=track, created_by=actor, sheet_name=sheet_name[:200],
                                     archive_name=archive_name[:200], sheet_key=sheet_key, archive_key=archive_key)
    audit.record("entries.import_upload", imp, actor=actor, after={"sheet": imp.sheet_name,
                                                                   "archive": imp.archive_name},
                 scope=_scope(actor, track))
    return imp


def _scope(actor: Any, track: Track) -> audit.AuditScope:
    paths = scopes_for(actor).admin_org_paths
    return audit.AuditScope(org_path=min(paths, key=len) if paths else "", campaign_id=track.campaign_id)


def import_for(user: Any, pk: int) -> EntryImport | None:
    """The import if this user made it (or is a superuser)."""
    if not user.is_authenticated:
        return None
    qs = EntryImport.objects.select_related("track__campaign", "created_by").filter(pk=pk)
    if not user.is_superuser:
        qs = qs.filter(created_by=user)
    return qs.first()


# --- reading the sheet -----------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


def read_rows(fileobj: IO[bytes], cols: list[Column]) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """(missing required columns, rows as (row number in the sheet, {column key: text})); the
    rows are read as a stream (openpyxl's read-only mode)."""
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(_("The sheet could not be read; save it as .xlsx and upload it again."),
                          code="bad_sheet", field="sheet") from exc
    lookup = header_lookup(cols)
    rows = enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)
    header: dict[int, str] = {}
    for _line, raw in rows:
        cells = [_cell(c) for c in raw]
        if any(cells):
            header = {i: lookup[_norm_header(c)] for i, c in enumerate(cells) if _norm_header(c) in lookup}
            break
    if not header:
        wb.close()
        raise DomainError(_("The first row of the sheet must name the columns (download the template)."),
                          code="bad_header", field="sheet")
    present = set(header.values())
    missing = [c.header for c in cols if c.required and c.key not in present]

    def gen() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for line, raw in rows:
                cells = [_cell(c) for c in raw]
                if any(cells):
                    yield line, {key: cells[i] if i < len(cells) else "" for i, key in header.items()}
        finally:
            wb.close()

    return missing, gen()


# --- the check -------------------------------------------------------------------------------------

@dataclass
class RowCheck:
    line: int
    raw: dict[str, str]
    errors: list[dict[str, str]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})


class Checker:
    """Checks rows chunk by chunk: the database is asked once per chunk (units, entries already
    entered), the zip once per file."""

    def __init__(self, imp: EntryImport, archive: Archive | None):
        self.imp = imp
        self.actor = imp.created_by
        self.track = imp.track
        self.fields = entry_services.track_fields(self.track)
        self.cols = columns_for(self.track, self.fields)
        self.header = {c.key: c.header for c in self.cols}
        self.archive = archive
        self.scopes = scopes_for(self.actor)
        self.policy = policy_for(self.track.campaign)
        self.seen: dict[tuple[str, str], int] = {}
        self.files_used: dict[str, int] = {}
        self.file_checked: dict[tuple[str, str], str | None] = {}
        self.unit_open: dict[int, str | None] = {}
        self.allowed_types = entrant_types_of(self.track)

    def check_chunk(self, chunk: list[RowCheck]) -> None:
        units = self._units({r.raw.get("unit", "") for r in chunk})
        phones = {r.raw.get("phone", "").replace(" ", "") for r in chunk}
        existing = set(OnBehalf.objects.filter(entry__track=self.track, phone__in=phones)
                       .exclude(entry__status="withdrawn").values_list("phone", "entry__title"))
        for r in chunk:
            self._check_row(r, units, existing)

    def _units(self, values: set[str]) -> dict[str, list[Organization]]:
        values = {v for v in values if v}
        found: dict[str, list[Organization]] = {}
        if not values:
            return found
        for org in Organization.objects.filter(Q(code__in=values) | Q(name__in=values), is_active=True):
            if org.code in values:
                found.setdefault(org.code, []).insert(0, org)
            if org.name in values and org.code != org.name:
                found.setdefault(org.name, []).append(org)
        return found

    def _check_row(self, r: RowCheck, units: dict[str, list[Organization]], existing: set[tuple[str, str]]) -> None:
        h = self.header
        raw = r.raw
        title = raw.get("title", "")
        if not title:
            r.error(h["title"], _("The title is missing."))
        elif len(title) > 200:
            r.error(h["title"], _("The title is longer than 200 characters."))
        summary = raw.get("summary", "")
        max_words = _setting("ENTRIES_SUMMARY_MAX_WORDS", 1000)
        if summary and count_words(summary) > max_words:
            r.error(h["summary"], _("At most %(max)d characters or words (now %(n)d).")
                    % {"max": max_words, "n": count_words(summary)})
        name = raw.get("worker_name", "")
        if not name:
            r.error(h["worker_name"], _("The worker's name is missing."))
        elif len(name) > onbehalf.MAX_NAME:
            r.error(h["worker_name"], _("The worker's name is at most %(n)d characters.") % {"n": onbehalf.MAX_NAME})
        phone = re.sub(r"[\s-]", "", raw.get("phone", ""))
        if phone.startswith("+86"):
            phone = phone[3:]
        if not phone:
            r.error(h["phone"], _("The mobile number is missing."))
        elif not PHONE_RE.match(phone):
            r.error(h["phone"], _("“%(phone)s” is not a valid mainland mobile number (11 digits).")
                    % {"phone": phone[:20]})
        unit = self._unit(r, units)
        authors = [a.strip() for a in SPLIT.split(raw.get("authors", "")) if a.strip()] or ([name] if name else [])
        kind = EntrantType.TEAM if len(authors) > 1 and EntrantType.TEAM in self.allowed_types else (
            EntrantType.INDIVIDUAL if EntrantType.INDIVIDUAL in self.allowed_types else EntrantType.TEAM)
        if len(authors) > 1 and kind == EntrantType.INDIVIDUAL:
            r.error(h["authors"], _("This track takes individual entries only: name one author."))
        max_authors = _setting("ENTRIES_MAX_AUTHORS", 20)
        if len(authors) > max_authors:
            r.error(h["authors"], _("At most %(n)d authors.") % {"n": max_authors})
        if any(len(a) > 60 for a in authors):
            r.error(h["authors"], _("An author's name is at most 60 characters."))
        data_raw: dict[str, Any] = {}
        for f in self.fields:
            if f.type == "file":
                continue
            text = raw.get(f"data:{f.key}", "")
            if f.type == "multichoice":
                data_raw[f.key] = [self._choice(f, t) for t in SPLIT.split(text) if t.strip()]
            elif f.type == "choice":
                data_raw[f.key] = self._choice(f, text)
            else:
                data_raw[f.key] = text
        data, answer_errors = clean_answers(self.fields, data_raw, strict=True)
        for key, messages in answer_errors.items():
            for m in messages:
                r.error(h.get(f"data:{key}", key), str(m))
        files = self._files(r)
        if title and phone:
            dup = self.seen.get((phone, title))
            if dup is not None:
                r.error(h["title"], _("The same work for the same number is already in row %(row)d.") % {"row": dup})
            else:
                self.seen[(phone, title)] = r.line
            if (phone, title) in existing:
                r.error(h["title"], _("This work has already been entered for this number."))
        r.values = {"title": title, "summary": summary, "worker_name": name, "phone": phone,
                    "unit": unit.pk if unit else None, "unit_name": unit.name if unit else raw.get("unit", ""),
                    "authors": authors, "data": data, "files": files}

    @staticmethod
    def _choice(f: FieldDef, text: str) -> str:
        text = text.strip()
        for c in f.choices:
            if text in (c.value, c.label, c.label_en):
                return c.value
        return text

    def _unit(self, r: RowCheck, units: dict[str, list[Organization]]) -> Organization | None:
        col = self.header["unit"]
        value = r.raw.get("unit", "")
        if not value:
            r.error(col, _("The unit is missing."))
            return None
        found = units.get(value, [])
        if not found:
            r.error(col, _("Unknown unit “%(unit)s”.") % {"unit": value[:60]})
            return None
        if len(found) > 1 and found[0].code != value:
            r.error(col, _("Several units are called “%(unit)s”; write the unit's code.") % {"unit": value[:60]})
            return None
        unit = found[0]
        if not (self.actor.is_superuser or self.scopes.administers_path(unit.path)):
            r.error(col, _("“%(unit)s” is outside the units you administer.") % {"unit": unit.name})
            return None
        if unit.pk not in self.unit_open:
            try:
                self.policy.check_accepts_entries(self.track, unit)
                self.unit_open[unit.pk] = None
            except DomainError as exc:
                self.unit_open[unit.pk] = str(exc.message)
        message = self.unit_open[unit.pk]
        if message:
            r.error(col, message)
        return unit

    def _files(self, r: RowCheck) -> dict[str, list[str]]:
        files: dict[str, list[str]] = {}
        for f in self.fields:
            if f.type != "file" or f.file is None:
                continue
            key = f"file:{f.key}"
            col = self.header[key]
            names = [n.strip() for n in FILE_SPLIT.split(r.raw.get(key, "")) if n.strip()]
            least = max(f.file.min_count, 1 if f.required else 0)
            if len(names) < least:
                r.error(col, _("Name at least %(n)d file(s) from the zip.") % {"n": least})
            elif len(names) > f.file.max_count:
                r.error(col, _("At most %(n)d file(s).") % {"n": f.file.max_count})
            paths: list[str] = []
            for name in names:
                path = self._file(r, col, f, name)
                if path is not None:
                    paths.append(path)
            files[f.key] = paths
        return files

    def _file(self, r: RowCheck, col: str, f: FieldDef, name: str) -> str | None:
        if self.archive is None:
            r.error(col, _("“%(name)s”: no .zip of files was uploaded.") % {"name": name[:100]})
            return None
        member = self.archive.find(name)
        if member is None:
            if os.path.basename(name) in self.archive.ambiguous:
                r.error(col, _("Several files in the zip are called “%(name)s”; write its path in the zip.")
                        % {"name": name[:100]})
            else:
                r.error(col, _("“%(name)s” is not in the zip.") % {"name": name[:100]})
            return None
        used = self.files_used.get(member.path)
        if used is not None:
            r.error(col, _("“%(name)s” is already used in row %(row)d.") % {"name": name[:100], "row": used})
            return None
        self.files_used[member.path] = r.line
        assert f.file is not None
        key = (member.path, f.key)
        if key not in self.file_checked:
            message = None
            try:
                with self.archive.extracted(member) as tmp:
                    validate_path(tmp, filename=member.basename, rule=f.file)
            except MediaInvalid as exc:
                message = "；".join(exc.messages)
            except ArchiveRefused as exc:
                message = str(exc.message)
            self.file_checked[key] = message
        message = self.file_checked[key]
        if message:
            r.error(col, _("“%(name)s”: %(reason)s") % {"name": name[:100], "reason": message})
            return None
        return member.path


@contextlib.contextmanager
def _opened(imp: EntryImport) -> Iterator[tuple[IO[bytes], Archive | None]]:
    st = storage()
    with st.open(imp.sheet_key, "rb") as sheet:
        if not imp.archive_key:
            yield sheet, None
            return
        with st.open(imp.archive_key, "rb") as zf:
            archive = Archive(zf)
            try:
                yield sheet, archive
            finally:
                archive.close()


def _chunks(rows: Iterable[tuple[int, dict[str, str]]], n: int) -> Iterator[list[RowCheck]]:
    chunk: list[RowCheck] = []
    for line, raw in rows:
        chunk.append(RowCheck(line, raw))
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check(import_id: int) -> EntryImport:
    """The check of an uploaded import (run by the task `check_import`): every row's errors are
    stored; the import is ready to apply when no row has one."""
    imp = EntryImport.objects.select_related("track__campaign", "created_by").get(pk=import_id)
    if imp.status != ImportStatus.CHECKING:
        return imp
    ImportRow.objects.filter(source=imp).delete()
    total = bad = 0
    message = ""
    with translation.override(_language(imp)):
        try:
            with _opened(imp) as (sheet, archive):
                checker = Checker(imp, archive)
                missing, rows = read_rows(sheet, checker.cols)
                if missing:
                    raise DomainError(_("The sheet lacks the required column(s): %(cols)s.")
                                      % {"cols": "、".join(missing)}, code="bad_header", field="sheet")
                for chunk in _chunks(rows, CHUNK):
                    total += len(chunk)
                    if total > max_rows():
                        raise DomainError(_("The sheet has more than %(n)d rows; split it into several imports.")
                                          % {"n": max_rows()}, code="too_many_rows", field="sheet")
                    checker.check_chunk(chunk)
                    bad += sum(1 for r in chunk if r.errors)
                    ImportRow.objects.bulk_create([ImportRow(
                        source=imp, row=r.line, title=r.raw.get("title", "")[:200],
                        worker_name=r.raw.get("worker_name", "")[:60], phone=r.values.get("phone", "")[:20],
                        unit_name=str(r.values.get("unit_name", ""))[:200], values=r.values, errors=r.errors)
                        for r in chunk])
                if total == 0:
                    message = _("The sheet has no entries below the header row.")
        except DomainError as exc:
            message = str(exc.message)
            ImportRow.objects.filter(source=imp).delete()
            total = bad = 0
        except Exception:
            # Never leave an import "checking" for ever: say so, keep the trace in the task's log.
            logger.exception("check of entry import %s failed", imp.pk)
            EntryImport.objects.filter(pk=imp.pk).update(
                status=ImportStatus.INVALID, message=_("The upload could not be checked; please upload it again."))
            raise
    imp.total_rows, imp.bad_rows, imp.message = total, bad, message
    imp.status = ImportStatus.INVALID if (bad or message) else ImportStatus.READY
    imp.save(update_fields=["total_rows", "bad_rows", "message", "status"])
    return imp


def _language(imp: EntryImport) -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


# --- apply -----------------------------------------------------------------------------------------

def request_apply(actor: Any, imp: EntryImport, *, pledge: bool) -> EntryImport:
    """Queue the apply of a checked import without errors; the pledge is made by the admin on
    the workers' behalf."""
    if not pledge:
        raise DomainError(_("Accept the originality pledge and licence grant on the workers' behalf to apply."),
                          code="pledge_required", field="pledge")
    with transaction.atomic():
        locked = EntryImport.objects.select_for_update().get(pk=imp.pk)
        if locked.created_by_id != actor.pk and not actor.is_superuser:
            raise NotPermitted(_("This import is not yours."))
        if locked.files_removed:
            raise DomainError(_("The uploaded files of this import were removed; upload them again."),
                              code="import_expired", status=409)
        if locked.status != ImportStatus.READY:
            raise DomainError(_("Only a checked import without errors can be applied."), code="not_ready",
                              status=409)
        locked.status = ImportStatus.APPLYING
        locked.save(update_fields=["status"])
        audit.record("entries.import_apply", locked, actor=actor, before={"status": ImportStatus.READY},
                     after={"status": ImportStatus.APPLYING, "rows": locked.total_rows, "pledge": True},
                     scope=_scope(actor, locked.track))
    return locked


class RowFailed(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row, self.message = row, message


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(f"{m}" for m in exc.messages)
    if isinstance(exc, DomainError):
        return str(exc.message)
    return str(exc)


def apply(import_id: int, *, at: dt.datetime | None = None) -> EntryImport:
    """Create every row's entry (submitted, numbered, files stored and queued for processing) in
    one transaction, or nothing: on any failure the transaction is rolled back, the files stored
    so far are deleted, and the import says which row failed and why."""
    imp = EntryImport.objects.select_related("track__campaign", "created_by").get(pk=import_id)
    if imp.status != ImportStatus.APPLYING:
        return imp
    actor, track = imp.created_by, imp.track
    stored: list[str] = []
    created = 0
    try:
        with translation.override(_language(imp)), transaction.atomic():
            with _opened(imp) as (_sheet, archive):
                units = {o.pk: o for o in Organization.objects.filter(
                    pk__in=set(imp.rows.values_list("values__unit", flat=True)))}
                for row in imp.rows.order_by("row").iterator(chunk_size=200):
                    try:
                        entry = _apply_row(actor, track, imp, row, units, archive, stored, at)
                    except (DomainError, ValidationError, ArchiveRefused, KeyError) as exc:
                        raise RowFailed(row.row, _message(exc)) from exc
                    ImportRow.objects.filter(pk=row.pk).update(entry=entry)
                    created += 1
            imp.status, imp.created_entries, imp.applied_at, imp.message = (
                ImportStatus.APPLIED, created, at or timezone.now(), "")
            imp.save(update_fields=["status", "created_entries", "applied_at", "message"])
            audit.record("entries.import_applied", imp, actor=actor, before={"status": ImportStatus.APPLYING},
                         after={"status": ImportStatus.APPLIED, "entries": created}, scope=_scope(actor, track))
    except Exception as exc:
        for name in stored:
            with contextlib.suppress(Exception):
                default_storage.delete(name)
        with translation.override(_language(imp)):
            message = (_("Row %(row)d: %(message)s") % {"row": exc.row, "message": exc.message}
                       if isinstance(exc, RowFailed) else _("The import failed: %(message)s") % {"message": exc})
            message += " " + _("Nothing was imported.")
        EntryImport.objects.filter(pk=imp.pk).update(status=ImportStatus.FAILED, message=message[:2000])
        imp.refresh_from_db()
        if not isinstance(exc, RowFailed):
            raise
        return imp
    _remove_files(imp)
    EntryImport.objects.filter(pk=imp.pk).update(files_removed=True)
    return imp


def _apply_row(actor: Any, track: Track, imp: EntryImport, row: ImportRow, units: dict[int, Organization],
               archive: Archive | None, stored: list[str], at: dt.datetime | None) -> Any:
    v = row.values
    unit = units.get(v.get("unit") or 0)
    authors = [{"name": a, "unit_name": unit.name if unit else "", "role": ""} for a in v.get("authors", [])]
    entry = onbehalf.start(actor, track, unit=unit, worker_name=v["worker_name"], phone=v["phone"],
                           changes=Changes(title=v["title"], summary=v["summary"], data=v["data"],
                                           authors=authors or None),
                           source=imp, source_row=row.row, at=at)
    files: dict[str, list[int]] = {}
    for slot, paths in (v.get("files") or {}).items():
        if not paths:
            continue
        if archive is None:
            raise DomainError(_("No .zip of files was uploaded."), code="archive_missing")
        target = track_slot_target(track, slot)
        ids: list[int] = []
        for path in paths:
            member = archive.find(path)
            if member is None:
                raise DomainError(_("“%(name)s” is not in the zip.") % {"name": path[:100]}, code="file_missing")
            with archive.extracted(member) as tmp:
                media = create_media_from_file(tmp, owner=actor, target=target, filename=member.basename)
            if media.original.name:
                stored.append(media.original.name)
            ids.append(media.pk)
        files[slot] = ids
    if files:
        entry = entry_services.save_draft(actor, entry, Changes(files=files), at=at)
    return entry_services.submit(actor, entry, pledge=True, at=at)


# --- clean-up --------------------------------------------------------------------------------------

def cleanup(now: dt.datetime | None = None) -> int:
    """Remove the stored sheet and zip of imports older than the keeping time that are not being
    applied (a periodic job). Returns how many imports were cleaned."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=keep_hours())
    stale = list(EntryImport.objects.filter(created_at__lt=cutoff, files_removed=False)
                 .exclude(status=ImportStatus.APPLYING).order_by("pk")[:1000])
    for imp in stale:
        _remove_files(imp)
    EntryImport.objects.filter(pk__in=[i.pk for i in stale]).update(files_removed=True)
    return len(stale)
