from __future__ import annotations

from .models import Notification


def notify(user, title: str, body: str = "", url: str = "") -> Notification:
    """In-site notification; SMS/e-mail channels hang off this in later work."""
    return Notification.objects.create(user=user, title=str(title), body=str(body), url=url)
