"""Plain text out of an uploaded .txt, .docx or .pdf, bounded, for the text fingerprint.

Nothing here trusts the file: a .docx passes the ZIP checks of `media.processing.documents`
(bombs, nested archives, DTDs) before its `word/document.xml` is read as a stream; a .pdf passes
`check_pdf` and at most `MAX_PAGES` pages are read; a .txt is read up to `MAX_BYTES`. Whatever the
format, at most `MAX_CHARS` characters come out. A file that fails a check gives "" (the media
app has refused or flagged it already; a fingerprint is only advice).
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from zhengji.media.processing.documents import ArchiveRefused, PdfRefused, check_pdf, check_zip
from zhengji.media.processing.probe import ProbeError

log = logging.getLogger(__name__)

MAX_CHARS = 200_000  # a long report; more is not a work entered in a campaign
MAX_BYTES = 4 * MAX_CHARS  # of a .txt (UTF-8 Chinese takes 3 bytes a character)
MAX_PAGES = 200
TEXT_SUFFIXES = (".txt", ".docx", ".pdf")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract(path: str | Path) -> str:
    """The text of a document by its suffix; "" when it has none or fails a safety check."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix == ".txt":
            return _txt(p)
        if suffix == ".docx":
            return _docx(p)
        if suffix == ".pdf":
            return _pdf(p)
    except (ProbeError, OSError, ValueError, zipfile.BadZipFile, ParseError, KeyError) as exc:
        log.info("no text from %s: %s", p.name, exc)
    return ""


def _txt(p: Path) -> str:
    with open(p, "rb") as fh:
        data = fh.read(MAX_BYTES)
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese Windows editors still save GB text
        try:
            return data.decode(encoding)[:MAX_CHARS]
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")[:MAX_CHARS]


def _docx(p: Path) -> str:
    check_zip(p)  # raises ArchiveRefused: bomb, nested archive, DTD, damaged
    out: list[str] = []
    size = 0
    with zipfile.ZipFile(p) as zf, zf.open("word/document.xml") as xml:
        for _event, elem in iterparse(xml, events=("end",)):
            if elem.tag == f"{_W}t" and elem.text:
                out.append(elem.text)
                size += len(elem.text)
            elif elem.tag == f"{_W}p":
                out.append("\n")
                elem.clear()  # keep memory flat on a long document
            if size >= MAX_CHARS:
                break
    return "".join(out)[:MAX_CHARS]


def _pdf(p: Path) -> str:
    check_pdf(p)  # raises PdfRefused
    from pypdf import PdfReader  # noqa: PLC0415 (heavy import, needed for PDFs only)

    reader = PdfReader(p, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return ""
    out: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001 (pypdf raises many kinds on damaged content streams)
            log.info("page text of %s: %s", p.name, exc)
            continue
        out.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return "\n".join(out)[:MAX_CHARS]


__all__ = ["MAX_CHARS", "TEXT_SUFFIXES", "ArchiveRefused", "PdfRefused", "extract"]
