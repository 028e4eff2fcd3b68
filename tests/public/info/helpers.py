"""Shared helpers of the information area's tests."""

from __future__ import annotations

import re
from html import unescape

from django.utils import timezone

from zhengji.public.models import Showcase
from zhengji.review.models import PublicityStatus

META = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">')


def meta(page: str) -> dict[str, str]:
    """The page's meta tags (property/name → content, unescaped)."""
    return {k: unescape(v) for k, v in META.findall(page)}


def title(page: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip())


def show(entries) -> None:
    """Approve entries for display (the public gate shows approved entries still in the running)."""
    for e in entries:
        Showcase.objects.update_or_create(entry=e, defaults={"track": e.track, "approved": True,
                                                             "approved_at": timezone.now()})


def published_world(world, **kw):
    """The publicity world with its results on notice now."""
    return world.publicity(status=kw.pop("status", PublicityStatus.OPEN), **kw)
