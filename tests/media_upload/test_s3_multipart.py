"""Direct-to-S3 multipart uploads against moto's S3 server over real HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import socket

import boto3
import pytest
import requests
from django.core.files.storage import default_storage
from django.utils import timezone

from zhengji.media.models import Upload, UploadStatus
from zhengji.media.uploads import services, storage

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
BUCKET = "zj-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 (moto is heavy and only these S3 tests need it)

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_url, settings):
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=moto_url, **creds)
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": moto_url, "access_key": "testing",
                    "secret_key": "testing", "region_name": "us-east-1", "default_acl": None,
                    "querystring_auth": True, "file_overwrite": False}}}
    settings.MEDIA_S3_DIRECT = True
    return client


def api(client, method, path, person, json=None):
    kwargs = {"content_type": "application/json", "data": json} if json is not None else {}
    return getattr(client, method)(f"/api/media{path}", HTTP_AUTHORIZATION=f"Bearer {person.token}", **kwargs)


def put_parts(client, person, upload_id, path, part_size, paths=("parts/{n}",)):
    parts = []
    with open(path, "rb") as fh:
        n = 0
        while chunk := fh.read(part_size):
            n += 1
            sub = paths[(n - 1) % len(paths)].format(n=n)
            r = api(client, "get", f"/s3/multipart/{upload_id}/{sub}", person)
            assert r.status_code == 200, r.content
            put = requests.put(r.json()["url"], data=chunk)
            assert put.status_code == 200, put.text
            parts.append({"PartNumber": n, "ETag": put.headers["ETag"]})
    return parts


def test_multipart_upload_straight_to_s3(s3, alice, client, random_file):
    assert default_storage.__class__.__name__ == "S3Storage"
    path, digest = random_file(11 * MB + 5, "片子.mp4")
    r = api(client, "post", "/s3/multipart", alice, {"filename": "片子.mp4", "type": "video/mp4",
                                                     "metadata": {"size": str(11 * MB + 5)}})
    assert r.status_code == 200, r.content
    upload_id, key = r.json()["uploadId"], r.json()["key"]
    upload = Upload.objects.get(pk=upload_id)
    assert upload.storage_key == key and upload.status == UploadStatus.RECEIVING and upload.length == 11 * MB + 5
    # Parts signed through both URL shapes (documented /parts/{n} and Uppy companion's /{n}).
    parts = put_parts(client, alice, upload_id, path, 5 * MB, paths=("parts/{n}", "{n}"))
    listed = api(client, "get", f"/s3/multipart/{upload_id}", alice).json()
    assert [p["PartNumber"] for p in listed] == [1, 2, 3]
    r = api(client, "post", f"/s3/multipart/{upload_id}/complete", alice, {"parts": parts})
    assert r.status_code == 200, r.content
    assert r.json()["key"] == key and r.json()["size"] == 11 * MB + 5
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMPLETE and upload.offset == upload.length == 11 * MB + 5
    # The object's bytes, streamed back from the bucket.
    h = hashlib.sha256()
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"]
    for chunk in body.iter_chunks(MB):
        h.update(chunk)
    assert h.hexdigest() == digest
    assert storage.sha256_of(upload) == digest
    assert default_storage.exists(key)  # storage_key is a default_storage name (what ingest opens)
    # Completing twice is harmless; the upload shows in my list as s3.
    assert api(client, "post", f"/s3/multipart/{upload_id}/complete", alice, {"parts": parts}).status_code == 200
    assert api(client, "get", f"/uploads/{upload_id}", alice).json()["backend"] == "s3"


def test_multipart_belongs_to_its_user_and_can_be_aborted(s3, alice, bob, client,
                                                          django_capture_on_commit_callbacks):
    r = api(client, "post", "/s3/multipart", alice, {"filename": "a.mp4", "type": "video/mp4"})
    upload_id = r.json()["uploadId"]
    assert api(client, "get", f"/s3/multipart/{upload_id}/parts/1", bob).status_code == 404
    assert api(client, "post", f"/s3/multipart/{upload_id}/complete", bob,
               {"parts": [{"PartNumber": 1, "ETag": "x"}]}).status_code == 404
    assert api(client, "delete", f"/s3/multipart/{upload_id}", bob).status_code == 404
    assert client.post("/api/media/s3/multipart", {"filename": "a"}, content_type="application/json").status_code == 401
    assert api(client, "get", f"/s3/multipart/{upload_id}/parts/0", alice).status_code == 400
    s3_id = Upload.objects.get(pk=upload_id).multipart["s3_upload_id"]
    with django_capture_on_commit_callbacks(execute=True):  # bytes are dropped after the commit
        assert api(client, "delete", f"/s3/multipart/{upload_id}", alice).status_code == 204
    assert not Upload.objects.filter(pk=upload_id).exists()
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert s3_id not in [u["UploadId"] for u in uploads]


def test_multipart_quota(s3, alice, client, settings):
    settings.MEDIA_USER_QUOTA_BYTES = 5 * MB
    r = api(client, "post", "/s3/multipart", alice, {"filename": "a.mp4", "size": 6 * MB})
    assert r.status_code == 413 and r.json()["message"]
    # A client that under-declares is caught at completion, and the object is removed.
    r = api(client, "post", "/s3/multipart", alice, {"filename": "a.mp4", "size": 1})
    upload_id, key = r.json()["uploadId"], r.json()["key"]
    url = api(client, "get", f"/s3/multipart/{upload_id}/parts/1", alice).json()["url"]
    etag = requests.put(url, data=b"\0" * (5 * MB + 1)).headers["ETag"]
    r = api(client, "post", f"/s3/multipart/{upload_id}/complete", alice, {"parts": [{"PartNumber": 1, "ETag": etag}]})
    assert r.status_code == 413
    assert not Upload.objects.filter(pk=upload_id).exists()
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount", 0) == 0


def test_cleanup_aborts_expired_s3_uploads(s3, alice):
    up = services.create_s3_upload(alice.user, filename="x.mp4", content_type="video/mp4")
    s3_id = up.multipart["s3_upload_id"]
    Upload.objects.filter(pk=up.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.cleanup_expired() == 1
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert s3_id not in [u["UploadId"] for u in uploads]


def test_tus_upload_is_moved_to_object_storage_on_completion(s3, alice):
    """tus (e.g. an API client) while the default storage is S3: the finished file goes to the
    bucket, so ingest finds it with default_storage like any other complete upload."""

    data = os.urandom(3 * MB + 3)
    up = services.create_upload(alice.user, length=len(data), metadata={"filename": "v.mp4"})
    local_path = storage.local.path(up.storage_key)
    stream = io.BytesIO(data)
    services.receive_chunk(alice.user, up.id, offset=0, read=stream.read, content_length=2 * MB)
    assert local_path.stat().st_size == 2 * MB
    done = services.receive_chunk(alice.user, up.id, offset=2 * MB, read=stream.read, content_length=MB + 3)
    assert done.status == UploadStatus.COMPLETE and done.multipart["backend"] == "default"
    assert not local_path.exists()
    assert s3.head_object(Bucket=BUCKET, Key=done.storage_key)["ContentLength"] == len(data)
    assert storage.sha256_of(done) == hashlib.sha256(data).hexdigest()


def test_multipart_with_a_long_file_name_keeps_its_extension(s3, alice, client):
    """Issue 7, point 11: a 4,500-byte name was a 422 here (255 at most); now it is stored shortened
    to 255 bytes with its extension."""
    long = "作" * 1500 + ".mp4"
    r = api(client, "post", "/s3/multipart", alice, {"filename": long, "type": "video/mp4"})
    assert r.status_code == 200, r.content
    up = Upload.objects.get(pk=r.json()["uploadId"])
    assert up.filename.endswith("….mp4") and len(up.filename.encode()) <= 255
    assert r.json()["key"].endswith(".mp4")
