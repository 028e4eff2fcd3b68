"""/api/orgs/pending and /api/orgs/pending/decide: same permissions as the pages."""

from __future__ import annotations

import json

import pytest

from tests import factories as f
from zhengji.orgs import membership
from zhengji.orgs.models import Membership, MembershipStatus

pytestmark = pytest.mark.django_db


def post(client, data):
    return client.post("/api/orgs/pending/decide", json.dumps(data), content_type="application/json")


def request(org):
    return membership.join_org(f.user(real_name="新职工"), org)


def test_pending_list_pages_and_scopes(client, world):
    ms = [request(world.tree["ya1"]) for _ in range(3)] + [request(world.tree["jq1"])]
    client.force_login(world.yian_admin)
    r = client.get("/api/orgs/pending", {"limit": 2})
    body = r.json()
    assert r.status_code == 200 and [i["id"] for i in body["items"]] == [ms[0].pk, ms[1].pk]
    assert body["next_after"] == ms[1].pk and body["total"] == 3
    assert body["items"][0]["phone"] == ms[0].user.phone and "义安区" in body["items"][0]["org_label"]
    body = client.get("/api/orgs/pending", {"after": body["next_after"]}).json()
    assert [i["id"] for i in body["items"]] == [ms[2].pk] and body["next_after"] is None
    assert client.get("/api/orgs/pending", {"unit": world.tree["jq1"].pk}).status_code == 404
    assert client.get("/api/orgs/pending", {"unit": world.tree["ya2"].pk}).json()["total"] == 0


def test_pending_refused_to_workers_and_anonymous(client, world):
    assert client.get("/api/orgs/pending").status_code == 401
    assert post(client, {"ids": [1], "action": "confirm"}).status_code == 401
    client.force_login(world.worker)
    assert client.get("/api/orgs/pending").status_code == 403
    assert post(client, {"ids": [1], "action": "confirm"}).status_code == 403


def test_decide_all_or_nothing(client, world):
    mine, theirs = request(world.tree["ya1"]), request(world.tree["jq1"])
    client.force_login(world.yian_admin)
    assert post(client, {"ids": [mine.pk, theirs.pk], "action": "confirm"}).status_code == 403
    assert Membership.objects.filter(status=MembershipStatus.PENDING).count() == 2
    assert post(client, {"ids": [mine.pk], "action": "maybe"}).status_code in (400, 422)
    assert post(client, {"ids": [], "action": "confirm"}).status_code in (400, 422)
    r = post(client, {"ids": [mine.pk], "action": "decline", "reason": "非本单位"})
    assert r.status_code == 200 and r.json() == {"decided": [mine.pk], "status": "rejected"}
    mine.refresh_from_db()
    assert mine.decision_reason == "非本单位"
    assert client.get("/api/orgs/pending/decide").status_code == 405
