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
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

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


def is_public(media: MediaFile | None) -> bool:
    """Whether anyone may see this file's renditions (a registered public rule says so)."""
    return media is not None and any(rule(media) for rule in list(_public.values()))


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
