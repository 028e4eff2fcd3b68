from __future__ import annotations

import json

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from .context import _actor, _ip, client_ip


class RequestContextMiddleware:
    """Expose the request's user and IP to domain functions (for the audit log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        t1 = _actor.set(user if user is not None and user.is_authenticated else None)
        t2 = _ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(t1)
            _ip.reset(t2)


class RequestSanityMiddleware:
    """Refuse, before any view runs, input no view can store or read: a NUL character in any text
    (path, query string, form fields, JSON body; PostgreSQL cannot store it), and a body
    that cannot be parsed (multipart without a boundary, broken form encoding). Numbers beyond
    what the database holds and values it refuses end as 400 too, not 500.

    Under /api/ and /files/ the answer is a JSON error; elsewhere the 400 page with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            nul = _has_nul(request)
        except (MultiPartParserError, UnicodeDecodeError, ValueError):
            return bad_request(request, "invalid_body", _("The request body could not be read."))
        if nul:
            return bad_request(request, "invalid", _("Text may not contain NUL characters."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OverflowError, DataError)):
            return bad_request(request, "out_of_range", _("A value is too large or too long."))
        return None


def bad_request(request: HttpRequest, code: str, message: str) -> HttpResponse:
    if request.path.startswith(("/api/", "/files/")):  # the JSON API and the tus/ingest endpoints
        body = json.dumps({"code": code, "message": str(message)}, ensure_ascii=False)
        return HttpResponse(body, status=400, content_type="application/json")
    return render(request, "400.html", {"reason": message}, status=400)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                     for key, values in request.GET.lists()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type in _FORM_TYPES:
        # Parsing here caches request.POST/FILES for the view (no view sets its own upload handlers);
        # Django drops non-printable characters from uploaded files' names itself.
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    if request.content_type == "application/json":
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    return False
