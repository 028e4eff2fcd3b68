"""Odd input never gives a 500 (also on PostgreSQL, which refuses NUL characters)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_odd_input(client):
    client.force_login(f.user())
    assert client.post("/accounts/tokens/99999999999999999999/revoke/").status_code == 404
    assert client.delete("/api/me/tokens/99999999999999999999").status_code == 404
    assert client.post("/accounts/join/", {"org": "99999999999999999999"}).status_code == 400
    # A NUL anywhere (path, query, form, JSON) is refused before any view: 400 (RequestSanityMiddleware).
    assert client.get("/accounts/join/%E4%B8%AD%00x/").status_code == 400
    assert client.get("/accounts/join/search/", {"q": "%_\x00"}).status_code == 400
    assert client.post("/accounts/join/", {"code": "AB\x00"}).status_code == 400
    r = client.post("/api/me/tokens", {"name": "a\x00b"}, content_type="application/json")
    assert r.status_code == 400
    assert client.post("/accounts/profile/", {"real_name": "a\x00"}).status_code == 400


def test_odd_input_anonymous(client):
    assert client.post("/accounts/register/", {"phone": "1" * 200, "action": "send_code"}).status_code == 200
    assert client.post("/accounts/register/", {"phone": "138\x0012345678", "action": "send_code"}).status_code == 400
    assert client.post("/accounts/login/", {"phone": "a\x00", "password": "x"}).status_code == 400
    assert client.post("/accounts/login/", {}).status_code == 200
    r = client.post("/accounts/password/reset/", {"phone": "\x00", "code": "\x00", "action": "reset"})
    assert r.status_code == 400 and "NUL" in r.content.decode()
