"""Turn configuration (phase dates, form schemas, entrant types) into words for the public site."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from zhengji.campaigns.models import Campaign, Phase
from zhengji.campaigns.policy import policy_for, start_of_day
from zhengji.campaigns.sanitize import clean_html
from zhengji.campaigns.schema import FieldDef, FileRule, parse_schema
from zhengji.common.i18n import localized
from zhengji.common.registry import public_awards
from zhengji.entries.models import Entry
from zhengji.media.filerules import megapixels_words

ENTRANT_LABELS = {
    "individual": lambda: _("Individuals"),
    "team": lambda: _("Teams"),
    "unit": lambda: _("Units"),
}


def entrant_words(types: list | None) -> str:
    labels = [ENTRANT_LABELS[t]() if t in ENTRANT_LABELS else str(t) for t in (types or [])]
    return _join(labels)


def _join(parts: list[str]) -> str:
    # Chinese lists use a full-width comma; the separator is a translatable string.
    return pgettext("clause separator", ", ").join(p for p in parts if p)


# --- Timeline -----------------------------------------------------------------------------------

@dataclass
class TimelineStep:
    key: str
    label: str
    start: dt.date
    end: dt.date | None
    state: str  # "done", "current" or "upcoming"

    @property
    def is_current(self) -> bool:
        return self.state == "current"


def current_phase(campaign: Campaign, today: dt.date) -> str:
    """The phase on `today`; a draft (seen in preview) is placed by its dates as if published."""
    return policy_for(campaign, start_of_day(today)).dated_phase


def timeline(campaign: Campaign, today: dt.date) -> list[TimelineStep]:
    phase = current_phase(campaign, today)
    steps: list[TimelineStep] = []
    seen_current = False
    for item in campaign.timeline():
        if item["key"] == phase:
            state = "current"
            seen_current = True
        else:
            state = "upcoming" if seen_current else "done"
        steps.append(TimelineStep(item["key"], str(item["label"]), item["start"], item["end"], state))
    if not seen_current and phase == Phase.CLOSED:
        # Between collection and review: collection is done, nothing later has begun.
        for s in steps:
            s.state = "done" if s.key in (Phase.LAUNCHED, Phase.COLLECTING) else "upcoming"
    elif not seen_current:  # e.g. a draft phase: nothing done yet
        for s in steps:
            s.state = "upcoming"
    return steps


def phase_label(key: str) -> str:
    return str(Phase(key).label) if key in Phase.values else key


# --- Form schema in words --------------------------------------------------------------------------

def _size_words(mb: int) -> str:
    if mb >= 1024 and mb % 1024 == 0:
        return _("%(n)s GB") % {"n": mb // 1024}
    if mb >= 1024:
        return _("%(n)s GB") % {"n": f"{mb / 1024:.1f}"}
    return _("%(n)s MB") % {"n": mb}


def _duration_words(seconds: int) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        n = seconds // 60
        return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n}
    return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}


def file_rule_words(rule: FileRule) -> str:
    """E.g. "MP4，≤ 10 分钟，≤ 2 GB，≥ 720p" (in Chinese) or "MP4, ≤ 10 minutes, ≤ 2 GB, ≥ 720p"."""
    parts: list[str] = []
    if rule.extensions:
        parts.append("/".join(e.upper() for e in rule.extensions))
    else:
        kind_names = {"video": _("video"), "audio": _("audio"), "image": _("image"), "document": _("document")}
        parts.append("/".join(str(kind_names.get(k, k)) for k in rule.kinds))
    if rule.min_duration_s:
        parts.append("≥ " + _duration_words(rule.min_duration_s))
    if rule.max_duration_s:
        parts.append("≤ " + _duration_words(rule.max_duration_s))
    if rule.max_size_mb:
        parts.append("≤ " + _size_words(rule.max_size_mb))
    is_video = "video" in rule.kinds
    if rule.min_width and rule.min_height:
        if is_video:
            parts.append(f"≥ {rule.min_height}p")
        else:
            parts.append(_("≥ %(w)s×%(h)s pixels") % {"w": rule.min_width, "h": rule.min_height})
    elif rule.min_height:
        parts.append(f"≥ {rule.min_height}p" if is_video else _("≥ %(n)s pixels high") % {"n": rule.min_height})
    elif rule.min_width:
        parts.append(_("≥ %(n)s pixels wide") % {"n": rule.min_width})
    if rule.min_megapixels:
        parts.append("≥ " + megapixels_words(rule.min_megapixels))
    if rule.max_count > 1:
        if rule.min_count > 1:
            parts.append(_("%(a)s–%(b)s files") % {"a": rule.min_count, "b": rule.max_count})
        else:
            parts.append(ngettext("up to %(n)s file", "up to %(n)s files", rule.max_count) % {"n": rule.max_count})
    return _join(parts)


def field_words(f: FieldDef) -> str:
    """What the field asks for, in one short phrase."""
    if f.type == "file" and f.file is not None:
        return file_rule_words(f.file)
    if f.type in ("longtext", "richtext"):
        if f.min_words and f.max_words:
            return _("%(a)s–%(b)s characters") % {"a": f.min_words, "b": f.max_words}
        if f.max_words:
            return _("≤ %(n)s characters") % {"n": f.max_words}
        if f.min_words:
            return _("≥ %(n)s characters") % {"n": f.min_words}
        return _("Text")
    if f.type == "text":
        return _("≤ %(n)s characters") % {"n": f.max_length} if f.max_length else _("Short text")
    if f.type in ("choice", "multichoice"):
        labels = [localized(c, "label") for c in f.choices]
        prefix = _("One of") if f.type == "choice" else _("Any of")
        return f"{prefix}: {_join(labels)}"
    names = {"number": _("A number"), "date": _("A date"), "url": _("A web address")}
    return str(names.get(f.type, f.type))


@dataclass
class FieldSummary:
    label: str
    required: bool
    words: str
    help: str
    is_file: bool


def form_summary(schema: list | None) -> list[FieldSummary]:
    """The entry form in words; an invalid stored schema shows nothing rather than failing."""
    try:
        fields = parse_schema(schema)
    except ValidationError:
        return []
    return [FieldSummary(localized(f, "label"), f.required, field_words(f), localized(f, "help"), f.type == "file")
            for f in fields]


# --- Results --------------------------------------------------------------------------------------

def tracks_with_results(awards: dict) -> set[int]:
    """The tracks whose results are public, from their awards (`common.registry.public_awards`):
    one query of track ids, whatever the number of awards."""
    if not awards:
        return set()
    return set(Entry.objects.filter(pk__in=list(awards)).values_list("track_id", flat=True).distinct())


def awarded_tracks(track_ids: list[int]) -> set[int]:
    return tracks_with_results(public_awards.awards(track_ids)) if track_ids else set()


# --- Announcement bodies ----------------------------------------------------------------------------

IMAGE_EXTENSIONS = frozenset({"jpg", "png", "webp", "gif"})


@dataclass
class Attachment:
    name: str
    url: str
    ext: str


@dataclass
class Body:
    """An announcement's text as the public reads it: sanitised HTML, its pictures (site paths)
    and the files attached in the editor (listed again under the text)."""

    html: str
    images: list[str]
    attachments: list[Attachment]


def _stored_file(href: str) -> str | None:
    """The extension of a file stored by the editor (`campaigns:richtext_file`), or None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.kwargs.get("ext") if match.view_name == "campaigns:richtext_file" else None


def _same_site(src: str) -> bool:
    parts = urlsplit(src)
    return not parts.scheme and not parts.netloc and src.startswith("/") and not src.startswith("//")


class _BodyWriter(HTMLParser):
    """Re-writes sanitised HTML: pictures only from this site (the CSP would block others, and a
    foreign picture would tell another server who reads the page), lazily loaded and fitted to the
    screen; links to attached files marked and collected."""

    VOID = frozenset({"br", "img"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.images: list[str] = []
        self.attachments: list[Attachment] = []
        self._link: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "img":
            src = a.get("src", "")
            if not _same_site(src):
                return
            self.images.append(src)
            a = {"src": src, "alt": a.get("alt", ""), "loading": "lazy", "class": "img-fluid rounded"}
        elif tag == "a":
            ext = _stored_file(a.get("href", ""))
            if ext and ext not in IMAGE_EXTENSIONS:
                a["class"] = "zj-attachment"
                a["download"] = ""
                self._link = {"href": a["href"], "ext": ext, "text": []}
        self.out.append(f"<{tag}" + "".join(f' {k}="{escape(v)}"' for k, v in a.items()) + ">")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if tag == "a" and self._link is not None:
            name = "".join(self._link["text"]).strip() or self._link["href"].rsplit("/", 1)[-1]
            self.attachments.append(Attachment(name, self._link["href"], self._link["ext"].upper()))
            self._link = None
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link["text"].append(data)
        self.out.append(escape(data))


def announcement_body(text: str) -> Body:
    """Sanitise (the same rule as on save: `campaigns.sanitize`) and re-write an announcement's
    body; plain text (older announcements, the API) becomes paragraphs."""
    text = str(text or "")
    if not re.search(r"<[a-zA-Z]", text):
        return Body(mark_safe(linebreaks(text, autoescape=True)), [], [])  # noqa: S308 - escaped by linebreaks
    writer = _BodyWriter()
    writer.feed(clean_html(text))
    writer.close()
    return Body(mark_safe("".join(writer.out)), writer.images, writer.attachments)  # noqa: S308 - built from nh3 output, escaped
