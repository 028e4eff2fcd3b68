"""The QR code endpoint: this site's pages only, SVG, cached for a long time."""

import xml.etree.ElementTree as ET

import pytest
import segno

from tests.public.builders import campaign_with_tracks

pytestmark = pytest.mark.django_db
SITE = "https://zj.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def test_qr_of_a_page_is_an_svg_of_its_address(client):
    tree, c = campaign_with_tracks(1)
    r = client.get("/qr.svg", {"path": f"/c/{c.slug}/t1/"})
    assert r.status_code == 200
    assert r["Content-Type"] == "image/svg+xml"
    assert r["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r["X-Content-Type-Options"] == "nosniff"
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # The same code segno makes of the page's absolute address.
    import io

    expected = io.BytesIO()
    segno.make(f"{SITE}/c/{c.slug}/t1/", error="m").save(expected, kind="svg", scale=6, border=4, dark="#000",
                                                         light="#fff", xmldecl=True, nl=False)
    assert r.content == expected.getvalue()


def test_qr_keeps_the_query_and_accepts_our_own_absolute_address(client):
    a = client.get("/qr.svg", {"path": "/campaigns/?page=2"})
    b = client.get("/qr.svg", {"path": f"{SITE}/campaigns/?page=2"})
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert a.content != client.get("/qr.svg", {"path": "/campaigns/"}).content


@pytest.mark.parametrize("path", [
    "", "https://evil.example.com/", "http://evil.example.com/c/x/", "//evil.example.com/", "javascript:alert(1)",
    "data:text/html,hi", "campaigns/", "/no/such/page/here/", "/\\evil.example.com", "/" + "a" * 600,
    "/campaigns/\n/", "/camp\taigns/", "ftp://zj.example.org/",
])
def test_qr_refuses_what_is_not_a_page_of_this_site(client, path):
    r = client.get("/qr.svg", {"path": path})
    assert r.status_code == 400
    assert "只有本站页面的地址" in r.content.decode()
    assert "max-age=31536000" not in r.get("Cache-Control", "")


def test_qr_without_path_and_wrong_method(client):
    assert client.get("/qr.svg").status_code == 400
    assert client.post("/qr.svg", {"path": "/"}).status_code == 405


def test_qr_download(client):
    r = client.get("/qr.svg", {"path": "/", "download": "1"})
    assert r.status_code == 200 and r["Content-Disposition"] == 'attachment; filename="qr.svg"'
