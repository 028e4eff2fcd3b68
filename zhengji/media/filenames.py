"""User file names as we store them: the last path part, control, format (bidi overrides such as
U+202E) and line-separator characters removed, characters Windows forbids replaced, a reserved
Windows device name (CON, NUL, COM1 …) prefixed, and at most 255 characters and 255 UTF-8 bytes
(what the database column and every common file system take), shortened in the middle of the stem
so that the extension survives (``.tar.gz`` whole). A user's name is never used on disk (stored
files get `uuid.ext`, temporary ones `safe_suffix`); it is shown escaped and sent in
Content-Disposition as cleaned here."""

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


# Characters Windows does not allow in a file name (besides the path separators and controls).
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Device names Windows reserves whatever the extension ("CON.jpg", "com1.txt", "LPT¹.png").
_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.IGNORECASE)
# Types a server or a desktop runs: refused when hidden before the extension ("x.php.jpg").
HIDDEN_TYPES = {"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "php", "php3", "php4", "php5", "php7", "phtml",
                "phar", "pht", "asp", "aspx", "jsp", "jspx", "cgi", "hta", "exe", "bat", "cmd", "scr", "js", "vbs",
                "wsf", "jar", "ps1", "msi"}


def clean_filename(name: str, *, default: str = "file") -> str:
    """The name to store for a user's file: last part of any path (`/` or `\\`), control, format
    (bidi controls), surrogate and line-separator characters dropped, NFC, Windows' forbidden
    characters replaced by "_", surrounding spaces and trailing dots trimmed, a reserved device
    name prefixed with "_", then `shorten`ed."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    name = _WINDOWS_FORBIDDEN.sub("_", name).strip().rstrip(". ")
    if not name.strip("."):  # "", ".", "..": nothing of a name
        return default
    if _RESERVED.match(name.split(".", 1)[0].rstrip(" ")):
        name = "_" + name
    return shorten(name)


def hidden_extension(name: str) -> str:
    """The first runnable type named before the extension ("php" for "x.php.jpg"), or ""."""
    parts = name.split(".")
    for part in parts[1:-1]:
        if part.strip().lower() in HIDDEN_TYPES:
            return part.strip().lower()
    return ""


def safe_suffix(name: str) -> str:
    """The extension of a user's file name fit for a temporary file's name: letters and digits
    only, at most 15 (+ ".tar"), or ""."""
    return split_extension(clean_filename(name))[1].lower()
