"""The /api/activities endpoints: lists, create, read, update, delete of activities, brand
projects and volunteers, with the pages' permissions and JSON errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from zhengji.activities.models import Activity, BrandProject, Volunteer

from .builders import photo

pytestmark = pytest.mark.django_db

BASE = "/api/activities"


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


def patch(c, url, body):
    return c.patch(url, json.dumps(body), content_type="application/json")


def test_anonymous_gets_401(aw):
    c = Client()
    assert c.get(BASE, {"campaign": aw.campaign.pk}).status_code == 401
    r = post(c, BASE, {"campaign": aw.campaign.pk})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_worker_gets_403(aw):
    c = as_user(aw.worker)
    for url in (BASE, f"{BASE}/brand-projects", f"{BASE}/volunteers"):
        r = c.get(url, {"campaign": aw.campaign.pk})
        assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_activity_crud(aw):
    c = as_user(aw.ya1_admin)
    p1, p2 = photo(aw.ya1_admin), photo(aw.ya1_admin)
    body = {"campaign": aw.campaign.pk, "unit": aw.tree["ya1"].pk, "kind": "online", "title": "直播讲座",
            "held_on": aw.today.isoformat(), "participants": 300, "link": "https://example.org/live",
            "photos": [p2.pk, p1.pk]}
    r = post(c, BASE, body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["unit"] == {"id": aw.tree["ya1"].pk, "name": aw.tree["ya1"].name}
    assert [p["id"] for p in out["photos"]] == [p2.pk, p1.pk]
    aid = out["id"]
    r = c.get(BASE, {"campaign": aw.campaign.pk, "kind": "online"})
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [aid]
    assert c.get(BASE, {"campaign": aw.campaign.pk, "kind": "offline"}).json()["items"] == []
    r = patch(c, f"{BASE}/{aid}", {"title": "改名", "photos": [p1.pk]})
    assert r.status_code == 200 and r.json()["title"] == "改名" and r.json()["participants"] == 300
    assert [p["id"] for p in r.json()["photos"]] == [p1.pk]
    assert c.get(f"{BASE}/{aid}").json()["title"] == "改名"
    r = c.delete(f"{BASE}/{aid}")
    assert r.status_code == 204 and not Activity.objects.exists()
    assert c.get(f"{BASE}/{aid}").status_code == 404


def test_activity_errors(aw):
    c = as_user(aw.ya1_admin)
    body = {"campaign": aw.campaign.pk, "unit": aw.tree["ya1"].pk, "title": "x",
            "held_on": (aw.today + dt.timedelta(days=3)).isoformat(), "link": "javascript:alert(1)"}
    r = post(c, BASE, body)
    assert r.status_code == 422
    j = r.json()
    assert j["code"] == "invalid" and set(j["errors"]) == {"held_on", "link"}
    r = post(c, BASE, {**body, "participants": -5})
    assert r.status_code == 422  # schema validation
    r = post(c, BASE, {**body, "held_on": aw.today.isoformat(), "link": "", "unit": aw.tree["jq1"].pk})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = post(c, BASE, {**body, "campaign": 10**9})
    assert r.status_code == 404
    a = aw.activity("jq1")
    assert c.get(f"{BASE}/{a.pk}").status_code == 404
    assert patch(c, f"{BASE}/{a.pk}", {"title": "x"}).status_code == 404
    assert c.delete(f"{BASE}/{a.pk}").status_code == 404
    assert c.get(BASE, {"campaign": aw.campaign.pk, "cursor": "bad"}).status_code == 400
    mine = aw.activity("ya1")
    r = patch(c, f"{BASE}/{mine.pk}", {"link": "ftp://x"})
    assert r.status_code == 422 and r.json()["field"] == "link"


def test_campaign_admin_reads_but_does_not_write(aw):
    a = aw.activity("ya1")
    c = as_user(aw.campaign_admin)
    assert c.get(f"{BASE}/{a.pk}").status_code == 200
    assert [i["id"] for i in c.get(BASE, {"campaign": aw.campaign.pk}).json()["items"]] == [a.pk]
    assert patch(c, f"{BASE}/{a.pk}", {"title": "x"}).status_code == 403
    assert c.delete(f"{BASE}/{a.pk}").status_code == 403
    r = post(c, BASE, {"campaign": aw.campaign.pk, "unit": aw.tree["ya1"].pk, "title": "x",
                       "held_on": aw.today.isoformat()})
    assert r.status_code == 403


def test_activity_pages_with_cursor(aw):
    for i in range(5):
        aw.activity(title=f"a{i}", held_on=aw.today - dt.timedelta(days=i))
    c = as_user(aw.yian_admin)
    r = c.get(BASE, {"campaign": aw.campaign.pk, "limit": 2}).json()
    seen = [i["title"] for i in r["items"]]
    while r["next_cursor"]:
        r = c.get(BASE, {"campaign": aw.campaign.pk, "limit": 2, "cursor": r["next_cursor"]}).json()
        seen += [i["title"] for i in r["items"]]
    assert seen == ["a0", "a1", "a2", "a3", "a4"]
    assert c.get(BASE, {"campaign": aw.campaign.pk, "limit": 1000}).status_code == 422


def test_brand_project_crud(aw):
    c = as_user(aw.yian_admin)
    r = post(c, f"{BASE}/brand-projects", {"campaign": aw.campaign.pk, "unit": aw.tree["ya2"].pk, "name": "清朗",
                                           "started_on": "2022-03-01"})
    assert r.status_code == 201
    bid = r.json()["id"]
    r = patch(c, f"{BASE}/brand-projects/{bid}", {"started_on": None, "name": "清朗二"})
    assert r.status_code == 200 and r.json()["started_on"] is None and r.json()["name"] == "清朗二"
    r = patch(c, f"{BASE}/brand-projects/{bid}", {"name": ""})
    assert r.status_code == 422 and "name" in r.json()["errors"]
    assert c.get(f"{BASE}/brand-projects", {"campaign": aw.campaign.pk}).json()["items"][0]["id"] == bid
    assert c.get(f"{BASE}/brand-projects/{bid}").status_code == 200
    j = as_user(aw.jiao_admin)
    assert j.get(f"{BASE}/brand-projects/{bid}").status_code == 404
    assert j.get(f"{BASE}/brand-projects", {"campaign": aw.campaign.pk}).json()["items"] == []
    r = post(j, f"{BASE}/brand-projects", {"campaign": aw.campaign.pk, "unit": aw.tree["ya2"].pk, "name": "x"})
    assert r.status_code == 403
    assert c.delete(f"{BASE}/brand-projects/{bid}").status_code == 204
    assert not BrandProject.objects.exists()


def test_volunteer_crud_duplicates_and_masking(aw):
    c = as_user(aw.ya1_admin)
    body = {"campaign": aw.campaign.pk, "unit": aw.tree["ya1"].pk, "name": "孙八", "phone": "13600001234"}
    r = post(c, f"{BASE}/volunteers", body)
    assert r.status_code == 201 and r.json()["phone"] == "13600001234"
    vid = r.json()["id"]
    r = post(c, f"{BASE}/volunteers", body)
    assert r.status_code == 409 and r.json()["code"] == "duplicate_phone" and r.json()["field"] == "phone"
    r = post(c, f"{BASE}/volunteers", {**body, "phone": "1360000"})
    assert r.status_code == 422 and "phone" in r.json()["errors"]
    ca = as_user(aw.campaign_admin)
    assert ca.get(f"{BASE}/volunteers/{vid}").json()["phone"] == "136****1234"
    assert ca.get(f"{BASE}/volunteers", {"campaign": aw.campaign.pk}).json()["items"][0]["phone"] == "136****1234"
    assert patch(ca, f"{BASE}/volunteers/{vid}", {"name": "x"}).status_code == 403
    assert as_user(aw.jiao_admin).get(f"{BASE}/volunteers/{vid}").status_code == 404
    r = patch(c, f"{BASE}/volunteers/{vid}", {"skills": "写作"})
    assert r.status_code == 200 and r.json()["skills"] == "写作" and r.json()["phone"] == "13600001234"
    other = post(c, f"{BASE}/volunteers", {**body, "phone": "13600005678"}).json()["id"]
    r = patch(c, f"{BASE}/volunteers/{other}", {"phone": "13600001234"})
    assert r.status_code == 409
    assert c.delete(f"{BASE}/volunteers/{vid}").status_code == 204
    assert list(Volunteer.objects.values_list("pk", flat=True)) == [other]


def test_wrong_method(aw):
    c = as_user(aw.ya1_admin)
    assert c.put(f"{BASE}/1", "{}", content_type="application/json").status_code == 405
    assert c.delete(BASE).status_code == 405


def test_schema_documents_the_error_codes(aw):
    c = as_user(aw.superuser)
    schema = c.get("/api/openapi.json").json()
    op = schema["paths"]["/api/activities/volunteers"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(op["responses"])


def test_patch_moves_to_another_unit_of_the_subtree(aw):
    c = as_user(aw.yian_admin)
    a, b, v = aw.activity("ya1"), aw.brand("ya1"), aw.volunteer("ya1")
    ya2 = aw.tree["ya2"].pk
    assert patch(c, f"{BASE}/{a.pk}", {"unit": ya2}).json()["unit"]["id"] == ya2
    assert patch(c, f"{BASE}/brand-projects/{b.pk}", {"unit": ya2}).json()["unit"]["id"] == ya2
    assert patch(c, f"{BASE}/volunteers/{v.pk}", {"unit": ya2}).json()["unit"]["id"] == ya2
    r = patch(c, f"{BASE}/volunteers/{v.pk}", {"unit": aw.tree["jq1"].pk})
    assert r.status_code == 403
