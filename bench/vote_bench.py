"""Votes per second through the real HTTP endpoint, with the exact quota holding.

    .venv/bin/python bench/vote_bench.py                 # embedded default: SQLite, no Redis
    .venv/bin/python bench/vote_bench.py --pg            # PostgreSQL + Redis
        (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/zhengji_votes_bench, dropped
         and made again; BENCH_REDIS_URL, default redis://127.0.0.1:6379/10, flushed)

Seeds a published campaign with one track whose vote is open (1 vote per entry per account per day,
--quota votes per account per day), --entries public entries and --accounts phone-verified accounts,
each with a logged-in session. Starts gunicorn (--workers, DEBUG off) and drives it with wrk
(--connections, --duration): first the baseline, GET /api/health (no database), then the votes,
POST /api/public/votes/entries/<id> with each account's session cookie and CSRF token, account k
voting for entries in turn so that some accounts go past their quota and are refused (409).

Then checks that the quota held exactly: no account has more counted votes than the quota, each
account's day counter equals its logged votes, no account voted twice for one entry, and the
entries' tallies add up to the votes logged and to the 200 answers wrk saw. Prints votes/s (200s),
attempts/s (all answers), p50/p95 latency, and the baseline beside them as a ratio. Exit status 1
when the quota did not hold or a goal was missed (--goal, default 1000 on --pg, 300 embedded)."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv  # noqa: E402

ROOT = benchenv.ROOT
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/zhengji_votes_bench"
REDIS_DEFAULT = "redis://127.0.0.1:6379/10"

LUA = r"""
local accounts = dofile("%(accounts)s")
local entries = {%(entries)s}
local nthreads = %(threads)d
local counter = 0
local seq = 0
function setup(thread)
  thread:set("tid", seq)
  seq = seq + 1
end
function init(args)
  counter = tid
end
function request()
  local k = counter
  counter = counter + nthreads
  local a = accounts[(k %% #accounts) + 1]
  local e = entries[(math.floor(k / #accounts) %% #entries) + 1]
  return wrk.format("POST", "/api/public/votes/entries/" .. e,
    {["Cookie"] = "sessionid=" .. a .. "; csrftoken=%(csrf)s", ["X-CSRFToken"] = "%(csrf)s",
     ["Content-Type"] = "application/json"}, "{}")
end
"""

DONE = r"""
function done(summary, latency, requests)
  io.write(string.format('\nRESULT {"p50_ms": %.2f, "p95_ms": %.2f, "requests": %d, "non2xx": %d, ' ..
    '"socket_errors": %d, "seconds": %.3f}\n', latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.duration / 1e6))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_pg(url: str) -> None:
    import psycopg  # noqa: PLC0415 (only for --pg)

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(n_accounts: int, n_entries: int, quota: int) -> tuple[list[str], list[int], int]:
    import datetime as dt  # noqa: PLC0415 (after django.setup)

    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from zhengji.accounts.models import User  # noqa: PLC0415
    from zhengji.campaigns.models import Campaign, Track, WorkKind  # noqa: PLC0415
    from zhengji.entries.models import Entry, EntryStatus  # noqa: PLC0415
    from zhengji.orgs.models import Organization, OrgKind  # noqa: PLC0415
    from zhengji.public.models import VoteWindow  # noqa: PLC0415

    province = Organization.objects.add_root({"name": "安徽省总工会", "kind": OrgKind.PROVINCE, "code": "AH"})
    d = dt.date.today()
    c = Campaign.objects.create(org=province, slug="bench", name="投票基准", year=d.year, is_published=True,
                                launch_date=d, collect_start=d, collect_end=d, review_start=d, review_end=d,
                                publicity_start=d, publicity_end=d, conclude_date=d)
    t = Track.objects.create(campaign=c, host_unit=province, number=1, slug="t1", name="子项目1",
                             work_kind=WorkKind.IMAGE, entrant_types=["individual"])
    now = timezone.now()
    VoteWindow.objects.create(track=t, enabled=True, opens_at=now - dt.timedelta(hours=1),
                              closes_at=now + dt.timedelta(days=1), per_entry_daily=1, per_account_daily=quota)
    owner = User.objects.create(username="owner", phone="13800000000", phone_verified=True)
    Entry.objects.bulk_create([Entry(track=t, submitter=owner, unit=province, title=f"作品{i}",
                                     status=EntryStatus.PUBLISHED) for i in range(n_entries)])
    entry_ids = list(Entry.objects.filter(track=t).values_list("pk", flat=True))
    users = User.objects.bulk_create([
        User(username=f"v{i}", phone=f"139{i:08d}", phone_verified=True, password="!", is_active=True)
        for i in range(n_accounts)], batch_size=1000)
    users = list(User.objects.filter(username__startswith="v").order_by("pk"))
    from importlib import import_module  # noqa: PLC0415

    from zhengji.public.votes_lean import remember_account  # noqa: PLC0415

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for u in users:
        s = store()
        s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(u.pk), "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = u.get_session_auth_hash()
        s.create()
        keys.append(s.session_key)
        if not os.environ.get("BENCH_COLD_ACCOUNTS"):
            remember_account(u)  # what logging in does (the user_logged_in signal)
    return keys, entry_ids, t.pk


def wrk(url: str, connections: int, seconds: int, threads: int, script: Path) -> dict:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def check(track_id: int, quota: int, ok_answers: int, in_flight: int) -> dict:
    from django.db.models import Count, Max, Sum  # noqa: PLC0415

    from zhengji.public.models import Vote, VoteDayCounter, VoteTally  # noqa: PLC0415

    votes = Vote.objects.filter(track_id=track_id)
    logged = votes.count()
    per_user = dict(votes.values("user_id").annotate(n=Count("id")).values_list("user_id", "n"))
    counters = dict(VoteDayCounter.objects.filter(track_id=track_id, entry_key=0).values_list("user_id", "used"))
    dup = votes.values("user_id", "entry_id", "day").annotate(n=Count("id")).filter(n__gt=1).count()
    tallies = VoteTally.objects.filter(track_id=track_id).aggregate(s=Sum("counted"))["s"] or 0
    most = VoteDayCounter.objects.filter(track_id=track_id, entry_key=0).aggregate(m=Max("used"))["m"] or 0
    at_quota = sum(1 for n in counters.values() if n == quota)
    # wrk stops counting at the deadline; up to one request per connection was still being answered.
    held = (most <= quota and per_user == counters and dup == 0 and tallies == logged
            and ok_answers <= logged <= ok_answers + in_flight)
    return {"logged": logged, "tallies": tallies, "answers_200": ok_answers, "max_per_account": most,
            "accounts_at_quota": at_quota, "duplicates": dup, "counters_match_log": per_user == counters,
            "quota_held": held}


def _environ(method: str, path: str, cookie: str = "", csrf: str = "", body: bytes = b"") -> dict:
    import io  # noqa: PLC0415

    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
           "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
           "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
           "wsgi.run_once": False, "wsgi.version": (1, 0), "HTTP_USER_AGENT": "wrk"}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    if csrf:
        env["HTTP_X_CSRFTOKEN"] = csrf
    if body or method == "POST":
        env["CONTENT_TYPE"], env["CONTENT_LENGTH"] = "application/json", str(len(body))
    return env


def inprocess(keys: list[str], entry_ids: list[int], csrf: str, n: int, profile: bool) -> dict:
    """Per-request CPU time of GET /api/health and of a vote, calling the WSGI application in this
    process (no server, no network): the cost the code adds, as a ratio that load on the machine
    affects far less than a wrk figure."""
    import statistics  # noqa: PLC0415

    from django.db import connection  # noqa: PLC0415

    from zhengji.wsgi import application  # noqa: PLC0415

    statuses: dict[int, int] = {}

    def call(env: dict) -> None:
        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            code = int(status[:3])
            statuses[code] = statuses.get(code, 0) + 1
        resp = application(env, start_response)
        b"".join(resp)
        resp.close()

    queries = [0]

    def counter(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        queries[0] += 1
        return execute(sql, params, many, context)

    def vote_env(k: int) -> dict:
        a = keys[k % len(keys)]
        e = entry_ids[(k // len(keys)) % len(entry_ids)]
        return _environ("POST", f"/api/public/votes/entries/{e}", f"sessionid={a}; csrftoken={csrf}", csrf, b"{}")

    def run(make, count: int) -> list[float]:  # noqa: ANN001
        times = []
        for k in range(count):
            env = make(k)
            t = time.process_time()
            call(env)
            times.append(time.process_time() - t)
        return times

    health = lambda k: _environ("GET", "/api/health")  # noqa: E731
    run(health, 50)
    run(lambda k: vote_env(k + 10 * n), 50)  # warm (these accounts' votes land outside the measured ones)
    statuses.clear()
    base = run(health, n)
    with connection.execute_wrapper(counter):
        votes = run(vote_env, n)
    # The same votes through the full stack (django-ninja's operation), other accounts' first votes.
    from django.conf import settings  # noqa: PLC0415

    settings.VOTE_LEAN_PATH = False
    try:
        full = run(lambda k: vote_env(k + 30 * n), n)
    finally:
        settings.VOTE_LEAN_PATH = True
    out = {"health_ms": statistics.mean(base) * 1000, "vote_ms": statistics.mean(votes) * 1000,
           "health_p50_ms": statistics.median(base) * 1000, "vote_p50_ms": statistics.median(votes) * 1000,
           "vote_p95_ms": sorted(votes)[int(0.95 * len(votes))] * 1000, "queries_per_vote": queries[0] / n,
           "statuses": statuses, "full_ms": statistics.mean(full) * 1000}
    out["ratio"] = out["vote_ms"] / out["health_ms"]
    if profile:
        import cProfile  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        # BENCH_CPU=1: CPU time (waiting on PostgreSQL and Redis left out) instead of wall time.
        prof = cProfile.Profile(time.process_time) if os.environ.get("BENCH_CPU") else cProfile.Profile()
        prof.enable()
        run(lambda k: vote_env(k + 20 * n), n)
        prof.disable()
        stats = pstats.Stats(prof).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("BENCH_LINES", "40")))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", action="store_true", help="PostgreSQL + Redis instead of the embedded default")
    ap.add_argument("--accounts", type=int, default=4000)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--quota", type=int, default=3)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    ap.add_argument("--worker-class", default=os.environ.get("BENCH_WORKER_CLASS", "sync"))
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--goal", type=float, default=None)
    ap.add_argument("--async-commit", action="store_true",
                    help="--pg: VOTE_ASYNC_COMMIT=1 (the vote's commit does not wait for the WAL flush)")
    ap.add_argument("--inprocess", type=int, default=0, metavar="N",
                    help="no server: N health requests and N votes through the WSGI application in this process")
    ap.add_argument("--profile", action="store_true", help="with --inprocess: cProfile of N more votes")
    args = ap.parse_args()
    if not args.inprocess and not shutil.which("wrk"):
        print("wrk not found (apt-get install wrk)")
        return 2
    tmp = Path(benchenv.configure("votes"))
    env_extra = {
        # The bench measures the vote path, not the rate rule: one address sends every vote.
        "VOTE_CHALLENGE_AFTER_ACCOUNT": "100000", "VOTE_CHALLENGE_AFTER_NETWORK": "100000000",
        "VOTE_RATE_MAX_ACCOUNT": "100000", "VOTE_RATE_MAX_NETWORK": "100000000",
        "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECRET_KEY": "bench-" + secrets.token_hex(16),
        "LOG_LEVEL": "WARNING",
        # Plain HTTP on loopback (in production TLS ends at the proxy in front).
        "SECURE_SSL_REDIRECT": "0",
    }
    if args.async_commit:
        env_extra["VOTE_ASYNC_COMMIT"] = "1"
    if args.pg:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
        os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", REDIS_DEFAULT)
        prepare_pg(os.environ["DATABASE_URL"])
    os.environ.update(env_extra)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django  # noqa: PLC0415 (after the environment is set)

    django.setup()
    if args.pg:
        from django.core.cache import cache  # noqa: PLC0415

        cache.clear()
    t0 = time.monotonic()
    keys, entry_ids, track_id = seed(args.accounts, args.entries, args.quota)
    print(f"seeded {len(keys)} accounts, {len(entry_ids)} entries in {time.monotonic() - t0:.1f}s")
    csrf = secrets.token_hex(16)
    if args.inprocess:
        kind = "PostgreSQL + Redis" if args.pg else "SQLite (embedded default)"
        r = inprocess(keys, entry_ids, csrf, args.inprocess, args.profile)
        print(f"\n{kind}, in-process, {args.inprocess} requests each: GET /api/health {r['health_ms']:.2f} ms CPU, "
              f"vote {r['vote_ms']:.2f} ms CPU (p50 {r['vote_p50_ms']:.2f}, p95 {r['vote_p95_ms']:.2f}); "
              f"vote / health = {r['ratio']:.2f}; {r['queries_per_vote']:.1f} queries per vote; "
              f"full stack (VOTE_LEAN_PATH off) {r['full_ms']:.2f} ms CPU = "
              f"{r['full_ms'] / r['health_ms']:.2f}x health; "
              f"answers {r['statuses']}")
        return 0
    (tmp / "accounts.lua").write_text("return {" + ",".join(f'"{k}"' for k in keys) + "}\n")
    vote_lua = tmp / "vote.lua"
    vote_lua.write_text(LUA % {"accounts": tmp / "accounts.lua", "entries": ",".join(map(str, entry_ids)),
                               "threads": args.wrk_threads, "csrf": csrf} + DONE)
    base_lua = tmp / "base.lua"
    base_lua.write_text(DONE)

    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([gunicorn, "zhengji.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(args.workers), "--worker-class", args.worker_class,
                               "--threads", "4" if args.worker_class == "gthread" else "1",
                               # No access log, as in docs/deployment.md (the proxy in front logs).
                               *(["--access-logfile", "-"] if os.environ.get("BENCH_ACCESS_LOG") else [])],
                              cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/api/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        # Warm every worker (imports, connections) before measuring.
        wrk(f"{url}/api/health", args.connections, 2, args.wrk_threads, base_lua)
        base = wrk(f"{url}/api/health", args.connections, args.duration, args.wrk_threads, base_lua)
        spy = None
        if os.environ.get("BENCH_SPY"):  # collapsed stacks of every worker during the votes (py-spy)
            spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.pid),
                                    "--subprocesses", "--format", "raw", "--rate", "200", "--nonblocking",
                                    "--duration", str(args.duration), "-o", os.environ["BENCH_SPY"]],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        vote = wrk(f"{url}/api/public/votes/entries/0", args.connections, args.duration, args.wrk_threads, vote_lua)
        if spy is not None:
            spy.wait(60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()
    ok = vote["requests"] - vote["non2xx"] - vote["socket_errors"]
    result = check(track_id, args.quota, ok, args.connections)
    base_rps = base["requests"] / base["seconds"]
    votes_ps = result["logged"] / vote["seconds"]
    attempts_ps = vote["requests"] / vote["seconds"]
    kind = "PostgreSQL + Redis" if args.pg else "SQLite (embedded default)"
    goal = args.goal if args.goal is not None else (1000 if args.pg else 300)
    print(f"\n{kind}, gunicorn {args.workers} {args.worker_class} workers, wrk {args.connections} connections, "
          f"{args.duration}s, {args.accounts} accounts, quota {args.quota}/day")
    print(f"baseline GET /api/health: {base_rps:.0f} req/s, p50 {base['p50_ms']:.1f} ms, p95 {base['p95_ms']:.1f} ms")
    print(f"votes: {votes_ps:.0f} votes/s counted ({attempts_ps:.0f} attempts/s, {vote['non2xx']} refused), "
          f"p50 {vote['p50_ms']:.1f} ms, p95 {vote['p95_ms']:.1f} ms; {votes_ps / base_rps:.2f}x the baseline")
    print("quota check:", json.dumps(result))
    print(f"| {kind} | {args.workers} {args.worker_class} | {args.connections} | {base_rps:.0f} | "
          f"{base['p50_ms']:.1f} / {base['p95_ms']:.1f} | {votes_ps:.0f} | {attempts_ps:.0f} | "
          f"{vote['p50_ms']:.1f} / {vote['p95_ms']:.1f} | {votes_ps / base_rps:.2f} | "
          f"{'yes' if result['quota_held'] else 'NO'} |")
    if not result["quota_held"]:
        return 1
    if votes_ps < goal:
        print(f"goal missed: {votes_ps:.0f} < {goal:.0f} votes/s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
