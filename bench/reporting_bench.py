"""The reporting chain at province scale (20,000 organisations, 100,000 entries; bench/scale_db.py):
the vetting queue page and its API on the first, middle and last page, a Chinese search, and a
bulk recommendation of 100 entries — p50/p95 and query counts, beside a baseline measured in the
same run (`GET /api/health`, the cheapest request through the same stack).

    .venv/bin/python bench/reporting_bench.py [--db sqlite|postgresql] [--repeat 30]

Goal (issue 9): queue page and API p95 < 100 ms with the same query count on every page."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_db  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    campaign = scale_db.setup(args.db)

    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhengji.accounts.models import RoleAssignment, User
    from zhengji.accounts.scopes import UNIT_ADMIN
    from zhengji.campaigns.models import LevelRule
    from zhengji.orgs.models import Organization, OrgKind
    from zhengji.reporting import queries, services
    from zhengji.reporting.models import ChainPosition

    # The busiest city: the admin whose queue (its whole subtree) is the longest.
    cities = {o.path: o for o in Organization.objects.filter(kind=OrgKind.CITY)}
    counts: dict[str, int] = {}
    for path, n in (ChainPosition.objects.filter(track__campaign=campaign).values("level__path")
                    .annotate(n=Count("entry")).values_list("level__path", "n")):
        for cpath in cities:
            if path.startswith(cpath):
                counts[cpath] = counts.get(cpath, 0) + n
    city = cities[max(counts, key=counts.get)]
    admin = User.objects.get(pk=RoleAssignment.objects.filter(role=UNIT_ADMIN, scope_type="orgs.organization",
                                                              scope_id=city.pk).values("user_id")[:1])
    client = Client()
    client.force_login(admin)
    rows: list[tuple[str, float, float, int]] = []

    def timed(label: str, fn, repeat: int = args.repeat) -> tuple[float, float, int]:
        fn()  # warm
        samples = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t)
        p50, p95 = scale_db.percentiles(samples)
        rows.append((label, p50, p95, len(ctx.captured_queries)))
        print(f"{label:58s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {len(ctx.captured_queries):3d} queries", flush=True)
        return p50, p95, len(ctx.captured_queries)

    def get(url: str, **params):
        def call():
            r = client.get(url, params)
            assert r.status_code == 200, (url, r.status_code, r.content[:300])
            return r
        return call

    base, _p95, _q = timed("baseline: GET /api/health", get("/api/health"))
    # Walk the queue once through the API (not timed) for the cursors of the middle and last page.
    cursors: list[str | None] = [None]
    while True:
        data = client.get("/api/reporting/queue", {"cursor": cursors[-1] or ""} if cursors[-1] else {}).json()
        if not data["next_cursor"]:
            break
        cursors.append(data["next_cursor"])
    print(f"{city.name}: {len(cursors)} pages of {queries.PAGE_SIZE} in the queue", flush=True)
    pages = {"first": None, "middle": cursors[len(cursors) // 2], "last": cursors[-1]}
    for name, cursor in pages.items():
        params = {"cursor": cursor} if cursor else {}
        timed(f"queue page (HTML), {name} page", get("/reporting/", **params))
        timed(f"queue API, {name} page", get("/api/reporting/queue", **params))
    timed("queue page, search 「作品」 (Chinese, title and number)", get("/reporting/", q="作品"))
    timed("queue API, search 「作品」", get("/api/reporting/queue", q="作品"))

    # Bulk recommend 100 entries at one county level (quota lifted): inside a transaction that is
    # rolled back, 100 submitted entries of one track in its subtree are first moved to wait there
    # (not timed), then recommended in one call (timed).
    county = max(Organization.objects.filter(kind=OrgKind.COUNTY, path__startswith=city.path),
                 key=lambda o: ChainPosition.objects.filter(level__path__startswith=o.path).count())
    track_id = (ChainPosition.objects.filter(level__path__startswith=county.path, entry__status="submitted")
                .values("track_id").annotate(n=Count("entry")).order_by("-n").values_list("track_id", flat=True)[0])
    county_admin = User.objects.get(pk=RoleAssignment.objects.filter(
        role=UNIT_ADMIN, scope_type="orgs.organization", scope_id=county.pk).values("user_id")[:1])
    LevelRule.objects.filter(campaign=campaign).update(quota=None)

    class Rollback(Exception):
        pass

    def recommend_timed(n: int, repeat: int) -> None:
        samples, queries_n = [], 0
        for _ in range(repeat + 1):
            try:
                with transaction.atomic():
                    ids = list(ChainPosition.objects.filter(level__path__startswith=county.path, track_id=track_id,
                                                            entry__status="submitted")
                               .values_list("entry_id", flat=True)[:n])
                    ChainPosition.objects.filter(entry_id__in=ids).update(level=county, recommended=False, rank=None)
                    with CaptureQueriesContext(connection) as ctx:
                        t = time.perf_counter()
                        services.recommend(county_admin, queries.waiting_entries(county_admin, ids), county)
                        samples.append(time.perf_counter() - t)
                    queries_n = len(ctx.captured_queries)
                    raise Rollback
            except Rollback:
                pass
        p50, p95 = scale_db.percentiles(samples[1:])
        label = f"recommend {len(ids)} entr{'y' if len(ids) == 1 else 'ies'} at once at a county (rolled back)"
        rows.append((label, p50, p95, queries_n))
        print(f"{label:58s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries_n:3d} queries", flush=True)

    print(f"bulk recommend at {county.name}", flush=True)
    recommend_timed(1, 10)
    recommend_timed(100, 5)

    print()
    print(f"| {args.db} | p50 ms | p95 ms | queries | p50 ÷ baseline |")
    print("|---|---:|---:|---:|---:|")
    for label, p50, p95, q in rows:
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {q} | {p50 / base:.1f}× |")
    worst = max(p95 for label, _p50, p95, _q in rows if label.startswith("queue"))
    # The same request on the first, middle and last page: one query count (search is another filter).
    qcounts = {q for label, _p50, _p95, q in rows if label.startswith("queue API,") and "search" not in label}
    print(f"\nqueue p95 worst {worst:.1f} ms (goal < 100 ms); API query counts {sorted(qcounts)}")
    return 0 if worst < 100 and len(qcounts) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
