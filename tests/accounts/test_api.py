"""/api/me and /api/me/tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories as f
from zhengji.accounts import services
from zhengji.accounts.models import ApiToken
from zhengji.campaigns.roles import CampaignRole
from zhengji.orgs.models import Membership, MembershipStatus
from zhengji.orgs.roles import OrgRole

pytestmark = pytest.mark.django_db


def test_me_anonymous_is_401_json(client):
    r = client.get("/api/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert client.get("/api/me/tokens").status_code == 401
    assert client.post("/api/me/tokens", {"name": "x"}, content_type="application/json").status_code == 401
    assert client.delete("/api/me/tokens/1").status_code == 401


def test_me_profile_membership_roles(client, tree):
    u = f.user(phone="13812345678", real_name="张三")
    Membership.objects.create(user=u, org=tree["ya1"], status=MembershipStatus.PENDING)
    f.grant(u, OrgRole.UNIT_ADMIN, org=tree["yian"])
    c = f.campaign(tree["province"])
    f.grant(u, CampaignRole.MODERATOR, campaign=c)
    client.force_login(u)
    data = client.get("/api/me").json()
    assert data["phone"] == "13812345678"  # own number, unmasked
    assert data["real_name"] == "张三" and data["two_factor"] is False
    assert data["membership"]["org_id"] == tree["ya1"].pk and data["membership"]["status"] == "pending"
    assert data["membership"]["org_path"].endswith("义安区总工会 › 义安区某公司工会")
    roles = {(r["role"], r["scope_type"], r["scope_id"]) for r in data["roles"]}
    assert roles == {("unit_admin", "org", tree["yian"].pk), ("moderator", "campaign", c.pk)}


def test_me_without_membership(client):
    client.force_login(f.user())
    assert client.get("/api/me").json()["membership"] is None


def test_tokens_create_list_revoke(client):
    u = f.user()
    client.force_login(u)
    r = client.post("/api/me/tokens", {"name": "脚本"}, content_type="application/json")
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith("zj_") and created["prefix"] == key[:8]
    listed = client.get("/api/me/tokens").json()
    assert [t["id"] for t in listed] == [created["id"]] and "key" not in listed[0]
    # The key authenticates another client.
    other = Client()
    assert other.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()["id"] == u.pk
    assert client.delete(f"/api/me/tokens/{created['id']}").status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked
    assert other.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_bad_input(client):
    client.force_login(f.user())
    r = client.post("/api/me/tokens", {"name": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"  # the schema says minLength 1
    r = client.post("/api/me/tokens", {}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_token_limit(client):
    u = f.user()
    for i in range(services.MAX_TOKENS):
        services.create_token(u, f"t{i}")
    client.force_login(u)
    r = client.post("/api/me/tokens", {"name": "one more"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "too_many_tokens"


def test_cannot_see_or_revoke_other_users_tokens(client):
    owner = f.user()
    token, _key = services.create_token(owner, "mine")
    client.force_login(f.user())
    assert client.get("/api/me/tokens").json() == []
    r = client.delete(f"/api/me/tokens/{token.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    token.refresh_from_db()
    assert not token.revoked


def test_wrong_methods(client):
    client.force_login(f.user())
    assert client.post("/api/me").status_code == 405
    assert client.put("/api/me/tokens").status_code == 405
    assert client.get("/api/me/tokens/1").status_code == 405


def test_openapi_lists_me_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/me", "/api/me/tokens", "/api/me/tokens/{token_id}"} <= set(paths)
