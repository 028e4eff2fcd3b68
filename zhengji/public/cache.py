"""The anonymous page cache of the public site, invalidated by tags.

A cached page names the tags it depends on ("entry:12", "track:3", "campaign:1", "site"). Each
tag has a version number in the cache; the page's key contains the current versions, so `bump(tag)`
makes every page that depends on the tag miss at once, without knowing which pages those are.
Logged-in visitors (and anyone with a session message waiting) are never served from the cache:
their pages differ (vote buttons, "your comment awaits moderation").

`bump_entry(entry)` is connected to every save of an entry (edits, decisions, publication), so a
decision or an edit shows within seconds; areas bump their own tags (a new comment, a showcase
decision, a vote window opening).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from zhengji.media import access

PREFIX = "pc:"
VERSION_TTL = 60 * 60 * 24 * 30
# A page holds the visitor's CSRF token (language switch, logout, htmx headers): it is stored with
# a placeholder and each visitor gets their own token filled in when the page is served.
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_PLACEHOLDER = b"__ZJ_CSRF_TOKEN__"


def _vkey(tag: str) -> str:
    return f"{PREFIX}v:{tag}"


def versions(tags: Iterable[str]) -> list[int]:
    tags = list(tags)
    got = cache.get_many([_vkey(t) for t in tags])
    return [int(got.get(_vkey(t), 0)) for t in tags]


def bump(*tags: str) -> None:
    """Invalidate every cached page that depends on one of `tags`. Whatever changes what the public
    sees bumps a tag, so this also forgets the media app's remembered public answers (renditions
    of an entry that stops being shown close at once, not after `MEDIA_PUBLIC_CACHE_SECONDS`)."""
    if tags:
        access.public_changed()
    for tag in tags:
        key = _vkey(tag)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, VERSION_TTL)


def remember(key: str, tags: list[str], compute: Callable[[], Any], ttl: int = VERSION_TTL) -> Any:
    """`compute()`, remembered under `key` until one of `tags` is bumped: one cache round trip when
    it is known (the value and the tags' versions are read together), so a page's own cache
    lookups (which tags it depends on) cost no query on a hit."""
    keys = [_vkey(t) for t in tags]
    got = cache.get_many([*keys, PREFIX + "r:" + key])
    now = [int(got.get(k, 0)) for k in keys]
    hit = got.get(PREFIX + "r:" + key)
    if hit is not None and hit[0] == now:
        return hit[1]
    value = compute()
    cache.set(PREFIX + "r:" + key, (now, value), ttl)
    return value


def bump_entry(entry: Any) -> None:
    track = entry.track
    bump(f"entry:{entry.pk}", f"track:{entry.track_id}", f"campaign:{track.campaign_id}")


def cacheable(request: HttpRequest) -> bool:
    if not getattr(settings, "PUBLIC_PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return False
    # A pending flash message belongs to one visitor only.
    return not request.COOKIES.get("messages")


def page_key(request: HttpRequest, tags: list[str]) -> str:
    """The page's cache key: path, language, htmx and the names of its tags. The tags' versions
    are stored with the page and compared on reading, so versions and page come in one round trip."""
    raw = "|".join([request.get_full_path(), get_language() or "", request.headers.get("HX-Request", ""),
                    ",".join(tags)])
    return PREFIX + "p:" + hashlib.sha256(raw.encode()).hexdigest()


def _lookup(request: HttpRequest, tags: list[str]) -> tuple[str, list[int], Any]:
    """(key, the tags' current versions, the cached (content, content type) or None)."""
    vkeys = [_vkey(t) for t in tags]
    key = page_key(request, tags)
    got = cache.get_many([*vkeys, key])
    now = [int(got.get(k, 0)) for k in vkeys]
    stored = got.get(key)
    if stored is not None and list(stored[0]) == now:
        return key, now, stored[1:]
    return key, now, None


def note_tags(request: HttpRequest, tags: list[str]) -> None:
    """For a view whose `cached_page` tags function said None: the tags, with their versions read
    now (right after the query that found them, before the rest of the page is read), so a bump
    while the page renders leaves it under an old key, never served."""
    if cacheable(request):
        request._zj_page_tags = (tags, versions(tags))  # type: ignore[attr-defined]


def _late(request: HttpRequest, tags: Callable[[], list[str] | None]) -> tuple[str, list[int]] | None:
    """Where a page whose tags were not known before the view goes: the tags the view noted (with
    their versions read then), else the tags function asked again."""
    noted = getattr(request, "_zj_page_tags", None)
    if noted is not None:
        return page_key(request, noted[0]), list(noted[1])
    named = tags()
    if named is None:
        return None
    return page_key(request, named), versions(named)


def cached_page(tags: Callable[..., list[str] | None], timeout: int | None = None) -> Callable:
    """Serve anonymous GETs of a view from the cache. `tags(request, *args, **kwargs)` names what
    the page depends on (or None when it cannot say without a query: the view runs, then `tags` is
    asked again); the response is cached only when it is a 200 without cookies set."""
    ttl = timeout if timeout is not None else getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not cacheable(request):
                return view(request, *args, **kwargs)
            named = tags(request, *args, **kwargs)
            # None: the tags are not known without a query the view makes anyway (a page not seen
            # for a while, hence a miss): render first, then ask again (the view noted them).
            found_at: tuple[str, list[int]] | None = None
            hit = None
            if named is not None:
                key, now, hit = _lookup(request, named)
                found_at = (key, now)
            if hit is not None:
                content, content_type = hit
                if CSRF_PLACEHOLDER in content:
                    content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
                    if hasattr(response, "render") and callable(response.render):
                        response = response.render()
                    content = response.content
                    found = CSRF_INPUT.search(content)
                    if found:
                        content = content.replace(found.group(1), CSRF_PLACEHOLDER)
                    if found_at is None:
                        found_at = _late(request, lambda: tags(request, *args, **kwargs))
                    if found_at is not None:
                        cache.set(found_at[0], (found_at[1], content, response["Content-Type"]), ttl)
                    response["X-Page-Cache"] = "miss"
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            patch_cache_control(response, private=True, max_age=0)
            return response

        return wrapper

    return decorate
