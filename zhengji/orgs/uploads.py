"""Import files kept server-side between preview and apply: in the default storage (local var/ or
S3), under a random token and the uploader's id, so several web processes see the same file and
nothing but the token travels in the URL."""

from __future__ import annotations

import re
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PREFIX = "orgs-import"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _name(user_id: int, token: str, ext: str) -> str:
    return f"{PREFIX}/{user_id}/{token}.{ext}"


def save(user, uploaded) -> str:
    ext = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    token = secrets.token_urlsafe(24)
    stored = default_storage.save(_name(user.pk, token, ext), uploaded)
    # Keep the original file name beside it for the audit record and the preview heading.
    default_storage.save(f"{stored}.name", ContentFile(uploaded.name[:200].encode()))
    return f"{token}.{ext}"


def find(user, ref: str) -> tuple[str, str] | None:
    """(storage name, original file name) of this user's upload, or None (other users' tokens too)."""
    token, _, ext = ref.partition(".")
    if not _TOKEN.match(token) or ext not in ("xlsx", "csv"):
        return None
    name = _name(user.pk, token, ext)
    if not default_storage.exists(name):
        return None
    try:
        with default_storage.open(f"{name}.name") as fh:
            original = fh.read().decode()
    except (OSError, FileNotFoundError):
        original = f"import.{ext}"
    return name, original


def delete(name: str) -> None:
    for n in (name, f"{name}.name"):
        try:
            default_storage.delete(n)
        except OSError:
            pass
