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


def field_errors(errors: list) -> dict[str, list[str]]:
    """pydantic's list of {loc, msg} as the documented object: dotted location -> messages
    (the same shape as a Django form's errors), e.g. {"body.payload.title": ["Field required"]}."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = error.get("loc") or ()
        key = ".".join(str(part) for part in loc) or "__all__"
        out.setdefault(key, []).append(str(error.get("msg", "")))
    return out
