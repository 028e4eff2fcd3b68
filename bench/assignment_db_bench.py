"""Benchmark the assignment through the domain and the page, on a database, at track scale:
10,000 entries of one track in a round, 100 judges from 20 city organisations, k = 3, 5 % of
(judge, entry) pairs with a recorded conflict.

    .venv/bin/python bench/assignment_db_bench.py [--entries 10000] [--judges 100] [--runs 5]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/zj_assign_bench \
        .venv/bin/python bench/assignment_db_bench.py

Times, on one core: the first preview (conflicts read for every judge, the solver, the content
hash), a preview served from the solver's cache, the assign page (first and a middle page of the
entries table) and the API's preview and assignment list, then applying (30,000 rows in one
transaction) and replacing one judge. SQLite: a throw-away file in a temp directory (the
default). PostgreSQL: BENCH_DATABASE_URL names a scratch database that the script empties.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from benchenv import configure  # noqa: E402 (shared start-up of the benchmarks)

TMP = configure("assign")

import datetime as dt  # noqa: E402

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhengji.accounts.models import User  # noqa: E402
from zhengji.campaigns.models import Campaign, Track  # noqa: E402
from zhengji.entries.models import Entry, EntryStatus  # noqa: E402
from zhengji.orgs.models import Organization, OrgKind  # noqa: E402
from zhengji.review.domain import assignment as assign  # noqa: E402
from zhengji.review.models import (  # noqa: E402
    Conflict,
    ConflictSource,
    PanelMember,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
)

ALPHABET = Organization.alphabet
STEP = Organization.steplen


def key(n: int) -> str:
    out = ""
    for _ in range(STEP):
        n, r = divmod(n, len(ALPHABET))
        out = ALPHABET[r] + out
    return out


def build(n_entries: int, n_judges: int, conflicts: float) -> Round:
    rnd = random.Random(20261004)
    t = time.perf_counter()
    rows = [Organization(path=key(1), depth=1, numchild=20, name="省总工会", code="P", kind=OrgKind.PROVINCE)]
    for c in range(1, 21):
        cp = key(1) + key(c)
        rows.append(Organization(path=cp, depth=2, numchild=10, name=f"市总工会{c:02d}", code=f"C{c:02d}",
                                 kind=OrgKind.CITY))
        rows += [Organization(path=cp + key(u), depth=3, numchild=0, name=f"基层工会{c:02d}-{u:02d}",
                              code=f"C{c:02d}-{u:02d}", kind=OrgKind.GRASSROOTS) for u in range(1, 11)]
    Organization.objects.bulk_create(rows)
    province = Organization.objects.get(depth=1)
    cities = list(Organization.objects.filter(depth=2).order_by("path"))
    units = list(Organization.objects.filter(depth=3).order_by("path"))
    d = dt.date(2026, 6, 1)
    campaign = Campaign.objects.create(
        org=province, slug="bench", name="基准测试活动", year=2026, is_published=True, launch_date=d,
        collect_start=d, collect_end=d + dt.timedelta(days=100), review_start=d + dt.timedelta(days=120),
        review_end=d + dt.timedelta(days=150), publicity_start=d + dt.timedelta(days=160),
        publicity_end=d + dt.timedelta(days=170), conclude_date=d + dt.timedelta(days=200))
    track = Track.objects.create(campaign=campaign, number=1, slug="t1", name="摄影", host_unit=cities[0],
                                 entrant_types=["individual"])
    submitter = User.objects.create(username="entrant", phone="13700000000", password="!")
    Entry.objects.bulk_create([Entry(track=track, submitter=submitter, unit=rnd.choice(units), title=f"作品{i}",
                                     status=EntryStatus.ELIGIBLE, number=f"B-{i:07d}") for i in range(n_entries)],
                              batch_size=2000)
    entry_ids = list(Entry.objects.filter(track=track).values_list("pk", flat=True))
    User.objects.bulk_create([User(username=f"j{i}", phone=f"136{i:08d}", password="!", real_name=f"评委{i}")
                              for i in range(n_judges)])
    judges = list(User.objects.filter(username__startswith="j").order_by("pk"))
    PanelMember.objects.bulk_create([PanelMember(track=track, user=u, org=cities[i % 20]) for i, u in
                                     enumerate(judges)])
    now = timezone.now()
    r = Round.objects.create(track=track, position=1, kind=RoundKind.SCORING, name="初评", judges_per_entry=3,
                             opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10),
                             status=RoundStatus.OPEN)
    RoundEntry.objects.bulk_create([RoundEntry(round=r, entry_id=e) for e in entry_ids], batch_size=2000)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < round(conflicts * n_entries * n_judges):
        pairs.add((rnd.choice(judges).pk, rnd.choice(entry_ids)))
    Conflict.objects.bulk_create([Conflict(track=track, judge_id=j, entry_id=e, source=ConflictSource.STAFF,
                                           reason="基准") for j, e in pairs], batch_size=2000)
    print(f"built {n_entries} entries, {n_judges} judges, {len(pairs)} conflicts in {time.perf_counter() - t:.1f} s",
          flush=True)
    return r


def timed(label: str, fn, runs: int = 1):
    times, result, queries = [], None, 0
    for _ in range(runs):
        connection.queries_log.clear()  # the log keeps 9,000 queries; a full one counts nothing
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"| {label} | {runs} | {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} | {queries} |", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--judges", type=int, default=100)
    ap.add_argument("--conflicts", type=float, default=0.05)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        r = build(args.entries, args.judges, args.conflicts)
    su = User.objects.create_superuser(username="bench-su", phone="13900000000", password="x")
    client = Client()
    client.force_login(su)
    print(f"database: {connection.vendor}")
    print("| step | runs | p50 ms | p95 ms | queries |\n|---|---:|---:|---:|---:|")
    plan = timed("preview, first (conflicts, solver, hash)", lambda: assign.preview(su, r))
    assert plan.feasible, plan.solution.uncovered
    timed("preview again (solver's result cached)", lambda: assign.preview(su, r), args.runs)
    mid = args.entries // 3 // 50
    for label, url in (("assign page, first page of entries", f"/review/rounds/{r.pk}/assign/"),
                       ("assign page, a middle page", f"/review/rounds/{r.pk}/assign/?page={mid}"),
                       ("API preview (100 pairs)", f"/api/review/rounds/{r.pk}/assignment/preview"),
                       ("API assignments, a page of 500", f"/api/review/rounds/{r.pk}/assignments?limit=500&page=3")):
        timed(label, lambda url=url: client.get(url), args.runs)
    done = timed("apply (all rows in one transaction)", lambda: assign.apply(su, r, plan.hash))
    stats = done.stats()
    timed("assign page after apply", lambda: client.get(f"/review/rounds/{r.pk}/assign/"), args.runs)
    leaving = PanelMember.objects.filter(track=r.track).order_by("user_id").first()
    rep = timed("replace one judge (their open work moved)",
                lambda: assign.replace_judge(su, r, leaving.user, "基准"))
    print(f"\napplied {stats['create']} assignments, loads {stats['load_min']}–{stats['load_max']}, "
          f"org repeats {stats['repeats']}; replacement moved {len(rep.moved)}")


if __name__ == "__main__":
    main()
