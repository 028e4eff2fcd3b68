"""Template context every page needs: the site name, DEBUG, the unread count, and whether the
user may open the staff hub (the menu's "Manage"), as the apps registered it (common.registry)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import registry


def site(request: HttpRequest) -> dict[str, Any]:
    unread = 0
    is_staff: Any = False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
        # Lazy: the checks run only when a template asks (the nav does, once; scopes are cached).
        is_staff = SimpleLazyObject(lambda: registry.staff_checks.is_staff(user))
    return {"SITE_NAME_ZH": "征集", "DEBUG": settings.DEBUG, "unread_notifications": unread,
            "zj_is_staff": is_staff}
