"""Validation of an entry's custom answers against its track's form schema (campaigns.schema).

`clean_answers(fields, raw, strict=False)` is used for drafts: whatever can be understood is
normalised, whatever cannot is kept as typed (so nothing the entrant typed is lost) and no rule
is enforced. With strict=True (submission, and edits of a submitted entry) every rule is
enforced and the errors come back per field key.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.campaigns.schema import FieldDef, count_words

# Rich text keeps simple structure only; links get rel="noopener noreferrer nofollow" from nh3.
RICH_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "h3", "h4", "a"}
RICH_ATTRIBUTES = {"a": {"href", "title"}}
MAX_RAW_LENGTH = 50_000  # a draft answer longer than this is cut (a pasted book is not an answer)


def sanitize_rich(value: str) -> str:
    return nh3.clean(value, tags=RICH_TAGS, attributes=RICH_ATTRIBUTES, url_schemes={"http", "https", "mailto"})


def plain_text(value: str) -> str:
    return html.unescape(nh3.clean(value, tags=set()))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return str(value)[:MAX_RAW_LENGTH]


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError
    n = float(str(value).strip().replace(",", ""))
    if n != n or n in (float("inf"), float("-inf")):
        raise ValueError
    return int(n) if n.is_integer() and abs(n) < 2**53 else n


def _clean_one(f: FieldDef, value: Any, strict: bool) -> Any:
    """Return the normalised value; raise ValidationError (only when strict) with the message."""
    if f.type in ("text", "longtext", "url"):
        v = _as_text(value).strip()
        if not strict or not v:
            return v
        if f.type == "text" and f.max_length and len(v) > f.max_length:
            raise ValidationError(ngettext("At most %(n)d character.", "At most %(n)d characters.", f.max_length)
                                  % {"n": f.max_length})
        if f.type == "longtext":
            _check_words(f, v)
        if f.type == "url":
            try:
                URLValidator(schemes=["http", "https"])(v)
            except ValidationError:
                raise ValidationError(_("Enter a valid web address starting with http:// or https://."))
        return v
    if f.type == "richtext":
        v = sanitize_rich(_as_text(value)).strip()
        if strict and plain_text(v).strip():
            _check_words(f, plain_text(v))
        return v
    if f.type == "number":
        if _is_empty(value):
            return ""
        try:
            n = _number(value)
        except (TypeError, ValueError):
            if strict:
                raise ValidationError(_("Enter a number."))
            return _as_text(value)
        if strict and f.min_value is not None and n < f.min_value:
            raise ValidationError(_("Enter a number of at least %(n)s.") % {"n": _fmt(f.min_value)})
        if strict and f.max_value is not None and n > f.max_value:
            raise ValidationError(_("Enter a number of at most %(n)s.") % {"n": _fmt(f.max_value)})
        return n
    if f.type == "choice":
        v = _as_text(value).strip()
        if strict and v and v not in {c.value for c in f.choices}:
            raise ValidationError(_("Choose one of the options."))
        return v
    if f.type == "multichoice":
        items = value if isinstance(value, list) else ([value] if not _is_empty(value) else [])
        items = [str(i) for i in items if not _is_empty(i)][:100]
        allowed = [c.value for c in f.choices]
        if strict and any(i not in allowed for i in items):
            raise ValidationError(_("Choose only from the options."))
        # Keep the options' order and drop repeats.
        return [c for c in allowed if c in items] + [i for i in dict.fromkeys(items) if i not in allowed]
    if f.type == "date":
        v = _as_text(value).strip()
        if not v:
            return ""
        try:
            return dt.date.fromisoformat(v).isoformat()
        except ValueError:
            if strict:
                raise ValidationError(_("Enter a date such as 2025-09-05."))
            return v
    return value


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _check_words(f: FieldDef, text: str) -> None:
    n = count_words(text)
    if f.min_words is not None and n < f.min_words:
        raise ValidationError(_("At least %(min)d characters or words (now %(n)d).") % {"min": f.min_words, "n": n})
    if f.max_words is not None and n > f.max_words:
        raise ValidationError(_("At most %(max)d characters or words (now %(n)d).") % {"max": f.max_words, "n": n})


def clean_answers(fields: list[FieldDef], raw: dict, *, strict: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """Answers of the non-file fields, normalised; errors per key (empty unless strict)."""
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for f in fields:
        if f.type == "file":
            continue
        value = raw.get(f.key)
        try:
            cleaned = _clean_one(f, value, strict)
        except ValidationError as exc:
            errors[f.key] = exc.messages
            data[f.key] = value if not isinstance(value, str) else value[:MAX_RAW_LENGTH]
            continue
        if strict and f.required and _is_empty(cleaned):
            errors[f.key] = [_("This field is required.")]
        data[f.key] = cleaned
    return data, errors
