"""Hostile content in files that look harmless: web pages, scripts and SVG drawings under another
name, polyglots (a real picture with a web page behind it or inside its metadata, a GIF header
before a script), and truncated ISO media files. Pure byte work, no decoding and no XML parser:
markup is recognised by its first bytes, so an entity bomb (billion laughs) is refused without
being expanded.

What is looked for, and where (`find_active`):

- everywhere in an image (and in the head and tail of audio and video): markers long enough never
  to occur by chance in compressed data — `<script`, `<iframe`, `<object`, `<embed`, `<html`,
  `<body`, `<frameset`, `<applet`, `<?php`, `<!doctype html`, `<!entity` (each followed by a space,
  `/` or `>` where a tag ends);
- in the first KB (where browsers sniff), in text metadata (PNG text chunks, JPEG comments and APP
  segments, GIF comments and application blocks) and in bytes after the end of the picture, also
  the short tags: `<svg`, `<img`, `<meta`, `<link`, `<style`, `<head`, `<form`, `<frame`, `<base`,
  `<!doctype`.

Structure (`image_layout`): PNG chunks are walked to IEND, GIF blocks to the trailer, JPEG segments
to EOI. Bytes after the end of a PNG or GIF are refused (no software writes them; a polyglot
does). After a JPEG's EOI, data is allowed (a second picture of an MPO, the video of a "motion
photo") unless it holds markup. ISO media (MP4, MOV, M4A, 3GP) are walked box by box
(`iso_layout`): a box that claims more bytes than the file has means a truncated file."""

from __future__ import annotations

import os
import re
import struct
import zlib
from dataclasses import dataclass, field

CHUNK = 1024 * 1024
HEAD = 1024
_SEP = rb"(?=[\s/>])"
# Markers with at least four specific letters after "<" (and a tag end): about one chance in 10^12
# per byte of random data, so a whole picture may be searched.
LONG = re.compile(rb"<(?:script|iframe|object|embed|html|body|frameset|applet)" + _SEP
                  + rb"|<\?php(?=\s)|<!doctype\s+html|<!entity\s", re.IGNORECASE)
# Short tags too: only where text is expected (the head, metadata, trailing data).
SHORT = re.compile(LONG.pattern + rb"|<(?:svg|img|meta|link|style|head|form|frame|base)" + _SEP
                   + rb"|<!doctype\s", re.IGNORECASE)
_OVERLAP = 32

# Markup types recognised by `markup_type`: refused by every file rule.
MARKUP = {"html": "text/html", "svg": "image/svg+xml", "xml": "application/xml", "php": "application/x-php"}
_BOMS = (b"\xef\xbb\xbf",)
# The WHATWG MIME sniffing standard's HTML signatures (a document starting with one of these, then
# a space or ">", is HTML to a browser).
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br"
                         rb"|p|!--)(?=[\s>])", re.IGNORECASE)


def marker(found: bytes) -> str:
    """A found marker as shown in a message: "<script", "<?php"."""
    text = found.decode("latin-1").strip().lower()
    return re.sub(r"\s+", " ", text)[:20]


def markup_type(head: bytes) -> str | None:
    """"html", "svg", "xml" or "php" when a text file starts as markup (as the WHATWG sniffing
    rules and XML readers see it), or holds PHP code anywhere in its head; else None (a text that
    mentions "<html" further on stays text: it is served as text/plain, nosniff, as an attachment).
    Only the first bytes are read: an XML entity bomb is recognised as XML without being parsed."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
    text = head.lstrip()
    lower = text.lower()
    if b"<?php" in lower or lower.startswith(b"<?="):
        return "php"
    if lower.startswith((b"<?xml", b"<!doctype", b"<!entity", b"<svg", b"<!--")) or b"<!entity" in lower:
        if re.search(rb"<svg[\s>:/]", lower):
            return "svg"
        if re.search(rb"<html[\s>:]|<!doctype\s+html", lower) or lower.startswith(b"<!--"):
            return "html"
        return "xml"
    if _HTML_START.match(text):
        return "html"
    return None


def find_in_bytes(data: bytes, *, short: bool = True) -> str | None:
    """The first marker in `data`, or None."""
    found = (SHORT if short else LONG).search(data)
    return marker(found.group(0)) if found else None


def find_in_file(path: str | os.PathLike[str], start: int = 0, end: int | None = None, *,
                 short: bool = False) -> str | None:
    """The first marker in bytes start..end of a file, read in 1 MB blocks (never whole)."""
    pattern = SHORT if short else LONG
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        end = size if end is None else min(end, size)
        fh.seek(start)
        pos, carry = start, b""
        while pos < end:
            block = fh.read(min(CHUNK, end - pos))
            if not block:
                break
            pos += len(block)
            data = carry + block
            found = pattern.search(data)
            if found:
                return marker(found.group(0))
            carry = data[-_OVERLAP:]
    return None


# --- image structure ---------------------------------------------------------------------------

@dataclass
class Layout:
    """Where a picture ends (`end`, bytes) and the text-like metadata met on the way."""

    end: int
    metadata: list[bytes] = field(default_factory=list)


class Unparsed(Exception):
    """The structure could not be walked (left to the decoder to refuse, or accept)."""


def _read_exact(fh, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise Unparsed("short read")
    return data


_PNG_TEXT = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"}
_META_MAX = 1024 * 1024  # per metadata block kept for scanning (inflated text at most this)


def _png(fh, size: int) -> Layout:
    fh.seek(8)
    layout = Layout(end=0)
    while True:
        length, kind = struct.unpack(">I4s", _read_exact(fh, 8))
        if length > size:
            raise Unparsed("chunk longer than the file")
        if kind in _PNG_TEXT:  # at most _META_MAX of a chunk is read (a huge one is not held whole)
            data = _read_exact(fh, min(length, _META_MAX))
            layout.metadata.append(data)
            if kind in (b"zTXt", b"iTXt"):
                layout.metadata.append(_inflate_text(data))
            fh.seek(length - len(data) + 4, os.SEEK_CUR)
        else:
            fh.seek(length + 4, os.SEEK_CUR)
        if kind == b"IEND":
            layout.end = fh.tell()
            return layout
        if fh.tell() > size:
            raise Unparsed("no IEND")


def _inflate_text(data: bytes) -> bytes:
    """The compressed text of a zTXt/iTXt chunk, at most _META_MAX bytes of it (a bomb is cut)."""
    at = data.find(b"\x78")  # the zlib header follows the keyword and flags
    if at < 0:
        return b""
    try:
        return zlib.decompressobj().decompress(data[at:], _META_MAX)
    except zlib.error:
        return b""


def _gif(fh, size: int) -> Layout:
    layout = Layout(end=0)
    header = _read_exact(fh, 13)
    flags = header[10]
    if flags & 0x80:
        fh.seek(3 * (2 << (flags & 7)), os.SEEK_CUR)
    while True:
        intro = _read_exact(fh, 1)
        if intro == b"\x3b":  # trailer
            layout.end = fh.tell()
            return layout
        if intro == b"\x21":  # extension: label, then sub-blocks
            label = _read_exact(fh, 1)
            data = _sub_blocks(fh, keep=label in (b"\xfe", b"\xff"))
            if data:
                layout.metadata.append(data)
        elif intro == b"\x2c":  # image descriptor, optional local table, LZW size, sub-blocks
            desc = _read_exact(fh, 9)
            if desc[8] & 0x80:
                fh.seek(3 * (2 << (desc[8] & 7)), os.SEEK_CUR)
            _read_exact(fh, 1)
            _sub_blocks(fh, keep=False)
        else:
            raise Unparsed("unknown GIF block")
        if fh.tell() > size:
            raise Unparsed("no trailer")


def _sub_blocks(fh, *, keep: bool) -> bytes:
    out = bytearray()
    while True:
        n = _read_exact(fh, 1)[0]
        if n == 0:
            return bytes(out)
        block = _read_exact(fh, n)
        if keep and len(out) < _META_MAX:
            out += block


def _jpeg(fh, size: int) -> Layout:
    layout = Layout(end=0)
    fh.seek(2)
    while True:
        byte = _read_exact(fh, 1)
        if byte != b"\xff":
            raise Unparsed("no marker")
        code = _read_exact(fh, 1)[0]
        while code == 0xFF:  # fill bytes
            code = _read_exact(fh, 1)[0]
        if code == 0xD9:  # EOI
            layout.end = fh.tell()
            return layout
        if 0xD0 <= code <= 0xD7 or code == 0x01:
            continue
        (length,) = struct.unpack(">H", _read_exact(fh, 2))
        if length < 2:
            raise Unparsed("bad segment length")
        if code == 0xFE or 0xE0 <= code <= 0xEF:  # comment, APPn (EXIF, XMP, ICC …)
            layout.metadata.append(_read_exact(fh, length - 2)[:_META_MAX])
        else:
            fh.seek(length - 2, os.SEEK_CUR)
        if code == 0xDA:  # start of scan: entropy-coded data up to the next marker
            _skip_scan(fh)
        if fh.tell() > size:
            raise Unparsed("no EOI")


def _skip_scan(fh) -> None:
    """Move to the first marker after entropy-coded data (0xFF not followed by 0x00 or RSTn)."""
    while True:
        start = fh.tell()
        block = fh.read(CHUNK)
        if not block:
            raise Unparsed("scan data runs to the end")
        i = 0
        while True:
            i = block.find(b"\xff", i)
            if i < 0 or i + 1 >= len(block):
                break
            nxt = block[i + 1]
            if nxt == 0 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                i += 1
                continue
            fh.seek(start + i)
            return
        # Keep a trailing 0xFF for the next block.
        fh.seek(start + (len(block) - 1 if block.endswith(b"\xff") else len(block)))


_WALKERS = {"png": _png, "gif": _gif, "jpg": _jpeg}


def image_layout(path: str | os.PathLike[str], ext: str) -> Layout | None:
    """The layout of a PNG, GIF or JPEG; None for other formats or when it cannot be walked."""
    walker = _WALKERS.get(ext)
    if walker is None:
        return None
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            return walker(fh, size)
        except (Unparsed, struct.error, IndexError):
            return None


def only_padding(path: str | os.PathLike[str], start: int) -> bool:
    """True when the bytes from `start` to the end are a little padding (NULs, white space)."""
    size = os.path.getsize(path)
    if size - start > 64:
        return False
    with open(path, "rb") as fh:
        fh.seek(start)
        return not fh.read().strip(b"\x00 \t\r\n")


# --- other files hidden behind one ---------------------------------------------------------------

# What a trailer must not start with (after NUL/space padding): archives and programs.
_HIDDEN_MAGIC = ((b"PK\x03\x04", "ZIP"), (b"MZ", "EXE"), (b"\x7fELF", "ELF"), (b"%PDF-", "PDF"),
                 (b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7Z"), (b"\x1f\x8b", "GZIP"))
_EOCD = b"PK\x05\x06"


def hidden_file(path: str | os.PathLike[str], start: int | None = None) -> str | None:
    """The kind of file hidden in `path`: a ZIP readable from its end (an end-of-central-directory
    record whose comment runs exactly to the end of the file, as every ZIP reader finds it: a
    "GIFAR"/JPEG+ZIP polyglot), or, when `start` is given (where the picture ends), a trailer that
    starts as an archive or a program. None when there is none."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
        if start is not None and start < size:
            fh.seek(start)
            head = fh.read(64).lstrip(b"\x00 \t\r\n")
            for magic, kind in _HIDDEN_MAGIC:
                if head.startswith(magic):
                    return kind
    at = tail.rfind(_EOCD)
    while at >= 0:
        if at + 22 <= len(tail):
            (comment,) = struct.unpack("<H", tail[at + 20:at + 22])
            if at + 22 + comment == len(tail):
                return "ZIP"
        at = tail.rfind(_EOCD, 0, at)
    return None


# --- ISO media (MP4, MOV, M4A, 3GP) ---------------------------------------------------------------

@dataclass
class IsoLayout:
    end: int  # where the last whole top-level box ends
    truncated: bool  # a box claims more bytes than the file has
    declared: int = 0  # the size the boxes claim (when truncated)


def iso_layout(path: str | os.PathLike[str]) -> IsoLayout | None:
    """Walk the top-level boxes of an ISO base media file (each: 32-bit size, type; size 1: a 64-bit
    size follows; size 0: to the end of the file). None when it is not such a file."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        pos = 0
        while pos + 8 <= size:
            fh.seek(pos)
            head = fh.read(16)
            box_size, kind = struct.unpack(">I4s", head[:8])
            if not re.fullmatch(rb"[\x20-\x7e]{4}", kind):
                return IsoLayout(end=pos, truncated=False) if pos else None
            if box_size == 1:
                if len(head) < 16:
                    return IsoLayout(end=pos, truncated=True, declared=pos + 16)
                box_size = struct.unpack(">Q", head[8:16])[0]
            elif box_size == 0:
                return IsoLayout(end=size, truncated=False)
            if box_size < 8:
                return IsoLayout(end=pos, truncated=False) if pos else None
            if pos + box_size > size:
                return IsoLayout(end=pos, truncated=True, declared=pos + box_size)
            pos += box_size
        return IsoLayout(end=pos, truncated=False)
