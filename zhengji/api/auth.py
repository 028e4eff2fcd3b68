from __future__ import annotations

import hashlib

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from the personal centre's API tokens."""

    def authenticate(self, request, token):
        from zhengji.accounts.models import ApiToken

        row = (ApiToken.objects.select_related("user")
               .filter(key_hash=hash_key(token), revoked=False, user__is_active=True).first())
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now())
        request.user = row.user
        return row.user


def auth_methods():
    # Bearer tokens for scripts, session auth (with CSRF for unsafe methods) for the browser.
    # The token goes first: SessionAuth stops the chain when its CSRF check fails, which would
    # refuse a token-authenticated POST that carries no CSRF token (and needs none).
    return [TokenAuth(), SessionAuth()]
