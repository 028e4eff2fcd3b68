from __future__ import annotations

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
