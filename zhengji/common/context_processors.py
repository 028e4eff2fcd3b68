"""Template context every page needs from common: the site name, DEBUG, the unread count.
Context owned by an app above lives in that app (accounts.context_processors.staff)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"SITE_NAME_ZH": "征集", "DEBUG": settings.DEBUG, "unread_notifications": unread}
