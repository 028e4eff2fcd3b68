"""Turn configuration (phase dates, form schemas, entrant types) into words for the public site."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from zhengji.campaigns.models import Campaign, Phase
from zhengji.campaigns.policy import policy_for, start_of_day
from zhengji.campaigns.schema import FieldDef, FileRule, parse_schema
from zhengji.common.i18n import localized
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
