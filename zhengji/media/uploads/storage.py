"""Where upload bytes live while an upload is in progress.

Two backends:
- `LocalStaging`: tus uploads append to MEDIA_ROOT/staging/<uuid> (fsync'd, never the whole body in
  memory). Used whenever the tus endpoint is used, whatever the default storage is.
- `S3Direct`: with S3 as the default storage, browsers upload straight to the bucket by S3
  multipart with presigned part URLs; the server only signs and completes.

`open_upload(upload)` gives a readable binary file for a COMPLETE upload in either case, so the
ingest step does not care where the bytes are.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage

from ..filenames import safe_suffix

STAGING_DIR = "staging"


class WriteLocked(Exception):
    """Another writer holds the staging file."""


class LocalStaging:
    """Staging files under MEDIA_ROOT/staging/. Keys are paths relative to MEDIA_ROOT."""

    def key_for(self, upload_id) -> str:
        return f"{STAGING_DIR}/{upload_id}"

    def path(self, key: str) -> Path:
        root = Path(settings.MEDIA_ROOT).resolve()
        p = (root / key).resolve()
        if root not in p.parents:  # keys are ours, but never follow one out of MEDIA_ROOT
            raise ValueError("staging key outside MEDIA_ROOT")
        return p

    def create(self, key: str) -> None:
        p = self.path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "xb"):
            pass

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return 0

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    @contextlib.contextmanager
    def locked(self, key: str) -> Iterator[BinaryIO]:
        """The staging file opened for writing under an exclusive `flock`, held until the block
        ends; WriteLocked at once if another writer (any thread or process) holds it. The OS drops
        the lock when its holder dies, so a crashed writer never blocks the next one."""
        with open(self.path(key), "r+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise WriteLocked from exc
            try:
                yield fh
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def append(self, key: str, offset: int, read: Callable[[int], bytes], limit: int,
               hashers: list | None = None, block: int | None = None) -> int:
        """`append_to` on the staging file of `key`, under its lock."""
        with self.locked(key) as fh:
            return self.append_to(fh, offset, read, limit, hashers, block)

    def append_to(self, fh: BinaryIO, offset: int, read: Callable[[int], bytes], limit: int,
                  hashers: list | None = None, block: int | None = None) -> int:
        """Append at most `limit` bytes from `read` (e.g. request.read) at `offset` to the locked
        file `fh`; returns how many were written (and fsync'd). Bytes beyond what the database says
        (a crash after a write but before the offset update) are cut off first, so the file
        always equals the committed offset before appending."""
        block = block or settings.MEDIA_UPLOAD_READ_BYTES
        written = 0
        fh.seek(0, os.SEEK_END)
        if fh.tell() != offset:
            fh.truncate(offset)
            fh.seek(offset)
        while written < limit:
            try:
                data = read(min(block, limit - written))
            except OSError:  # client went away: keep what arrived (tus resumes from it)
                break
            if not data:
                break
            fh.write(data)
            for h in hashers or ():
                h.update(data)
            written += len(data)
        fh.flush()
        os.fsync(fh.fileno())
        return written

    def truncate(self, key: str, size: int) -> None:
        p = self.path(key)
        if p.exists():
            with open(p, "r+b") as fh:
                fh.truncate(size)
                os.fsync(fh.fileno())

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")


class S3Direct:
    """Multipart uploads straight into the default storage's bucket (django-storages S3Storage).
    Upload.storage_key is the *storage name* (as default_storage.open() takes it); the object key
    adds the storage's `location` prefix, if any."""

    def __init__(self):
        self.storage = default_storage
        self.client = default_storage.connection.meta.client
        self.bucket = default_storage.bucket_name

    def name_for(self, upload_id, filename: str) -> str:
        return f"{STAGING_DIR}/{upload_id}{safe_suffix(filename)}"  # never the user's name itself

    def key(self, name: str) -> str:
        location = (getattr(self.storage, "location", "") or "").strip("/")
        return f"{location}/{name}" if location else name

    def create(self, name: str, content_type: str) -> str:
        r = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key(name),
                                                ContentType=content_type or "application/octet-stream")
        return r["UploadId"]

    def sign_part(self, name: str, s3_upload_id: str, part: int, expires: int = 3600) -> str:
        return self.client.generate_presigned_url(
            "upload_part", Params={"Bucket": self.bucket, "Key": self.key(name), "UploadId": s3_upload_id,
                                   "PartNumber": part}, ExpiresIn=expires)

    def list_parts(self, name: str, s3_upload_id: str) -> list[dict]:
        parts: list[dict] = []
        marker = 0
        while True:
            r = self.client.list_parts(Bucket=self.bucket, Key=self.key(name), UploadId=s3_upload_id,
                                       PartNumberMarker=marker)
            parts += [{"PartNumber": p["PartNumber"], "ETag": p["ETag"], "Size": p["Size"]}
                      for p in r.get("Parts", [])]
            if not r.get("IsTruncated"):
                return parts
            marker = r["NextPartNumberMarker"]

    def complete(self, name: str, s3_upload_id: str, parts: list[dict]) -> int:
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key(name), UploadId=s3_upload_id,
            MultipartUpload={"Parts": sorted(parts, key=lambda p: p["PartNumber"])})
        return self.client.head_object(Bucket=self.bucket, Key=self.key(name))["ContentLength"]

    def abort(self, name: str, s3_upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key(name), UploadId=s3_upload_id)
        except self.client.exceptions.NoSuchUpload:
            pass

    def location(self, name: str) -> str:
        return self.storage.url(name)


local = LocalStaging()


def s3() -> S3Direct:
    return S3Direct()


def default_is_local() -> bool:
    """Whether the default storage is the local MEDIA_ROOT, where tus staging files live."""
    return isinstance(default_storage, FileSystemStorage) and \
        Path(default_storage.location).resolve() == Path(settings.MEDIA_ROOT).resolve()


def is_s3(upload) -> bool:
    """Direct S3 multipart upload (as opposed to tus)."""
    return upload.multipart.get("backend") == "s3"


def in_default_storage(upload) -> bool:
    return upload.multipart.get("backend") in ("s3", "default")


def promote(key: str, name: str) -> str:
    """Copy a finished local staging file into the default storage (S3) under `name`, streamed;
    returns the stored name. Used when tus is used while the default storage is not local, so a
    complete upload's storage_key is always a name in default_storage."""
    with local.open(key) as fh:
        return default_storage.save(name, File(fh, name=os.path.basename(name)))


def open_upload(upload) -> IO[bytes]:
    """A readable binary stream of a complete upload's bytes, wherever they are. For a complete
    upload `storage_key` is also a name in default_storage (what ingest reads)."""
    if in_default_storage(upload):
        return default_storage.open(upload.storage_key, "rb")
    return local.open(upload.storage_key)


def delete_bytes(upload) -> None:
    if not upload.storage_key:
        return
    if is_s3(upload) and upload.status == "receiving" and upload.multipart.get("s3_upload_id"):
        s3().abort(upload.storage_key, upload.multipart["s3_upload_id"])
    elif in_default_storage(upload):
        default_storage.delete(upload.storage_key)
    else:
        local.delete(upload.storage_key)


def sha256_of(upload, block: int = 1024 * 1024) -> str:
    h = hashlib.sha256()
    with open_upload(upload) as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()
