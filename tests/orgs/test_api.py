import json

import pytest

from tests import factories as f
from zhengji.orgs.models import Membership, MembershipStatus, Organization

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_anonymous_gets_401_and_worker_403(client, tree, worker):
    assert client.get("/api/orgs").status_code == 401
    assert client.get(f"/api/orgs/{tree['ya1'].pk}").status_code == 401
    client.force_login(worker)
    assert client.get("/api/orgs").status_code == 403
    assert client.get(f"/api/orgs/{tree['ya1'].pk}").status_code == 403


def test_list_roots_children_and_search(yian_client, tree):
    r = yian_client.get("/api/orgs")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["code"] == "AH-TL-YA" and body["items"][0]["numchild"] == 2
    r = yian_client.get("/api/orgs", {"parent": tree["yian"].pk})
    assert [o["code"] for o in r.json()["items"]] == ["AH-TL-YA-01", "AH-TL-YA-02"]
    r = yian_client.get("/api/orgs", {"q": "工会", "limit": 2})
    assert r.json()["count"] == 3 and len(r.json()["items"]) == 2
    assert all(o["code"].startswith("AH-TL-YA") for o in yian_client.get("/api/orgs", {"q": "工会"}).json()["items"])


def test_detail_create_patch_move_deactivate_members(client, tree):
    city_admin = f.unit_admin(tree["city"])
    client.force_login(city_admin)
    r = client.get(f"/api/orgs/{tree['ya1'].pk}")
    assert r.status_code == 200 and r.json()["parent_id"] == tree["yian"].pk
    assert r.json()["path_names"] == ["安徽省总工会", "铜陵市总工会", "义安区总工会"]
    r = post(client, "/api/orgs", {"parent": tree["ya1"].pk, "name": "API 分会", "code": "API-1", "member_count": 9})
    assert r.status_code == 201, r.content
    new_id = r.json()["id"]
    r = post(client, "/api/orgs", {"parent": tree["ya1"].pk, "name": "重复", "code": "API-1"})
    assert r.status_code == 400 and r.json()["code"] == "duplicate_code"
    r = patch(client, f"/api/orgs/{new_id}", {"member_count": 11, "contact_name": "赵六"})
    assert r.status_code == 200 and r.json()["member_count"] == 11 and r.json()["name"] == "API 分会"
    r = patch(client, f"/api/orgs/{new_id}", {"member_count": -5})
    assert r.status_code in (400, 422)
    r = post(client, f"/api/orgs/{tree['ya1'].pk}/move", {"target": tree["jiao"].pk})
    assert r.status_code == 200 and r.json()["parent_id"] == tree["jiao"].pk
    assert Organization.objects.get(pk=new_id).is_within(tree["jiao"])
    r = post(client, f"/api/orgs/{tree['jiao'].pk}/move", {"target": new_id})
    assert r.status_code == 400 and r.json()["code"] == "move_cycle"
    r = post(client, f"/api/orgs/{tree['jq2'].pk}/deactivate", {"reason": "撤并"})
    assert r.status_code == 200 and r.json()["deactivated"] == 1
    Membership.objects.create(user=f.user(phone="13500000001"), org=tree["jq1"], status=MembershipStatus.CONFIRMED)
    Membership.objects.create(user=f.user(phone="13500000002"), org=tree["jq1"])
    r = client.get(f"/api/orgs/{tree['jq1'].pk}/members")
    items = r.json()["items"]
    assert r.json()["count"] == 2 and items[0]["status"] == "pending" and items[0]["phone"] == "13500000002"


def test_api_isolation_yian_admin_vs_jiao(yian_client, tree):
    jq1, jiao = tree["jq1"], tree["jiao"]
    assert yian_client.get(f"/api/orgs/{jq1.pk}").status_code == 404
    assert yian_client.get("/api/orgs", {"parent": jiao.pk}).status_code == 404
    assert yian_client.get(f"/api/orgs/{jq1.pk}/members").status_code == 404
    assert patch(yian_client, f"/api/orgs/{jq1.pk}", {"name": "x"}).status_code == 404
    assert post(yian_client, f"/api/orgs/{jq1.pk}/move", {"target": tree["yian"].pk}).status_code == 404
    assert post(yian_client, f"/api/orgs/{tree['ya1'].pk}/move", {"target": jiao.pk}).status_code == 404
    assert post(yian_client, f"/api/orgs/{jq1.pk}/deactivate", {}).status_code == 404
    assert post(yian_client, "/api/orgs", {"parent": jiao.pk, "name": "x", "code": "X9"}).status_code == 404
    assert post(yian_client, f"/api/orgs/{tree['yian'].pk}/deactivate", {}).status_code == 403  # own org
    jq1.refresh_from_db()
    assert jq1.name == "郊区某厂工会" and jq1.is_active and jq1.is_within(jiao)
    assert not Organization.objects.filter(code="X9").exists()


def test_wrong_method(yian_client, tree):
    assert yian_client.delete(f"/api/orgs/{tree['ya1'].pk}").status_code == 405
    assert yian_client.get(f"/api/orgs/{tree['ya1'].pk}/move").status_code == 405


def test_public_search_needs_no_login_and_shows_little(client, tree):
    Organization.objects.filter(pk=tree["jq2"].pk).update(is_active=False)
    r = client.get("/api/orgs/search", {"q": "郊区"})
    assert r.status_code == 200
    items = r.json()
    assert {o["name"] for o in items} == {"郊区总工会", "郊区某厂工会"}
    assert set(items[0]) == {"id", "name", "path_names"}
    factory = next(o for o in items if o["name"] == "郊区某厂工会")
    assert factory["path_names"] == ["安徽省总工会", "铜陵市总工会", "郊区总工会"]
    assert client.get("/api/orgs/search").json() == []


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/orgs", "/api/orgs/search", "/api/orgs/{org_id}", "/api/orgs/{org_id}/move",
            "/api/orgs/{org_id}/deactivate", "/api/orgs/{org_id}/members"} <= set(paths)


def test_hostile_input_gives_4xx_not_500(yian_client, tree, client):
    big = 2**70
    assert yian_client.get(f"/api/orgs/{big}").status_code == 404
    assert yian_client.get("/api/orgs", {"parent": big}).status_code in (404, 422)
    assert post(yian_client, f"/api/orgs/{tree['ya1'].pk}/move", {"target": big}).status_code in (404, 422)
    r = post(yian_client, "/api/orgs", {"parent": tree["ya1"].pk, "name": "a\x00b", "code": "NUL"})
    assert r.status_code == 400
    r = post(yian_client, "/api/orgs", {"parent": tree["ya1"].pk, "name": "大", "code": "BIG", "member_count": big})
    assert r.status_code in (400, 422)
    r = post(yian_client, "/api/orgs", {"parent": tree["ya1"].pk, "name": "x" * 300, "code": "LONG"})
    assert r.status_code == 400 and r.json()["code"] == "too_long"
    assert yian_client.get("/api/orgs", {"q": "a\x00"}).status_code == 400  # the API refuses NUL up front
    assert client.get("/api/orgs/search", {"q": "\x00郊区"}).status_code == 400
    assert yian_client.get("/orgs/", {"q": "\x00"}).status_code == 400  # pages too (RequestSanityMiddleware)
