"""Benchmark the organisation tree at 20,000 organisations, on a throw-away SQLite database.

    .venv/bin/python bench/orgs_tree_bench.py [--orgs 20000]

Builds province → 16 cities → 8 counties each → grassroots unions by importing one 20,000-row
file (so the import preview and apply are timed too), then times subtree listing, counting,
statistics, search, a move of a county with its subtree, and the main pages through the test client.
Nothing touches var/ or the development database."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="zj-bench-orgs-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ["SQLITE_PATH"] = str(Path(TMP) / "bench.sqlite3")
os.environ["ZHENGJI_VAR_DIR"] = TMP
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RESULTS: list[tuple[str, float, int]] = []


def timed(label: str, fn, repeat: int = 1):
    best, value, queries = float("inf"), None, 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            value = fn()
            best = min(best, time.perf_counter() - t)
        queries = len(ctx.captured_queries)
    RESULTS.append((label, best * 1000, queries))
    print(f"{label:<58} {best * 1000:9.1f} ms {queries:6d} queries", flush=True)
    return value


def build_rows(n_orgs: int) -> list[list]:
    rows = [["AH", "安徽省总工会", "", "省总工会", "", 0]]
    cities, counties = 16, 8
    grassroots = max(0, n_orgs - 1 - cities - cities * counties)
    per_county = grassroots // (cities * counties)
    extra = grassroots - per_county * cities * counties
    k = 0
    for c in range(cities):
        cc = f"AH-{c:02d}"
        rows.append([cc, f"第{c}市总工会", "", "市总工会", "AH", 0])
        for d in range(counties):
            dc = f"{cc}-{d:02d}"
            rows.append([dc, f"第{c}市第{d}区总工会", "", "县（区）总工会", cc, 0])
            for g in range(per_county + (1 if k < extra else 0)):
                rows.append([f"{dc}-{g:04d}", f"第{c}市第{d}区第{g}基层工会", "", "基层工会", dc, 50 + g % 200])
            k += 1
    return rows


def as_csv(rows: list[list]) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["编码", "名称", "简称", "类型", "上级编码", "会员数"])
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[list]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet()
    for j, h in enumerate(["编码", "名称", "简称", "类型", "上级编码", "会员数"]):
        ws.write_string(0, j, h)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=20_000)
    args = ap.parse_args()
    settings.DEBUG = True  # so the connection records queries
    call_command("migrate", verbosity=0)

    from zhengji.accounts.models import Role, RoleAssignment, User
    from zhengji.orgs import importing, services, stats
    from zhengji.orgs.models import Organization
    from zhengji.orgs.scoping import visible_orgs

    su = User.objects.create_superuser("bench", password="x", phone="13900000000")
    rows = build_rows(args.orgs)
    data = as_csv(rows)
    print(f"SQLite {connection.Database.sqlite_version}, {len(rows)} organisations, file {len(data) // 1024} KiB")

    xlsx = as_xlsx(rows)
    timed(f"import: read XLSX ({len(rows)} rows, openpyxl read-only)",
          lambda: importing.read_file("f.xlsx", io.BytesIO(xlsx)))
    raw = timed(f"import: read CSV ({len(rows)} rows)", lambda: importing.read_file("f.csv", io.BytesIO(data)))
    plan = timed("import: preview (validate, empty tree)", lambda: importing.validate(su, raw))
    assert not plan.errors, plan.errors[:5]
    timed("import: apply (create all)", lambda: services.apply_import(su, raw, filename="bench.csv"))
    assert Organization.objects.count() == len(rows)
    assert Organization.objects.find_problems() == ([], [], [], [], [])

    # Re-import the same file: every row is now an update (most unchanged).
    plan = timed("import: preview (validate, all rows existing)", lambda: importing.validate(su, raw))
    assert plan.count("update") == len(rows)
    for r in raw[2000:4000]:
        r.values["member_count"] = "999"
    timed("import: apply (2,000 changed member counts)", lambda: services.apply_import(su, raw))

    city = Organization.objects.get(code="AH-03")
    county = Organization.objects.get(code="AH-03-04")
    province = Organization.objects.get(code="AH")
    admin = User.objects.create_user("cityadmin", password="x", phone="13900000001")
    RoleAssignment.objects.create(user=admin, role=Role.UNIT_ADMIN, org=city)

    timed("children of a county (list)", lambda: list(Organization.objects.get_children(county)), repeat=5)
    timed("subtree of a city (list ~1,250 rows)",
          lambda: list(Organization.objects.filter(path__startswith=city.path)), repeat=5)
    timed("subtree count of the province", lambda: Organization.objects.filter(
        path__startswith=province.path).count(), repeat=5)
    timed("stats: member total + grassroots count (province)",
          lambda: (stats.member_total(province), stats.grassroots_count(province)), repeat=5)
    timed("stats: subtree summary (city)", lambda: stats.subtree_summary(city), repeat=5)
    timed("search '第3区' in a city admin's scope (50 rows)", lambda: list(
        visible_orgs(admin).filter(name__contains="第3区")[:50]), repeat=5)
    other_city = Organization.objects.get(code="AH-07")
    n_sub = Organization.objects.filter(path__startswith=county.path).count()
    timed(f"move a county with {n_sub - 1} units to another city",
          lambda: services.move_org(su, county, other_city))
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    county.refresh_from_db()
    timed("move it back", lambda: services.move_org(su, county, city))

    from django.core.files.uploadedfile import SimpleUploadedFile

    s = Client()
    s.force_login(su)
    resp = timed("page: upload the 20,000-row XLSX (checked on upload)",
                 lambda: s.post("/orgs/import/", {"file": SimpleUploadedFile("big.xlsx", xlsx)}))
    assert resp.status_code == 302, resp.status_code
    preview_url = resp["Location"]
    resp = timed("page: preview of the 20,000-row XLSX", lambda: s.get(preview_url))
    assert resp.status_code == 200 and "import-apply" in resp.content.decode()

    c = Client()
    c.force_login(admin)
    county.refresh_from_db()
    for label, url in [("page /orgs/ (city admin)", "/orgs/"),
                       ("page /orgs/?q= search", "/orgs/?q=" + "第3区"),
                       ("page county detail", f"/orgs/{county.pk}/"),
                       ("htmx children of a county (page of 100)", f"/orgs/{county.pk}/children/"),
                       ("API /api/orgs?parent=county&limit=100", f"/api/orgs?parent={county.pk}&limit=100")]:
        resp = timed(label, lambda url=url: c.get(url), repeat=3)
        assert resp.status_code == 200, (url, resp.status_code)

    print("\n| operation | ms | queries |\n|---|---:|---:|")
    for label, ms, q in RESULTS:
        print(f"| {label} | {ms:.1f} | {q} |")


if __name__ == "__main__":
    main()
