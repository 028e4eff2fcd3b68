"""API tokens: hashing and the bearer authentication the API and the upload endpoints share.
Tokens are an accounts concept, so they live here, below every app that accepts them."""

from __future__ import annotations

import hashlib

from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from the personal centre's API tokens."""

    def authenticate(self, request, token):
        row = (ApiToken.objects.select_related("user")
               .filter(key_hash=hash_key(token), revoked=False, user__is_active=True).first())
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now())
        request.user = row.user
        return row.user
