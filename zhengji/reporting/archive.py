"""Reading the .zip of an import's files safely, member by member.

- Names: UTF-8 when the member's UTF-8 flag (bit 11) is set; otherwise the raw bytes are decoded
  as GBK/CP936 (GB18030), which is what Windows' built-in zip writes on a Chinese system, then
  UTF-8, then CP437 as the last resort. Backslashes (Windows paths) become slashes.
- Refused as a whole: absolute paths, drive letters and `..` (path traversal), too many members,
  a member larger than the limit, a total larger than the limit, or a compression ratio that only
  a zip bomb has. The declared sizes are checked before reading; reading counts the real bytes
  too and stops at the declared size.
- A member is copied to a temporary file in chunks (never the whole archive, nor a whole member,
  in memory) and the file removed after use.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from zhengji.common.errors import DomainError

UTF8_FLAG = 0x800
CHUNK = 1024 * 1024
SKIPPED_PREFIXES = ("__MACOSX/",)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_members() -> int:
    return _limit("REPORTING_IMPORT_MAX_MEMBERS", 10_000)


def max_member_bytes() -> int:
    return _limit("REPORTING_IMPORT_MAX_MEMBER_BYTES", 2 * 1024 ** 3)


def max_total_bytes() -> int:
    return _limit("REPORTING_IMPORT_MAX_TOTAL_BYTES", 20 * 1024 ** 3)


def max_ratio() -> int:
    return _limit("REPORTING_IMPORT_MAX_RATIO", 100)


class ArchiveRefused(DomainError):
    code = "archive_refused"
    status = 400


def decode_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")  # zipfile decoded the raw bytes as CP437: undo it
    for encoding in ("gb18030", "utf-8"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def safe_name(name: str) -> str | None:
    """The normalised relative path of a member, or None when it tries to leave the archive."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return "/".join(parts)


@dataclass(frozen=True)
class Member:
    path: str  # normalised, decoded
    info: zipfile.ZipInfo

    @property
    def basename(self) -> str:
        return posixpath.basename(self.path)

    @property
    def size(self) -> int:
        return self.info.file_size


class Archive:
    """An opened, checked archive: its file members by path, and by base name where unique."""

    def __init__(self, fileobj: IO[bytes]):
        try:
            self.zf = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ArchiveRefused(_("The files archive is not a valid .zip file."), field="archive") from exc
        infos = self.zf.infolist()
        if len(infos) > max_members():
            raise ArchiveRefused(_("The archive holds more than %(n)d files.") % {"n": max_members()},
                                 field="archive")
        self.members: dict[str, Member] = {}
        by_base: dict[str, list[Member]] = {}
        total = 0
        for info in infos:
            decoded = decode_name(info)
            path = safe_name(decoded)
            if path is None:
                raise ArchiveRefused(_("The archive contains a path that leaves the archive (“%(name)s”); it "
                                       "was refused.") % {"name": decoded[:100]}, field="archive")
            if info.is_dir() or not path or path.startswith(SKIPPED_PREFIXES):
                continue
            if info.flag_bits & 0x1:
                raise ArchiveRefused(_("“%(name)s” in the archive is encrypted; use a zip without a password.")
                                     % {"name": path[:100]}, field="archive")
            self._check_sizes(path, info)
            total += info.file_size
            if total > max_total_bytes():
                raise ArchiveRefused(_("The files in the archive add up to more than %(gb)d GB.")
                                     % {"gb": max_total_bytes() // 1024 ** 3}, field="archive")
            member = Member(path, info)
            self.members[path] = member
            by_base.setdefault(member.basename, []).append(member)
        self.by_base = {name: found[0] for name, found in by_base.items() if len(found) == 1}
        self.ambiguous = {name for name, found in by_base.items() if len(found) > 1}

    @staticmethod
    def _check_sizes(path: str, info: zipfile.ZipInfo) -> None:
        if info.file_size > max_member_bytes():
            raise ArchiveRefused(_("“%(name)s” in the archive is larger than allowed.") % {"name": path[:100]},
                                 field="archive")
        if info.file_size > CHUNK and info.file_size > max_ratio() * max(info.compress_size, 1):
            raise ArchiveRefused(_("“%(name)s” in the archive expands too much when unpacked (a zip bomb?); it "
                                   "was refused.") % {"name": path[:100]}, field="archive")

    def find(self, name: str) -> Member | None:
        """A member by its path in the archive, or by its file name alone when that is unique."""
        path = safe_name(name.strip())
        if not path:
            return None
        return self.members.get(path) or self.by_base.get(path)

    @contextlib.contextmanager
    def extracted(self, member: Member) -> Iterator[Path]:
        """The member copied to a temporary file (chunked; at most its declared size)."""
        suffix = Path(member.basename).suffix[:10]
        fd, tmp = tempfile.mkstemp(prefix="zj-import-", suffix=suffix,
                                   dir=getattr(settings, "MEDIA_WORK_DIR", None))
        try:
            with os.fdopen(fd, "wb") as out, self.zf.open(member.info) as src:
                left = member.size
                while True:
                    block = src.read(min(CHUNK, left + 1))
                    if not block:
                        break
                    left -= len(block)
                    if left < 0:
                        raise ArchiveRefused(_("“%(name)s” in the archive is larger than it says.")
                                             % {"name": member.path[:100]}, field="archive")
                    out.write(block)
        except (zipfile.BadZipFile, OSError, EOFError, ArchiveRefused) as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(exc, ArchiveRefused):
                raise
            raise ArchiveRefused(_("“%(name)s” in the archive could not be read: the archive may be damaged.")
                                 % {"name": member.path[:100]}, field="archive") from exc
        try:
            yield Path(tmp)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def close(self) -> None:
        self.zf.close()

