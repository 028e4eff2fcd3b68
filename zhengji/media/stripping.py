"""Full-quality copies of stored files with every piece of metadata removed, for anyone who
must not receive the uploader's metadata (judges in blind review first; any other reader of a
file that is not theirs can use it too).

Renditions are already made without metadata (`media.processing.renditions`). Where the
full-quality file matters (a photograph's detail, a document, the original sound),
`stripped_copy(media)` makes a copy without metadata, never the original:

| type                         | how                                                                  |
|------------------------------|----------------------------------------------------------------------|
| JPEG                         | re-saved by Pillow with the original quantisation (quality "keep"), |
|                              | no EXIF (camera, GPS, artist, copyright), XMP, ICC, comments          |
| PNG, WebP, other images      | re-saved by Pillow without text chunks, EXIF, XMP or ICC (HEIC/AVIF   |
|                              | become JPEG, TIFF/BMP/GIF a PNG: browsers show them)                 |
| audio and video              | remuxed by ffmpeg: `-map_metadata -1 -map_chapters -1 -c copy`,      |
|                              | bit-exact (no encoder tag), stream tags (handler names) cleared,     |
|                              | cover pictures, subtitles and data streams left out                  |
| PDF                          | rewritten by pypdf without /Info and XMP (document and pages)        |
| DOCX, XLSX, PPTX             | docProps/core.xml, app.xml and custom.xml rewritten empty; comment  |
|                              | and revision authors blanked                                         |
| anything else                | refused (`StrippingRefused`): judges get the renditions only         |

The copy is made once per content (keyed by the file's SHA-256 and the stripping version) and kept
in private storage through Django's storage API; it is served as a stream.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from zhengji.common.errors import DomainError
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing import probe as probing

# Bump when the stripping changes: copies made by an older version are made again.
VERSION = "v1"
PREFIX = "review/stripped"  # kept: copies already cached under it stay valid

PNG_MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")
IMAGE_EXTS = {"jpg", "png", "webp", "gif", "tif", "bmp", "heic", "avif"}
# Container → (ffmpeg muxer, extension of the copy).
AV_MUXERS: dict[str, tuple[str, str]] = {
    "mp4": ("mp4", "mp4"), "m4v": ("mp4", "m4v"), "mov": ("mov", "mov"), "3gp": ("3gp", "3gp"),
    "webm": ("webm", "webm"), "mkv": ("matroska", "mkv"), "avi": ("avi", "avi"), "flv": ("flv", "flv"),
    "mpg": ("mpeg", "mpg"), "wmv": ("asf", "wmv"),
    "mp3": ("mp3", "mp3"), "m4a": ("ipod", "m4a"), "aac": ("adts", "aac"), "wav": ("wav", "wav"),
    "flac": ("flac", "flac"), "ogg": ("ogg", "ogg"), "amr": ("amr", "amr"), "aiff": ("aiff", "aiff"),
}
MP4_FAMILY = {"mp4", "mov", "3gp", "ipod"}
OOXML_EXTS = {"docx", "xlsx", "pptx"}
CONTENT_TYPES = {
    "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp",
    "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "3gp": "video/3gpp", "webm": "video/webm",
    "mkv": "video/x-matroska", "avi": "video/x-msvideo", "flv": "video/x-flv", "mpg": "video/mpeg",
    "wmv": "video/x-ms-wmv", "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "wav": "audio/wav",
    "flac": "audio/flac", "ogg": "audio/ogg", "amr": "audio/amr", "aiff": "audio/aiff", "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class StrippingRefused(DomainError):
    code = "no_clean_copy"
    status = 404


@dataclass(frozen=True)
class StrippedCopy:
    """The stored copy: its storage name, what it is and its size. `open()` gives a binary
    stream; `storage` and `name` make it servable like a FieldFile."""

    name: str
    ext: str
    content_type: str
    size: int
    storage: Storage

    def open(self) -> IO[bytes]:
        return self.storage.open(self.name, "rb")


# --- which files can be stripped --------------------------------------------------------------

def source_ext(media: MediaFile) -> str:
    """The file's real type: the extension ingest gave the stored original (sniffed, not the
    uploader's name), else the uploaded name's."""
    for name in (media.original.name or "", media.filename or ""):
        ext = probing.canonical_ext(os.path.splitext(name)[1])
        if ext:
            return ext
    return ""


def method_of(media: MediaFile) -> str | None:
    """"image", "av", "pdf", "ooxml" or None (no clean copy for this type)."""
    ext = source_ext(media)
    if ext in IMAGE_EXTS and media.kind in ("image", ""):
        return "image"
    if ext in AV_MUXERS and media.kind in ("video", "audio"):
        return "av"
    if ext == "pdf":
        return "pdf"
    if ext in OOXML_EXTS:
        return "ooxml"
    return None


def can_strip(media: MediaFile) -> bool:
    return media.status == MediaStatus.READY and method_of(media) is not None


def copy_ext(media: MediaFile) -> str:
    """The extension of the clean copy (HEIC becomes JPEG, TIFF a PNG, …)."""
    ext = source_ext(media)
    method = method_of(media)
    if method == "image":
        return ext if ext in ("jpg", "png", "webp") else ("jpg" if ext in ("heic", "avif") else "png")
    if method == "av":
        return AV_MUXERS[ext][1]
    return ext


# --- images ----------------------------------------------------------------------------------

def _strip_image(src: Path, out_dir: Path, ext: str) -> Path:
    probing.set_pillow_limit()
    try:
        with Image.open(src) as im:
            fmt = im.format
            orientation = int(im.getexif().get(0x0112, 1) or 1) if fmt != "PNG" else 1
            im.load()
            if fmt == "JPEG" and orientation == 1 and im.mode in ("RGB", "L"):
                # The same pixels, the same quantisation tables: nothing but the metadata changes.
                out = out_dir / "clean.jpg"
                im.info = {}
                im.save(out, "JPEG", quality="keep", subsampling="keep", exif=b"", optimize=False)
                return out
            keep_transparency = im.info.get("transparency")
            work = ImageOps.exif_transpose(im) if orientation != 1 else im.copy()
    except (Image.DecompressionBombError, OSError, ValueError) as exc:
        raise StrippingRefused(_("This file cannot be offered without its metadata.")) from exc
    work.info = {}
    if ext == "png":  # PNG, and TIFF / BMP / GIF (first frame) made PNG
        out = out_dir / "clean.png"
        params: dict[str, Any] = {}
        if work.mode not in PNG_MODES:
            work = work.convert("RGBA" if "A" in work.mode else "RGB")
            work.info = {}
        elif keep_transparency is not None and work.mode in ("P", "L", "RGB"):
            params["transparency"] = keep_transparency
        work.save(out, "PNG", **params)
        return out
    if ext == "webp":
        out = out_dir / "clean.webp"
        work.save(out, "WEBP", quality=95, exif=b"", icc_profile=None, xmp=b"")
        return out
    # JPEG: HEIC / AVIF, a rotated JPEG, a CMYK one.
    out = out_dir / "clean.jpg"
    rgb = work.convert("RGB") if work.mode not in ("RGB", "L") else work
    rgb.info = {}
    rgb.save(out, "JPEG", quality=92, exif=b"")
    return out


# --- audio and video -------------------------------------------------------------------------

def _strip_av(src: Path, out_dir: Path, ext: str, kind: str) -> Path:
    muxer, out_ext = AV_MUXERS[ext]
    out = out_dir / f"clean.{out_ext}"
    maps = ["-map", "0:a"] if kind == "audio" else ["-map", "0:V?", "-map", "0:a?"]
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), *maps,
            "-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1", "-c", "copy",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    if muxer in MP4_FAMILY:
        # The mp4 muxer names each track's handler; an empty name leaves nothing of the original's.
        args += ["-metadata:s", "handler_name=", "-metadata:s", "vendor_id=", "-movflags", "+faststart"]
    if muxer == "mp3":
        args += ["-id3v2_version", "0", "-write_id3v1", "0"]
    args += ["-f", muxer, str(out)]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=getattr(settings, "MEDIA_FFMPEG_TIMEOUT", 3600),
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StrippingRefused(_("This file cannot be offered without its metadata.")) from exc
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise StrippingRefused(_("This file cannot be offered without its metadata."))
    return out


# --- PDF ---------------------------------------------------------------------------------------

_PAGE_PRIVATE = ("/Metadata", "/PieceInfo", "/LastModified")


def _strip_pdf(src: Path, out_dir: Path) -> Path:
    out = out_dir / "clean.pdf"
    try:
        reader = PdfReader(src)
        if reader.is_encrypted and not reader.decrypt(""):
            raise StrippingRefused(_("This file cannot be offered without its metadata."))
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        for page in writer.pages:
            for key in _PAGE_PRIVATE:
                if key in page:
                    del page[NameObject(key)]
            for annot in page.get("/Annots") or []:
                obj = annot.get_object()
                if obj.get("/Subtype") != "/Widget":
                    for key in ("/T", "/RC", "/M"):  # the annotation's author, rich text and date
                        if key in obj:
                            del obj[NameObject(key)]
        writer.metadata = None  # no /Info at all
        root = writer._root_object
        for key in ("/Metadata", "/PieceInfo"):
            if key in root:
                del root[NameObject(key)]
        with open(out, "wb") as fh:
            writer.write(fh)
    except StrippingRefused:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise StrippingRefused(_("This file cannot be offered without its metadata.")) from exc
    return out


# --- Office Open XML ---------------------------------------------------------------------------

CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>')
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')
CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')
REPLACED = {"docprops/core.xml": CORE_XML, "docprops/app.xml": APP_XML, "docprops/custom.xml": CUSTOM_XML}
# Who wrote a comment or a tracked change (Word), a comment (Excel, PowerPoint): blanked.
_AUTHOR_ATTRS = re.compile(rb'(\s(?:w:author|w:initials|w15:author|w15:userId|initials|name)=")[^"]*(")')
_XLSX_AUTHOR = re.compile(rb"(<author>)[^<]*(</author>)")
# Parts whose author attributes are blanked (small XML parts; read whole).
_AUTHOR_PARTS = re.compile(r"^(word/(document|comments\w*|people|footnotes|endnotes|header\d*|footer\d*)\.xml"
                           r"|xl/comments\d*\.xml|ppt/commentauthors\.xml)$")
_MAX_AUTHOR_PART = 64 * 1024 * 1024


def _scrub_authors(name: str, data: bytes) -> bytes:
    lname = name.lower()
    if lname.startswith("ppt/commentauthors") or lname.startswith("word/people"):
        return _AUTHOR_ATTRS.sub(rb"\1\2", data)
    data = re.sub(rb'(\s(?:w:author|w:initials)=")[^"]*(")', rb"\1\2", data)
    return _XLSX_AUTHOR.sub(rb"\1\2", data)


def _strip_ooxml(src: Path, out_dir: Path, ext: str) -> Path:
    out = out_dir / f"clean.{ext}"
    try:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                lname = info.filename.lower()
                target = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                target.compress_type = zipfile.ZIP_DEFLATED
                if lname in REPLACED:
                    zout.writestr(target, REPLACED[lname])
                elif _AUTHOR_PARTS.match(lname) and info.file_size <= _MAX_AUTHOR_PART:
                    zout.writestr(target, _scrub_authors(lname, zin.read(info)))
                else:
                    with zin.open(info) as fin, zout.open(target, "w", force_zip64=info.file_size > 2**31) as fout:
                        shutil.copyfileobj(fin, fout, probing.CHUNK)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise StrippingRefused(_("This file cannot be offered without its metadata.")) from exc
    return out


# --- the copy ----------------------------------------------------------------------------------

def cache_name(media: MediaFile) -> str:
    sha = media.sha256 or f"media-{media.pk}"
    return f"{PREFIX}/{VERSION}/{sha[:2]}/{sha}.{copy_ext(media)}"


def _make(media: MediaFile, src: Path, out_dir: Path) -> Path:
    method = method_of(media)
    ext = source_ext(media)
    if method == "image":
        return _strip_image(src, out_dir, copy_ext(media))
    if method == "av":
        return _strip_av(src, out_dir, ext, media.kind)
    if method == "pdf":
        return _strip_pdf(src, out_dir)
    if method == "ooxml":
        return _strip_ooxml(src, out_dir, ext)
    raise StrippingRefused(_("There is no download of this file for judges; please use the preview."))


@contextlib.contextmanager
def _work_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="zj-strip-", dir=getattr(settings, "MEDIA_WORK_DIR", None)) as tmp:
        yield Path(tmp)


def stripped_copy(media: MediaFile, *, storage: Storage | None = None) -> StrippedCopy:
    """The clean copy of `media` (made and stored on first use). StrippingRefused when the type
    has no clean copy or the file cannot be read."""
    if media.status != MediaStatus.READY or method_of(media) is None:
        raise StrippingRefused(_("There is no download of this file for judges; please use the preview."))
    storage = storage or default_storage
    name = cache_name(media)
    ext = copy_ext(media)
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    if storage.exists(name):
        return StrippedCopy(name, ext, content_type, storage.size(name), storage)
    source = media.original
    with _work_dir() as tmp:
        with probing.local_copy(source.storage, source.name or "", suffix=f".{source_ext(media)}", dir=tmp) as src:
            clean = _make(media, Path(src), tmp)
        with open(clean, "rb") as fh:
            saved = storage.save(name, File(fh, name=clean.name))
    if saved != name:  # made at the same moment by another request: keep one
        if storage.exists(name):
            storage.delete(saved)
        else:
            name = saved
    return StrippedCopy(name, ext, content_type, storage.size(name), storage)
