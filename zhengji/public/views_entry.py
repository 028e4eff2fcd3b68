"""The public entry page (/w/<pk>/) and its view beacon. Its files are the media app's renditions
(`media:rendition`, opened to everyone for public entries by `gate.file_is_public`).

Everything goes through the public gate (`entries_for(..., View.PUBLIC)`): a draft, a
disqualified or an unapproved entry is 404 for everyone here. Anonymous visitors get the page
from the tag-invalidated cache (entry, track, campaign); logged-in visitors get it live (their
vote box and comment form differ)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from zhengji.entries.queries import View, entries_for

from . import counters, entry_page
from .cache import cached_page, note_tags


def _tc_key(pk: int) -> str:
    return f"pe:tc:{pk}"


def _tags(request, pk: int) -> list[str] | None:
    """entry, track and campaign tags. The entry → (track, campaign) pair is remembered (forgotten
    when the entry is saved, hooks_entry), so a cache hit costs no query; when it is not known the
    page is not either (both are made together), so None: the view runs and remembers it."""
    pair = cache.get(_tc_key(pk))
    if pair is None:
        return None
    return [f"entry:{pk}", f"track:{pair[0]}", f"campaign:{pair[1]}"]


def page_context(request, page: entry_page.EntryPage) -> dict:
    images = [m for m in page.media if m.kind == "image"]
    sets: dict[str, dict] = {}
    for m in images:
        sets.setdefault(m.slot, {"slot": m.slot, "label": m.slot_label, "items": []})["items"].append(m)
    for s in sets.values():
        total = len(s["items"])
        s["slides"] = [{"m": m, "n": i, "alt": entry_page.photo_alt(page.title, i, total)}
                       for i, m in enumerate(s["items"], start=1)]
    card_keys = set(page.account.keys) if page.account else set()
    image = entry_page.cover(page)
    return {
        "page": page,
        "videos": [m for m in page.media if m.kind == "video"],
        "audios": [m for m in page.media if m.kind == "audio"],
        "photo_sets": list(sets.values()),
        "long_answers": [a for a in page.answers if a.long],
        "short_answers": [a for a in page.answers if not a.long and a.key not in card_keys],
        "seen_token": counters.seen_token(page.id),
        "share": {"title": page.title, "description": entry_page.share_description(page),
                  "url": request.build_absolute_uri(page.url),
                  "image": request.build_absolute_uri(image) if image else ""},
    }


@require_safe
@cached_page(lambda request, pk: _tags(request, pk))
def entry_page_view(request, pk: int):
    # The gate's public view, with the showcase (credit, views) in the same query.
    entry = entries_for(request.user, View.PUBLIC).select_related("showcase").filter(pk=pk).first()
    if entry is None:
        raise Http404
    pair = (entry.track_id, entry.track.campaign_id)
    cache.set(_tc_key(entry.pk), pair, 24 * 3600)
    note_tags(request, [f"entry:{entry.pk}", f"track:{pair[0]}", f"campaign:{pair[1]}"])
    page = entry_page.build(entry)
    ctx = page_context(request, page)
    ctx["entry"] = entry
    return render(request, "public/entry/page.html", ctx)


@require_POST
def entry_seen(request, pk: int):
    """The view beacon (static/public/entry.js): counts at most once per visitor, entry and day.
    CSRF-protected like any form post (the page's token); no database access."""
    if not counters.token_ok(pk, request.POST.get("t", "")):
        raise Http404
    return JsonResponse({"counted": counters.record_view(request, pk)})
