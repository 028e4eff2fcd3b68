"""Import files kept server-side between preview and apply, under a random token and the uploader's
id, so nothing but the token travels in the URL and nobody else can use it. Local: a private
directory (settings.ORGS_IMPORT_DIR, not served); with S3 configured: the private bucket, so
several web processes see the same file."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def storage():
    if settings.STORAGES["default"]["BACKEND"].endswith("S3Storage"):
        return default_storage
    return FileSystemStorage(location=settings.ORGS_IMPORT_DIR)


def _prefix(user_id: int) -> str:
    return "orgs-import/" if storage() is default_storage else ""


def _name(user_id: int, token: str, ext: str) -> str:
    return f"{_prefix(user_id)}{user_id}/{token}.{ext}"


def _prune(user_id: int) -> None:
    """Drop this user's uploads that were never applied (best effort)."""
    st = storage()
    folder = f"{_prefix(user_id)}{user_id}"
    cutoff = timezone.now() - dt.timedelta(hours=settings.ORGS_IMPORT_KEEP_HOURS)
    try:
        for fn in st.listdir(folder)[1]:
            if st.get_modified_time(f"{folder}/{fn}") < cutoff:
                st.delete(f"{folder}/{fn}")
    except (OSError, NotImplementedError):
        pass


def save(user, uploaded) -> str:
    ext = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    token = secrets.token_urlsafe(24)
    _prune(user.pk)
    st = storage()
    stored = st.save(_name(user.pk, token, ext), uploaded)
    # Keep the original file name beside it for the audit record and the preview heading.
    st.save(f"{stored}.name", ContentFile(uploaded.name[:200].encode()))
    return f"{token}.{ext}"


def find(user, ref: str) -> tuple[str, str] | None:
    """(storage name, original file name) of this user's upload, or None (other users' tokens too)."""
    token, _, ext = ref.partition(".")
    if not _TOKEN.match(token) or ext not in ("xlsx", "csv"):
        return None
    st = storage()
    name = _name(user.pk, token, ext)
    if not st.exists(name):
        return None
    try:
        with st.open(f"{name}.name") as fh:
            original = fh.read().decode()
    except OSError:
        original = f"import.{ext}"
    return name, original


def open_upload(name: str):
    return storage().open(name)


def delete(name: str) -> None:
    st = storage()
    for n in (name, f"{name}.name"):
        try:
            st.delete(n)
        except OSError:
            pass
