"""Per-request context (actor, IP) so domain functions can audit without taking a request."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("zhengji_actor", default=None)
_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("zhengji_ip", default=None)


def current_actor() -> Any:
    return _actor.get()


def current_ip() -> str | None:
    return _ip.get()


@contextmanager
def acting(actor: Any = None, ip: str | None = None) -> Iterator[None]:
    t1 = _actor.set(actor)
    t2 = _ip.set(ip)
    try:
        yield
    finally:
        _actor.reset(t1)
        _ip.reset(t2)


def client_ip(request: HttpRequest) -> str | None:
    # Behind a trusted proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
