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
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

FIELD_TYPES = ("text", "longtext", "richtext", "number", "choice", "multichoice", "date", "url", "file")
FILE_KINDS = ("video", "audio", "image", "document")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=60)
    label: str = Field(min_length=1, max_length=120)
    label_en: str = ""


class FileRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: list[Literal["video", "audio", "image", "document"]] = Field(min_length=1)
    # Allowed extensions (lower case, no dot); the content is checked by magic bytes too.
    extensions: list[str] = Field(default_factory=list)
    max_size_mb: int | None = Field(default=None, gt=0, le=4096)
    min_duration_s: int | None = Field(default=None, ge=0)
    max_duration_s: int | None = Field(default=None, gt=0)
    min_width: int | None = Field(default=None, gt=0)
    min_height: int | None = Field(default=None, gt=0)
    min_megapixels: float | None = Field(default=None, gt=0)
    min_count: int = Field(default=0, ge=0)
    max_count: int = Field(default=1, ge=1, le=100)


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

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not KEY_RE.match(v):
            raise ValueError("key must be lower-case letters, digits and _, starting with a letter")
        return v


def parse_schema(data: list | None) -> list[FieldDef]:
    """Validate a stored or submitted schema; raises django ValidationError with translated,
    per-field messages ("Field 3 (video): …")."""
    if data in (None, ""):
        return []
    if not isinstance(data, list):
        raise ValidationError(_("The form must be a list of fields."))
    fields: list[FieldDef] = []
    errors: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(data, start=1):
        try:
            f = FieldDef.model_validate(raw)
        except PydanticValidationError as exc:
            key = raw.get("key", "?") if isinstance(raw, dict) else "?"
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                errors.append(_("Field %(n)s (%(key)s): %(where)s: %(msg)s")
                              % {"n": i, "key": key, "where": where, "msg": err["msg"]})
            continue
        if f.key in seen:
            errors.append(_("Field %(n)s: the key “%(key)s” is used twice.") % {"n": i, "key": f.key})
        seen.add(f.key)
        if f.type in ("choice", "multichoice") and not f.choices:
            errors.append(_("Field %(n)s (%(key)s): a choice field needs options.") % {"n": i, "key": f.key})
        if f.type == "file" and f.file is None:
            errors.append(_("Field %(n)s (%(key)s): a file field needs file rules.") % {"n": i, "key": f.key})
        if f.file is not None and f.file.min_count > f.file.max_count:
            errors.append(_("Field %(n)s (%(key)s): the minimum number of files exceeds the maximum.")
                          % {"n": i, "key": f.key})
        if f.min_words and f.max_words and f.min_words > f.max_words:
            errors.append(_("Field %(n)s (%(key)s): the minimum length exceeds the maximum.")
                          % {"n": i, "key": f.key})
        fields.append(f)
    if errors:
        raise ValidationError(errors)
    return fields


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def count_words(text: str) -> int:
    """Length as Chinese readers count it: each CJK character is one, each Latin word is one."""
    return len(_CJK.findall(text)) + len(_LATIN_WORD.findall(_CJK.sub(" ", text)))
