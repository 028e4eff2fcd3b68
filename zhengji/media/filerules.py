"""File rules: what a stored file must be (kinds, extensions, size, duration, resolution,
megapixels, how many). The file service knows file rules, not where they come from: a track's form
schema (`campaigns.schema.FieldDef.file`) uses this type, and an ingest target (`media.targets`)
hands one to the upload it accepts."""

from __future__ import annotations

from typing import Literal

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
