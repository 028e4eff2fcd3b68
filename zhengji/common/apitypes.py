"""Input types for the JSON API that accept only what their schema says.

pydantic's lax mode reads `0` or `"0"` as the date 1970-01-01 and `"²"`-like digits in places;
the OpenAPI schema promises an ISO date (`format: date`), so anything else is refused (422)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, model_validator

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("Input should be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # pydantic parses it (and refuses 2026-02-30)
    raise ValueError("Input should be a date in the form YYYY-MM-DD")


_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                           r"(Z|[+-][0-9]{2}:?[0-9]{2})?")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        return value
    raise ValueError("Input should be a date and time in ISO 8601 form, e.g. 2026-05-31T18:00:00+08:00")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]


class InputSchema(Schema):
    """Base of every JSON request body. ninja's `Schema` reads attributes from any object (for
    ORM instances), so `[null, null]` or `"x"` would validate as an empty body; a body must be a
    JSON object."""

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, data: Any) -> Any:
        # ninja's own validator wraps the value (DjangoGetter) before ours runs; look inside.
        if isinstance(getattr(data, "_obj", data), (dict, Schema)):
            return data
        raise ValueError("The request body must be a JSON object")


class ApiError(Schema):
    """The one error body of the API (zhengji.api.errors writes every error this way)."""

    code: str
    message: str
    field: str | None = None
    errors: dict[str, list[str]] | None = None
