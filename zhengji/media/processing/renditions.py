"""Making renditions from a local original into a work folder. Pure file work, no database: the
task in runner.run_processing decides when outputs are saved. Every rendition is a new file with
the metadata stripped (EXIF/GPS of photos, tags of videos), so it is safe to show publicly."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pillow_heif
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from ..filerules import megapixels_words
from . import children
from . import probe as probing

Beat = Callable[[], None]


class ProcessingError(Exception):
    def __init__(self, summary: str, detail: str = ""):
        super().__init__(summary)
        self.summary = summary
        self.detail = detail


def _setting(name: str, default):
    return getattr(settings, name, default)


def _run_ffmpeg(args: list[str], summary: str, beat: Beat | None = None) -> None:
    """ffmpeg in a child that dies with the worker; `beat` is called every few seconds while it
    runs (the processing heartbeat; if it raises, ffmpeg is killed and the error propagates)."""
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-y",
           "-threads", str(_setting("MEDIA_FFMPEG_THREADS", 0)), *args]
    every = max(0.2, min(5.0, float(_setting("MEDIA_HEARTBEAT_SECONDS", 15))))
    try:
        code, err = children.run(cmd, timeout=_setting("MEDIA_FFMPEG_TIMEOUT", 3600), beat=beat, every=every)
    except children.ChildTimeout as exc:
        raise ProcessingError(_("Processing took too long and was stopped."), "ffmpeg timed out") from exc
    if code != 0:
        raise ProcessingError(summary, err.decode("utf-8", "replace")[-2000:])


# --- images ---------------------------------------------------------------------------------

# EXIF orientation → the transpose that shows the picture upright (as ImageOps.exif_transpose).
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
# Rows converted and reduced at a time: a band is at most this many bytes in its working mode.
_BAND_BYTES = 8 * 1024 * 1024


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info)


def _flatten(im: Image.Image) -> Image.Image:
    """RGB, alpha flattened on white (on a small image)."""
    if im.mode == "RGBA":
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
        return flat
    return im if im.mode == "RGB" else im.convert("RGB")


def _reduce_bands(band: Callable[[int, int], Image.Image], size: tuple[int, int], *, alpha: bool, grey: bool,
                  box: int) -> Image.Image:
    """A copy reduced by a whole factor to no less than `box` on its long side, in "RGB", "RGBA" or
    "L", made band by band from `band(top, bottom)` (a few MB of rows at a time): never a second
    full-size copy (a 1-bit or palette picture converted whole took four times its own memory)."""
    work = "RGBA" if alpha else "L" if grey else "RGB"
    w, h = size
    factor = max(1, max(w, h) // box)
    rows = max(factor, (_BAND_BYTES // max(1, w * 4)) // factor * factor)
    out = Image.new(work, (-(-w // factor), -(-h // factor)))
    for top in range(0, h, rows):
        part = band(top, min(h, top + rows))
        if part.mode != work:
            part = part.convert(work)
        if factor > 1:
            part = part.reduce(factor)
        out.paste(part, (0, top // factor))
        del part
    return out


def _reduce(im: Image.Image, box: int) -> Image.Image:
    """`_reduce_bands` of a loaded Pillow image."""
    w, _h = im.size
    return _reduce_bands(lambda top, bottom: im.crop((0, top, w, bottom)), im.size, alpha=_has_alpha(im),
                         grey=im.mode in ("1", "L"), box=box)


def _reduce_heif(src: str | os.PathLike, box: int) -> Image.Image:
    """HEIC/HEIF: libheif decodes into its own buffer; bands are read straight from it, so there is
    no second full-size copy in Pillow (measured: ~5.3 bytes a pixel in all for RGB, 7 by Pillow's path)."""
    heif = pillow_heif.open_heif(src, convert_hdr_to_8bit=True)
    data, stride, mode = heif.data, heif.stride, heif.mode
    w, _h = heif.size

    def band(top: int, bottom: int) -> Image.Image:
        return Image.frombytes(mode, (w, bottom - top), bytes(data[top * stride:bottom * stride]), "raw", mode,
                               stride)

    return _reduce_bands(band, heif.size, alpha="A" in mode, grey=mode == "L", box=box)


def _upright_rgb(src: str | os.PathLike, box: int) -> Image.Image:
    """The picture decoded once, reduced while decoding where the format can (JPEG: draft) and
    right after otherwise, orientation applied, alpha flattened: one small RGB image, no metadata.
    The full-size decode is refused beforehand when over the limits (probe.check_decode)."""
    probing.set_pillow_limit()
    with Image.open(src) as im:
        probing.check_decode(im, box)  # also sets the JPEG draft (decode at 1/2, 1/4 or 1/8)
        orientation = im.getexif().get(0x0112, 1) if im.format != "PNG" else 1
        heif = im.format == "HEIF"
        if not heif:
            im.load()
            if im.format == "PNG":  # an eXIf chunk after the pixels is known only now
                orientation = im.getexif().get(0x0112, 1)
            small = _reduce(im, box)
    if heif:
        small = _reduce_heif(src, box)
    # The full-size decode is closed and freed here; only `small` is left.
    transpose = _TRANSPOSE.get(int(orientation or 1))
    if transpose is not None:
        small = small.transpose(transpose)
    small = _flatten(small)
    clean = Image.new("RGB", small.size)  # a fresh image: no EXIF, GPS, ICC or text chunks
    clean.paste(small)
    return clean


def _clean_rgb(im: Image.Image) -> Image.Image:
    """Orientation applied, alpha flattened on white, and a fresh image with no metadata at all
    (for a video's poster frame, already small)."""
    im = ImageOps.exif_transpose(im)
    if _has_alpha(im):
        im = im.convert("RGBA")
    im = _flatten(im)
    clean = Image.new("RGB", im.size)
    clean.paste(im)
    return clean


def _save_jpeg(im: Image.Image, box: int, out: Path, quality: int = 82) -> Path:
    copy = im.copy()
    copy.thumbnail((box, box), Image.Resampling.LANCZOS, reducing_gap=3.0)  # never enlarges
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out


def image_renditions(src: str | os.PathLike, workdir: Path) -> dict[str, Path]:
    """thumbnail (MEDIA_THUMB_PX) and web (MEDIA_WEB_PX) JPEGs, EXIF and GPS stripped. Memory: one
    decode of the original (within MEDIA_IMAGE_DECODE_BYTES), then small copies only."""
    thumb_px = _setting("MEDIA_THUMB_PX", 320)
    web_px = _setting("MEDIA_WEB_PX", 1600)
    try:
        clean = _upright_rgb(src, web_px)
    except probing.ImageTooLarge as exc:
        raise ProcessingError(_("The image has more than %(limit)s, the limit for processing.")
                              % {"limit": megapixels_words(exc.limit / 1_000_000)}, str(exc)) from exc
    except probing.ImageTooHeavy as exc:
        raise ProcessingError(_("The image needs more than %(limit)d MB of memory to process, the limit.")
                              % {"limit": exc.limit // (1024 * 1024)}, str(exc)) from exc
    except Image.DecompressionBombError as exc:
        raise ProcessingError(_("The image has more than %(limit)s, the limit for processing.")
                              % {"limit": megapixels_words(probing.max_image_pixels() / 1_000_000)},
                              str(exc)) from exc
    except Exception as exc:  # Pillow raises many types for damaged files
        raise ProcessingError(_("The image could not be decoded: it may be damaged or incomplete."),
                              f"{exc.__class__.__name__}: {exc}") from exc
    return {
        "web": _save_jpeg(clean, web_px, workdir / "web.jpg", quality=85),
        "thumbnail": _save_jpeg(clean, thumb_px, workdir / "thumb.jpg"),
    }


# --- video and audio ------------------------------------------------------------------------

def _duration(path: Path) -> float:
    try:
        return probing.summarize(probing.ffprobe(path)).get("duration") or 0.0
    except probing.ProbeError:
        return 0.0


def _check_complete(out: Path, expected: float | None, what: str) -> None:
    """A damaged source often transcodes "successfully" to a much shorter file: compare."""
    got = _duration(out)
    if got <= 0:
        raise ProcessingError(_("The %(what)s could not be decoded: it may be damaged or incomplete.") % {"what": what},
                              "empty output")
    if expected and got < expected * 0.9 - 1:
        raise ProcessingError(
            _("Only %(got).1f s of the %(expected).1f s %(what)s could be decoded: the file seems incomplete or "
              "damaged. Please upload it again.") % {"got": got, "expected": expected, "what": what},
            f"preview {got:.2f}s, source {expected:.2f}s")


def video_renditions(src: str | os.PathLike, workdir: Path, *, duration: float | None = None,
                     beat: Beat | None = None) -> dict[str, Path]:
    """preview: H.264/AAC MP4, short side ≤ MEDIA_PREVIEW_MAX_HEIGHT, CRF MEDIA_PREVIEW_CRF,
    faststart, metadata stripped; web: a poster frame JPEG; thumbnail: the poster, small."""
    short = _setting("MEDIA_PREVIEW_MAX_HEIGHT", 720)
    crf = _setting("MEDIA_PREVIEW_CRF", 28)
    preview = workdir / "preview.mp4"
    # Rotation is applied by ffmpeg before scaling, so iw/ih are the picture as seen.
    scale = (f"scale='if(gte(iw,ih),-2,min({short},iw))':'if(gte(iw,ih),min({short},ih),-2)'"
             ",setsar=1")
    _run_ffmpeg(["-i", str(src), "-map", "0:v:0", "-map", "0:a:0?", "-vf", scale,
                 "-c:v", "libx264", "-preset", _setting("MEDIA_PREVIEW_PRESET", "veryfast"), "-crf", str(crf),
                 "-pix_fmt", "yuv420p", "-profile:v", "high",
                 "-c:a", "aac", "-b:a", "96k", "-ac", "2",
                 "-map_metadata", "-1", "-map_chapters", "-1",
                 "-movflags", "+faststart", "-f", "mp4", str(preview)],
                _("The video could not be converted: it may be damaged or use an unsupported format."), beat)
    _check_complete(preview, duration, _("video"))
    poster = workdir / "poster.jpg"
    at = min(3.0, (duration or 0) / 3)
    _run_ffmpeg(["-ss", f"{at:.2f}", "-i", str(preview), "-frames:v", "1", "-q:v", "3",
                 "-map_metadata", "-1", "-f", "image2", str(poster)],
                _("No picture could be taken from the video."), beat)
    if not poster.exists() or poster.stat().st_size == 0:
        raise ProcessingError(_("No picture could be taken from the video."), "empty poster")
    with Image.open(poster) as im:
        clean = _clean_rgb(im)
    return {
        "preview": preview,
        "web": _save_jpeg(clean, _setting("MEDIA_WEB_PX", 1600), workdir / "poster-web.jpg", quality=85),
        "thumbnail": _save_jpeg(clean, _setting("MEDIA_THUMB_PX", 320), workdir / "thumb.jpg"),
    }


def audio_renditions(src: str | os.PathLike, workdir: Path, *, duration: float | None = None,
                     beat: Beat | None = None) -> dict[str, Path]:
    """preview: AAC in an M4A, faststart, tags (and cover pictures) stripped."""
    preview = workdir / "preview.m4a"
    _run_ffmpeg(["-i", str(src), "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "128k",
                 "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "ipod",
                 str(preview)],
                _("The audio could not be converted: it may be damaged or use an unsupported format."), beat)
    _check_complete(preview, duration, _("audio"))
    return {"preview": preview}


def renditions(kind: str, src: str | os.PathLike, workdir: Path, *, duration: float | None = None,
               beat: Beat | None = None) -> dict[str, Path]:
    if kind == "image":
        return image_renditions(src, workdir)
    if kind == "video":
        return video_renditions(src, workdir, duration=duration, beat=beat)
    if kind == "audio":
        return audio_renditions(src, workdir, duration=duration, beat=beat)
    return {}  # documents: nothing to make
