from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from zhengji.common.errors import DomainError


def install_error_handlers(api) -> None:
    """Every error is JSON {"code", "message"} with a message in the caller's language."""

    def reply(request, status: int, code: str, message: str, **extra):
        return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        extra = {"field": exc.field} if exc.field else {}
        return reply(request, exc.status, exc.code, exc.message, **extra)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return reply(request, 401, "unauthenticated", _("Please log in."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return reply(request, 403, "forbidden", _("You do not have permission to do this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return reply(request, 404, "not_found", _("Not found."))

    @api.exception_handler(ValidationError)
    def django_validation(request, exc: ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return reply(request, 422, "invalid", _("Please correct the errors."), errors=errors)

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request, exc: NinjaValidationError):
        return reply(request, 422, "invalid", _("Please correct the errors."), errors=field_errors(exc.errors))

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def out_of_range(request, exc):
        # A number beyond 64 bits, a text longer than its column: the input's fault, not ours.
        return reply(request, 400, "out_of_range", _("A value is too large or too long."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # ninja's own words for a body that is not JSON; ours are translated.
            return reply(request, 400, "invalid_body", _("The request body is not valid JSON."))
        return reply(request, exc.status_code, "error", str(exc))


def _message(error: dict) -> str:
    """pydantic's message for an error, in the caller's language for the kinds people meet (its
    own words are English only); a rarer kind keeps pydantic's text."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_long" and "max_length" in ctx:
        return _("At most %(n)d characters.") % {"n": ctx["max_length"]}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))}
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return _("Enter a valid date.")
    return str(error.get("msg", ""))


def field_errors(errors: list) -> dict[str, list[str]]:
    """pydantic's list of {loc, msg} as the documented object: dotted location -> messages
    (the same shape as a Django form's errors), e.g. {"body.payload.title": ["此项为必填项。"]}."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = error.get("loc") or ()
        key = ".".join(str(part) for part in loc) or "__all__"
        out.setdefault(key, []).append(_message(error))
    return out
