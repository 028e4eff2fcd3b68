"""Fixtures of the file-safety tests (issue 12, point 5): a track with file slots, ingest through
the upload path (what a browser does) and from a file, a look at everything in storage, and a
real ClamAV daemon (Debian's clamav-daemon) started on a temporary socket with a tiny test
signature database: no freshclam, no network."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from tests import factories as f
from tests.media_process.conftest import ingest, target  # noqa: F401 (shared fixtures over this folder's `world`)
from zhengji.media.models import Upload, UploadStatus
from zhengji.media.uploads.ingest import create_media_from_upload
from zhengji.orgs.models import OrgKind

SCHEMA = [
    {"key": "image", "type": "file", "label": "图片", "file": {"kinds": ["image"]}},
    {"key": "photo", "type": "file", "label": "照片",
     "file": {"kinds": ["image"], "extensions": ["jpg", "jpeg", "png", "gif"]}},
    {"key": "video", "type": "file", "label": "视频", "file": {"kinds": ["video"], "extensions": ["mp4", "mov"]}},
    {"key": "audio", "type": "file", "label": "音频", "file": {"kinds": ["audio"]}},
    {"key": "doc", "type": "file", "label": "文档", "file": {"kinds": ["document"], "max_size_mb": 16}},
    {"key": "office", "type": "file", "label": "Office",
     "file": {"kinds": ["document"], "extensions": ["docx", "xlsx", "pptx", "pdf"], "max_size_mb": 16}},
]

# The EICAR test string (harmless by definition), assembled so this file is no test file itself.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
SIGNATURE = "Zhengji.Test.EICAR"
# A whole file known by its MD5 (.hdb), as a hash list of known malware is used.
HASHED = b"zhengji: a file known to the scanner by its hash\n" * 3
HASH_SIGNATURE = "Zhengji.Test.Hash"


@pytest.fixture
def world(db):
    root = f.org("铜陵市总工会", OrgKind.CITY)
    c = f.campaign(root)
    t = f.track(c, root, form_schema=SCHEMA)
    return {"org": root, "campaign": c, "track": t, "owner": f.user(), "other": f.user(),
            "admin": f.user(is_superuser=True)}


@pytest.fixture
def upload_ingest(world, target, django_capture_on_commit_callbacks):  # noqa: F811 (the imported fixture)
    """upload_ingest(path, slot, filename=…) → (Upload, MediaFile or the exception): the bytes are
    staged as a finished tus upload leaves them, then ingested; on-commit work runs."""
    def _run(path, slot, *, filename=None):
        path = Path(path)
        with open(path, "rb") as fh:
            key = default_storage.save("staging/upload-under-test", File(fh, name="upload-under-test"))
        size = path.stat().st_size
        up = Upload.objects.create(user=world["owner"], filename=filename or path.name, length=size, offset=size,
                                   storage_key=key, status=UploadStatus.COMPLETE,
                                   expires_at=timezone.now() + dt.timedelta(days=1))
        try:
            with django_capture_on_commit_callbacks(execute=True):
                result = create_media_from_upload(up, target=target(slot))
        except Exception as exc:  # noqa: BLE001 (the test looks at what was raised)
            result = exc
        up.refresh_from_db()
        return up, result

    return _run


def stored_files() -> list[Path]:
    """Every file under MEDIA_ROOT (staging, originals, renditions)."""
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- ClamAV -----------------------------------------------------------------------------------

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clamd:
    """A clamd process with the test database; `socket` (unix) and `port` (TCP on 127.0.0.1)."""

    def __init__(self, folder: Path, *, stream_max: str, max_file: str):
        if not os.path.exists(CLAMD):
            pytest.fail("clamd is missing: install Debian's clamav-daemon (`make system-deps` does)")
        self.folder = folder
        db = folder / "db"
        db.mkdir()
        # A body signature (.ndb: name:target:offset:hex) for the EICAR string, and an MD5 one
        # (.hdb: md5:size:name) for a whole file: the daemon needs no official database.
        (db / "zhengji-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
        (db / "zhengji-test.hdb").write_text(f"{hashlib.md5(HASHED).hexdigest()}:{len(HASHED)}:{HASH_SIGNATURE}\n")
        self.socket = folder / "clamd.sock"
        self.port = _free_port()
        self.log = folder / "clamd.log"
        conf = folder / "clamd.conf"
        conf.write_text("\n".join([
            f"LocalSocket {self.socket}", "TCPAddr 127.0.0.1", f"TCPSocket {self.port}",
            f"DatabaseDirectory {db}", "Foreground yes", f"LogFile {self.log}", f"TemporaryDirectory {folder}",
            f"StreamMaxLength {stream_max}", f"MaxFileSize {max_file}", f"MaxScanSize {max_file}",
            "AlertExceedsMax yes", "SelfCheck 0", "Bytecode no",
        ]) + "\n")
        started = time.monotonic()
        self.proc = subprocess.Popen([CLAMD, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        while not self._pong():
            if self.proc.poll() is not None or time.monotonic() - started > 60:
                self.stop()
                log = self.log.read_text() if self.log.exists() else ""
                pytest.fail(f"clamd did not start: {self.proc.stderr.read().decode() if self.proc.stderr else ''}"
                            f"\n{log[-2000:]}")
            time.sleep(0.05)
        self.startup = time.monotonic() - started

    def _pong(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(1)
                s.connect(str(self.socket))
                s.sendall(b"zPING\0")
                return s.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture(scope="session")
def clamd():
    """One clamd for the session: StreamMaxLength 2M, MaxFileSize/MaxScanSize 1M (small, so the
    limits are reached with small files)."""
    folder = Path(tempfile.mkdtemp(prefix="zj-clamd-"))  # short: a unix socket path has ~100 bytes
    daemon = Clamd(folder, stream_max="2M", max_file="1M")
    yield daemon
    daemon.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def use_clamd(clamd, settings):
    settings.MEDIA_VIRUS_SCANNER = "zhengji.media.clamav.scan"
    settings.MEDIA_CLAMD_SOCKET = str(clamd.socket)
    settings.MEDIA_CLAMD_STREAM_MAX_BYTES = 2 * 1024 * 1024
    settings.MEDIA_CLAMD_TIMEOUT = 30
    settings.MEDIA_VIRUS_SCAN_FAIL_OPEN = False
    return clamd
