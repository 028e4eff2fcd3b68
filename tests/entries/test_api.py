"""The entries API: every endpoint for the owner, another worker, another unit's admin,
anonymous callers and wrong methods; JSON error codes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhengji.campaigns.models import LevelRule
from zhengji.entries.models import Entry, EntryStatus

from .builders import GOOD_DATA, media

pytestmark = pytest.mark.django_db


def call(client, method, url, body=None, user=None):
    if user is not None:
        client.force_login(user)
    kwargs = {"content_type": "application/json"}
    if body is not None and method != "get":
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


def test_anonymous_gets_401_json(client, world):
    e = world.draft(title="x")
    for method, url in [("get", "/api/entries"), ("post", "/api/entries"), ("get", f"/api/entries/{e.pk}"),
                        ("patch", f"/api/entries/{e.pk}"), ("post", f"/api/entries/{e.pk}/submit"),
                        ("post", f"/api/entries/{e.pk}/withdraw"), ("get", f"/api/entries/{e.pk}/status"),
                        ("get", f"/api/entries/{e.pk}/receipt")]:
        r = call(client, method, url, {})
        assert r.status_code == 401, (method, url)
        assert r.json()["code"] == "unauthenticated"


def test_create_patch_submit_flow(client, world):
    r = call(client, "post", "/api/entries", {"track": world.track.pk, "title": "API 作品", "data": GOOD_DATA},
             world.worker)
    assert r.status_code == 201, r.content
    eid = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["unit"]["id"] == world.tree["ya1"].pk
    m = media(world.worker, slot="photos")
    r = call(client, "patch", f"/api/entries/{eid}", {"summary": "摘要", "files": {"photos": [m.pk]}})
    assert r.status_code == 200 and r.json()["media"][0]["id"] == m.pk
    r = call(client, "post", f"/api/entries/{eid}/submit", {"pledge": False})
    assert r.status_code == 400 and r.json()["code"] == "pledge_required"
    r = call(client, "post", f"/api/entries/{eid}/submit", {"pledge": True})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "submitted" and body["number"].endswith("-04-000001")
    assert body["pledge_version"] and body["contact_phone"] == world.worker.phone


def test_submit_invalid_has_per_field_errors(client, world):
    e = world.draft(title="")
    r = call(client, "post", f"/api/entries/{e.pk}/submit", {"pledge": True}, world.worker)
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert {"title", "creator_note", "photos"} <= set(r.json()["errors"])


def test_patch_submitted_entry_invalid_is_refused(client, world):
    e = world.submitted()
    r = call(client, "patch", f"/api/entries/{e.pk}", {"data": {"minutes": 999}}, world.worker)
    assert r.status_code == 422 and "minutes" in r.json()["errors"]


def test_deadline_passed_code(client, world):
    e = world.submitted()
    LevelRule.objects.create(campaign=world.campaign, org_kind="grassroots",
                             deadline=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    r = call(client, "patch", f"/api/entries/{e.pk}", {"title": "晚了"}, world.worker)
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"


def test_create_errors(client, world):
    r = call(client, "post", "/api/entries", {"track": 999999}, world.worker)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = call(client, "post", "/api/entries", {"track": world.unit_track.pk, "entrant_type": "unit",
                                              "unit": world.tree["jq1"].pk}, world.yian_admin)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = call(client, "post", "/api/entries", {"title": "no track"}, world.worker)
    assert r.status_code == 422


def test_list_mine_and_unit_scope(client, world):
    mine = world.submitted()
    world.submitted(world.other_worker)
    r = call(client, "get", "/api/entries", user=world.worker)
    assert [x["id"] for x in r.json()] == [mine.pk]
    r = call(client, "get", "/api/entries?scope=unit", user=world.yian_admin)
    assert len(r.json()) == 2
    r = call(client, "get", "/api/entries?scope=unit", user=world.jiao_admin)
    assert r.json() == []
    r = call(client, "get", "/api/entries?scope=unit", user=world.worker)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


@pytest.mark.parametrize("who", ["other_worker", "jiao_admin"])
def test_others_get_404(client, world, who):
    e = world.submitted()
    user = getattr(world, who)
    for method, url, body in [("get", f"/api/entries/{e.pk}", None), ("patch", f"/api/entries/{e.pk}", {"title": "x"}),
                              ("post", f"/api/entries/{e.pk}/submit", {"pledge": True}),
                              ("post", f"/api/entries/{e.pk}/withdraw", {}),
                              ("get", f"/api/entries/{e.pk}/status", None),
                              ("get", f"/api/entries/{e.pk}/receipt", None)]:
        r = call(client, method, url, body, user)
        assert r.status_code == 404 and r.json()["code"] == "not_found", (method, url)
    assert Entry.objects.get(pk=e.pk).title == "我的作品"


def test_admin_of_subtree_reads_masked_but_cannot_change(client, world):
    e = world.submitted()
    r = call(client, "get", f"/api/entries/{e.pk}", user=world.yian_admin)
    phone = world.worker.phone
    assert r.status_code == 200 and r.json()["contact_phone"] == phone[:3] + "****" + phone[-4:]
    r = call(client, "patch", f"/api/entries/{e.pk}", {"title": "改"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = call(client, "post", f"/api/entries/{e.pk}/withdraw", {})
    assert r.status_code == 403


def test_withdraw_and_status_history(client, world):
    e = world.submitted()
    r = call(client, "post", f"/api/entries/{e.pk}/withdraw", {"reason": "不参加"}, world.worker)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = call(client, "post", f"/api/entries/{e.pk}/withdraw", {})
    assert r.status_code == 409 and r.json()["code"] == "not_withdrawable"
    r = call(client, "get", f"/api/entries/{e.pk}/status")
    hist = r.json()["history"]
    assert [h["action"] for h in hist][-2:] == ["entry.submit", "entry.withdraw"]
    assert hist[-1]["from_status"] == "submitted" and hist[-1]["to_status"] == "withdrawn"
    assert hist[-1]["reason"] == "不参加"


def test_receipt_endpoint(client, world):
    e = world.submitted()
    r = call(client, "get", f"/api/entries/{e.pk}/receipt", user=world.worker)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    d = world.draft(title="未提交")
    assert call(client, "get", f"/api/entries/{d.pk}/receipt").status_code == 404


def test_wrong_methods(client, world):
    e = world.draft(title="x")
    client.force_login(world.worker)
    assert client.delete(f"/api/entries/{e.pk}").status_code == 405
    assert client.get(f"/api/entries/{e.pk}/submit").status_code == 405
    assert client.get(f"/api/entries/{e.pk}/withdraw").status_code == 405
    assert client.post(f"/api/entries/{e.pk}/status").status_code == 405
    assert client.put("/api/entries").status_code == 405


def test_openapi_documents_entries(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/entries", "/api/entries/{entry_id}", "/api/entries/{entry_id}/submit",
            "/api/entries/{entry_id}/receipt"} <= set(paths)


def test_status_of_draft_is_draft(client, world):
    e = world.draft(title="x")
    r = call(client, "get", f"/api/entries/{e.pk}/status", user=world.worker)
    assert r.json()["status"] == EntryStatus.DRAFT and r.json()["history"][0]["action"] == "entry.create"
