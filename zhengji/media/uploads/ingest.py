"""Ingest: turning a completed upload (or a local file, for the demo loader and tests) into a
validated MediaFile for an ingest target (`media.targets`), then handing it to the processing half
(`processing.domain.enqueue_processing`).

Validation reads the bytes through Django's storage API, so it works on local disk and on S3.
Count limits (min/max files per slot) are checked when files are attached to an entry, not here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import User
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted

from ..filenames import clean_filename, safe_suffix
from ..models import MediaFile, MediaStatus, Upload, UploadStatus
from ..processing import probe as probing
from ..processing.domain import enqueue_processing
from ..processing.validation import Checked, HostileFile, check_name, check_size, validate_path
from ..targets import Target

AUDIT_FIELDS = ["owner", "purpose", "filename", "kind", "content_type", "size", "sha256", "status"]


def original_name(owner_id: int, ext: str) -> str:
    """A private storage name that reveals nothing of the user's file name."""
    now = timezone.now()
    return f"originals/{owner_id}/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


def _link_or_copy(storage: Storage, src_key: str, dst_name: str) -> str:
    """Put the staged bytes at `dst_name`: a hard link on local disk (instant, no second copy),
    otherwise a streamed copy through the storage API (S3 copies server-side are a later
    optimisation). The staging file is removed by the caller after commit."""
    src_path: str | None
    dst_path: str | None
    try:
        src_path = storage.path(src_key)
        dst_path = storage.path(dst_name)
    except NotImplementedError:
        src_path = dst_path = None
    if src_path and dst_path:
        os.makedirs(os.path.dirname(dst_path), exist_ok=True)
        try:
            os.link(src_path, dst_path)
        except OSError:
            shutil.copyfile(src_path, dst_path)
        return dst_name
    with storage.open(src_key, "rb") as fh:
        return str(storage.save(dst_name, File(fh, name=os.path.basename(dst_name))))


def _new_media(*, owner: User, purpose: str, filename: str, checked: Checked, sha256: str, name: str) -> MediaFile:
    media = MediaFile(owner=owner, purpose=purpose[:40], filename=clean_filename(filename),
                      content_type=checked.type.mime, kind=checked.kind, size=checked.size, sha256=sha256,
                      width=checked.width, height=checked.height, duration=checked.duration,
                      probe={"type": checked.type.ext, **checked.probe}, status=MediaStatus.PENDING)
    media.original.name = name
    media.save()
    return media


def create_media_from_upload(upload: Upload, *, target: Target, actor: User | None = None) -> MediaFile:
    """Validate a completed upload by content against the target's rule and make it a MediaFile
    (owner: the uploader; attached to nothing yet). On failure: DomainError (MediaInvalid) with the
    translated reasons, and the upload is left as it was."""
    actor = actor if actor is not None else upload.user
    if actor.pk != upload.user_id and not actor.is_superuser:
        raise NotPermitted(_("This upload is not yours."))
    rule = target.rule
    if upload.status != UploadStatus.COMPLETE or not upload.storage_key:
        raise DomainError(_("The upload is not complete yet."), code="upload_incomplete", status=409)
    storage = default_storage
    try:
        size = storage.size(upload.storage_key)
    except (OSError, NotImplementedError) as exc:
        raise DomainError(_("The uploaded file can no longer be found; please upload it again."),
                          code="upload_missing", status=409) from exc
    filename = upload.filename or upload.metadata.get("filename", "") or "file"
    check_size(size, rule)  # before reading a byte
    check_name(filename, rule)
    try:
        with probing.local_copy(storage, upload.storage_key, suffix=safe_suffix(filename)) as path:
            checked = validate_path(path, filename=filename, rule=rule, size=size)
            sha = probing.sha256_file(path)
    except HostileFile as exc:
        _refuse_upload(upload, actor, str(exc))
        raise

    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != UploadStatus.COMPLETE:
            raise DomainError(_("This upload has been used already."), code="upload_used", status=409)
        staged = locked.storage_key
        name = _link_or_copy(storage, staged, original_name(locked.user_id, checked.type.ext))
        try:
            media = _new_media(owner=locked.user, purpose=target.purpose, filename=filename, checked=checked,
                               sha256=sha, name=name)
            locked.status = UploadStatus.ATTACHED
            locked.save(update_fields=["status", "updated"])
            audit.record("media.created", media, actor=actor, after=audit.snapshot(media, AUDIT_FIELDS),
                         scope=audit.AuditScope(campaign_id=target.campaign_id))
        except BaseException:
            with contextlib.suppress(Exception):
                storage.delete(name)
            raise
        # The staged bytes now live at `name`; drop the staging copy once this is durable.
        transaction.on_commit(lambda: _quiet_delete(storage, staged))
        enqueue_processing(media)
    upload.status = locked.status
    return media


def _refuse_upload(upload: Upload, actor: User, reason: str) -> None:
    """A hostile file is not kept: the upload is aborted (audited `media.upload_refused` with the
    reason) and its staged bytes deleted after commit; the user uploads another file."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != UploadStatus.COMPLETE:
            return
        staged = locked.storage_key
        locked.status = UploadStatus.ABORTED
        locked.save(update_fields=["status", "updated"])
        audit.record("media.upload_refused", locked, actor=actor, reason=reason[:500],
                     after={"filename": locked.filename, "length": locked.length})
        if staged:
            transaction.on_commit(lambda: _quiet_delete(default_storage, staged))
    upload.status = UploadStatus.ABORTED


def _quiet_delete(storage: Storage, name: str) -> None:
    with contextlib.suppress(Exception):
        storage.delete(name)


def create_media_from_file(source: str | os.PathLike[str] | IO[bytes], *, owner: User, target: Target,
                           filename: str | None = None) -> MediaFile:
    """The same for a local path or a binary file object (demo loader, tests, imports)."""
    rule = target.rule
    tmp_path = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        filename = filename or path.name
    else:
        filename = filename or os.path.basename(getattr(source, "name", "") or "file")
        fd, tmp_path = tempfile.mkstemp(prefix="zj-in-", suffix=safe_suffix(filename),
                                        dir=getattr(settings, "MEDIA_WORK_DIR", None))
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, probing.CHUNK)
        path = Path(tmp_path)
    try:
        checked = validate_path(path, filename=filename, rule=rule)
        sha = probing.sha256_file(path)
        storage = default_storage
        with transaction.atomic():
            with open(path, "rb") as fh:
                name = storage.save(original_name(owner.pk, checked.type.ext), File(fh, name=path.name))
            try:
                media = _new_media(owner=owner, purpose=target.purpose, filename=filename, checked=checked,
                                   sha256=sha, name=name)
                audit.record("media.created", media, actor=owner, after=audit.snapshot(media, AUDIT_FIELDS),
                             scope=audit.AuditScope(campaign_id=target.campaign_id))
            except BaseException:
                _quiet_delete(storage, name)
                raise
            enqueue_processing(media)
        return media
    finally:
        if tmp_path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
