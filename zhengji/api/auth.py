from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from zhengji.accounts.tokens import TokenAuth


class LoggedInSession(SessionAuth):
    """Django's session, with CSRF checked only for a logged-in caller: an anonymous unsafe call
    is unauthenticated (401, as documented), not a CSRF failure (403). A session that is logged
    in still needs the CSRF token for unsafe methods."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key is not None and request.user.is_authenticated else None


def auth_methods() -> list:
    # Bearer tokens for scripts, session auth (with CSRF for unsafe methods) for the browser.
    # The token goes first: SessionAuth stops the chain when its CSRF check fails, which would
    # refuse a token-authenticated POST that carries no CSRF token (and needs none).
    return [TokenAuth(), LoggedInSession()]
