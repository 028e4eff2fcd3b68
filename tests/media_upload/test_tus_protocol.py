"""tus 1.0.0 conformance against the live server, with the tuspy client and raw HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import socket
from urllib.parse import urlsplit

import pytest
import requests
from django.utils import timezone
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from zhengji.media.models import MediaFile, Upload, UploadStatus
from zhengji.media.uploads import storage

from .conftest import b64, sha256_file

pytestmark = pytest.mark.django_db(transaction=True)
MB = 1024 * 1024


def endpoint(live_server) -> str:
    return live_server.url + "/files/tus/"


def create(live_server, person, length: int, name: str = "a.mp4") -> requests.Response:
    meta = f"filename {b64(name)},filetype {b64('video/mp4')}"
    return requests.post(endpoint(live_server), headers={
        **person.headers, "Upload-Length": str(length), "Upload-Metadata": meta})


def patch(url: str, person, offset: int, data: bytes, **headers) -> requests.Response:
    return requests.patch(url, data=data, headers={**person.headers, "Upload-Offset": str(offset),
                                                   "Content-Type": "application/offset+octet-stream", **headers})


def staged_path(upload: Upload):
    return storage.local.path(upload.storage_key)


def test_options_advertises_protocol_and_extensions(live_server):
    r = requests.options(endpoint(live_server))
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0"
    assert set(r.headers["Tus-Extension"].split(",")) == {"creation", "termination", "checksum", "expiration"}
    assert int(r.headers["Tus-Max-Size"]) > 2 * 1024 * MB
    assert {"sha1", "sha256"} <= set(r.headers["Tus-Checksum-Algorithm"].split(","))


def test_full_upload_with_tuspy_and_checksums(live_server, alice, random_file):
    path, digest = random_file(5 * MB + 123, "作品.mp4")
    c = tus_client.TusClient(endpoint(live_server), headers={"Authorization": f"Bearer {alice.token}"})
    with open(path, "rb") as fh:
        up = c.uploader(file_stream=fh, chunk_size=2 * MB, metadata={"filename": "作品.mp4"}, upload_checksum=True)
        up.upload()
    upload = Upload.objects.get()
    assert up.url.endswith(f"/files/tus/{upload.id}")
    assert upload.user == alice.user
    assert upload.status == UploadStatus.COMPLETE
    assert upload.offset == upload.length == 5 * MB + 123
    assert upload.filename == "作品.mp4"
    assert staged_path(upload).parent.name == "staging"
    assert sha256_file(staged_path(upload)) == digest
    assert storage.sha256_of(upload) == digest


def test_resume_after_cut_connection(live_server, alice, random_file):
    path, digest = random_file(6 * MB + 7)
    c = tus_client.TusClient(endpoint(live_server), headers={"Authorization": f"Bearer {alice.token}"})
    with open(path, "rb") as fh:
        first = c.uploader(file_stream=fh, chunk_size=MB, upload_checksum=True)
        first.upload(stop_at=2 * MB)  # the "connection" stops here
    url = first.url
    upload = Upload.objects.get()
    assert upload.offset == 2 * MB and upload.status == UploadStatus.RECEIVING
    # A raw PATCH cut off mid-body: the server keeps what arrived, the client asks HEAD and goes on.
    with open(path, "rb") as fh:
        fh.seek(2 * MB)
        part = fh.read(MB)
    r = requests.head(url, headers=alice.headers)
    assert r.status_code == 200 and r.headers["Upload-Offset"] == str(2 * MB)
    assert r.headers["Upload-Length"] == str(6 * MB + 7) and "Upload-Expires" in r.headers
    r = patch(url, alice, 2 * MB, part[: MB // 2])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(2 * MB + MB // 2)
    with open(path, "rb") as fh:
        second = tus_client.TusClient(endpoint(live_server), headers={"Authorization": f"Bearer {alice.token}"}) \
            .uploader(file_stream=fh, url=url, chunk_size=MB)
        assert second.offset == 2 * MB + MB // 2
        second.upload()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMPLETE
    assert sha256_file(staged_path(upload)) == digest


def test_checksum_mismatch_is_rejected_and_discarded(live_server, alice):
    r = create(live_server, alice, 10)
    url = r.headers["Location"]
    data = b"0123456789"
    bad = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="  # sha256 of "test", not of data
    r = patch(url, alice, 0, data, **{"Upload-Checksum": f"sha256 {bad}"})
    assert r.status_code == 460
    assert r.json()["code"] == "checksum_mismatch"
    upload = Upload.objects.get()
    assert upload.offset == 0 and staged_path(upload).stat().st_size == 0
    assert requests.head(url, headers=alice.headers).headers["Upload-Offset"] == "0"
    good = base64.b64encode(hashlib.sha1(data).digest()).decode()
    r = patch(url, alice, 0, data, **{"Upload-Checksum": f"sha1 {good}"})
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "10"


def test_unknown_checksum_algorithm_is_400(live_server, alice):
    url = create(live_server, alice, 4).headers["Location"]
    r = patch(url, alice, 0, b"abcd", **{"Upload-Checksum": "crc32 AAAA"})
    assert r.status_code == 400


def test_termination(live_server, alice):
    url = create(live_server, alice, 100).headers["Location"]
    assert patch(url, alice, 0, b"x" * 40).status_code == 204
    upload = Upload.objects.get()
    path = staged_path(upload)
    assert path.exists()
    r = requests.delete(url, headers=alice.headers)
    assert r.status_code == 204 and r.headers["Tus-Resumable"] == "1.0.0"
    assert not path.exists()
    assert not Upload.objects.exists()
    assert requests.head(url, headers=alice.headers).status_code == 404
    assert patch(url, alice, 40, b"y").status_code == 404


def test_expiration(live_server, alice):
    r = create(live_server, alice, 100)
    assert r.status_code == 201
    expires = r.headers["Upload-Expires"]
    assert expires.endswith("GMT")
    url = r.headers["Location"]
    r = patch(url, alice, 0, b"x" * 10)
    assert "Upload-Expires" in r.headers
    Upload.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert requests.head(url, headers=alice.headers).status_code == 410
    r = patch(url, alice, 10, b"x")
    assert r.status_code == 410 and r.json()["code"] == "gone"


def test_other_users_upload_is_404(live_server, alice, bob):
    url = create(live_server, alice, 100).headers["Location"]
    assert requests.head(url, headers=bob.headers).status_code == 404
    assert patch(url, bob, 0, b"x" * 10).status_code == 404
    assert requests.delete(url, headers=bob.headers).status_code == 404
    assert Upload.objects.get().offset == 0


def test_anonymous_and_bad_token_are_401(live_server, alice):
    r = requests.post(endpoint(live_server), headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"})
    assert r.status_code == 401
    r = requests.post(endpoint(live_server), headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10",
                                                      "Authorization": "Bearer nope"})
    assert r.status_code == 401
    url = create(live_server, alice, 10).headers["Location"]
    assert requests.head(url, headers={"Tus-Resumable": "1.0.0"}).status_code == 401


def test_quota_exceeded_at_creation_is_413_with_message(live_server, alice, settings):
    settings.MEDIA_USER_QUOTA_BYTES = 1000
    MediaFile.objects.create(owner=alice.user, filename="old.jpg", original="originals/old.jpg", size=600)
    assert create(live_server, alice, 400).status_code == 201
    r = create(live_server, alice, 1, "b.mp4")
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "too_large" and "存储空间已用完" in body["message"]  # Chinese by default
    r = requests.post(endpoint(live_server), headers={**alice.headers, "Upload-Length": "1", "Accept-Language": "en"})
    assert r.status_code == 413 and r.json()["message"].startswith("Your storage quota is used up")


def test_quota_rechecked_at_patch(live_server, alice, settings):
    settings.MEDIA_USER_QUOTA_BYTES = 1000
    url = create(live_server, alice, 500).headers["Location"]
    # Files added elsewhere meanwhile use the room this upload was given.
    MediaFile.objects.create(owner=alice.user, filename="x.jpg", original="originals/x.jpg", size=600)
    r = patch(url, alice, 0, b"x" * 10)
    assert r.status_code == 413 and r.json()["message"]
    assert Upload.objects.get().offset == 0


def test_max_size_per_upload(live_server, alice, settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = 100
    r = create(live_server, alice, 101)
    assert r.status_code == 413 and r.headers["Tus-Max-Size"] == "100"


def test_wrong_methods_are_405(live_server, alice):
    assert requests.get(endpoint(live_server), headers=alice.headers).status_code == 405
    url = create(live_server, alice, 10).headers["Location"]
    assert requests.get(url, headers=alice.headers).status_code == 405
    r = requests.put(url, headers=alice.headers, data=b"x")
    assert r.status_code == 405 and "PATCH" in r.headers["Allow"]


def test_protocol_errors(live_server, alice):
    url = create(live_server, alice, 10).headers["Location"]
    assert patch(url, alice, 3, b"abc").status_code == 409  # wrong offset
    r = requests.patch(url, data=b"abc", headers={**alice.headers, "Upload-Offset": "0",
                                                  "Content-Type": "application/octet-stream"})
    assert r.status_code == 415
    r = requests.head(url, headers={"Authorization": alice.headers["Authorization"]})
    assert r.status_code == 412 and r.headers["Tus-Version"] == "1.0.0"
    assert patch(url, alice, 0, b"x" * 11).status_code == 413  # beyond Upload-Length
    r = requests.post(endpoint(live_server), headers=alice.headers)
    assert r.status_code == 400  # no Upload-Length
    r = requests.post(endpoint(live_server), headers={**alice.headers, "Upload-Length": "5",
                                                      "Upload-Metadata": "filename ***"})
    assert r.status_code == 400
    assert Upload.objects.get().offset == 0


def test_tuspy_raises_on_foreign_url(live_server, alice, bob, random_file):
    path, _digest = random_file(1000)
    url = create(live_server, alice, 1000).headers["Location"]
    with open(path, "rb") as fh, pytest.raises(TusCommunicationError):
        tus_client.TusClient(endpoint(live_server), headers={"Authorization": f"Bearer {bob.token}"}) \
            .uploader(file_stream=fh, url=url).upload()


def test_cut_connection_keeps_received_bytes(live_server, alice):
    """A PATCH whose connection drops mid-body keeps what arrived; HEAD reports it."""
    url = create(live_server, alice, 3 * MB).headers["Location"]
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    head = (f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {alice.token}\r\nUpload-Offset: 0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nContent-Length: {2 * MB}\r\n\r\n")
    sock.sendall(head.encode() + b"z" * (300 * 1024))
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1024)  # wait for the server's answer to the short body
    sock.close()
    r = requests.head(url, headers=alice.headers)
    assert r.headers["Upload-Offset"] == str(300 * 1024)
    assert staged_path(Upload.objects.get()).stat().st_size == 300 * 1024
