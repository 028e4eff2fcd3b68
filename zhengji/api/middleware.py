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

