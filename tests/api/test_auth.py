"""API authentication: bearer tokens write without CSRF; sessions must send the CSRF token."""

import pytest
from django.test import Client

from tests import factories as f
from zhengji.accounts.models import ApiToken
from zhengji.accounts.tokens import hash_key

pytestmark = pytest.mark.django_db


def _token(user, key="k" * 40):
    ApiToken.objects.create(user=user, name="script", prefix=key[:8], key_hash=hash_key(key))
    return key


def test_bearer_token_can_post_without_csrf():
    tree = f.tongling_tree()
    admin = f.unit_admin(tree["yian"])
    client = Client(enforce_csrf_checks=True)
    r = client.post("/api/orgs", {"parent": tree["yian"].pk, "name": "新工会", "code": "AH-TL-YA-NEW",
                                  "kind": "grassroots"}, content_type="application/json",
                    headers={"Authorization": f"Bearer {_token(admin)}"})
    assert r.status_code in (200, 201), r.content


def test_session_post_without_csrf_is_refused_as_json():
    tree = f.tongling_tree()
    admin = f.unit_admin(tree["yian"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    r = client.post("/api/orgs", {"parent": tree["yian"].pk, "name": "新工会", "code": "AH-TL-YA-NEW2",
                                  "kind": "grassroots"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"]


def test_revoked_or_unknown_token_is_401():
    tree = f.tongling_tree()
    admin = f.unit_admin(tree["yian"])
    key = _token(admin)
    ApiToken.objects.update(revoked=True)
    r = Client().get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = Client().get("/api/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_unknown_api_path_and_wrong_method_answer_json(client):
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and r.json() == {"code": "not_found", "message": "未找到。"}
    r = client.generic("TRACE", "/api/health")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed" and r["Allow"]


def test_audit_api_takes_far_off_dates_without_error(client):
    admin = f.user(is_superuser=True)
    client.force_login(admin)
    r = client.get("/api/audit", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert r.status_code == 200 and r.json()["count"] >= 0
    r = client.get("/hub/audit/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert r.status_code == 200


def test_audit_api_refuses_a_page_past_any_offset_as_422(client):
    client.force_login(f.user(is_superuser=True))
    r = client.get("/api/audit", {"page": 184467440737095518})
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_nul_characters_are_refused_before_any_operation(client):
    client.force_login(f.user(is_superuser=True))
    r = client.get("/api/audit", {"actor": "\x00"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = client.post("/api/me/tokens", '{"name": "a\\u0000b"}', content_type="application/json")
    assert r.status_code == 400
