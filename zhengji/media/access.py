"""Who may see a stored file, as a registry that higher apps fill at start-up.

The owner and superusers always may. Another app adds viewers of the files attached to its objects
(a unit admin of an entry's subtree, a judge assigned to the entry, …) by registering a rule in its
`AppConfig.ready()`::

    from zhengji.media import access
    access.register_viewer("entries.unit_admin", unit_admin_sees_entry_file)

A rule is `(user, media) -> bool` and must be cheap for users it does not concern (no query for
someone who administers nothing). Viewer rules open the renditions (thumbnail, web size, preview,
poster) and the processing status; originals keep the uploader's metadata (GPS, camera), so they
have their own, separate rules (`register_original_reader`). The permissions `media.view_media`
and `media.download_original` (`media.rules`) ask this module.

The public answer (`is_public`, `public_media`) is remembered in the cache for
`MEDIA_PUBLIC_CACHE_SECONDS` (60) per file, so a video's many range requests cost no query after
the first. An app whose public rule may change its answer (an entry withdrawn, a campaign
unpublished) calls `public_changed()`, which forgets every remembered answer at once (a
generation number in the cache); a saved file forgets its own (new renditions, new status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .models import MediaFile

User = AbstractBaseUser | AnonymousUser
Rule = Callable[[User, MediaFile], bool]

_viewers: dict[str, Rule] = {}
_original_readers: dict[str, Rule] = {}
PublicRule = Callable[[MediaFile], bool]
_public: dict[str, PublicRule] = {}


def register_viewer(name: str, rule: Rule) -> None:
    """Let `rule` grant viewing the renditions and status of a file (replaces a rule of that name)."""
    _viewers[name] = rule


def unregister_viewer(name: str) -> None:
    _viewers.pop(name, None)


def register_original_reader(name: str, rule: Rule) -> None:
    """Let `rule` grant downloading the original (with its metadata). Use sparingly."""
    _original_readers[name] = rule


def unregister_original_reader(name: str) -> None:
    _original_readers.pop(name, None)


def register_public(name: str, rule: PublicRule) -> None:
    """Let `rule(media)` open a file's renditions to everyone, logged in or not (the public site:
    files of entries shown in the gallery). Never the original, never the processing status."""
    _public[name] = rule


def unregister_public(name: str) -> None:
    _public.pop(name, None)


# What the public gets of a rendition may be another file (an AI-labelled copy): a hook
# `(media, name, storage, stored name) -> (stored name, download name, ETag word) | None`.
PublicFile = Callable[[MediaFile, str, Any, str], "tuple[str, str, str] | None"]
_public_files: dict[str, PublicFile] = {}


def register_public_file(name: str, hook: PublicFile) -> None:
    """Let `hook` choose the file, download name and ETag word of a public rendition (the first
    hook that answers wins; None: no opinion)."""
    _public_files[name] = hook


def unregister_public_file(name: str) -> None:
    _public_files.pop(name, None)


_GENERATION = "media:pub:gen"
# What a public file needs to be served without a query (the renditions' stored names).
_SNAPSHOT = ("kind", "status", "content_type", "thumbnail", "web", "preview")


def _ttl() -> int:
    return int(getattr(settings, "MEDIA_PUBLIC_CACHE_SECONDS", 60))


def _key(pk: int) -> str:
    return f"media:pub:{pk}"


def public_changed() -> None:
    """Forget every remembered public answer: call it when a public rule's answer may have changed
    (the public site does on every invalidation of its page cache)."""
    try:
        cache.incr(_GENERATION)
    except ValueError:
        cache.set(_GENERATION, 1, None)


def forget_public(pk: int) -> None:
    """Forget the remembered public answer of one file."""
    cache.delete(_key(pk))


def _ask_rules(media: MediaFile) -> bool:
    return any(rule(media) for rule in list(_public.values()))


def _remembered(pk: int) -> tuple[int, Any]:
    """(current generation, the remembered (answer, snapshot) of this file or None)."""
    got = cache.get_many([_GENERATION, _key(pk)])
    generation = int(got.get(_GENERATION, 0))
    hit = got.get(_key(pk))
    if hit is not None and hit[0] == generation:
        return generation, hit[1]
    return generation, None


def _remember(generation: int, media: MediaFile, public: bool) -> None:
    snapshot = {f: str(getattr(media, f) or "") for f in _SNAPSHOT} if public else None
    cache.set(_key(media.pk), (generation, (public, snapshot)), _ttl())


def is_public(media: MediaFile | None) -> bool:
    """Whether anyone may see this file's renditions (a registered public rule says so).
    Remembered for a short time in the cache (and on an object `public_media` gave)."""
    if media is None or media.pk is None:
        return False
    known = getattr(media, "_zj_public", None)
    if known is not None:
        return bool(known)
    generation, hit = _remembered(media.pk)
    if hit is not None:
        return bool(hit[0])
    public = _ask_rules(media)
    _remember(generation, media, public)
    return public


def public_media(pk: int) -> MediaFile | None:
    """The file when its renditions are public, else None: after the first request, rebuilt from
    the cache without a query (pk, kind, status, content type and the renditions' stored names;
    nothing else is loaded, so use it only to serve a rendition)."""
    generation, hit = _remembered(pk)
    if hit is not None:
        public, snapshot = hit
        if not public or not snapshot:
            return None
        media = MediaFile(pk=pk, **snapshot)
        media._zj_public = True  # type: ignore[attr-defined]
        return media
    found = MediaFile.objects.filter(pk=pk).first()
    if found is None:
        return None
    public = _ask_rules(found)
    _remember(generation, found, public)
    found._zj_public = public  # type: ignore[attr-defined]
    return found if public else None


def public_file(media: MediaFile, name: str, storage: Any, stored: str) -> tuple[str, str, str]:
    """(stored name, download name, ETag word) the public gets of rendition `name` of `media`:
    the hooks' answer, remembered like the public answer (forgotten by `public_changed()`), so
    range requests after the first cost no query. Without a hook: (stored, "", "")."""
    if not _public_files:
        return stored, "", ""
    key = f"media:pubf:{media.pk}:{name}:{stored}"
    got = cache.get_many([_GENERATION, key])
    generation = int(got.get(_GENERATION, 0))
    hit = got.get(key)
    if hit is not None and hit[0] == generation:
        return tuple(hit[1])
    answer = (stored, "", "")
    for hook in list(_public_files.values()):
        found = hook(media, name, storage, stored)
        if found is not None:
            answer = found
            break
    cache.set(key, (generation, answer), _ttl())
    return answer


def _media_changed(sender: Any, instance: MediaFile, **kwargs: Any) -> None:
    forget_public(instance.pk)


# A processed (or re-processed, or deleted) file forgets its remembered answer and stored names.
post_save.connect(_media_changed, sender=MediaFile, dispatch_uid="media.access.forget_public")
post_delete.connect(_media_changed, sender=MediaFile, dispatch_uid="media.access.forget_public.delete")


def viewer_names() -> list[str]:
    return list(_viewers)


def _authenticated(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_owner_or_superuser(user: User | None, media: MediaFile | None) -> bool:
    if media is None or user is None or not _authenticated(user):
        return False
    return bool(getattr(user, "is_superuser", False) or media.owner_id == user.pk)


def granted_by_viewer_rule(user: User | None, media: MediaFile | None) -> bool:
    if media is None or user is None or not _authenticated(user):
        return False
    return any(rule(user, media) for rule in list(_viewers.values()))


def granted_by_original_rule(user: User | None, media: MediaFile | None) -> bool:
    if media is None or user is None or not _authenticated(user):
        return False
    return any(rule(user, media) for rule in list(_original_readers.values()))


def may_view(user: User | None, media: MediaFile | None) -> bool:
    """Renditions and status: owner, superuser, or any registered viewer rule."""
    return is_owner_or_superuser(user, media) or granted_by_viewer_rule(user, media)


def may_download_original(user: User | None, media: MediaFile | None) -> bool:
    """The original: owner, superuser, or any registered original-reader rule."""
    return is_owner_or_superuser(user, media) or granted_by_original_rule(user, media)
