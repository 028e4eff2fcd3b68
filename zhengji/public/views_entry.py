"""The public entry page (/w/<pk>/), its view beacon and its files.

Everything goes through the public gate (`entry_for(..., view=View.PUBLIC)`): a draft, a
disqualified or an unapproved entry is 404 for everyone here. Anonymous visitors get the page
from the tag-invalidated cache (entry, track, campaign); logged-in visitors get it live (their
vote box and comment form differ)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import FileField
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from zhengji.entries.models import Entry
from zhengji.entries.queries import View, entry_for
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.views_media import serve_fieldfile
from zhengji.originality import marks

from . import counters, entry_page
from .cache import cached_page, versions

MEDIA_MAX_AGE = 24 * 3600  # URLs carry the file's version, so a day is safe; withdrawals show within it


def _tags(request, pk: int) -> list[str]:
    """entry, track and campaign tags; the entry → (track, campaign) pair is itself cached so a
    cache hit costs no query."""
    key = f"pe:tc:{pk}"
    pair = cache.get(key)
    if pair is None:
        pair = Entry.objects.filter(pk=pk).values_list("track_id", "track__campaign_id").first()
        if pair is None:
            return [f"entry:{pk}"]
        cache.set(key, tuple(pair), 24 * 3600)
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
    entry = entry_for(request.user, pk, permission=None, view=View.PUBLIC)
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


def _rendition(pk: int, media_id: int, name: str) -> tuple[str, str, str, str] | None:
    """(storage name, content type, ETag, download name) of a public rendition, or None. Remembered for a minute
    under the entry's cache tag version, so a video's many range requests cost no query and any
    save of the entry (a decision, a withdrawal) forgets it at once."""
    key = f"pe:m:{pk}:{media_id}:{name}:{versions([f'entry:{pk}'])[0]}"
    hit = cache.get(key)
    if hit is not None:
        return hit or None
    found: tuple[str, str, str, str] | None = None
    try:
        entry = entry_for(AnonymousUser(), pk, permission=None, view=View.PUBLIC)
    except Http404:
        entry = None
    media = None
    if entry is not None:
        media = (MediaFile.objects.select_related("entry_link")
                 .filter(pk=media_id, entry_link__entry=entry, status=MediaStatus.READY).first())
    if entry is not None and media is not None:
        allowed = {f.key for f in entry_page.fields_of(entry) if f.type == "file" and not f.identifying}
        fieldfile = getattr(media, entry_page.FIELD_OF[name])
        if (media.entry_link.slot in allowed and name in entry_page.RENDITIONS.get(media.kind, ())
                and fieldfile):
            content_type = ""
            if name == "preview":
                content_type = "video/mp4" if media.kind == "video" else "audio/mp4"
            # A labelled work's file carries its AI label (originality.marks: the name, the picture).
            stored, download, label = marks.public_file(entry.pk, entry.number or "", media, name, fieldfile.storage,
                                                        fieldfile.name)
            found = (stored, content_type, f'"m{media.pk}-{name}-{int(media.updated.timestamp())}{label}"', download)
    cache.set(key, found or "", 60)
    return found


@require_safe
def entry_media(request, pk: int, media_id: int, name: str):
    """A rendition of a public entry's file, for everyone (the media app serves files to people
    with a permission only). Never the original; only files of fields that are not identifying."""
    found = _rendition(int(pk), int(media_id), name)
    if found is None:
        raise Http404
    stored, content_type, etag = found[0], found[1], found[2]
    download = found[3] if len(found) > 3 else ""  # a value cached by an older release has three
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        resp: HttpResponse = HttpResponseNotModified()
    else:
        field = MediaFile._meta.get_field(entry_page.FIELD_OF[name])
        assert isinstance(field, FileField)
        storage = field.storage
        resp = serve_fieldfile(request, SimpleNamespace(storage=storage, name=stored), content_type=content_type,
                               download_name=download)
    resp["ETag"] = etag
    resp["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}"
    return resp
