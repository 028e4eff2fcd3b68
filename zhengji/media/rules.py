"""Permissions on media files (`rules`): `media.view_media`, `media.download_original`,
`media.retry_processing`. Who else may view is not decided here: apps register rules in
`media.access` (never `rules.set_perm` over these)."""

from __future__ import annotations

import rules

from . import access


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_media_owner(user, media) -> bool:
    return bool(user and user.is_authenticated and media is not None and media.owner_id == user.pk)


@rules.predicate
def has_viewer_rule(user, media) -> bool:
    return access.granted_by_viewer_rule(user, media)


@rules.predicate
def has_original_rule(user, media) -> bool:
    return access.granted_by_original_rule(user, media)


# Who may see a file's renditions (thumbnail, web size, preview, poster) and its status.
can_view_media = is_media_owner | is_superuser | has_viewer_rule
# Originals keep the uploader's metadata (GPS, camera, author): the owner, superusers, and only
# rules registered for originals.
can_download_original = is_media_owner | is_superuser | has_original_rule
can_retry_processing = is_media_owner | is_superuser

rules.add_perm("media.view_media", can_view_media)
rules.add_perm("media.download_original", can_download_original)
rules.add_perm("media.retry_processing", can_retry_processing)
