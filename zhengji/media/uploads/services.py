"""Upload domain functions: create, receive bytes, complete, terminate, clean up (tus and S3).

Every state change is here; views (tus.py, views.py, api.py) only parse HTTP and call these.
Locks are short: the offset/lease row lock is taken in a quick transaction before and after the
body transfer, never held while bytes travel over the network (SQLite locks the whole database
for a write transaction).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import User
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound

from ..filenames import clean_filename, shorten
from ..models import MediaFile, Upload, UploadStatus
from ..targets import Target
from . import storage
from .ingest import create_media_from_upload

log = logging.getLogger(__name__)
UploadId = uuid.UUID | str

LEASE_SECONDS = 120  # a PATCH renews its lease while bytes keep arriving
RENEW_EVERY = 30
LOCKED_RETRY_AFTER = 5  # seconds; the Retry-After of a 423 (another live request is writing)
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
MAX_METADATA_KEYS = 20
MAX_METADATA_VALUE = 1024


class UploadError(DomainError):
    """A DomainError with the HTTP status the tus protocol wants."""


class ChecksumMismatch(UploadError):
    code = "checksum_mismatch"
    status = 460


class UploadGone(UploadError):
    code = "gone"
    status = 410


class OffsetConflict(UploadError):
    code = "offset_conflict"
    status = 409


class Locked(UploadError):
    code = "locked"
    status = 423


def _too_large(message: str) -> UploadError:
    return UploadError(message, code="too_large", status=413)


def expiry_from(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(hours=settings.MEDIA_UPLOAD_EXPIRY_HOURS)


# --- quota --------------------------------------------------------------------------------------

def used_bytes(user: User, *, exclude: Upload | None = None) -> int:
    """Bytes a user holds: in-progress and complete uploads (their declared length) plus media files.
    Attached uploads are counted through their MediaFile."""
    uploads = Upload.objects.filter(user=user, status__in=[UploadStatus.RECEIVING, UploadStatus.COMPLETE])
    if exclude is not None:
        uploads = uploads.exclude(pk=exclude.pk)
    up = uploads.aggregate(n=Sum(Coalesce("length", "offset")))["n"] or 0
    media = MediaFile.objects.filter(owner=user).aggregate(n=Sum("size"))["n"] or 0
    return int(up) + int(media)


def check_size(user: User, length: int, *, exclude: Upload | None = None) -> None:
    if length < 0:
        raise UploadError(_("The upload length is invalid."), code="invalid_length")
    if length > settings.MEDIA_UPLOAD_MAX_BYTES:
        raise _too_large(_("The file is too large: at most %(max)s per file.")
                         % {"max": filesizeformat(settings.MEDIA_UPLOAD_MAX_BYTES)})
    used = used_bytes(user, exclude=exclude)
    quota = settings.MEDIA_USER_QUOTA_BYTES
    if used + length > quota:
        raise _too_large(_("Your storage quota is used up: %(used)s of %(quota)s used, this file needs "
                           "%(size)s. Delete unused files or uploads first.")
                         % {"used": filesizeformat(used), "quota": filesizeformat(quota),
                            "size": filesizeformat(length)})


def _lock_user(user: User) -> None:
    # Serialise one user's creations so two parallel uploads cannot both pass the quota check.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


# --- reading ----------------------------------------------------------------------------------

def get_upload(user: User | AnonymousUser | None, upload_id: UploadId, *, for_update: bool = False) -> Upload:
    """The user's own upload; someone else's or a missing one is 404, an expired one 410."""
    if user is None or not user.is_authenticated:
        raise NotFound(_("Upload not found."))
    qs = Upload.objects.select_for_update() if for_update else Upload.objects
    upload = qs.filter(pk=upload_id, user=user).exclude(status=UploadStatus.ABORTED).first()
    if upload is None:
        raise NotFound(_("Upload not found."))
    if upload.status == UploadStatus.RECEIVING and upload.expires_at <= timezone.now():
        raise UploadGone(_("This upload has expired; please upload the file again."))
    return upload


def parse_metadata(header: str) -> dict[str, str]:
    """tus Upload-Metadata: comma-separated `key base64value` pairs (value optional)."""
    out: dict[str, str] = {}
    if not header:
        return out
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _sep, value = pair.partition(" ")
        if not key or " " in value.strip() or key in out:
            raise UploadError(_("The upload metadata is malformed."), code="bad_metadata")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise UploadError(_("The upload metadata is malformed."), code="bad_metadata") from exc
        if "\x00" in key or "\x00" in decoded:
            # A NUL can be stored nowhere (PostgreSQL text), file names included.
            raise UploadError(_("Text may not contain NUL characters."), code="bad_metadata")
        # Shortened keeping a file name's extension (a 3,000-byte name must stay a ".jpg").
        out[key[:64]] = shorten(decoded, max_chars=MAX_METADATA_VALUE, max_bytes=4 * MAX_METADATA_VALUE)
    if len(out) > MAX_METADATA_KEYS:
        raise UploadError(_("The upload metadata is malformed."), code="bad_metadata")
    return out


def filename_from(metadata: dict[str, str]) -> str:
    name = metadata.get("filename") or metadata.get("name") or ""
    return clean_filename(name, default="")


# --- tus: create, receive, terminate ------------------------------------------------------------

@transaction.atomic
def create_upload(user: User, *, length: int, metadata: dict[str, str] | None = None) -> Upload:
    metadata = metadata or {}
    _lock_user(user)
    check_size(user, length)
    upload = Upload(user=user, length=length, metadata=metadata, filename=filename_from(metadata),
                    expires_at=expiry_from())
    upload.storage_key = storage.local.key_for(upload.id)
    storage.local.create(upload.storage_key)
    try:
        if length == 0:
            upload.status = UploadStatus.COMPLETE
        upload.save(force_insert=True)
    except Exception:
        storage.local.delete(upload.storage_key)
        raise
    audit.record("media.upload_created", upload, actor=user,
                 after={"filename": upload.filename, "length": length})
    return upload


@transaction.atomic
def _claim(user: User, upload_id: UploadId, offset: int) -> tuple[Upload, str]:
    """Take the write lease. Called only while holding the staging file's lock, so a lease still
    held by another request is one whose process died (the OS dropped its file lock): taken over."""
    upload = get_upload(user, upload_id, for_update=True)
    if storage.is_s3(upload):  # its parts go to the bucket, not through tus
        raise NotFound(_("Upload not found."))
    if upload.status != UploadStatus.RECEIVING:
        raise OffsetConflict(_("This upload is already complete."))
    if offset != upload.offset:
        raise OffsetConflict(_("The upload offset does not match (the server has %(n)s bytes).")
                             % {"n": upload.offset})
    now = timezone.now()
    if upload.writer and upload.writer_until and upload.writer_until > now:
        log.warning("upload %s: taking over the write lease of a writer that is gone", upload.pk)
    # The quota may have changed since creation (files added elsewhere): re-check before writing.
    check_size(user, upload.length or 0, exclude=upload)
    token = secrets.token_hex(16)
    Upload.objects.filter(pk=upload.pk).update(writer=token,
                                               writer_until=now + dt.timedelta(seconds=LEASE_SECONDS))
    return upload, token


def _renewing(read: Callable[[int], bytes], upload_id: UploadId, token: str) -> Callable[[int], bytes]:
    last = time.monotonic()

    def reader(n: int) -> bytes:
        nonlocal last
        if time.monotonic() - last > RENEW_EVERY:
            last = time.monotonic()
            kept = Upload.objects.filter(pk=upload_id, writer=token).update(
                writer_until=timezone.now() + dt.timedelta(seconds=LEASE_SECONDS))
            if not kept:
                return b""  # lease lost: stop appending, the other writer owns the file now
        return read(n)

    return reader


def _locked_error() -> Locked:
    return Locked(_("This upload is being written by another request; try again shortly."))


def receive_chunk(user: User, upload_id: UploadId, *, offset: int, read: Callable[[int], bytes], content_length: int,
                  checksum: tuple[str, bytes] | None = None) -> Upload:
    """tus PATCH: append up to `content_length` bytes from `read` at `offset`. With a checksum, a
    mismatching chunk is cut off again and the offset stays where it was.

    One writer at a time: the staging file's `flock` is taken first (423 Locked at once while a
    live request holds it) and held until the offset is committed; the database lease inside it
    records the writer. A request whose process died left its lease but not its file lock, so
    the next PATCH takes over at once."""
    found = get_upload(user, upload_id)
    if storage.is_s3(found):
        raise NotFound(_("Upload not found."))
    try:
        with storage.local.locked(found.storage_key) as fh:
            return _receive_locked(fh, user, upload_id, offset=offset, read=read,
                                   content_length=content_length, checksum=checksum)
    except storage.WriteLocked as exc:
        raise _locked_error() from exc
    except FileNotFoundError as exc:  # staging file lost (disk cleaned): the upload cannot resume
        if found.status != UploadStatus.RECEIVING:
            raise OffsetConflict(_("This upload is already complete.")) from exc
        raise UploadGone(_("This upload has expired; please upload the file again.")) from exc


def _receive_locked(fh: Any, user: User, upload_id: UploadId, *, offset: int, read: Callable[[int], bytes],
                    content_length: int, checksum: tuple[str, bytes] | None) -> Upload:
    upload, token = _claim(user, upload_id, offset)
    remaining = (upload.length or 0) - upload.offset
    if content_length > remaining:
        _release(upload.pk, token)
        raise _too_large(_("The data goes beyond the declared upload length."))
    hashers = [CHECKSUM_ALGORITHMS[checksum[0]]()] if checksum else []
    try:
        written = storage.local.append_to(fh, upload.offset, _renewing(read, upload.pk, token), content_length,
                                          hashers)
    except BaseException:
        fh.truncate(upload.offset)
        _release(upload.pk, token)
        raise
    if checksum and (written != content_length or not hmac.compare_digest(hashers[0].digest(), checksum[1])):
        fh.truncate(upload.offset)
        os.fsync(fh.fileno())
        _release(upload.pk, token)
        raise ChecksumMismatch(_("The data was damaged in transit (checksum mismatch); it will be sent again."))
    promoted = None
    if upload.offset + written == upload.length and not storage.default_is_local():
        # Object storage: move the finished file there before declaring it complete, so a
        # complete upload's storage_key is always a default_storage name (what ingest reads).
        # If that fails, the last chunk is not counted and the client simply sends it again.
        try:
            promoted = storage.promote(upload.storage_key, upload.storage_key)
        except Exception as exc:
            log.exception("could not move upload %s to the default storage", upload.pk)
            fh.truncate(upload.offset)
            _release(upload.pk, token)
            raise UploadError(_("The file could not be stored; please try again."), code="storage_error",
                              status=503) from exc
    done = _commit(upload.pk, token, upload.offset, written, promoted=promoted)
    if promoted:
        storage.local.delete(upload.storage_key)
    return done


@transaction.atomic
def _commit(upload_id: UploadId, token: str, old_offset: int, written: int, promoted: str | None = None) -> Upload:
    upload = Upload.objects.select_for_update().get(pk=upload_id)
    if upload.writer != token or upload.offset != old_offset:
        # Our lease was taken over and someone else wrote meanwhile: our bytes are not counted.
        raise _locked_error()
    upload.offset = old_offset + written
    upload.writer, upload.writer_until = "", None
    upload.expires_at = expiry_from()
    fields = ["offset", "writer", "writer_until", "expires_at", "updated"]
    if upload.length is not None and upload.offset >= upload.length:
        upload.status = UploadStatus.COMPLETE
        fields.append("status")
    if promoted:
        upload.storage_key = promoted
        upload.multipart = {**upload.multipart, "backend": "default"}
        fields += ["storage_key", "multipart"]
    upload.save(update_fields=fields)
    if upload.status == UploadStatus.COMPLETE:
        audit.record("media.upload_completed", upload, actor=upload.user,
                     after={"filename": upload.filename, "length": upload.length})
    return upload


def _release(upload_id: UploadId, token: str) -> None:
    Upload.objects.filter(pk=upload_id, writer=token).update(writer="", writer_until=None)


@transaction.atomic
def terminate_upload(user: User, upload_id: UploadId) -> None:
    """tus DELETE / API DELETE: drop an upload that is not attached to an entry."""
    upload = get_upload(user, upload_id, for_update=True)
    if upload.status == UploadStatus.ATTACHED:
        raise UploadError(_("This upload is attached to an entry's file and cannot be deleted here."),
                          code="attached", status=409)
    before = audit.snapshot(upload, ["status", "offset", "length"])
    key = upload.storage_key
    upload_copy = Upload(**{f.attname: getattr(upload, f.attname) for f in Upload._meta.concrete_fields})
    audit.record("media.upload_terminated", upload, actor=user, before=before)
    upload.delete()
    if key:
        transaction.on_commit(lambda: _delete_bytes_quietly(upload_copy))


def _delete_bytes_quietly(upload: Upload) -> None:
    try:
        storage.delete_bytes(upload)
    except Exception:  # storage hiccups must not fail the request; cleanup retries later
        log.exception("could not delete bytes of upload %s", upload.pk)


def cleanup_expired(now: dt.datetime | None = None) -> int:
    """Delete uploads past their expiry that are not attached (in progress, complete but never
    ingested, aborted), with their staging bytes. Returns how many were removed."""
    now = now or timezone.now()
    stale = Upload.objects.filter(expires_at__lte=now).exclude(status=UploadStatus.ATTACHED)
    stale = stale.filter(Q(writer="") | Q(writer_until__isnull=True) | Q(writer_until__lte=now))
    n = 0
    for upload in stale.iterator():
        _delete_bytes_quietly(upload)
        with transaction.atomic():
            deleted, _rows = Upload.objects.filter(pk=upload.pk, expires_at__lte=now).exclude(
                status=UploadStatus.ATTACHED).delete()
            if deleted:
                audit.record("media.upload_expired", upload, actor=None,
                             before={"status": upload.status, "offset": upload.offset})
                n += 1
    return n


# --- S3 multipart -------------------------------------------------------------------------------

@transaction.atomic
def create_s3_upload(user: User, *, filename: str, content_type: str = "", size: int | None = None,
                     metadata: dict[str, Any] | None = None) -> Upload:
    """Start an S3 multipart upload straight to the bucket; the browser PUTs parts to presigned
    URLs. `size` (declared by the client) reserves quota now; the real size is checked at the end."""
    _lock_user(user)
    if size is not None:
        check_size(user, size)
    meta = {str(k)[:64]: str(v)[:MAX_METADATA_VALUE] for k, v in (metadata or {}).items()}
    name = filename_from({"filename": filename})
    upload = Upload(user=user, filename=name, length=size, metadata=meta, expires_at=expiry_from())
    s3 = storage.s3()
    upload.storage_key = s3.name_for(upload.id, name)
    s3_id = s3.create(upload.storage_key, content_type)
    upload.multipart = {"backend": "s3", "s3_upload_id": s3_id, "content_type": content_type}
    upload.save(force_insert=True)
    audit.record("media.upload_created", upload, actor=user, after={"filename": name, "length": size, "s3": True})
    return upload


def s3_upload_for(user: User, upload_id: UploadId) -> Upload:
    upload = get_upload(user, upload_id)
    if not storage.is_s3(upload):
        raise NotFound(_("Upload not found."))
    return upload


def sign_s3_part(user: User, upload_id: UploadId, part: int) -> str:
    upload = s3_upload_for(user, upload_id)
    if upload.status != UploadStatus.RECEIVING:
        raise OffsetConflict(_("This upload is already complete."))
    if not 1 <= part <= 10000:
        raise UploadError(_("The part number must be between 1 and 10000."), code="bad_part")
    # Lets cleanup know the upload is alive.
    Upload.objects.filter(pk=upload.pk).update(expires_at=expiry_from(), updated=timezone.now())
    return storage.s3().sign_part(upload.storage_key, upload.multipart["s3_upload_id"], part)


def list_s3_parts(user: User, upload_id: UploadId) -> list[dict[str, Any]]:
    upload = s3_upload_for(user, upload_id)
    if upload.status != UploadStatus.RECEIVING:
        return []
    return storage.s3().list_parts(upload.storage_key, upload.multipart["s3_upload_id"])


def complete_s3_upload(user: User, upload_id: UploadId, parts: list[dict[str, Any]]) -> Upload:
    with transaction.atomic():
        upload = get_upload(user, upload_id, for_update=True)
        if not storage.is_s3(upload):
            raise NotFound(_("Upload not found."))
        if upload.status != UploadStatus.RECEIVING:
            return upload
        if not parts:
            raise UploadError(_("No parts were uploaded."), code="bad_part")
        s3 = storage.s3()
        try:
            size = s3.complete(upload.storage_key, upload.multipart["s3_upload_id"],
                               [{"PartNumber": int(p["PartNumber"]), "ETag": str(p["ETag"])} for p in parts])
        except s3.client.exceptions.ClientError as exc:
            raise UploadError(_("The upload could not be completed; please upload the file again."),
                              code="s3_error") from exc
        upload.offset = upload.length = size
        upload.status = UploadStatus.COMPLETE
        upload.expires_at = expiry_from()
        upload.multipart = {**upload.multipart, "parts": len(parts)}
        upload.save()
        try:
            check_size(user, size, exclude=upload)
        except UploadError:
            transaction.set_rollback(True)
            exc_to_raise = True
        else:
            exc_to_raise = False
            audit.record("media.upload_completed", upload, actor=user,
                         after={"filename": upload.filename, "length": size, "s3": True})
    if exc_to_raise:
        # The browser declared a size that fit, then sent more: drop the object and the row.
        s3.storage.delete(upload.storage_key)
        Upload.objects.filter(pk=upload.pk).delete()
        check_size(user, size)  # raises the translated 413 message
    return upload


def abort_s3_upload(user: User, upload_id: UploadId) -> None:
    s3_upload_for(user, upload_id)
    terminate_upload(user, upload_id)


# --- ingest -----------------------------------------------------------------------------------

def ingest_upload(user: User, upload_id: UploadId, *, target: Target) -> MediaFile:
    """Turn the user's complete upload into a MediaFile for `target` (validation and the state
    change are `ingest.create_media_from_upload`)."""
    upload = get_upload(user, upload_id)
    if upload.status != UploadStatus.COMPLETE:
        raise UploadError(_("This upload is not complete yet."), code="not_complete", status=409)
    return create_media_from_upload(upload, target=target)


# --- what is still on its way ----------------------------------------------------------------------

def unfinished_uploads(user: User | AnonymousUser, *, limit: int = 20, **metadata: str) -> list[Upload]:
    """The user's tus uploads still receiving and not expired whose metadata match `metadata`
    (e.g. the entry and slot the uploader sent), newest first: the edit page lists them, so that
    after a reload the entrant knows to pick the same file again to resume it."""
    if not user.is_authenticated:
        return []
    match = {f"metadata__{key}": str(value) for key, value in metadata.items()}
    return list(Upload.objects.filter(user_id=user.pk, status=UploadStatus.RECEIVING, expires_at__gt=timezone.now(),
                                      **match).order_by("-updated")[:limit])
