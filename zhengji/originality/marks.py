"""The explicit AI label carried by the files the public gets (GB 45438-2025 §4: an explicit
label on images and in file names of downloads).

- `download_name(kind, number, media_id, name, ext)`: the file name the public downloads a
  labelled entry's rendition under: "AI生成-…", "含AI生成内容-…" or "疑似AI生成-…";
- `marked_copy(storage, name, kind)`: a copy of an image rendition (JPEG) with the label drawn in
  its lower left corner (white text on a dark band, at least 5% of the shorter side high, Noto
  CJK), made once per rendition and label kind and kept beside it under `PREFIX`: the copy's name
  carries the rendition's name and the kind, so it never goes stale (a new rendition or another
  label gives another copy), and a response built from it can be cached like the rendition.
- `public_file(entry_id, media, name, stored)`: what the public entry page's file view serves:
  (storage name, download name, ETag word) — the marked copy for a labelled entry's image,
  the rendition otherwise.

The original is never changed; the label of an entry is `labels.label_kinds`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage
from PIL import Image, ImageDraw, ImageFont

from zhengji.media.models import MediaFile

from .labels import FILE_PREFIX, label_kinds

log = logging.getLogger(__name__)

VERSION = "m1"  # bump when the drawing changes: copies are made again under new names
PREFIX = "originality/marked"
# Debian fonts-noto-cjk; index 2 of the collection is Simplified Chinese.
FONT_DIR = "/usr/share/fonts/opentype/noto"
FONTS = (("NotoSansCJK-Bold.ttc", 2), ("NotoSansCJK-Regular.ttc", 2), ("NotoSerifCJK-Bold.ttc", 2))
MARKED_RENDITIONS = ("web", "poster")  # what a person saves of a picture (a thumbnail stays as it is)


def download_name(kind: str, number: str, media_id: int, name: str, ext: str) -> str:
    """"疑似AI生成-2026-04-000012-5-web.jpg": the label first, then what the file is."""
    prefix = FILE_PREFIX.get(kind, "")
    base = "-".join(p for p in (number or "", str(media_id), name) if p)
    return f"{prefix}-{base}.{ext}" if prefix else f"{base}.{ext}"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for file, index in FONTS:
        path = os.path.join(FONT_DIR, file)
        if os.path.exists(path):
            with contextlib.suppress(OSError):
                return ImageFont.truetype(path, size, index=index)
    log.warning("AI label: no CJK font found; the mark is drawn with the default font")
    return ImageFont.load_default(size)


def draw_label(im: Image.Image, text: str) -> Image.Image:
    """The picture with `text` in a dark band in its lower left corner (RGB)."""
    im = im.convert("RGB")
    w, h = im.size
    size = max(12, round(min(w, h) * 0.05))
    font = _font(size)
    draw = ImageDraw.Draw(im, "RGBA")
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(3, size // 4)
    box_w, box_h = right - left + 2 * pad, bottom - top + 2 * pad
    x0, y0 = pad, h - box_h - pad
    draw.rectangle((x0, y0, x0 + box_w, y0 + box_h), fill=(0, 0, 0, 160))
    draw.text((x0 + pad - left, y0 + pad - top), text, font=font, fill=(255, 255, 255, 255))
    return im


def copy_name(name: str, kind: str) -> str:
    digest = hashlib.sha256(f"{VERSION}:{kind}:{name}".encode()).hexdigest()
    return f"{PREFIX}/{digest[:2]}/{digest[:32]}.jpg"


def marked_copy(storage: Storage, name: str, kind: str) -> str:
    """The storage name of the rendition `name` with the label of `kind` drawn on it (made once)."""
    target = copy_name(name, kind)
    if storage.exists(target):
        return target
    with storage.open(name, "rb") as fh, Image.open(fh) as im:
        im.load()
        marked = draw_label(im, FILE_PREFIX[kind])
    with tempfile.TemporaryDirectory(prefix="zj-mark-") as tmp:
        out = Path(tmp) / "marked.jpg"
        marked.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        with open(out, "rb") as src:
            saved = storage.save(target, File(src, name="marked.jpg"))
    if saved != target:  # made at the same moment elsewhere: keep one
        if storage.exists(target):
            storage.delete(saved)
        else:
            target = saved
    return target


def public_file(entry_id: int, number: str, media: MediaFile, name: str, storage: Storage,
                stored: str) -> tuple[str, str, str]:
    """(storage name, download name, ETag word) of a rendition of a public entry's file: for an
    entry that carries a label, the download name starts with it and a picture's web rendition
    (a video's poster) is served as its marked copy. An entry without a label: (stored, "", "")."""
    kind = label_kinds([entry_id]).get(entry_id)
    if not kind:
        return stored, "", ""
    ext = (os.path.splitext(stored)[1].lstrip(".") or "bin").lower()
    if name in MARKED_RENDITIONS and media.kind in ("image", "video"):
        try:
            stored, ext = marked_copy(storage, stored, kind), "jpg"
        except (OSError, KeyError, ValueError):
            log.warning("AI label: rendition %s of media %s could not be marked", name, media.pk, exc_info=True)
    return stored, download_name(kind, number, media.pk, name, ext), kind
