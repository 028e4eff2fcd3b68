import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengji.public.domain import showcase as domain
from zhengji.public.models import Credit, Showcase

pytestmark = pytest.mark.django_db


def gallery(client, w, **params):
    return client.get(f"/api/public/campaigns/{w.campaign.slug}/gallery", params)


def test_gallery_listing_filters_search_and_pages(client, w, awards):
    a = w.entry("匠心筑梦", authors=("欧阳明远",))
    b = w.entry("合肥工匠", unit=w.hf1)
    c = w.entry("第三件")
    domain.approve(w.host, w.track, [a.pk, b.pk, c.pk])
    awards.given[a.pk] = (7, "一等奖", 1)
    data = gallery(client, w).json()
    assert data["track"] == "video" and data["total"] == 3 and not data["capped"]
    assert data["tiers"] == [{"id": 7, "label": "一等奖"}]
    first = {i["id"]: i for i in data["items"]}[a.pk]
    assert first["authors"] == ["欧阳明远"] and first["unit"] == "义安区某公司工会"
    assert first["city"] == "铜陵市总工会" and first["award"]["label"] == "一等奖"
    assert first["url"] == f"/w/{a.pk}/"
    assert [i["id"] for i in gallery(client, w, q="匠心").json()["items"]] == [a.pk]
    assert [i["id"] for i in gallery(client, w, city=w.hefei.pk).json()["items"]] == [b.pk]
    assert [i["id"] for i in gallery(client, w, tier=7).json()["items"]] == [a.pk]
    page1 = gallery(client, w, size=2, sort="random").json()
    page2 = gallery(client, w, size=2, sort="random", seed=page1["seed"], after=page1["next"]).json()
    assert page2["next"] == ""
    assert {i["id"] for i in page1["items"] + page2["items"]} == {a.pk, b.pk, c.pk}


def test_gallery_errors_are_json(client, w):
    r = client.get("/api/public/campaigns/nope/gallery")
    assert r.status_code == 404 and r.json()["code"] == "not_found" and r.json()["message"] == "未找到。"
    r = gallery(client, w, track="nope")
    assert r.status_code == 404
    r = gallery(client, w, sort="sideways")
    assert r.status_code == 422 or r.status_code == 400
    assert "code" in r.json()
    assert client.post(f"/api/public/campaigns/{w.campaign.slug}/gallery").status_code == 405


def test_gallery_api_query_count_constant(client, w):
    entries = [w.entry(f"作品{i}", authors=("甲",)) for i in range(40)]
    domain.approve(w.host, w.track, [e.pk for e in entries])
    counts = []
    for size in (5, 40):
        with CaptureQueriesContext(connection) as ctx:
            assert gallery(client, w, size=size).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def display(client, w, **body):
    return client.post(f"/api/public/tracks/{w.track.pk}/display", body, content_type="application/json")


def test_display_approval_by_staff(client, w):
    a = w.entry("甲")
    b = w.entry("乙")
    client.force_login(w.host)
    r = display(client, w, entries=[a.pk, b.pk], approved=True)
    assert r.status_code == 200 and r.json() == {"changed": 2}
    r = display(client, w, entries=[a.pk], approved=False)
    assert r.status_code == 400 and r.json()["code"] == "reason_required" and r.json()["field"] == "reason"
    assert r.json()["message"] == "请填写撤下展示的原因。"
    r = display(client, w, entries=[a.pk], approved=False, reason="待核实")
    assert r.json() == {"changed": 1}
    client.force_login(w.admin)
    assert display(client, w, entries=[a.pk], approved=True).json() == {"changed": 1}


@pytest.mark.parametrize("who", ["unit_admin", "judge", "worker", "host2"])
def test_display_approval_refused_to_others(client, w, who):
    e = w.entry("甲")
    client.force_login(getattr(w, who))
    r = display(client, w, entries=[e.pk], approved=True)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert "承办单位" in r.json()["message"]
    assert not Showcase.objects.filter(approved=True).exists()


def test_display_approval_anonymous_and_bad_input(client, w):
    e = w.entry("甲")
    assert display(client, w, entries=[e.pk], approved=True).status_code == 401
    client.force_login(w.host)
    assert client.get(f"/api/public/tracks/{w.track.pk}/display").status_code == 405
    assert display(client, w, entries=[], approved=True).status_code in (400, 422)
    assert client.post("/api/public/tracks/999999/display", {"entries": [e.pk], "approved": True},
                       content_type="application/json").status_code == 404
    draft = w.entry("草稿", status="submitted")
    r = display(client, w, entries=[draft.pk], approved=True)
    assert r.status_code == 400 and r.json()["code"] == "not_showable"


def test_credit_choice_owner_only(client, w):
    e = w.entry("甲")
    url = f"/api/public/entries/{e.pk}/credit"
    assert client.put(url, {"credit": "unit"}, content_type="application/json").status_code == 401
    for who in (w.host, w.other):
        client.force_login(who)
        r = client.put(url, {"credit": "unit"}, content_type="application/json")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.force_login(w.worker)
    r = client.put(url, {"credit": "unit"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["credit"] == "unit" and r.json()["credit_label"] == "仅署单位"
    assert Showcase.objects.get(entry=e).credit == Credit.UNIT
    assert client.put(url, {"credit": "x"}, content_type="application/json").status_code in (400, 422)
    assert client.post(url, {"credit": "unit"}, content_type="application/json").status_code == 405
