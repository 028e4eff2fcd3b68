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
from ..filenames import clean_filename, hidden_extension
from ..filerules import FileRule, megapixels_words
from . import content, documents
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


class HostileFile(MediaInvalid):
    """Refused because the file is built to attack (markup or script in disguise, a polyglot, a
    decompression bomb, a hidden runnable extension, a virus): its bytes are not kept
    (`ingest.create_media_from_upload` drops the staged upload)."""


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


# Extensions a name must not end in (whatever the content), beyond the types of KNOWN.
DANGEROUS = {"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "xslt", "php", "php3", "php4", "php5",
             "php7", "phtml", "phar", "pht", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "py", "sh", "js", "mjs",
             "vbs", "vbe", "wsf", "hta", "exe", "com", "bat", "cmd", "scr", "msi", "dll", "jar", "ps1", "swf",
             "lnk", "reg", "cpl", "pif", "url", "desktop", "appimage"}


def _shown_name(filename: str) -> str:
    name = clean_filename(filename)
    return name if len(name) <= 60 else name[:28] + "…" + name[-28:]


def check_name_matches(filename: str, ft: FileType) -> None:
    """The name must not disguise the content: no executable or web type hidden before the
    extension (x.php.jpg), and an extension that names a type must name one of the content's kind
    (a JPEG named .pdf or .html is refused; a PNG named .jpg is a picture all the same)."""
    name = clean_filename(filename)
    inner = hidden_extension(name)
    if inner:
        raise HostileFile([_("The file name %(name)s hides another type (.%(inner)s) before its extension; "
                              "please rename the file so that it ends only in .%(ext)s.")
                            % {"name": _shown_name(filename), "inner": inner, "ext": ft.ext}])
    ext = canonical_ext(Path(name).suffix)
    if not ext:
        return
    kinds = {ft.kind} | ({"video", "audio"} if ft.kind in ("video", "audio") else set())
    named_kind = KNOWN.get(ext, ("other" if ext in DANGEROUS else "", ""))[0]
    if named_kind and named_kind not in kinds:
        raise MediaInvalid([_("The file is named .%(ext)s but its content is %(actual)s; please give it the "
                              "right extension.") % {"ext": ext, "actual": _actual_label(ft)}])


def _refuse_active(what: str, found: str) -> MediaInvalid:
    return HostileFile([_("The %(what)s contains web page or script code (%(marker)s) and was not accepted.")
                         % {"what": what, "marker": found}])


def _check_image_content(path: str | os.PathLike[str], ft: FileType) -> None:
    """Polyglots: markup in the first KB, in text metadata or anywhere in the picture; anything
    after the end of a PNG or GIF; markup, an archive or a program after the end of a JPEG; a ZIP
    readable from the end of the file."""
    what = _actual_label(ft)
    with open(path, "rb") as fh:
        head = fh.read(content.HEAD)
    found = content.find_in_bytes(head)
    layout = content.image_layout(path, ft.ext)
    if found is None and layout is not None:
        for blob in layout.metadata:
            found = content.find_in_bytes(blob)
            if found:
                break
    if found is None and layout is not None and layout.end < os.path.getsize(path):
        if ft.ext in ("png", "gif") and not content.only_padding(path, layout.end):
            raise HostileFile([_("The %(what)s has %(size)s of other data after the end of the picture, as "
                                  "disguised files do; please save it again with an image editor.")
                                % {"what": what, "size": format_size(os.path.getsize(path) - layout.end)}])
        found = content.find_in_file(path, layout.end, short=True)
    if found is None:
        found = content.find_in_file(path)
    if found:
        raise _refuse_active(what, found)
    _check_hidden_file(path, what, layout.end if layout is not None else None)


def _check_hidden_file(path: str | os.PathLike[str], what: str, end: int | None = None) -> None:
    hidden = content.hidden_file(path, end)
    if hidden:
        raise HostileFile([_("The %(what)s has another file (%(kind)s) hidden in it, as disguised files do; it "
                             "was not accepted.") % {"what": what, "kind": hidden}])


AV_EDGE = 64 * 1024
ISO_MEDIA = {"mp4", "m4v", "mov", "3gp", "m4a"}


def _check_av_content(path: str | os.PathLike[str], ft: FileType) -> None:
    """Markup in the first and last 64 KB or after the last box, a truncated ISO media file (a box
    claims more bytes than there are), and a ZIP readable from the end of the file."""
    what = _actual_label(ft)
    size = os.path.getsize(path)
    found = content.find_in_file(path, 0, AV_EDGE, short=True) or content.find_in_file(
        path, max(0, size - AV_EDGE), short=True)
    if found:
        raise _refuse_active(what, found)
    if ft.ext in ISO_MEDIA:
        layout = content.iso_layout(path)
        if layout is not None and layout.truncated:
            raise MediaInvalid([_("The %(what)s is incomplete: the file ends after %(actual)s, but its contents "
                                  "need %(declared)s. Please upload the whole file again.")
                                % {"what": what, "actual": format_size(size),
                                   "declared": format_size(layout.declared)}])
        if layout is not None and layout.end < size:
            found = content.find_in_file(path, layout.end, short=True)
            if found:
                raise _refuse_active(what, found)
    _check_hidden_file(path, what)


def validate_path(path: str | os.PathLike[str], *, filename: str, rule: FileRule, size: int | None = None) -> Checked:
    """Check a local file against `rule`; returns what was learned or raises MediaInvalid."""
    size = os.path.getsize(path) if size is None else size
    check_size(size, rule)
    check_name(filename, rule)
    ft = probing.sniff(path)
    if ft is not None and ft.ext in content.MARKUP:
        raise HostileFile([_("The file is %(actual)s, not %(expected)s: web pages, scripts and SVG or XML "
                              "files can run code in a browser and are not accepted.")
                            % {"expected": _expected_label(rule), "actual": _actual_label(ft)}])
    if ft is None or ft.ext not in allowed_exts(rule):
        raise MediaInvalid([_("The file content is not %(expected)s (detected as %(actual)s).")
                            % {"expected": _expected_label(rule), "actual": _actual_label(ft)}])
    check_name_matches(filename, ft)
    kind = ft.kind
    checked = Checked(type=ft, kind=kind, size=size)
    if kind in ("video", "audio"):
        _check_av_content(path, ft)
        _check_av(path, ft, rule, checked)
    elif kind == "image":
        _check_image_content(path, ft)
        _check_image(path, rule, checked)
    elif ft.ext == "pdf":
        _check_pdf(path, checked)
    elif documents.is_zip_document(ft.ext):
        _check_zip(path, checked)
    if checked.kind not in rule.kinds:
        raise MediaInvalid([_("The file content is not %(expected)s (detected as %(actual)s).")
                            % {"expected": _expected_label(rule), "actual": _kind_noun(checked.kind)}])
    scanned = check_virus(Path(path), filename=filename, content_type=ft.mime)
    if scanned != "off":
        checked.probe["virus_scan"] = scanned
    return checked


def check_virus(path: Path, *, filename: str, content_type: str) -> str:
    """The optional virus scan (`media.scanning`), last, on a file that passed every other check.
    Returns what is recorded as `probe["virus_scan"]`: "off" (no scanner), "clean" or "unscanned"
    (the scanner failed and MEDIA_VIRUS_SCAN_FAIL_OPEN let the file in). A file the scanner did
    not read whole is never "clean"."""
    result = scanning.scan(path, filename=filename, content_type=content_type)
    if result is None:
        return "off"
    if result.status == "clean":
        return "clean"
    if result.status == "infected":
        raise HostileFile([_("The virus scan found %(signature)s in this file; it was not accepted.")
                            % {"signature": result.signature or _("a threat")}])
    if scanning.fail_open():
        return "unscanned"
    if result.reason == "too_large":
        raise MediaInvalid([_("The file is too large to be scanned for viruses, so it was not accepted. "
                              "Please upload a smaller file.")])
    raise DomainError(_("The file could not be scanned for viruses just now; please try again later."),
                      code="scan_unavailable", status=503)


def _check_pdf(path: str | os.PathLike[str], checked: Checked) -> None:
    _check_hidden_file(path, _actual_label(checked.type))
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
            "size": _("The part %(member)s of the %(what)s unpacks to more than the %(declared)s it declares, as "
                      "decompression bombs do; it was not accepted.")
            % {"member": member, "what": what, "declared": format_size(int(exc.allowed))},
            "overlap": _("Parts of the %(what)s share their data (%(member)s), as decompression bombs do; it was "
                         "not accepted.") % {"member": member, "what": what},
            "doctype": _("The part %(member)s of the %(what)s declares a document type or entities, which documents "
                         "do not use and XML attacks do; it was not accepted.") % {"member": member, "what": what},
        }
        default = _("The %(what)s could not be read: it may be damaged or incomplete.") % {"what": what}
        refusal = MediaInvalid if exc.limit in ("damaged", "members", "depth") else HostileFile
        raise refusal([messages.get(exc.limit, default)]) from exc


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
