"""Read the implicit AI-content label of a file (GB 45438-2025), cheaply and without trusting it.

The standard puts a metadata field named `AIGC` holding a JSON object (Label, ContentProducer,
ProduceID, ReservedCode1, ContentPropagator, PropagateID, ReservedCode2) into the file's own
metadata: EXIF (UserComment, ImageDescription…), XMP, PNG tEXt/iTXt chunks, ID3 (a TXXX frame),
MP4/MOV metadata. C2PA manifests (a JUMBF box labelled "c2pa") carry a claim generator and, for
generated media, the IPTC digital source type "trainedAlgorithmicMedia".

`read_label(path, kind)` looks, in order: Pillow's view of images (PNG text chunks, EXIF, XMP),
ffprobe's format tags for audio and video (ID3 TXXX, MP4/MOV tags), then a raw scan of the head
and tail of any file for an `AIGC` JSON object and a C2PA manifest. Reading never raises: a file
it cannot read simply has no label.
"""

from __future__ import annotations

import html
import json
import logging
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HEAD = 4 * 1024 * 1024  # bytes scanned at the start of a file (metadata sits there in most formats)
TAIL = 1024 * 1024  # … and at its end (MP4 'moov' after the media data, ID3v1, appended XMP)
_AIGC = re.compile(rb"AIGC", re.IGNORECASE)
# Digital source types that say "generated" (IPTC NewsCodes used by C2PA).
GENERATED_SOURCE_TYPES = (b"trainedAlgorithmicMedia", b"compositeWithTrainedAlgorithmicMedia")


@dataclass
class Label:
    """What was found: `aigc` is the parsed `AIGC` object (empty when none), `source` where."""

    aigc: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    c2pa: bool = False
    c2pa_generator: str = ""
    c2pa_generated: bool = False

    @property
    def found(self) -> bool:
        return bool(self.aigc) or self.c2pa

    @property
    def generated(self) -> bool:
        """An `AIGC` object (any Label value: 1 generated, 2 possibly, 3 suspected) or a C2PA
        manifest naming a generated source type."""
        return bool(self.aigc) or self.c2pa_generated


def parse_aigc(text: str | bytes) -> dict[str, Any]:
    """The JSON object that follows the first `AIGC` in `text` ({"AIGC": {...}}, AIGC={...},
    <TC260:AIGC>{...}</…>, or a bare object with an "AIGC" key); {} when there is none."""
    if isinstance(text, bytes):
        # A binary blob: decode a window after each occurrence (the JSON is UTF-8 text).
        for m in _AIGC.finditer(text):
            found = parse_aigc(text[m.start():m.start() + 8192].decode("utf-8", "replace"))
            if found:
                return found
        return {}
    assert isinstance(text, str)
    text = html.unescape(text.replace("\x00", ""))
    decoder = json.JSONDecoder()
    for hit in re.finditer(r"AIGC", text, re.IGNORECASE):
        start = text.find("{", hit.end())
        if start < 0 or start - hit.end() > 40:
            continue
        try:
            obj, _end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(obj, dict):
            inner = obj.get("AIGC", obj)
            return inner if isinstance(inner, dict) and inner else obj
    # A value that is itself the JSON object (e.g. a tag named AIGC, handled by the callers).
    return {}


def _from_value(key: str, value: Any) -> dict[str, Any]:
    """A metadata item: a key named AIGC holding the object, or a value mentioning AIGC."""
    if isinstance(value, bytes):
        raw = value
        # EXIF UserComment starts with an 8-byte character code.
        for prefix, enc in ((b"ASCII\x00\x00\x00", "ascii"), (b"UNICODE\x00", "utf-16"), (b"\x00" * 8, "utf-8")):
            if raw.startswith(prefix):
                raw = raw[8:]
                try:
                    value = raw.decode(enc if enc != "utf-16" else ("utf-16-be" if raw[:1] == b"\x00" else "utf-16-le"))
                except UnicodeDecodeError:
                    value = raw.decode("latin-1")
                break
        else:
            value = raw.decode("utf-8", "replace")
    if not isinstance(value, str):
        return {}
    if key.strip().upper().endswith("AIGC"):
        try:
            obj = json.loads(html.unescape(value))
        except ValueError:
            obj = None
        if isinstance(obj, dict) and obj:
            inner = obj.get("AIGC", obj)
            return inner if isinstance(inner, dict) else obj
    if "aigc" in value.lower():
        return parse_aigc(value)
    return {}


def _image(path: Path) -> tuple[dict[str, Any], str]:
    from PIL import ExifTags, Image  # noqa: PLC0415 (Pillow only for images)

    with Image.open(path) as img:
        for key, value in (img.info or {}).items():
            if key in ("exif", "icc_profile"):
                continue
            found = _from_value(str(key), value)
            if found:
                return found, ("xmp" if key in ("xmp", "XML:com.adobe.xmp") else "png-text"
                               if img.format == "PNG" else "image-info")
        exif = img.getexif()
        items = list(exif.items())
        try:
            items += list(exif.get_ifd(ExifTags.IFD.Exif).items())
        except Exception:  # a broken Exif IFD: the base IFD is still worth reading
            pass
        for tag, value in items:
            found = _from_value(ExifTags.TAGS.get(tag, str(tag)), value)
            if found:
                return found, "exif"
    return {}, ""


def _ffprobe_tags(path: Path) -> dict[str, str]:
    try:
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", str(path)],
            capture_output=True, timeout=30, check=False).stdout
        data = json.loads(out or b"{}")
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    tags: dict[str, str] = dict((data.get("format") or {}).get("tags") or {})
    for s in data.get("streams") or []:
        tags.update(s.get("tags") or {})
    return tags


def _scan(path: Path) -> tuple[bytes, bytes]:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
        tail = b""
        if size > HEAD:
            fh.seek(max(size - TAIL, HEAD))
            tail = fh.read(TAIL)
    return head, tail


def _c2pa(blob: bytes) -> tuple[bool, str, bool]:
    """A JUMBF superbox ('jumb') labelled c2pa; its claim generator (a CBOR text string after
    the key) and whether it names a generated source type."""
    if b"jumb" not in blob or b"c2pa" not in blob:
        return False, "", False
    generator = ""
    at = blob.find(b"claim_generator")
    if at >= 0:
        pos = at + len(b"claim_generator")
        if pos < len(blob):
            head = blob[pos]
            length, skip = -1, 1
            if 0x60 <= head <= 0x77:
                length = head - 0x60
            elif head == 0x78 and pos + 1 < len(blob):
                length, skip = blob[pos + 1], 2
            if length > 0:
                generator = blob[pos + skip:pos + skip + length].decode("utf-8", "replace")
    generated = any(t in blob for t in GENERATED_SOURCE_TYPES)
    return True, generator[:200], generated


def read_label(path: Path | str, kind: str = "") -> Label:
    path = Path(path)
    label = Label()
    try:
        if kind == "image":
            try:
                label.aigc, label.source = _image(path)
            except Exception:  # not decodable by Pillow (HEIC without plugin, damaged): raw scan below
                log.debug("AIGC: Pillow could not read %s", path, exc_info=True)
        if not label.aigc and kind in ("video", "audio"):
            for key, value in _ffprobe_tags(path).items():
                found = _from_value(key, value)
                if found:
                    label.aigc, label.source = found, ("id3" if kind == "audio" else "mp4")
                    break
        head, tail = _scan(path)
        if not label.aigc:
            for blob in (head, tail):
                if _AIGC.search(blob):
                    found = parse_aigc(blob)
                    if found:
                        label.aigc, label.source = found, ("xmp" if b"xmpmeta" in blob else "raw")
                        break
        for blob in (head, tail):
            present, generator, generated = _c2pa(blob)
            if present:
                label.c2pa, label.c2pa_generator = True, generator or label.c2pa_generator
                label.c2pa_generated = label.c2pa_generated or generated
                label.source = label.source or "c2pa"
    except OSError:
        log.warning("AIGC: could not read %s", path, exc_info=True)
    return label
