"""The environment a database benchmark starts Django in: a fresh temporary folder, SQLite there
unless BENCH_DATABASE_URL names another database, no Redis. Call `configure()` before importing
Django (shared by the benchmarks; procmem.py is their other shared piece)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(name: str) -> str:
    """Set the environment for benchmark `name`; returns its temporary folder."""
    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix=f"zj-bench-{name}-")
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.pop("REDIS_URL", None)
    os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ["ZHENGJI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")
    os.environ["AXES_ENABLED"] = "0"
    return tmp
