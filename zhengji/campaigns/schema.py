"""The entry form schema of a track: a list of field definitions stored in Track.form_schema.

Every consumer (the campaign-admin builder, the entry form, the API, media validation) reads it
through `parse_schema`, so the format is defined once, here.

Example field:
    {"key": "video", "type": "file", "label": "作品视频", "label_en": "Video", "required": true,
     "file": {"kinds": ["video"], "extensions": ["mp4"], "max_size_mb": 2048,
              "max_duration_s": 600, "min_width": 1280, "min_height": 720, "max_count": 1}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from zhengji.media.filerules import FILE_KINDS as FILE_KINDS  # re-exported for the form builder
from zhengji.media.filerules import FileRule

FIELD_TYPES = ("text", "longtext", "richtext", "number", "choice", "multichoice", "date", "url", "file")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=60)
    label: str = Field(min_length=1, max_length=120)
    label_en: str = ""


class FieldDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    type: Literal["text", "longtext", "richtext", "number", "choice", "multichoice", "date", "url", "file"]
    label: str = Field(min_length=1, max_length=120)
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False
    max_length: int | None = Field(default=None, gt=0)  # text
    # longtext/richtext: counted as CJK characters plus Latin words (see count_words).
    min_words: int | None = Field(default=None, ge=0)
    max_words: int | None = Field(default=None, gt=0)
    min_value: float | None = None  # number
    max_value: float | None = None
    choices: list[Choice] = Field(default_factory=list)  # choice / multichoice
    file: FileRule | None = None  # file
    # Answers that say who made the work (a name, an account, a unit) are hidden from judges.
    identifying: bool = False

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not KEY_RE.match(v):
            raise ValueError("key must be lower-case letters, digits and _, starting with a letter")
        return v


def _error_text(err: Mapping[str, Any]) -> str:
    """A pydantic error in the reader's language (pydantic's own messages are English only)."""
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    messages = {
        "missing": _("This is required."),
        "string_too_short": _("Too short (at least %(min_length)s characters)."),
        "string_too_long": _("Too long (at most %(max_length)s characters)."),
        "too_short": _("Give at least %(min_length)s."),
        "too_long": _("Give at most %(max_length)s."),
        "greater_than": _("Must be greater than %(gt)s."),
        "greater_than_equal": _("Must be at least %(ge)s."),
        "less_than": _("Must be less than %(lt)s."),
        "less_than_equal": _("Must be at most %(le)s."),
        "int_parsing": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "list_type": _("Must be a list."),
        "model_type": _("Must be an object."),
        "dict_type": _("Must be an object."),
        "model_attributes_type": _("Must be an object."),
        "literal_error": _("Choose one of: %(expected)s."),
        "extra_forbidden": _("Unknown setting."),
    }
    if kind == "value_error" and err.get("loc") and err["loc"][-1] == "key":
        return _("Use lower-case letters, digits and _, starting with a letter (at most 40).")
    template = messages.get(kind)
    if template is None:
        return str(err.get("msg", ""))
    try:
        return template % {k: str(v) for k, v in ctx.items()}
    except (KeyError, ValueError):
        return str(err.get("msg", ""))


_WHERE = {
    "key": gettext_lazy("internal name"),
    "type": gettext_lazy("type"),
    "label": gettext_lazy("label"),
    "label_en": gettext_lazy("English label"),
    "help": gettext_lazy("help text"),
    "help_en": gettext_lazy("English help text"),
    "max_length": gettext_lazy("maximum length"),
    "min_words": gettext_lazy("minimum words"),
    "max_words": gettext_lazy("maximum words"),
    "min_value": gettext_lazy("minimum"),
    "max_value": gettext_lazy("maximum"),
    "choices": gettext_lazy("options"),
    "file": gettext_lazy("file upload rules"),
    "kinds": gettext_lazy("kinds of file"),
    "extensions": gettext_lazy("extensions"),
    "max_size_mb": gettext_lazy("max size (MB)"),
    "min_duration_s": gettext_lazy("min duration (s)"),
    "max_duration_s": gettext_lazy("max duration (s)"),
    "min_width": gettext_lazy("min width (px)"),
    "min_height": gettext_lazy("min height (px)"),
    "min_megapixels": gettext_lazy("min megapixels"),
    "min_count": gettext_lazy("min files"),
    "max_count": gettext_lazy("max files"),
    "value": gettext_lazy("value"),
}


def _where_words(loc: tuple) -> str:
    """A pydantic location in the reader's words: ("choices", 0, "label") -> "options 1: label"."""
    parts = []
    for p in loc:
        if isinstance(p, int):
            parts.append(str(p + 1))
        else:
            parts.append(str(_WHERE.get(str(p), p)))
    return " ".join(parts)


def check_schema(data, *, for_people: bool = False) -> tuple[list[FieldDef], list[tuple[int | None, str]]]:
    """Validate without raising: the parsed fields and the errors as (field number from 1, or None
    for the whole form; translated message). parse_schema is the raising form of this; the
    builder uses this to show each error next to its field. `for_people` names fields by their
    label and settings in words (the builder); otherwise by key and JSON path (the API, JSON tab)."""
    if data in (None, ""):
        return [], []
    if not isinstance(data, list):
        return [], [(None, _("The form must be a list of fields."))]
    fields: list[FieldDef] = []
    errors: list[tuple[int | None, str]] = []
    seen: set[str] = set()

    def name_of(raw) -> str:
        if not isinstance(raw, dict):
            return "?"
        if for_people:
            return str(raw.get("label") or "…")
        return str(raw.get("key", "?"))

    def add(i: int, key: str, msg: str) -> None:
        errors.append((i, _("Field %(n)s (%(key)s): %(msg)s") % {"n": i, "key": key, "msg": msg}))

    for i, raw in enumerate(data, start=1):
        try:
            f = FieldDef.model_validate(raw)
        except PydanticValidationError as exc:
            key = name_of(raw)
            for err in exc.errors():
                loc = tuple(err["loc"])
                where = _where_words(loc) if for_people else ".".join(str(p) for p in loc)
                errors.append((i, _("Field %(n)s (%(key)s): %(where)s: %(msg)s")
                               % {"n": i, "key": key, "where": where, "msg": _error_text(err)}))
            continue
        if f.key in seen:
            if for_people:
                errors.append((i, _("Field %(n)s (%(key)s): another field has the same internal name.")
                               % {"n": i, "key": f.label}))
            else:
                errors.append((i, _("Field %(n)s: the key “%(key)s” is used twice.") % {"n": i, "key": f.key}))
        seen.add(f.key)
        key = f.label if for_people else f.key
        if f.type in ("choice", "multichoice"):
            if not f.choices:
                add(i, key, _("a choice field needs options."))
            values = [c.value for c in f.choices]
            if len(values) != len(set(values)):
                add(i, key, _("two options have the same value."))
        if f.type == "file" and f.file is None:
            add(i, key, _("a file field needs file rules."))
        if f.file is not None:
            r = f.file
            if r.min_count > r.max_count:
                add(i, key, _("the minimum number of files exceeds the maximum."))
            if r.min_duration_s is not None and r.max_duration_s is not None and r.min_duration_s > r.max_duration_s:
                add(i, key, _("the minimum duration exceeds the maximum."))
            if any(not re.match(r"^[a-z0-9]{1,10}$", e) for e in r.extensions):
                add(i, key, _("extensions are lower-case letters and digits, without the dot."))
        if f.min_words and f.max_words and f.min_words > f.max_words:
            add(i, key, _("the minimum length exceeds the maximum."))
        if f.min_value is not None and f.max_value is not None and f.min_value > f.max_value:
            add(i, key, _("the minimum value exceeds the maximum."))
        fields.append(f)
    return fields, errors


def parse_schema(data: list | None) -> list[FieldDef]:
    """Validate a stored or submitted schema; raises django ValidationError with translated,
    per-field messages ("Field 3 (video): …")."""
    fields, errors = check_schema(data)
    if errors:
        raise ValidationError([msg for _n, msg in errors])
    return fields


def dump_schema(fields: list[FieldDef]) -> list[dict]:
    """The stored form of parsed fields: defaults left out, so the JSON stays short."""
    out = []
    for f in fields:
        d = f.model_dump(exclude_defaults=True)
        d.update(key=f.key, type=f.type, label=f.label)
        if f.file is not None:
            d["file"] = f.file.model_dump(exclude_defaults=True) | {"kinds": list(f.file.kinds)}
        out.append(d)
    return out


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def count_words(text: str) -> int:
    """Length as Chinese readers count it: each CJK character is one, each Latin word is one."""
    return len(_CJK.findall(text)) + len(_LATIN_WORD.findall(_CJK.sub(" ", text)))
