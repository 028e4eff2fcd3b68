"""File rules: what a stored file must be (kinds, extensions, size, duration, resolution,
megapixels, how many). The file service knows file rules, not where they come from: a track's form
schema (`campaigns.schema.FieldDef.file`) uses this type, and an ingest target (`media.targets`)
hands one to the upload it accepts."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

FILE_KINDS = ("video", "audio", "image", "document")


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
    # How many files of this rule one owner object (e.g. an entry's slot) may hold; checked by
    # the app that attaches files, not at ingest.
    min_count: int = Field(default=0, ge=0)
    max_count: int = Field(default=1, ge=1, le=100)


def _figure(value: float) -> str:
    """3 -> "3", 2.5 -> "2.5", 0.06 -> "0.1", 16000.0 -> "16000": one decimal below 10."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"


def megapixels_words(megapixels: float) -> str:
    """The one wording of an image's pixel count, on the track page, in the entry form and in
    refusals: "300 万像素" on Chinese pages (Chinese counts pixels in 万, ten thousands) and
    "3 megapixels" on English ones."""
    if (get_language() or "zh-hans").lower().startswith("zh"):
        return _("%(n)s ten-thousand pixels") % {"n": _figure(megapixels * 100)}
    figure = _figure(megapixels)
    return _("1 megapixel") if figure == "1" else _("%(n)s megapixels") % {"n": figure}
