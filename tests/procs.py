"""Real processes for the crash tests: the environment of a `manage.py` subprocess on the test's
own database and media folder, process-tree lookups in /proc, and a wait-until helper."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Every variable the settings read that would point a subprocess elsewhere.
SETTINGS_ENV = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SQLITE_PATH", "MEDIA_ROOT",
    "MEDIA_WORK_DIR", "TASKS_IMMEDIATE", "ZHENGJI_VAR_DIR", "DJANGO_SETTINGS_MODULE", "S3_BUCKET",
)


def database_env() -> dict[str, str]:
    """Settings variables that point a subprocess at the test database (a file on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert db["NAME"] and ":memory:" not in str(db["NAME"]) and "mode=memory" not in str(db["NAME"])
        return {"SQLITE_PATH": str(db["NAME"])}
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return {"DATABASE_URL": f"postgresql://{user}{password}@{host}{port}/{quote(db['NAME'])}"}


def django_env(tmp_path: Path, **extra: Any) -> dict[str, str]:
    """The environment of a `manage.py` subprocess sharing this test's database and MEDIA_ROOT,
    with the database task queue (no Redis)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env.update(DJANGO_SETTINGS_MODULE="zhengji.settings", ZHENGJI_VAR_DIR=str(tmp_path / "var"),
               PYTHONPATH=str(ROOT), MEDIA_ROOT=str(settings.MEDIA_ROOT), PYTHONUNBUFFERED="1")
    env.update(database_env())
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage_popen(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`manage.py ARGS` in its own session (so a test can clean up the whole group), output to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def manage(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a Popen'ed process's whole group (anything it left running), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def in_group(pgid: int, name: str | None = None) -> list[int]:
    """Live processes of process group `pgid` (optionally only those named `name`)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _stat(int(entry))
        if st and st[2] == pgid and st[0] not in ("Z", "X") and (name is None or comm(int(entry)) == name):
            found.append(int(entry))
    return found


def children_of(pid: int, name: str | None = None) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _stat(int(entry))
        if st and st[1] == pid and st[0] not in ("Z", "X") and (name is None or comm(int(entry)) == name):
            found.append(int(entry))
    return found


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy (returned) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
