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


# --- submit and withdraw without a body ------------------------------------------------------------

def raw_post(client, url, body: bytes = b"", content_type: str | None = None):
    """A POST exactly as a script sends it: maybe no body, maybe no Content-Type."""
    kwargs = {"content_type": content_type} if content_type else {}
    return client.generic("POST", url, body, **kwargs)


@pytest.mark.parametrize("content_type", [None, "application/json", "application/x-www-form-urlencoded"])
def test_submit_without_body_asks_for_the_pledge(client, world, content_type):
    e = world.complete_draft()
    client.force_login(world.worker)
    r = raw_post(client, f"/api/entries/{e.pk}/submit", content_type=content_type)
    assert r.status_code == 400
    assert r.json() == {"code": "pledge_required", "message": "请先同意原创承诺及授权声明，再提交作品。",
                        "field": "pledge"}
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.DRAFT


def test_submit_without_body_in_english(client, world):
    e = world.complete_draft()
    client.force_login(world.worker)
    r = client.generic("POST", f"/api/entries/{e.pk}/submit", b"", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and r.json()["message"] == "Accept the originality pledge and licence grant to submit."


def test_submit_with_form_fields_or_json_null(client, world):
    e = world.complete_draft()
    client.force_login(world.worker)
    r = raw_post(client, f"/api/entries/{e.pk}/submit", b"null", "application/json")
    assert r.status_code == 400 and r.json()["code"] == "pledge_required"
    r = client.post(f"/api/entries/{e.pk}/submit", {"pledge": "true"})  # multipart, as an HTML form
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["number"]


def test_submit_incomplete_without_body_lists_the_pledge_too(client, world):
    e = world.draft(title="")
    client.force_login(world.worker)
    r = raw_post(client, f"/api/entries/{e.pk}/submit")
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert {"title", "pledge", "photos"} <= set(r.json()["errors"])


def test_bad_bodies_are_4xx_not_500(client, world):
    e = world.complete_draft()
    client.force_login(world.worker)
    url = f"/api/entries/{e.pk}/submit"
    r = raw_post(client, url, b"{not json", "application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_body" and r.json()["message"]
    r = raw_post(client, url, b"[true]", "application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_body"
    r = raw_post(client, url, b'{"pledge": "perhaps"}', "application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    r = raw_post(client, f"/api/entries/{e.pk}/withdraw", b'{"reason": 5}', "application/json")
    assert r.status_code == 422
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.DRAFT


@pytest.mark.parametrize("content_type", [None, "application/json", "application/x-www-form-urlencoded"])
def test_withdraw_without_body(client, world, content_type):
    e = world.submitted()
    client.force_login(world.worker)
    r = raw_post(client, f"/api/entries/{e.pk}/withdraw", content_type=content_type)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = call(client, "get", f"/api/entries/{e.pk}/status")
    assert r.json()["history"][-1]["action"] == "entry.withdraw" and r.json()["history"][-1]["reason"] == ""


def test_withdraw_reason_as_form_field(client, world):
    e = world.submitted()
    client.force_login(world.worker)
    r = client.post(f"/api/entries/{e.pk}/withdraw", "reason=%E6%94%B9%E6%8A%95",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200
    assert call(client, "get", f"/api/entries/{e.pk}/status").json()["history"][-1]["reason"] == "改投"


def test_empty_body_still_needs_permission(client, world):
    e = world.submitted()
    for user, status in ((world.other_worker, 404), (world.yian_admin, 403)):
        client.force_login(user)
        assert raw_post(client, f"/api/entries/{e.pk}/withdraw").status_code == status
        assert raw_post(client, f"/api/entries/{e.pk}/submit").status_code == status
    client.logout()
    assert raw_post(client, f"/api/entries/{e.pk}/withdraw").status_code == 401
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.SUBMITTED


def test_openapi_documents_the_optional_bodies(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for action, field in (("submit", "pledge"), ("withdraw", "reason")):
        body = paths[f"/api/entries/{{entry_id}}/{action}"]["post"]["requestBody"]
        assert body["required"] is False
        assert field in body["content"]["application/json"]["schema"]["properties"]
