"""The OpenAPI schema tells the truth about errors: every operation documents the error answers
any operation can give (they come from one place, zhengji.api.errors), with one error schema.

A router only documents its successes and any error it wants to describe in its own words; the
common ones are added here, so a new endpoint cannot forget them."""

from __future__ import annotations

import threading
from typing import Any

from django.utils import translation
from ninja import NinjaAPI

_BUILDING = threading.Lock()

ERROR_REF = "#/components/schemas/ApiError"
ERROR_SCHEMA: dict[str, Any] = {
    "title": "ApiError",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Stable machine-readable code, e.g. `invalid`."},
        "message": {"type": "string", "description": "Human-readable, in the caller's language."},
        "field": {"type": "string", "description": "The input field the error is about, if one."},
        "errors": {
            "type": "object",
            "description": "Per field (dotted location, `__all__` for the whole input): its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
# Answers any operation may give; 401 only where the operation needs a caller.
COMMON_ERRORS = {
    "400": "Malformed request: unreadable body, a number or date in the wrong form, a NUL character.",
    "403": "Not allowed for this caller (or a CSRF token is missing on a logged-in session).",
    "404": "Not found, or not visible to this caller.",
    "409": "Conflicts with the object's current state (e.g. a closed phase, a used quota).",
    "422": "The input is well-formed but invalid; `errors` names each field.",
    "429": "Too many requests; try again later.",
}
UNAUTHENTICATED = "Not logged in: send a session cookie or an `Authorization: Bearer` token."
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Every text is refused with NUL in it (zhengji.common.middleware, PostgreSQL cannot store it).
NO_NUL = "^[^\\u0000]*$"


def _forbid_nul(node: Any) -> None:
    """Say on every plain string of the schema that NUL is not allowed in it."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "pattern" not in node and "format" not in node and "enum" not in node:
            node["pattern"] = NO_NUL
        for value in node.values():
            _forbid_nul(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_nul(value)


def add_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _forbid_nul(components)
    _forbid_nul(schema.get("paths", {}))
    components["ApiError"] = ERROR_SCHEMA
    for path_item in schema.get("paths", {}).values():
        for method, op in path_item.items():
            if method not in HTTP_METHODS:
                continue
            # ninja keys responses by int; JSON keys are strings either way.
            responses = {str(code): response for code, response in op.get("responses", {}).items()}
            op["responses"] = responses
            codes = dict(COMMON_ERRORS)
            if op.get("security"):
                codes["401"] = UNAUTHENTICATED
            for code, description in codes.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                # Every error answer has the one error body (zhengji.api.errors makes them all).
                if code.startswith("4"):
                    response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
    return schema


class ZhengjiAPI(NinjaAPI):
    """The schema is built once per process, path prefix and language: building it walks every
    operation's models (1-4 s of CPU for ~600 KB), and the routes never change while running, so an
    anonymous caller asking for /api/openapi.json again and again must not cost that each time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple[str | None, str | None], Any] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, translation.get_language())
        schema = self._schemas.get(key)
        if schema is None:
            with _BUILDING:
                schema = self._schemas.get(key)
                if schema is None:
                    schema = add_common_errors(super().get_openapi_schema(path_prefix=path_prefix))
                    self._schemas[key] = schema
        return schema
