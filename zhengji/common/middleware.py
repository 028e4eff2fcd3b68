from __future__ import annotations

from django.conf import settings

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


class PermissionsPolicyMiddleware:
    """Adds the `Permissions-Policy` header (settings.PERMISSIONS_POLICY: feature -> allow-list,
    an empty list switches the feature off) to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.value and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.value
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())
