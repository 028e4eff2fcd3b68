"""Pages and API: isolation of subtrees (义安区's admin gets nothing of 郊区), who may not use
them, wrong methods, the query-count bound, the .xlsx export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from zhengji.common.models import AuditLog
from zhengji.stats import queries

pytestmark = pytest.mark.django_db

DASH = reverse("stats:dashboard")
SILENT = reverse("stats:silent")
EXPORT = reverse("stats:export")


def login(client, user):
    client.force_login(user)
    return client


def q(sw, org=None, **kw):
    params = {"campaign": sw.campaign.pk, **kw}
    if org is not None:
        params["org"] = sw.tree[org].pk if isinstance(org, str) else org.pk
    return params


# --- isolation -----------------------------------------------------------------------------------

def test_county_admin_sees_own_subtree_only_ui(client, sw):
    sw.scenario()
    login(client, sw.yian_admin)
    r = client.get(DASH)
    assert r.status_code == 200
    html = r.content.decode()
    assert "义安区总工会" in html and "义安区某公司工会" in html
    assert "郊区" not in html and "铜陵市总工会" not in html
    assert r.context["org"] == sw.tree["yian"]
    for org in ("jiao", "jq1", "city", "province"):
        assert client.get(DASH, q(sw, org)).status_code == 404
        assert client.get(SILENT, q(sw, org)).status_code == 404
        assert client.get(EXPORT, q(sw, org)).status_code == 404
    assert client.get(DASH, q(sw, "ya1")).status_code == 200  # drill down inside the subtree
    silent = client.get(SILENT, q(sw, "yian")).content.decode()
    assert "义安区总工会" in silent and "郊区" not in silent


def test_county_admin_sees_own_subtree_only_api(client, sw):
    sw.scenario()
    login(client, sw.yian_admin)
    r = client.get("/api/stats/dashboard", q(sw))
    assert r.status_code == 200
    body = r.json()
    assert body["root"]["org"]["name"] == "义安区总工会"
    assert "郊区" not in r.content.decode()
    for path in ("dashboard", "children", "silent"):
        for org in ("jiao", "jq1", "city"):
            r = client.get(f"/api/stats/{path}", q(sw, org))
            assert r.status_code == 404, (path, org)
            assert r.json()["code"] == "not_found"
    camps = client.get("/api/stats/campaigns").json()
    assert camps == [{"campaign": {"id": sw.campaign.pk, "name": sw.campaign.name},
                      "roots": [{"id": sw.tree["yian"].pk, "name": "义安区总工会"}]}]
    kids = client.get("/api/stats/children", q(sw, "yian")).json()
    assert {k["org"]["name"] for k in kids} == {"义安区某公司工会", "义安区某学校工会"}
    jiao = login(client, sw.jiao_admin).get("/api/stats/dashboard", q(sw)).json()
    assert jiao["root"]["org"]["name"] == "郊区总工会" and jiao["root"]["participants"] == 1
    assert "义安" not in str(jiao)


def test_campaign_admin_and_superuser_see_the_whole_campaign(client, sw):
    sw.scenario()
    body = login(client, sw.campaign_admin).get("/api/stats/dashboard", q(sw)).json()
    assert body["root"]["org"]["name"] == "安徽省总工会"
    assert body["root"]["participants"] == 2 and body["root"]["covered"] == 3
    assert {c["org"]["name"] for c in body["children"]} == {"铜陵市总工会", "宣城市总工会"}
    su = f.user(is_superuser=True)
    assert login(client, su).get(DASH, q(sw, "jiao")).status_code == 200


# --- who may not ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [DASH, SILENT, EXPORT, reverse("stats:outstanding")])
def test_anonymous_is_sent_to_login(client, sw, url):
    r = client.get(url)
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize("path", ["campaigns", "dashboard", "children", "silent", "outstanding/units",
                                  "outstanding/individuals", "outstanding/picks"])
def test_api_anonymous_and_plain_worker(client, sw, path):
    assert client.get(f"/api/stats/{path}").status_code == 401
    login(client, sw.plain)
    r = client.get(f"/api/stats/{path}", {"campaign": sw.campaign.pk})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_plain_worker_pages_forbidden(client, sw):
    login(client, sw.plain)
    for url in (DASH, SILENT, EXPORT, reverse("stats:outstanding")):
        assert client.get(url, {"campaign": sw.campaign.pk}).status_code == 403


def test_unit_admin_is_not_a_picker(client, sw):
    login(client, sw.city_admin)
    assert client.get(reverse("stats:outstanding")).status_code == 403
    assert client.get("/api/stats/outstanding/units", {"campaign": sw.campaign.pk}).status_code == 403
    r = client.post(reverse("stats:pick"), {"campaign": sw.campaign.pk, "kind": "unit", "org": sw.tree["yian"].pk})
    assert r.status_code == 403
    assert not AuditLog.objects.filter(action="stats.pick").exists()


def test_wrong_methods(client, sw):
    login(client, sw.campaign_admin)
    for url in (DASH, SILENT, EXPORT, reverse("stats:outstanding")):
        assert client.post(url).status_code == 405
    assert client.get(reverse("stats:pick")).status_code == 405
    assert client.get(reverse("stats:unpick", args=[1])).status_code == 405
    assert client.post("/api/stats/dashboard").status_code == 405


def test_bad_parameters_are_404_not_500(client, sw):
    login(client, sw.campaign_admin)
    for params in ({"campaign": "x"}, {"campaign": "99999999"}, {"campaign": sw.campaign.pk, "org": "-1"},
                   {"campaign": sw.campaign.pk, "org": "99999999999999999999"}):
        assert client.get(DASH, params).status_code == 404
    other = f.org("外省工会", code="XX")
    assert client.get(DASH, {"campaign": sw.campaign.pk, "org": other.pk}).status_code == 404


def test_unit_admin_without_campaigns_gets_an_empty_page(client, db):
    lone = f.org("孤立工会", code="LONE")
    admin = f.unit_admin(lone)
    r = login(client, admin).get(DASH)
    assert r.status_code == 200 and r.context["campaign"] is None
    assert client.get("/api/stats/dashboard").status_code == 404
    assert client.get("/api/stats/campaigns").json() == []


# --- speed: the number of queries does not grow with the entries --------------------------------------

def _count(client, django_assert_max_num_queries, url, params, limit):
    with django_assert_max_num_queries(limit) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_independent_of_entries(client, sw, django_assert_max_num_queries):
    sw.scenario()
    login(client, sw.campaign_admin)
    few = (_count(client, django_assert_max_num_queries, DASH, q(sw), 25),
           _count(client, django_assert_max_num_queries, "/api/stats/dashboard", q(sw), 25))
    sw.many(6, unit="ya2")
    sw.many(4, unit="jq2")
    more = (_count(client, django_assert_max_num_queries, DASH, q(sw), 25),
            _count(client, django_assert_max_num_queries, "/api/stats/dashboard", q(sw), 25))
    assert few == more
    assert queries.dashboard(sw.campaign, sw.tree["province"]).root.entries == 13


# --- export -------------------------------------------------------------------------------------------

def test_xlsx_export(client, sw):
    sw.scenario()
    sw.tree["jq2"].name = "=HYPERLINK(\"http://x\")"
    sw.tree["jq2"].save()
    login(client, sw.yian_admin)
    r = client.get(EXPORT, q(sw))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert len(wb.sheetnames) == 5
    overview = list(wb.worksheets[0].iter_rows(values_only=True))
    assert overview[3][:5] == ("义安区总工会", 2, 1, 1, 200)
    assert overview[3][5] == pytest.approx(0.005) and overview[3][8] == pytest.approx(round(2 / 3, 4))
    assert {row[0] for row in overview[4:]} == {"义安区某公司工会", "义安区某学校工会"}
    silent = [row[0] for row in wb.worksheets[4].iter_rows(min_row=4, values_only=True)]
    assert silent == ["义安区总工会"]
    assert AuditLog.objects.filter(action="stats.export", org_path=sw.tree["yian"].path).count() == 1
    # A formula-looking name is written as text (the campaign admin's export lists 郊区某医院工会).
    r = login(client, sw.campaign_admin).get(EXPORT, q(sw, "jiao"))
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    names = [row[0] for row in wb.worksheets[4].iter_rows(min_row=4, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_dashboard_page_shows_tables_and_chart_data(client, sw):
    sw.scenario()
    r = login(client, sw.campaign_admin).get(DASH, q(sw, "yian"))
    html = r.content.decode()
    assert 'id="stats-data"' in html and "echarts.common.min.js" in html and "stats/dashboard.js" in html
    assert 'id="stats-children"' in html and 'id="stats-tracks"' in html and 'id="stats-levels"' not in html
    assert "style=" not in html.split("<body", 1)[1].replace('type="application/json"', "")
    assert f'org={sw.tree["city"].pk}' in html  # breadcrumb back up (a campaign admin sees the city)


def test_hub_card(client, sw):
    hub = reverse("common:manage")
    page = login(client, sw.yian_admin).get(hub).content.decode()
    assert reverse("stats:dashboard") in page and reverse("stats:outstanding") not in page
    page = login(client, sw.campaign_admin).get(hub).content.decode()
    assert reverse("stats:dashboard") in page and reverse("stats:outstanding") in page


def test_api_bad_values_are_not_server_errors(client, sw):
    sw.scenario()
    login(client, sw.campaign_admin)
    huge = 2**70
    assert client.get("/api/stats/dashboard", {"campaign": sw.campaign.pk, "org": huge}).status_code in (404, 422)
    r = client.get("/api/stats/silent", {"campaign": sw.campaign.pk, "after": "\x00abc"})
    assert r.status_code in (200, 400)  # a NUL in the query string may be refused before the view
    assert client.get(SILENT, {"campaign": sw.campaign.pk, "after": "\x00"}).status_code in (200, 400)
    r = client.post("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk, "kind": "individual",
                                                     "user": 2**62}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "not_participant"
    assert client.delete(f"/api/stats/outstanding/picks/{2**62}").status_code == 404
    assert client.post(reverse("stats:unpick", args=[2**62])).status_code == 404
    r = client.get("/api/stats/outstanding/units", {"campaign": sw.campaign.pk, "level": 99, "page": 10**9})
    assert r.status_code == 200 and r.json()["level"] == 2 and r.json()["items"] == []
    r = client.get("/api/stats/outstanding/individuals", {"campaign": sw.campaign.pk, "page": -3})
    assert r.status_code == 200 and r.json()["count"] == 2
