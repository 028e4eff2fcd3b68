"""Validation of a file against a FileRule, by its content: the type comes from the magic
bytes (not the name), durations and sizes from ffprobe and Pillow. Every failure is a translated
message naming the limit and the actual value."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from zhengji.common.errors import DomainError

from .. import scanning
from ..filenames import clean_filename
from ..filerules import FileRule, megapixels_words
from . import documents
from . import probe as probing
from .probe import KNOWN, FileType, canonical_ext

AV_CONTAINERS = {"mp4", "m4v", "mov", "webm", "mkv", "3gp", "m4a", "ogg"}


class MediaInvalid(DomainError):
    """The file breaks one or more rules of its slot; `messages` lists each broken rule."""

    code = "media_invalid"
    status = 400

    def __init__(self, messages: list[str], field: str | None = None):
        self.messages = [str(m) for m in messages]
        super().__init__("；".join(self.messages) if _is_zh() else " ".join(self.messages), field=field)


def _is_zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


@dataclass
class Checked:
    """What validation learned about a file."""

    type: FileType
    kind: str
    size: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    probe: dict[str, Any] = field(default_factory=dict)


# --- formatting for messages ----------------------------------------------------------------

def format_duration(seconds: float) -> str:
    """12分03秒 / 12 min 03 s; 1小时02分00秒; 45秒."""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return _("%(h)d h %(m)02d min %(s)02d s") % {"h": h, "m": m, "s": s}
    if m:
        return _("%(m)d min %(s)02d s") % {"m": m, "s": s}
    return _("%(s)d s") % {"s": s}


def format_limit_duration(seconds: int) -> str:
    """A limit as people write it: 10分钟, 30秒, 1分30秒."""
    if seconds and seconds % 60 == 0:
        return ngettext("%(n)d minute", "%(n)d minutes", seconds // 60) % {"n": seconds // 60}
    return format_duration(seconds)


def format_size(n: int) -> str:
    if n >= 1024 ** 3:
        return _("%(n).1f GB") % {"n": n / 1024 ** 3}
    if n >= 1024 * 1024:
        return _("%(n).1f MB") % {"n": n / 1024 / 1024}
    return _("%(n).0f KB") % {"n": max(1, n / 1024)}



def _kind_noun(kind: str) -> str:
    return {"video": _("video"), "audio": _("audio"), "image": _("image"), "document": _("document")}.get(kind, kind)


def _expected_label(rule: FileRule) -> str:
    """E.g. "MP4 视频" or "JPEG 图片、PNG 图片" for the message about a wrong type."""
    labels: list[str] = []
    if rule.extensions:
        for ext in dict.fromkeys(canonical_ext(e) for e in rule.extensions):
            kind, mime = KNOWN.get(ext, ("other", ""))
            label = FileType(ext, mime, kind).label
            if ext == "jpg":
                label = _("%(fmt)s image") % {"fmt": "JPEG"}
            labels.append(label)
    else:
        labels = [_kind_noun(k) for k in rule.kinds]
    return pgettext("list separator", ", ").join(labels)


def _actual_label(ft: FileType | None) -> str:
    if ft is None:
        return _("unknown type")
    if ft.ext == "jpg":
        return _("%(fmt)s image") % {"fmt": "JPEG"}
    return ft.label


# --- the rules ------------------------------------------------------------------------------

# Content types that a given allowed extension also admits: phones write MP4 files whose brand
# says M4V or 3GP; they are the same ISO container and play the same.
COMPATIBLE = {"mp4": {"m4v", "3gp"}, "m4v": {"mp4"}}


def allowed_exts(rule: FileRule) -> set[str]:
    """Canonical content types the rule admits (its extensions, or every type of its kinds)."""
    if rule.extensions:
        exts = {canonical_ext(e) for e in rule.extensions}
        return exts.union(*(COMPATIBLE.get(e, set()) for e in exts))
    return {ext for ext, (kind, _mime) in KNOWN.items() if kind in rule.kinds}


def check_size(size: int, rule: FileRule) -> None:
    """Cheap check before any byte is read (the upload length is known)."""
    if rule.max_size_mb and size > rule.max_size_mb * 1024 * 1024:
        raise MediaInvalid([_("The file is %(actual)s, over the limit of %(limit)s MB.")
                            % {"actual": format_size(size), "limit": rule.max_size_mb}])
    if size <= 0:
        raise MediaInvalid([_("The file is empty.")])


def check_name(filename: str, rule: FileRule) -> None:
    """The extension of the name as it will be stored (a long name is shortened keeping it)."""
    ext = canonical_ext(Path(clean_filename(filename)).suffix)
    if rule.extensions and ext not in {canonical_ext(e) for e in rule.extensions}:
        shown = ", ".join(sorted({e.lower().lstrip(".") for e in rule.extensions}))
        if not ext:
            raise MediaInvalid([_("The file name has no extension; allowed: %(allowed)s.") % {"allowed": shown}])
        raise MediaInvalid([_("Files of type .%(ext)s are not accepted here; allowed: %(allowed)s.")
                            % {"ext": ext, "allowed": shown}])


def validate_path(path: str | os.PathLike[str], *, filename: str, rule: FileRule, size: int | None = None) -> Checked:
    """Check a local file against `rule`; returns what was learned or raises MediaInvalid."""
    size = os.path.getsize(path) if size is None else size
    check_size(size, rule)
    check_name(filename, rule)
    ft = probing.sniff(path)
    if ft is None or ft.ext not in allowed_exts(rule):
        raise MediaInvalid([_("The file content is not %(expected)s (detected as %(actual)s).")
                            % {"expected": _expected_label(rule), "actual": _actual_label(ft)}])
    kind = ft.kind
    checked = Checked(type=ft, kind=kind, size=size)
    if kind in ("video", "audio"):
        _check_av(path, ft, rule, checked)
    elif kind == "image":
        _check_image(path, rule, checked)
    elif ft.ext == "pdf":
        _check_pdf(path, checked)
    elif documents.is_zip_document(ft.ext):
        _check_zip(path, checked)
    if checked.kind not in rule.kinds:
        raise MediaInvalid([_("The file content is not %(expected)s (detected as %(actual)s).")
                            % {"expected": _expected_label(rule), "actual": _kind_noun(checked.kind)}])
    check_virus(Path(path), filename=filename, content_type=ft.mime)
    return checked


def check_virus(path: Path, *, filename: str, content_type: str) -> None:
    """The optional virus scan (`media.scanning`), last, on a file that passed every other check."""
    result = scanning.scan(path, filename=filename, content_type=content_type)
    if result is None or result.status == "clean":
        return
    if result.status == "infected":
        raise MediaInvalid([_("The virus scan found %(signature)s in this file; it was not accepted.")
                            % {"signature": result.signature or _("a threat")}])
    if not scanning.fail_open():
        raise DomainError(_("The file could not be scanned for viruses just now; please try again later."),
                          code="scan_unavailable", status=503)


def _check_pdf(path: str | os.PathLike[str], checked: Checked) -> None:
    try:
        info = documents.check_pdf(path)
    except documents.PdfRefused as exc:
        raise MediaInvalid([_("The file is not a valid PDF document: it may be damaged, incomplete or "
                              "something else named .pdf.")]) from exc
    if info["pages"]:
        checked.probe = {"pages": info["pages"]}


def _check_zip(path: str | os.PathLike[str], checked: Checked) -> None:
    what = _expected_label(FileRule(kinds=["document"], extensions=[checked.type.ext]))
    try:
        checked.probe = documents.check_zip(path)
    except documents.ArchiveRefused as exc:
        member = documents.member_name(exc.member)
        messages = {
            "total": _("The %(what)s unpacks to more than %(limit)s, the limit for documents.")
            % {"what": what, "limit": format_size(int(exc.allowed))},
            "members": _("The %(what)s has more than %(limit)d parts, the limit for documents.")
            % {"what": what, "limit": int(exc.allowed)},
            "ratio": _("The part %(member)s of the %(what)s is compressed %(actual)d to 1, over the limit of "
                       "%(limit)d to 1.") % {"member": member, "what": what, "actual": int(exc.value),
                                             "limit": int(exc.allowed)},
            "nested": _("The %(what)s contains an archive (%(member)s), which is not accepted.")
            % {"what": what, "member": member},
            "depth": _("The %(what)s contains embedded documents nested more than %(limit)d deep.")
            % {"what": what, "limit": int(exc.allowed) - 1},
        }
        default = _("The %(what)s could not be read: it may be damaged or incomplete.") % {"what": what}
        raise MediaInvalid([messages.get(exc.limit, default)]) from exc


def _check_av(path: str | os.PathLike[str], ft: FileType, rule: FileRule, checked: Checked) -> None:
    try:
        info = probing.summarize(probing.ffprobe(path))
    except probing.ProbeError as exc:
        raise MediaInvalid([_("The %(what)s could not be read: it may be damaged or incomplete.")
                            % {"what": _kind_noun(ft.kind)}]) from exc
    # The container says little (an MP4 may hold only sound): the streams decide the kind.
    if ft.ext in AV_CONTAINERS:
        checked.kind = "video" if info["has_video"] else "audio" if info["has_audio"] else ft.kind
    if checked.kind == "video" and not info["has_video"] or checked.kind == "audio" and not info["has_audio"]:
        raise MediaInvalid([_("The %(what)s could not be read: it may be damaged or incomplete.")
                            % {"what": _kind_noun(checked.kind)}])
    checked.probe = info
    checked.duration = info.get("duration")
    what = _kind_noun(checked.kind)
    errors: list[str] = []
    if checked.duration is None or checked.duration <= 0:
        errors.append(_("The length of the %(what)s could not be read.") % {"what": what})
    else:
        if rule.max_duration_s and checked.duration > rule.max_duration_s + 0.5:
            errors.append(_("The %(what)s lasts %(actual)s, over the limit of %(limit)s.")
                          % {"what": what, "actual": format_duration(checked.duration),
                             "limit": format_limit_duration(rule.max_duration_s)})
        if rule.min_duration_s and checked.duration < rule.min_duration_s - 0.5:
            errors.append(_("The %(what)s lasts %(actual)s, under the minimum of %(limit)s.")
                          % {"what": what, "actual": format_duration(checked.duration),
                             "limit": format_limit_duration(rule.min_duration_s)})
    if checked.kind == "video":
        w, h = info.get("width") or 0, info.get("height") or 0
        if info.get("rotation") in (90, 270):
            w, h = h, w
        checked.width, checked.height = w or None, h or None
        errors += _resolution_errors(w, h, rule, what)
    if errors:
        raise MediaInvalid(errors)


def _resolution_errors(w: int, h: int, rule: FileRule, what: str) -> list[str]:
    errors: list[str] = []
    if rule.min_width or rule.min_height:
        # Compared without regard to orientation: a portrait 1080×1920 phone video meets a
        # 1920×1080 minimum (the long side against the larger minimum, the short against the other).
        need_long, need_short = sorted([rule.min_width or 0, rule.min_height or 0], reverse=True)
        have_long, have_short = max(w, h), min(w, h)
        if have_long < need_long or have_short < need_short:
            errors.append(_("The %(what)s is %(w)d×%(h)d pixels, below the required %(mw)s×%(mh)s.")
                          % {"what": what, "w": w, "h": h, "mw": rule.min_width or "–", "mh": rule.min_height or "–"})
    if rule.min_megapixels:
        mp = w * h / 1_000_000
        if mp < rule.min_megapixels:
            errors.append(_("The %(what)s has %(actual)s, below the required %(limit)s.")
                          % {"what": what, "actual": megapixels_words(mp),
                             "limit": megapixels_words(rule.min_megapixels)})
    return errors


def _check_image(path: str | os.PathLike[str], rule: FileRule, checked: Checked) -> None:
    what = _kind_noun("image")
    try:
        info = probing.image_info(path)
    except probing.ImageTooLarge as exc:
        if exc.pixels:
            raise MediaInvalid([_("The image has %(actual)s, over the limit of %(limit)s.")
                                % {"actual": megapixels_words(exc.pixels / 1_000_000),
                                   "limit": megapixels_words(exc.limit / 1_000_000)}]) from exc
        raise MediaInvalid([_("The image is too large to process safely (more than %(limit)s).")
                            % {"limit": megapixels_words(exc.limit / 1_000_000)}]) from exc
    except probing.ImageTooHeavy as exc:
        raise MediaInvalid([_("The image (%(w)d×%(h)d pixels) needs %(actual)s of memory to process, "
                              "over the limit of %(limit)s. Please upload it smaller or as a JPEG.")
                            % {"w": exc.width, "h": exc.height,
                               "actual": format_size(exc.needed), "limit": format_size(exc.limit)}]) from exc
    except probing.ProbeError as exc:
        raise MediaInvalid([_("The image could not be read: it may be damaged or incomplete.")]) from exc
    checked.width, checked.height = info["width"], info["height"]
    checked.probe = {"format": info["format"], "orientation": info["orientation"]}
    errors = _resolution_errors(info["width"], info["height"], rule, what)
    if errors:
        raise MediaInvalid(errors)
