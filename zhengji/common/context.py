"""Per-request context (actor, IP) so domain functions can audit without taking a request."""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    nets = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ZHENGJI_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return tuple(nets)


def _address(value: str | None) -> str | None:
    """A valid IP address in its normal form, or None."""
    return _normal_address(value or "")


# Parsing an address costs tens of microseconds and every request parses its client's: the same
# few thousand addresses come back again and again (the vote path counts each of them).
@lru_cache(maxsize=4096)
def _normal_address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one function every limit, audit record and pledge uses.

    `X-Forwarded-For` is believed only as far as it was written by proxies we trust: the hops
    are walked from the right, starting at REMOTE_ADDR, skipping each hop that is a trusted
    proxy (`ZHENGJI_TRUSTED_PROXIES`, addresses or networks) or one of the last
    `ZHENGJI_TRUSTED_PROXY_HOPS` hops; the first hop that is neither is the client. With
    neither setting (the default), the header is ignored and the client is REMOTE_ADDR.
    """
    remote = _address(request.META.get("REMOTE_ADDR"))
    nets = _trusted_networks(tuple(getattr(settings, "ZHENGJI_TRUSTED_PROXIES", ()) or ()))
    hops = int(getattr(settings, "ZHENGJI_TRUSTED_PROXY_HOPS", 0) or 0)
    if remote is None or (not nets and hops <= 0):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [h for h in (p.strip() for p in forwarded.split(",")) if h][::-1]  # nearest hop first
    addr = remote
    position = 0  # 0 = REMOTE_ADDR, 1 = the rightmost forwarded hop, ...
    while position < hops or any(ipaddress.ip_address(addr) in net for net in nets):
        if position >= len(chain):
            break  # every hop was a proxy: the leftmost one is all we know
        nxt = _address(chain[position])
        if nxt is None:
            break  # a garbled hop: keep the last address a trusted proxy vouched for
        addr = nxt
        position += 1
    return addr
