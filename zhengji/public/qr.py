"""QR codes of the site's own pages (WeChat users share a page by letting others scan it).

Only addresses of this site are encoded: a path ("/c/2026/t1/") or an absolute URL on
`settings.SITE_URL`'s host, and only paths the site actually answers (they resolve), so the
endpoint is not an open QR service for anyone's links or messages."""

from __future__ import annotations

import functools
import io
from urllib.parse import urlsplit

import segno
from django.urls import Resolver404, resolve

from .share import site_url

MAX_LENGTH = 500


class BadTarget(ValueError):
    """The address is not one of this site's pages."""


def site_path(value: str | None) -> str:
    """The path (with its query) of a page of this site, or BadTarget."""
    value = (value or "").strip()
    if not value or len(value) > MAX_LENGTH:
        raise BadTarget("empty or too long")
    if any(ord(ch) < 32 or ch in "\\\x7f" for ch in value):
        raise BadTarget("control character or backslash")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        site = urlsplit(site_url())
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != site.netloc.lower():
            raise BadTarget("another host")
    elif not value.startswith("/") or value.startswith("//"):
        raise BadTarget("not a path")
    path = parts.path or "/"
    try:
        resolve(path)
    except Resolver404 as exc:
        raise BadTarget("not a page of this site") from exc
    return path + (f"?{parts.query}" if parts.query else "")


def svg(path: str) -> bytes:
    """The SVG QR code of this site's `path` (error correction M, a quiet zone of 4 modules)."""
    return _svg(site_url() + path)


@functools.lru_cache(maxsize=512)
def _svg(url: str) -> bytes:
    code = segno.make(url, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=6, border=4, dark="#000", light="#fff", xmldecl=True, nl=False)
    return out.getvalue()
