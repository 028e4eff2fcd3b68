"""Site notifications (the bell in the menu), with an optional SMS copy through `common.sms`."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from .models import Notification
from .sms import send_sms

log = logging.getLogger(__name__)


def notify(user: Any, title: str, body: str = "", url: str = "", *, sms: str = "") -> Notification:
    """In-site notification; with `sms`, that text also goes to the user's mobile number."""
    note = Notification.objects.create(user=user, title=str(title), body=str(body), url=url)
    if sms:
        _sms(user, sms)
    return note


def notify_many(users: Iterable[Any], title: str, body: str = "", url: str = "", *, sms: str = "") -> int:
    """The same notification to many users in one insert (and the SMS to each, if given).
    Call after commit: a failing SMS provider is logged, never undoes the change."""
    users = list(users)
    Notification.objects.bulk_create([Notification(user=u, title=str(title), body=str(body), url=url)
                                      for u in users])
    if sms:
        for u in users:
            _sms(u, sms)
    return len(users)


def _sms(user: Any, text: str) -> None:
    phone = getattr(user, "phone", "") or ""
    if not phone:
        return
    try:
        send_sms(phone, str(text))
    except Exception:  # a provider outage must not break the page that notified
        log.exception("SMS to user %s failed", getattr(user, "pk", None))
