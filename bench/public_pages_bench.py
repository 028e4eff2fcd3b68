"""Public pages under load: the anonymous home, gallery, search and entry pages of a province-scale
campaign (100,000 entries, all shown), served by gunicorn with several workers, loaded on loopback
with wrk at 8 and 64 connections. Each figure stands beside a baseline measured in the same run:
a small static file served through the same Django stack (WhiteNoise), so the ratio says what a
page costs over the server's floor on this noisy shared machine.

    .venv/bin/python bench/public_pages_bench.py                # embedded default (SQLite, no Redis)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/zj_bench_pages \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/public_pages_bench.py

Knobs: BENCH_ENTRIES (100000), BENCH_ORGS (2000), BENCH_WORKERS (4), BENCH_SECONDS (8 per run),
BENCH_CONNECTIONS ("8,64"), BENCH_CACHE ("on,off": the anonymous page cache on, and off to see the
uncached path), BENCH_KEEP (a directory: the built data set is kept there, SQLite file or the
PostgreSQL database left in place, with the paths to load in `data.json`, and a later run with the
same BENCH_KEEP and backend reuses it instead of building 100,000 entries again; BENCH_BUILD_ONLY=1
stops once it is built), BENCH_WARM_ROUNDS (4) and BENCH_WARM_SECONDS (90): the wrk warm-up that
fills every worker's cache before the measured runs. Query counts are read in-process with the
test client (cache off), exact. Goal: p95 < 100 ms for the pages at 8 connections with the page cache on.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procmem import free_port  # noqa: E402 (the benchmarks' shared helpers)

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "100000"))
ORGS = int(os.environ.get("BENCH_ORGS", "2000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "8,64").split(",")]
CACHE_MODES = os.environ.get("BENCH_CACHE", "on,off").split(",")
GOAL_P95_MS = 100

# Marks every submitted entry of the scale campaign as shown (approved for display, city filled
# in) in a few set-based statements, then prints the paths to load as JSON.
PREPARE = r"""
import json, random
from django.db import connection
from django.db.models import OuterRef, Subquery
from zhengji.campaigns.models import Campaign
from zhengji.entries.models import Entry, EntryStatus
from zhengji.orgs.models import Organization
from zhengji.public.models import Showcase
c = Campaign.objects.get()
Campaign.objects.filter(pk=c.pk).update(is_published=True)
Entry.objects.exclude(status=EntryStatus.DRAFT).update(status=EntryStatus.PUBLISHED)
cities = {o.path: o.pk for o in Organization.objects.filter(kind="city")}
step = Organization.steplen if hasattr(Organization, "steplen") else 4
rows, ids = [], []
shown = Entry.objects.filter(status=EntryStatus.PUBLISHED).values_list("pk", "track_id", "unit__path")
for pk, track_id, path in shown.iterator(chunk_size=5000):
    city = next((cities[path[:n]] for n in range(len(path), 0, -step) if path[:n] in cities), None)
    rows.append(Showcase(entry_id=pk, track_id=track_id, city_id=city, approved=True, views=pk % 997))
    ids.append(pk)
    if len(rows) >= 5000:
        Showcase.objects.bulk_create(rows); rows = []
Showcase.objects.bulk_create(rows)
try:
    from zhengji.public import search
    if hasattr(search, "rebuild"):
        search.rebuild()
except ImportError:
    pass
track = c.tracks.order_by("number").first()
rng = random.Random(1)
print(json.dumps({"slug": c.slug, "track": track.slug, "entries": rng.sample(ids, 500), "shown": len(ids)}))
"""

COUNT_QUERIES = r"""
import json, sys
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
settings.PUBLIC_PAGE_CACHE = False
settings.ALLOWED_HOSTS = ["*"]
out = {}
client = Client()
for name, path in json.loads(sys.stdin.read()).items():
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path)
    out[name] = {"status": r.status_code, "queries": len(ctx.captured_queries)}
print(json.dumps(out))
"""

WRK_LUA = r"""
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, '
    .. '"p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, errors))
end
"""


# Warms every worker's cache: each path is requested `BENCH_WARM_ROUNDS` times in turn (the thread
# stops after that many responses, or after BENCH_WARM_SECONDS), so with per-process caches (LocMem,
# the SQLite setup) most workers have served most pages before the measured runs: (3/4)^4 ≈ 32% of
# (page, worker) pairs stay cold with 4 workers and 4 rounds. A shared cache (Redis) is warm after
# the first round. (LocMem keeps 300 entries per process by default: the 500 entry pages do not
# fit, so on SQLite they are mostly misses however long the warm-up.)
WARM_LUA = r"""
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local limit = tonumber(os.getenv("WARM_REQUESTS"))
local i, n = 0, 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
response = function()
  n = n + 1
  if n >= limit then wrk.thread:stop() end
end
"""
WARM_ROUNDS = int(os.environ.get("BENCH_WARM_ROUNDS", "4"))
WARM_SECONDS = int(os.environ.get("BENCH_WARM_SECONDS", "90"))


def manage(args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, **kw)


def wait_port(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def wrk(port: int, paths: list[str], connections: int, tmp: Path) -> dict:
    lst = tmp / f"paths-{abs(hash(tuple(paths)))}.txt"
    lst.write_text("\n".join(quote(p, safe="/?&=") for p in paths) + "\n")  # wrk sends bytes as given
    lua = tmp / "report.lua"
    lua.write_text(WRK_LUA)
    threads = min(2, connections)
    run = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{SECONDS}s", "--timeout", "10s",
                          "-s", str(lua), f"http://127.0.0.1:{port}"], env={**os.environ, "WRK_PATHS": str(lst)},
                         check=True, capture_output=True, text=True)
    line = [x for x in run.stdout.splitlines() if x.startswith("{")][-1]
    got = json.loads(line)
    got["rps"] = round(got["requests"] / got["seconds"], 1)
    return got


def warm(port: int, paths: list[str], tmp: Path, rounds: int) -> None:
    """Request each path `rounds` times (4 connections, 1 thread), to fill every worker's cache."""
    lst = tmp / "warm-paths.txt"
    lst.write_text("\n".join(quote(p, safe="/?&=") for p in paths) + "\n")
    lua = tmp / "warm.lua"
    lua.write_text(WARM_LUA)
    subprocess.run(["wrk", "-t", "1", "-c", "4", "-d", f"{WARM_SECONDS}s", "--timeout", "30s", "-s", str(lua),
                    f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True,
                   env={**os.environ, "WRK_PATHS": str(lst), "WARM_REQUESTS": str(len(paths) * rounds)})


def main() -> int:
    keep = os.environ.get("BENCH_KEEP", "")
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="zj-pages-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ZHENGJI_VAR_DIR": str(tmp / "var"), "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50,
           "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "STATIC_NO_MANIFEST": "1",
           "LOG_LEVEL": "WARNING", "SQLITE_PATH": str(tmp / "bench.sqlite3")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    backend = ("PostgreSQL" if env.get("DATABASE_URL") else "SQLite") + (" + Redis" if env.get("REDIS_URL") else "")
    built = tmp / f"data-{'pg' if env.get('DATABASE_URL') else 'sqlite'}-{ENTRIES}.json"
    if keep and built.exists():
        data = json.loads(built.read_text())
        print(f"{backend}: reusing the data set kept in {tmp} ({data['shown']} shown)", flush=True)
        manage(["migrate", "--no-input", "-v", "0"], env)
    else:
        data = build(env, backend)
        if keep:
            built.write_text(json.dumps(data))
    if os.environ.get("BENCH_BUILD_ONLY") == "1":
        return 0
    if env.get("REDIS_URL"):
        subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "FLUSHDB"], check=True, capture_output=True)
    return bench(env, backend, data, tmp)


def build(env: dict, backend: str) -> dict:
    if env.get("DATABASE_URL"):
        dbname = env["DATABASE_URL"].rsplit("/", 1)[1]
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {dbname}"],
                       check=True, capture_output=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {dbname}"],
                       check=True, capture_output=True)
    t0 = time.monotonic()
    manage(["migrate", "--no-input", "-v", "0"], env)
    manage(["load_scale", "--orgs", str(ORGS), "--entries", str(ENTRIES), "--seed", "1"], env, capture_output=True)
    data = json.loads(manage(["shell", "-c", PREPARE], env, capture_output=True).stdout.strip().splitlines()[-1])
    print(f"{backend}: {ENTRIES} entries ({data['shown']} shown) ready in {time.monotonic() - t0:.0f} s", flush=True)
    return data


def bench(env: dict, backend: str, data: dict, tmp: Path) -> int:
    manage(["collectstatic", "--no-input", "-v", "0"], env)

    slug, track = data["slug"], data["track"]
    gallery = f"/c/{slug}/gallery/"
    pages = {
        "baseline: static file": ["/static/img/favicon.svg"],
        "home": ["/"],
        "gallery, first page": [f"{gallery}?track={track}"],
        "gallery, pages 2-50": [f"{gallery}?track={track}&page={p}" for p in range(2, 51)],
        "search, 2 characters": [f"{gallery}?track={track}&q={q}" for q in ("匠心", "江淮", "初心", "车间")],
        "search, 4 characters": [f"{gallery}?track={track}&q={q}" for q in ("匠心江淮", "劳动奋斗", "星光春风")],
        "entry page": [f"/w/{pk}/" for pk in data["entries"]],
    }
    probe = {name: paths[0] for name, paths in pages.items() if not name.startswith("baseline")}
    counts = json.loads(manage(["shell", "-c", COUNT_QUERIES], env, input=json.dumps(probe),
                               capture_output=True).stdout.strip().splitlines()[-1])

    results = []
    for mode in CACHE_MODES:
        port = free_port()
        server_env = {**env, "PUBLIC_PAGE_CACHE": "1" if mode == "on" else "0"}
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "zhengji.wsgi:application",
                                   "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                                   "--log-level", "warning"], cwd=ROOT, env=server_env)
        try:
            wait_port(port)
            t_warm = time.monotonic()  # warm: imports, connections, and (cache on) every worker's pages
            warm(port, [p for paths in pages.values() for p in paths], tmp, WARM_ROUNDS if mode == "on" else 1)
            print(f"warmed ({mode}) in {time.monotonic() - t_warm:.0f} s", flush=True)
            for conns in CONNECTIONS:
                base = wrk(port, pages["baseline: static file"], conns, tmp)
                for name, paths in pages.items():
                    got = base if name.startswith("baseline") else wrk(port, paths, conns, tmp)
                    got.update(page=name, cache=mode, connections=conns, backend=backend,
                               queries=counts.get(name, {}).get("queries", 0),
                               ratio=round(base["rps"] / got["rps"], 2) if got["rps"] else None)
                    results.append(got)
                    print(f"| {backend} | {mode} | {conns} | {name} | {got['rps']} | {got['p50_ms']} | "
                          f"{got['p95_ms']} | {got['ratio']}× | {got['queries']} | {got['errors']} |", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(results, ensure_ascii=False))
    missed = [r for r in results if r["cache"] == "on" and r["connections"] == 8
              and not r["page"].startswith("baseline") and r["p95_ms"] >= GOAL_P95_MS]
    for r in missed:
        print(f"goal missed: {r['page']} p95 {r['p95_ms']} ms at 8 connections (cache on)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
