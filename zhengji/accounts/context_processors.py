"""Template context owned by accounts: whether the user is staff (the menu shows "Manage")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .plugins import is_staff


def staff(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"zj_is_staff": False}
    # Lazy: the scopes query runs only when a template asks (the nav does, once; it is cached).
    return {"zj_is_staff": SimpleLazyObject(lambda: is_staff(user))}
