"""Input no view can store or read is refused before any view runs, on every page, not only
under /api/ (RequestSanityMiddleware): NUL characters, unreadable bodies, numbers past 64 bits."""

from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_nul_in_a_page_form_is_a_400_page_naming_it(client):
    client.force_login(f.user())
    r = client.post("/accounts/profile/", {"real_name": "a\x00b"})
    assert r.status_code == 400 and "text/html" in r["Content-Type"]
    assert "NUL" in r.content.decode()


def test_nul_in_a_query_or_path_is_refused(client):
    assert client.get("/", {"q": "\x00"}).status_code == 400
    r = client.get("/api/public/campaigns", {"x": "\x00"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"


@pytest.mark.parametrize("path", ["/api/me/tokens", "/accounts/profile/"])
def test_multipart_without_a_boundary_is_a_400_not_a_500(client, path):
    client.force_login(f.user())
    r = client.post(path, b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n",
                    content_type="multipart/form-data")
    assert r.status_code == 400
    if path.startswith("/api/"):
        assert r.json()["code"] == "invalid_body"


def test_a_number_past_64_bits_in_a_page_query_is_a_400(client):
    tree = f.tongling_tree()
    client.force_login(f.unit_admin(tree["yian"]))
    r = client.get("/reporting/", {"level": "93877618252440322048"})
    assert r.status_code in (200, 400)
