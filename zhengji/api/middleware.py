"""Errors Django answers before the API sees the request (an unknown path, a method the operation
does not allow) come back as the API's JSON error too, not as an HTML page."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

_MESSAGES = {
    404: ("not_found", lambda: _("Not found.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and _has_nul(request):
            # PostgreSQL text cannot hold NUL; refuse it up front for every operation, as Django's
            # forms do, rather than in each schema.
            body = json.dumps({"code": "invalid", "message": str(_("Text may not contain NUL characters."))},
                              ensure_ascii=False)
            return HttpResponse(body, status=400, content_type="application/json")
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code in _MESSAGES
                and not response.get("Content-Type", "").startswith("application/json")):
            code, message = _MESSAGES[response.status_code]
            body = json.dumps({"code": code, "message": str(message())}, ensure_ascii=False)
            replaced = HttpResponse(body, status=response.status_code, content_type="application/json")
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response


def _has_nul(request) -> bool:
    if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
        return True
    if request.content_type in ("application/json", "application/x-www-form-urlencoded"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body or b"%00" in body
    return False
