"""Benchmark the statistics dashboard at province scale: 20,000 organisations, 100,000 entries.

    .venv/bin/python bench/bench_dashboard.py [--orgs 20000] [--entries 100000] [--runs 30]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/zj_stats_bench .venv/bin/python bench/bench_dashboard.py

Builds its own data with bulk_create (a tree of province → 16 cities → 8 counties each →
grassroots unions; workers; entries spread over the tracks, states and 90 days; their first
submission events; activities in one unit of 20), then fills the statistics tables with
`stats.tally.rebuild` (timed), then times the dashboard page and the API for the province, a
city and a county, the silent-units page and the outstanding-units ranking through the test
client, printing p50/p95 and the number of queries. Goal: dashboard p95 < 300 ms.

SQLite: a throw-away file in a temp directory (the default). PostgreSQL: BENCH_DATABASE_URL
names a scratch database that the script empties and fills (never the development database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from benchenv import configure  # noqa: E402 (shared start-up of the benchmarks)

TMP = configure("stats")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhengji.accounts.models import User  # noqa: E402
from zhengji.activities.models import Activity  # noqa: E402
from zhengji.campaigns.models import Campaign, Track  # noqa: E402
from zhengji.entries.models import Entry, EntryEvent, EntryStatus  # noqa: E402
from zhengji.orgs.models import Organization, OrgKind  # noqa: E402
from zhengji.stats import tally  # noqa: E402

ALPHABET = Organization.alphabet
STEP = Organization.steplen
GOAL_MS = 300.0


def key(n: int) -> str:
    out = ""
    for _ in range(STEP):
        n, r = divmod(n, len(ALPHABET))
        out = ALPHABET[r] + out
    return out


def build_tree(n_orgs: int) -> list[Organization]:
    """Materialised paths written directly (treebeard's format), in one bulk insert."""
    cities, counties = 16, 8
    grassroots = max(0, n_orgs - 1 - cities - cities * counties)
    per_county = grassroots // (cities * counties)
    extra = grassroots - per_county * cities * counties
    rows = [Organization(path=key(1), depth=1, numchild=cities, name="安徽省总工会", code="AH",
                         kind=OrgKind.PROVINCE)]
    for c in range(1, cities + 1):
        cp = key(1) + key(c)
        rows.append(Organization(path=cp, depth=2, numchild=counties, name=f"市总工会{c:02d}", code=f"C{c:02d}",
                                 kind=OrgKind.CITY))
        for k in range(1, counties + 1):
            kp = cp + key(k)
            n = per_county + (1 if extra > 0 else 0)
            extra -= 1
            rows.append(Organization(path=kp, depth=3, numchild=n, name=f"县区总工会{c:02d}-{k}",
                                     code=f"C{c:02d}-{k}", kind=OrgKind.COUNTY))
            for g in range(1, n + 1):
                rows.append(Organization(path=kp + key(g), depth=4, numchild=0, name=f"基层工会{c:02d}-{k}-{g:04d}",
                                         code=f"C{c:02d}-{k}-{g:04d}", kind=OrgKind.GRASSROOTS,
                                         member_count=random.randint(20, 600)))
    Organization.objects.bulk_create(rows, batch_size=2000)
    return list(Organization.objects.filter(kind=OrgKind.GRASSROOTS).only("pk", "path"))


def build(n_orgs: int, n_entries: int) -> tuple[Campaign, dict[str, Organization]]:
    random.seed(20251203)
    t = time.perf_counter()
    leaves = build_tree(n_orgs)
    province = Organization.objects.get(depth=1)
    d = dt.date(2025, 6, 1)
    campaign = Campaign.objects.create(
        org=province, slug="bench", name="基准测试活动", year=2025, is_published=True, launch_date=d,
        collect_start=d, collect_end=d + dt.timedelta(days=100), review_start=d + dt.timedelta(days=120),
        review_end=d + dt.timedelta(days=150), publicity_start=d + dt.timedelta(days=160),
        publicity_end=d + dt.timedelta(days=170), conclude_date=d + dt.timedelta(days=200))
    host = Organization.objects.get(code="C01")
    tracks = [Track.objects.create(campaign=campaign, number=i, slug=f"t{i}", name=f"子项目{i}", host_unit=host,
                                   entrant_types=["individual"]) for i in range(1, 11)]
    n_users = n_entries // 2
    User.objects.bulk_create([User(username=f"b{i}", phone=f"137{i:08d}", password="!") for i in range(n_users)],
                             batch_size=2000)
    user_ids = list(User.objects.filter(username__startswith="b").values_list("pk", flat=True))
    home = {u: random.choice(leaves) for u in user_ids}
    states = ([EntryStatus.SUBMITTED] * 12 + [EntryStatus.RECOMMENDED] * 4 + [EntryStatus.RETURNED] * 2
              + [EntryStatus.REJECTED, EntryStatus.REPORTED])
    start = timezone.make_aware(dt.datetime(2025, 6, 1, 9))
    entries = []
    for i in range(n_entries):
        u = random.choice(user_ids)
        at = start + dt.timedelta(minutes=random.randint(0, 90 * 24 * 60))
        entries.append(Entry(track=random.choice(tracks), submitter_id=u, unit=home[u], title=f"作品{i}",
                             status=random.choice(states), number=f"B-{i:07d}", submitted_at=at))
    Entry.objects.bulk_create(entries, batch_size=2000)
    events = [EntryEvent(entry_id=pk, at=at, transition="submit", from_status="draft", to_status="submitted")
              for pk, at in Entry.objects.filter(track__campaign=campaign).values_list("pk", "submitted_at")]
    EntryEvent.objects.bulk_create(events, batch_size=2000)
    Activity.objects.bulk_create([Activity(campaign=campaign, org=o, title="活动", held_on=d)
                                  for o in leaves[::20]], batch_size=2000)
    print(f"built {Organization.objects.count()} organisations, {len(entries)} entries, {len(user_ids)} workers "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    written = tally.rebuild([campaign.pk])
    print(f"rebuild_stats: {time.perf_counter() - t:.1f} s ({', '.join(f'{k} {v}' for k, v in written.items())})",
          flush=True)
    city = Organization.objects.get(code="C02")
    county = Organization.objects.get(code="C02-3")
    return campaign, {"province": province, "city": city, "county": county}


def measure(label: str, client: Client, url: str, runs: int) -> tuple[float, float, int]:
    times, queries = [], 0
    client.get(url)  # warm (templates, connections)
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
        queries = len(ctx.captured_queries)
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for qd in sorted(ctx.captured_queries, key=lambda qd: -float(qd["time"]))[:3]:
            print(f"    {float(qd['time']) * 1000:7.1f} ms  {qd['sql'][:300]}")
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{label:<44} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  {queries:4d} queries", flush=True)
    return p50, p95, queries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=20_000)
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    with transaction.atomic():
        campaign, orgs = build(args.orgs, args.entries)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    su = User.objects.create_superuser(username="bench-su", phone="13900000000", password="x")
    client = Client()
    client.force_login(su)
    worst = 0.0
    for name, org in orgs.items():
        q = f"campaign={campaign.pk}&org={org.pk}"
        worst = max(worst, measure(f"dashboard page, {name}", client, f"/stats/?{q}", args.runs)[1])
        worst = max(worst, measure(f"API /api/stats/dashboard, {name}", client, f"/api/stats/dashboard?{q}",
                                   args.runs)[1])
    q = f"campaign={campaign.pk}&org={orgs['province'].pk}"
    measure("silent units page, province", client, f"/stats/silent/?{q}", args.runs)
    measure("outstanding units, counties (128)", client, f"/stats/outstanding/?campaign={campaign.pk}&level=3",
            max(5, args.runs // 3))
    measure("outstanding units, grassroots (~19,900)", client,
            f"/stats/outstanding/?campaign={campaign.pk}&level=4", 5)
    measure("outstanding individuals (page 1)", client,
            f"/stats/outstanding/?campaign={campaign.pk}&tab=individuals", 5)
    t = time.perf_counter()
    r = client.get(f"/stats/export.xlsx?{q}")
    print(f"{'xlsx export, province':<44} {(time.perf_counter() - t) * 1000:8.1f} ms  {len(r.content)} bytes")
    ok = worst < GOAL_MS
    print(f"dashboard worst p95 {worst:.1f} ms: {'OK' if ok else 'MISSED'} (goal < {GOAL_MS:.0f} ms)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
