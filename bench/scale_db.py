"""A province-scale database for the benchmarks, built once by `zhengji.demo.scale.build_scale`
(20,000 organisations, 100,000 entries by default) and kept between runs:

- SQLite: `var/bench/scale-<orgs>-<entries>.sqlite3` (WAL), the embedded default;
- PostgreSQL + Redis: database `zj_bench_<orgs>_<entries>` on 127.0.0.1:5432, Redis db 7.

Import this module and call `setup(backend)` BEFORE anything imports Django models: it sets the
environment, runs django.setup() and the migrations, and builds the data if it is missing."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgresql://postgres@127.0.0.1:5432/"


def setup(backend: str, orgs: int = 20000, entries: int = 100000):
    """Point Django at the scale database of `backend` ("sqlite" or "postgresql"); return the
    campaign of the scale data (built now if missing)."""
    tmp = tempfile.mkdtemp(prefix="zj-bench-")
    os.environ["ZHENGJI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")
    if backend == "postgresql":
        name = f"zj_bench_{orgs}_{entries}"
        _create_pg_database(name)
        os.environ["DATABASE_URL"] = PG + name
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/7"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        path = ROOT / "var" / "bench" / f"scale-{orgs}-{entries}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    import django

    django.setup()
    from django.core.management import call_command

    from zhengji.campaigns.models import Campaign
    from zhengji.demo.scale import build_scale

    call_command("migrate", verbosity=0)
    campaign = Campaign.objects.filter(slug="scale-1").first()
    if campaign is None:
        started = time.monotonic()
        print(f"building the scale data ({orgs} organisations, {entries} entries) on {backend} …", flush=True)
        campaign = build_scale(orgs=orgs, entries=entries, seed=1, force=True).campaign
        print(f"built in {time.monotonic() - started:.0f} s", flush=True)
    return campaign


def _create_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in ms of samples in seconds."""
    xs = sorted(samples)
    return (xs[len(xs) // 2] * 1000, xs[min(len(xs) - 1, int(len(xs) * 0.95))] * 1000)
