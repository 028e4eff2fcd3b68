"""What a shared link shows: the page's title, description, canonical address and picture (Open
Graph, read by WeChat, QQ and other apps when a link is pasted), and the page's QR code.

Addresses are made from `settings.SITE_URL`, never from the request's Host header: the anonymous
page cache keys pages by path only, so a page built for a forged Host must not carry that host to
the next visitor (and the QR code of a page must point at the real site)."""

from __future__ import annotations

import functools
import io
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

DESCRIPTION_CHARS = 120
# The default picture: 1200×630, the size the link previews of most apps expect.
IMAGE_SIZE = (1200, 630)
BRAND_RED = (183, 28, 28)


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def absolute(path_or_url: str) -> str:
    """An address on this site made absolute; an absolute address is returned unchanged."""
    if not path_or_url:
        return ""
    if urlsplit(path_or_url).scheme in ("http", "https"):
        return path_or_url
    return site_url() + ("" if path_or_url.startswith("/") else "/") + path_or_url


def summary(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """Plain text of at most `limit` characters from text that may be HTML (rules, a body)."""
    plain = " ".join(strip_tags(str(text or "")).split())
    return Truncator(plain).chars(limit)


def share_context(request: HttpRequest, *, title: str, description: str, image: str = "",
                  kind: str = "website") -> dict[str, Any]:
    """{title, description, url (absolute), image (absolute), path, type} of the page `request` shows
    (`kind`: the og:type, "website" or "article").

    `image` is a path or URL of a picture (a campaign's banner); without one the site's default
    picture is used, so og:image is always present."""
    path = request.get_full_path()
    return {
        "title": str(title),
        "description": summary(description),
        "url": absolute(path),
        "path": path,
        "image": absolute(image) if image else absolute(reverse("public:share_image")),
        "type": kind,
    }


@functools.lru_cache(maxsize=1)
def default_image_png() -> bytes:
    """A plain picture in the site's colour (generated: no binary in the repository)."""
    from PIL import Image, ImageDraw  # noqa: PLC0415 (Pillow only when the picture is first asked for)

    img = Image.new("RGB", IMAGE_SIZE, BRAND_RED)
    draw = ImageDraw.Draw(img)
    w, h = IMAGE_SIZE
    draw.rectangle((0, h - 90, w, h), fill=(140, 16, 16))
    draw.ellipse((w // 2 - 150, h // 2 - 190, w // 2 + 150, h // 2 + 110), outline=(255, 255, 255), width=18)
    draw.rectangle((w // 2 - 12, h // 2 - 120, w // 2 + 12, h // 2 + 40), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()
