"""User file names as we store them: the last path part, control characters removed, and at most
255 characters and 255 UTF-8 bytes (what the database column and every common file system take),
shortened in the middle of the stem so that the extension survives (``.tar.gz`` whole)."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 255
MAX_BYTES = 255
# Suffixes that belong together: "x.tar.gz" keeps ".tar.gz".
_INNER = {".tar"}
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,15}$")


def split_extension(name: str) -> tuple[str, str]:
    """("report", ".docx"); ("backup", ".tar.gz"); ("README", ""); (".env", "") — a dot at the start
    is not an extension, and an "extension" longer than 15 characters or with anything but letters
    and digits is part of the stem."""
    m = _SUFFIX.search(name)
    if not m or m.start() == 0:
        return name, ""
    stem, ext = name[: m.start()], m.group(0)
    inner = _SUFFIX.search(stem)
    if inner and inner.start() > 0 and inner.group(0).lower() in _INNER:
        stem, ext = stem[: inner.start()], inner.group(0) + ext
    return stem, ext


def _fits(text: str, max_chars: int, max_bytes: int) -> bool:
    return len(text) <= max_chars and len(text.encode("utf-8")) <= max_bytes


def shorten(name: str, *, max_chars: int = MAX_CHARS, max_bytes: int = MAX_BYTES) -> str:
    """`name` cut to the limits, keeping its extension; "…" marks the cut."""
    if _fits(name, max_chars, max_bytes):
        return name
    stem, ext = split_extension(name)
    if not _fits(ext + "…x", max_chars, max_bytes):  # an absurd limit: plain cut
        ext = ""
    mark = "…"
    room_chars = max_chars - len(ext) - len(mark)
    room_bytes = max_bytes - len(ext.encode("utf-8")) - len(mark.encode("utf-8"))
    out = []
    used = 0
    for ch in stem[:room_chars]:
        size = len(ch.encode("utf-8"))
        if used + size > room_bytes:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip() + mark + ext


def clean_filename(name: str, *, default: str = "file") -> str:
    """The name to store for a user's file: last part of any path (`/` or `\\`), control and
    format characters dropped, NFC, surrounding spaces trimmed, then `shorten`ed."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = name.strip()
    if not name.strip("."):  # "", ".", "..": nothing of a name
        return default
    return shorten(name)
