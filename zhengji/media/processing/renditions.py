"""Making renditions from a local original into a work folder. Pure file work, no database: the
task in runner.run_processing decides when outputs are saved. Every rendition is a new file with
the metadata stripped (EXIF/GPS of photos, tags of videos), so it is safe to show publicly."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

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

def _clean_rgb(im: Image.Image) -> Image.Image:
    """Orientation applied, alpha flattened on white, and a fresh image with no metadata at all."""
    im = ImageOps.exif_transpose(im)
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        im = flat
    elif im.mode != "RGB":
        im = im.convert("RGB")
    clean = Image.new("RGB", im.size)
    clean.paste(im)
    return clean


def _save_jpeg(im: Image.Image, box: int, out: Path, quality: int = 82) -> Path:
    copy = im.copy()
    copy.thumbnail((box, box), Image.Resampling.LANCZOS)  # never enlarges
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out


def image_renditions(src: str | os.PathLike, workdir: Path) -> dict[str, Path]:
    """thumbnail (MEDIA_THUMB_PX) and web (MEDIA_WEB_PX) JPEGs, EXIF and GPS stripped."""
    thumb_px = _setting("MEDIA_THUMB_PX", 320)
    web_px = _setting("MEDIA_WEB_PX", 1600)
    Image.MAX_IMAGE_PIXELS = probing.max_image_pixels()
    try:
        with Image.open(src) as im:
            im.draft("RGB", (web_px, web_px))  # JPEG: decode at a reduced scale, much faster
            im.load()
            clean = _clean_rgb(im)
    except (Image.DecompressionBombError, probing.ProbeError) as exc:
        raise ProcessingError(_("The image is too large to process."), str(exc)) from exc
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
