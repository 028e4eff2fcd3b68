"""Child processes (ffmpeg, ffprobe) that die with the worker, and work folders that a sweep can
tell from live ones.

- `die_with_parent` (a Popen `preexec_fn`, Linux): the kernel sends SIGKILL to the child when the
  thread that started it ends, so a worker killed with `kill -9` leaves no ffmpeg behind.
- `run` waits for a child in slices, calling `beat()` between them (the processing heartbeat); if
  `beat` raises (the work was taken over), or on any other exit, the child is killed first.
- `work_folder` is a temporary folder holding an exclusive `flock` on its `.lock` file for as long
  as its process lives; `sweep_work_folders` removes every folder whose lock is free (the OS drops
  a dead process's locks), wherever a crash left it.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

PR_SET_PDEATHSIG = 1
WORK_PREFIX = "zj-media-"
SOURCE_PREFIX = "zj-src-"
LOCK_NAME = ".lock"

# Resolved once here: the child between fork and exec does as little as possible (no lookups).
_prctl: Callable[..., int] | None = None
with contextlib.suppress(OSError, AttributeError):
    _prctl = ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent(parent: int | None = None) -> Callable[[], None]:
    """A `preexec_fn`: SIGKILL this child when its parent dies (Linux prctl; elsewhere nothing).
    If the parent died between fork and prctl, exit at once."""
    parent = os.getpid() if parent is None else parent
    prctl, sigkill, getppid, leave = _prctl, int(signal.SIGKILL), os.getppid, os._exit

    def setup() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, sigkill, 0, 0, 0)
        if getppid() != parent:
            leave(1)

    return setup


class ChildTimeout(Exception):
    """The child ran longer than its timeout and was killed."""


def run(cmd: list[str], *, timeout: float, beat: Callable[[], None] | None = None,
        every: float = 5.0) -> tuple[int, bytes]:
    """Run `cmd` to its end; returns (exit code, the tail of its stderr). Stdout is discarded,
    stderr goes to a temporary file (no pipe to fill up while we wait)."""
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=die_with_parent())  # noqa: PLW1509 (only prctl and getppid run there)
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ChildTimeout(cmd[0])
                try:
                    code = proc.wait(timeout=min(every, left))
                    break
                except subprocess.TimeoutExpired:
                    if beat is not None:
                        beat()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0, os.SEEK_END)
        err.seek(max(0, err.tell() - 4000))
        return code, err.read()


# --- work folders -------------------------------------------------------------------------------

def work_root() -> Path:
    return Path(getattr(settings, "MEDIA_WORK_DIR", None) or tempfile.gettempdir())


@contextlib.contextmanager
def work_folder() -> Iterator[Path]:
    """A fresh temporary folder, locked (flock) by this process until the block ends."""
    root = work_root()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=root) as tmp:
        path = Path(tmp)
        with open(path / LOCK_NAME, "wb") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            yield path


def _held(lock_path: Path) -> bool:
    """Whether a live process holds the folder's lock (False when the lock file is missing)."""
    try:
        fh = open(lock_path, "rb")  # noqa: SIM115 (closed below, after the lock test)
    except FileNotFoundError:
        return False
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


def sweep_work_folders(*, grace_seconds: float | None = None, source_max_age: float | None = None) -> list[str]:
    """Remove work folders left by dead processes (their lock is free) that are older than
    `grace_seconds` (default MEDIA_HEARTBEAT_SECONDS: a folder just made has no lock yet), and
    streamed source copies older than `source_max_age` (default MEDIA_PROCESSING_STALE_SECONDS).
    Returns the names removed."""
    root = work_root()
    if grace_seconds is None:
        grace_seconds = float(getattr(settings, "MEDIA_HEARTBEAT_SECONDS", 15))
    if source_max_age is None:
        source_max_age = float(getattr(settings, "MEDIA_PROCESSING_STALE_SECONDS", 7200))
    now = time.time()
    removed: list[str] = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return removed
    for entry in entries:
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if entry.name.startswith(WORK_PREFIX) and entry.is_dir(follow_symlinks=False):
                if age < grace_seconds or _held(Path(entry.path) / LOCK_NAME):
                    continue
                shutil.rmtree(entry.path)
            elif entry.name.startswith(SOURCE_PREFIX) and entry.is_file(follow_symlinks=False):
                if age < source_max_age:
                    continue
                os.unlink(entry.path)
            else:
                continue
        except FileNotFoundError:  # removed meanwhile by its owner
            continue
        removed.append(entry.name)
    return removed
