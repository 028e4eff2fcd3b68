"""A web server killed mid-PATCH (issue 7, point 5), with real processes: `manage.py runserver`
subprocesses on the test database. While the stalled request's process lives, a second writer
gets 423 with Retry-After; once it is killed, a resume on a fresh server takes over its write
lease at once (the OS dropped its file lock) instead of waiting out the lease."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import time
from pathlib import Path

import pytest
import requests

from tests import factories as f
from tests import procs
from tests.media_upload.conftest import b64, make_token
from zhengji.media.models import Upload, UploadStatus
from zhengji.media.uploads import services, storage

SIZE = 1024 * 1024


class Server:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.proc = None
        self.port = 0

    def start(self):
        self.port = procs.free_port()
        self.proc = procs.manage_popen(["runserver", f"127.0.0.1:{self.port}", "--noreload"],
                                       procs.django_env(self.tmp_path), self.tmp_path / f"server-{self.port}.log")
        procs.wait_until(self._up, 60, "the server to answer")
        return self

    def _up(self) -> bool:
        try:
            return requests.options(self.url("/files/tus/"), timeout=2).status_code == 204
        except requests.ConnectionError:
            assert self.proc.poll() is None, (self.tmp_path / f"server-{self.port}.log").read_text()
            return False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def servers(transactional_db, tmp_path):
    started: list[Server] = []

    def start() -> Server:
        s = Server(tmp_path).start()
        started.append(s)
        return s

    yield start
    for s in started:
        procs.kill_group(s.proc)


def stalled_patch(server: Server, path: str, token: str, *, send: int) -> socket.socket:
    """A PATCH of the whole file that sends only `send` bytes of its body, then stalls."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = (f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {SIZE}\r\n\r\n")
    sock.sendall(head.encode() + b"a" * send)
    return sock


def test_resume_after_the_server_was_killed_mid_patch_is_not_locked(servers, tmp_path):
    user = f.user()
    token = make_token(user)
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    first = servers()
    r = requests.post(first.url("/files/tus/"), headers={**headers, "Upload-Length": str(SIZE),
                                                         "Upload-Metadata": f"filename {b64('clip.bin')}"})
    assert r.status_code == 201, r.text
    path = "/" + r.headers["Location"].split("/", 3)[3]
    upload_id = path.rstrip("/").rsplit("/", 1)[1]

    sock = stalled_patch(first, path, token, send=SIZE // 4)
    try:
        procs.wait_until(lambda: Upload.objects.get(pk=upload_id).writer, 30, "the PATCH to take the lease")
        # While that request's process lives, another writer is told to come back soon.
        body = os.urandom(SIZE)
        r = requests.patch(first.url(path), data=body, headers={
            **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, timeout=30)
        assert r.status_code == 423 and r.json()["code"] == "locked"
        retry_after = r.headers.get("Retry-After")

        os.kill(first.proc.pid, signal.SIGKILL)  # the web server dies mid-body
        first.proc.wait(timeout=10)
    finally:
        sock.close()
    leased = Upload.objects.get(pk=upload_id)
    assert leased.writer and leased.offset == 0  # the dead request's lease is still on the row

    second = servers()
    r = requests.head(second.url(path), headers=headers, timeout=10)
    assert r.status_code == 200 and r.headers["Upload-Offset"] == "0"
    started = time.monotonic()
    r = requests.patch(second.url(path), data=body, headers={
        **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, timeout=30)
    assert r.status_code == 204, (r.status_code, r.text)  # at once: no 423 for the dead lease
    assert time.monotonic() - started < 10
    assert r.headers["Upload-Offset"] == str(SIZE)
    done = Upload.objects.get(pk=upload_id)
    assert done.status == UploadStatus.COMPLETE and done.offset == SIZE and done.writer == ""
    assert storage.sha256_of(done) == hashlib.sha256(body).hexdigest()
    assert retry_after == str(services.LOCKED_RETRY_AFTER)


def test_the_widget_retries_longer_than_any_write_lease():
    """Uppy's tus plugin retries 423 on the schedule of `retryDelays`; it must outlast a lease
    (a stalled request's lease, renewed by nothing, runs out after LEASE_SECONDS)."""
    js = (Path(__file__).resolve().parents[2] / "zhengji/media/static/media/uploader.js").read_text()
    delays = json.loads(re.search(r"retryDelays:\s*(\[[^\]]*\])", js).group(1))
    assert delays == sorted(delays) and delays[0] == 0
    assert sum(delays) > 1.5 * services.LEASE_SECONDS * 1000
