"""Permission predicates for media files. Other apps extend who may view (e.g. staff of the
entry's scope, judges of its round) with
`rules.set_perm("media.view_media", media_rules.can_view_media | their_predicate)`."""

from __future__ import annotations

import rules


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_media_owner(user, media) -> bool:
    return bool(user and user.is_authenticated and media is not None and media.owner_id == user.pk)


# Who may see a file's renditions (thumbnail, web size, preview, poster) and its status.
can_view_media = is_media_owner | is_superuser
# Originals keep the uploader's metadata (GPS, camera, author): only the owner and superusers.
can_download_original = is_media_owner | is_superuser
can_retry_processing = is_media_owner | is_superuser

rules.add_perm("media.view_media", can_view_media)
rules.add_perm("media.download_original", can_download_original)
rules.add_perm("media.retry_processing", can_retry_processing)
