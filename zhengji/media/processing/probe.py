"""Reading facts out of a file's content: its type by magic bytes, ffprobe data for audio and video,
image size, and a streaming SHA-256. Nothing here trusts the file name."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import filetype
import pillow_heif
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile

from . import children, content

pillow_heif.register_heif_opener()

CHUNK = 1024 * 1024


class ProbeError(Exception):
    """The content could not be read (damaged, truncated, not what it claims)."""


@dataclass(frozen=True)
class FileType:
    ext: str  # canonical extension: jpg, png, mp4, mov, mp3, pdf, docx, txt, …
    mime: str
    kind: str  # video / audio / image / document / other

    @property
    def label(self) -> str:
        """Human name of the type, e.g. "PNG image" / "PNG 图片"."""
        fmt = self.ext.upper()
        if self.ext == "txt":
            return _("plain text")
        if self.kind == "image":
            return _("%(fmt)s image") % {"fmt": fmt}
        if self.kind == "video":
            return _("%(fmt)s video") % {"fmt": fmt}
        if self.kind == "audio":
            return _("%(fmt)s audio") % {"fmt": fmt}
        if self.kind == "document":
            return _("%(fmt)s document") % {"fmt": fmt}
        return _("%(fmt)s file") % {"fmt": fmt}


# The types we recognise and accept in some slot, by canonical extension. Everything else that
# `filetype` recognises (zip, exe, fonts …) is "other" and refused by every slot.
KNOWN: dict[str, tuple[str, str]] = {
    "jpg": ("image", "image/jpeg"), "png": ("image", "image/png"), "gif": ("image", "image/gif"),
    "webp": ("image", "image/webp"), "tif": ("image", "image/tiff"), "bmp": ("image", "image/bmp"),
    "heic": ("image", "image/heic"), "avif": ("image", "image/avif"),
    "mp4": ("video", "video/mp4"), "m4v": ("video", "video/x-m4v"), "mov": ("video", "video/quicktime"),
    "webm": ("video", "video/webm"), "mkv": ("video", "video/x-matroska"), "avi": ("video", "video/x-msvideo"),
    "3gp": ("video", "video/3gpp"), "wmv": ("video", "video/x-ms-wmv"), "flv": ("video", "video/x-flv"),
    "mpg": ("video", "video/mpeg"),
    "mp3": ("audio", "audio/mpeg"), "m4a": ("audio", "audio/mp4"), "aac": ("audio", "audio/aac"),
    "wav": ("audio", "audio/x-wav"), "flac": ("audio", "audio/x-flac"), "ogg": ("audio", "audio/ogg"),
    "amr": ("audio", "audio/amr"), "aiff": ("audio", "audio/x-aiff"),
    "pdf": ("document", "application/pdf"),
    "docx": ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ("document", "application/msword"), "odt": ("document", "application/vnd.oasis.opendocument.text"),
    "rtf": ("document", "application/rtf"),
    "pptx": ("document", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xlsx": ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "txt": ("document", "text/plain"),
}
# Extensions that name the same format (the first is canonical).
ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif", "heif": "heic", "mpeg": "mpg", "oga": "ogg",
           "opus": "ogg", "wave": "wav", "text": "txt"}


def canonical_ext(ext: str) -> str:
    ext = ext.lower().lstrip(".")
    return ALIASES.get(ext, ext)


def sniff(path: str | os.PathLike) -> FileType | None:
    """The type of a file from its first bytes (the `filetype` package), or, when the head decodes
    as UTF-8 without control bytes, markup (html, svg, xml, php: `content.markup_type`, kind
    "other", refused by every rule) or plain text; None when unknown."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        return None
    guess = filetype.guess(head)
    if guess is not None:
        ext = canonical_ext(guess.extension)
        if ext == "apng":
            ext = "png"
        kind, mime = KNOWN.get(ext, ("other", guess.mime))
        return FileType(ext, mime, kind)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the head.
        try:
            text = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if any(ord(c) < 9 or 13 < ord(c) < 32 for c in text):
        return None
    markup = content.markup_type(head)
    if markup is not None:  # a web page, SVG, XML (an entity bomb too) or PHP: never "plain text"
        return FileType(markup, content.MARKUP[markup], "other")
    return FileType("txt", "text/plain", "document")


def sha256_stream(fh, chunk: int = CHUNK) -> str:
    """SHA-256 of a binary file object, read in chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    while True:
        block = fh.read(chunk)
        if not block:
            break
        digest.update(block)
    return digest.hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    with open(path, "rb") as fh:
        return sha256_stream(fh)


@contextlib.contextmanager
def local_copy(storage, name: str, *, suffix: str = "", dir: str | os.PathLike | None = None,
               beat: Callable[[], None] | None = None) -> Iterator[Path]:
    """A local path with the content of `name` in `storage`: the file itself on local storage,
    otherwise a streamed temporary copy (ffprobe and Pillow need a seekable local file) in `dir`
    (default MEDIA_WORK_DIR); `beat` is called after each block copied."""
    try:
        local = storage.path(name)
    except NotImplementedError:
        local = None
    if local and os.path.exists(local):
        yield Path(local)
        return
    fd, tmp = tempfile.mkstemp(prefix=children.SOURCE_PREFIX, suffix=suffix,
                               dir=dir or getattr(settings, "MEDIA_WORK_DIR", None))
    try:
        with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as src:
            while block := src.read(CHUNK):
                out.write(block)
                if beat is not None:
                    beat()
        yield Path(tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def ffprobe(path: str | os.PathLike) -> dict:
    """ffprobe's JSON (format and streams); ProbeError when the file cannot be read."""
    timeout = getattr(settings, "MEDIA_FFPROBE_TIMEOUT", 60)
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              preexec_fn=children.die_with_parent())  # noqa: PLW1509 (prctl only)
    except subprocess.TimeoutExpired as exc:
        raise ProbeError("ffprobe timed out") from exc
    if proc.returncode != 0:
        raise ProbeError(proc.stderr.decode("utf-8", "replace")[-2000:] or "ffprobe failed")
    try:
        return json.loads(proc.stdout or b"{}")
    except ValueError as exc:
        raise ProbeError("ffprobe printed no JSON") from exc


def _float(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and f >= 0 else None  # drop NaN


def summarize(data: dict) -> dict:
    """The facts we keep from ffprobe's output: duration, size, codecs, rotation."""
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = _float(fmt.get("duration"))
    if duration is None:
        duration = max((_float(s.get("duration")) or 0 for s in streams), default=0) or None
    out = {
        "format": fmt.get("format_name", ""),
        "duration": duration,
        "bit_rate": int(_float(fmt.get("bit_rate")) or 0) or None,
        "has_video": video is not None,
        "has_audio": audio is not None,
    }
    if video is not None:
        rotation = 0
        for side in video.get("side_data_list") or []:
            if "rotation" in side:
                rotation = int(_float(abs(side["rotation"])) or 0)
        rotation = rotation or int(_float((video.get("tags") or {}).get("rotate")) or 0)
        out.update(video_codec=video.get("codec_name", ""), width=video.get("width"), height=video.get("height"),
                   rotation=rotation % 360, frame_rate=video.get("avg_frame_rate", ""))
    if audio is not None:
        out.update(audio_codec=audio.get("codec_name", ""), sample_rate=audio.get("sample_rate"),
                   channels=audio.get("channels"))
    return out


class ImageTooLarge(ProbeError):
    """More pixels than MEDIA_MAX_IMAGE_PIXELS (`limit` is that number)."""

    def __init__(self, pixels: int, limit: int):
        super().__init__(f"{pixels} pixels > {limit}")
        self.pixels = pixels
        self.limit = limit


class ImageTooHeavy(ProbeError):
    """Decoding would take more memory than MEDIA_IMAGE_DECODE_BYTES (`limit`): `needed` bytes for
    a `width`×`height` picture in Pillow's `mode` (after any reduction while decoding)."""

    def __init__(self, needed: int, limit: int, width: int, height: int, mode: str):
        super().__init__(f"{width}x{height} {mode} needs {needed} bytes > {limit}")
        self.needed = needed
        self.limit = limit
        self.width = width
        self.height = height
        self.mode = mode


def max_image_pixels() -> int:
    return int(getattr(settings, "MEDIA_MAX_IMAGE_PIXELS", 150_000_000))


def decode_budget() -> int:
    """Bytes one decoded image may take in memory (pixels × bytes per pixel of its mode)."""
    return int(getattr(settings, "MEDIA_IMAGE_DECODE_BYTES", 160 * 1024 * 1024))


def set_pillow_limit() -> int:
    """Make Pillow's own bomb check use our pixel limit (it warns above it and raises above twice
    it); every Image.open of ours is preceded by this, so the limit in force is always ours."""
    limit = max_image_pixels()
    Image.MAX_IMAGE_PIXELS = limit
    # WeasyPrint sets this process-wide when imported (the receipts and forms PDFs); a damaged
    # upload must fail as damaged, not be decoded with grey where its data ends.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return limit


# Bytes per pixel of Pillow's in-memory storage by mode ("RGB" is stored in 4 bytes).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}


def pixel_bytes(mode: str) -> int:
    return _PIXEL_BYTES.get(mode, 4)


def _bomb_pixels(exc: BaseException) -> int:
    """The pixel count from Pillow's DecompressionBomb message ("Image size (N pixels) …")."""
    m = re.search(r"\((\d+) pixels\)", str(exc))
    return int(m.group(1)) if m else 0


def decode_plan(im: Image.Image, box: int | None = None) -> tuple[int, int, str]:
    """The size and mode the worker will decode `im` at (an image opened lazily, not loaded):
    JPEG is decoded reduced (`draft`, by 1/2, 1/4 or 1/8) to no less than `box` on each side;
    other formats at full size. Calls draft() on `im`, so use it on the image you will load."""
    box = box or int(getattr(settings, "MEDIA_WEB_PX", 1600))
    if im.format in ("JPEG", "MPO"):
        w, h = im.size
        long_side = max(w, h, 1)
        # The long side stays >= box (the web rendition's size): the scale is what both sides allow.
        want = (max(1, -(-box * w // long_side)), max(1, -(-box * h // long_side)))
        im.draft("RGB", want)  # only configures the decoder: nothing is decoded here
    width, height = im.size
    return width, height, im.mode


def check_decode(im: Image.Image, box: int | None = None) -> None:
    """Refuse an opened image whose pixels or decoding memory exceed the limits (before decoding)."""
    limit = max_image_pixels()
    width, height = im.size
    if width * height > limit:
        raise ImageTooLarge(width * height, limit)
    w, h, mode = decode_plan(im, box)
    # HEIC is decoded by libheif (YCbCr planes, then its own RGB buffer, read in bands by
    # renditions._reduce_heif): measured ~5.3 bytes a pixel for RGB; counted as 6, 7 with alpha.
    per_pixel = len(mode) + 3 if im.format == "HEIF" and mode in ("RGB", "RGBA") else pixel_bytes(mode)
    needed = w * h * per_pixel
    budget = decode_budget()
    if needed > budget:
        raise ImageTooHeavy(needed, budget, w, h, mode)


def _orientation(im: Image.Image) -> int:
    """EXIF orientation from the header only. PNG's getexif() decodes the whole picture to find an
    eXIf chunk after the pixel data, so for PNG only a chunk before it (in `info`) is used."""
    raw = im.info.get("exif")
    if im.format == "PNG":
        if not raw:
            return 1
        exif = Image.Exif()
        exif.load(raw if isinstance(raw, bytes) else b"")
    else:
        exif = im.getexif()
    try:
        return int(exif.get(0x0112, 1) or 1)
    except (TypeError, ValueError):
        return 1


def image_info(path: str | os.PathLike) -> dict:
    """Width, height and format of an image, read from its header (nothing is decoded) and checked
    for integrity. Refused before decoding: more pixels than MEDIA_MAX_IMAGE_PIXELS (ImageTooLarge)
    or more decoding memory than MEDIA_IMAGE_DECODE_BYTES (ImageTooHeavy)."""
    limit = set_pillow_limit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                width, height = im.size
                fmt = im.format or ""
                mode = im.mode
                orientation = _orientation(im)
                check_decode(im)
            with Image.open(path) as im:  # verify() must come straight after open()
                im.verify()
    except (ImageTooLarge, ImageTooHeavy):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(_bomb_pixels(exc), limit) from exc
    except Exception as exc:  # Pillow raises many types for damaged files
        raise ProbeError(str(exc) or exc.__class__.__name__) from exc
    if orientation in (5, 6, 7, 8):  # EXIF rotation by 90°: the picture as seen is turned
        width, height = height, width
    return {"width": width, "height": height, "format": fmt, "mode": mode, "orientation": orientation}
