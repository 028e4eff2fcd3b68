"""How files go out (issue 12, point 5): originals only as attachments, every file response with
nosniff and a sandboxing CSP, optionally from a separate media origin with signed URLs; hostile
file names never used on disk and shown or sent safely."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from zhengji.media import filenames, samples
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.media.views_media import SANDBOX_CSP, file_url, status_data

from .conftest import stored_files

pytestmark = pytest.mark.django_db

ORIGIN = "https://files.example.org"


@pytest.fixture
def photo(ingest, tmp_path):
    return ingest(samples.make_jpeg(tmp_path / "p.jpg", 640, 480), "photo")


def test_original_is_an_attachment_with_nosniff_and_a_sandbox(client, world, photo):
    client.force_login(world["owner"])
    r = client.get(reverse("media:original", args=[photo.pk]))
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Security-Policy"] == SANDBOX_CSP == "sandbox; default-src 'none'"
    for name in ("thumb", "web"):
        r = client.get(reverse("media:rendition", args=[photo.pk, name]))
        assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
        assert r["X-Content-Type-Options"] == "nosniff" and r["Content-Security-Policy"] == SANDBOX_CSP
    r = client.get(reverse("media:rendition", args=[photo.pk, "web"]), HTTP_RANGE="bytes=0-9")
    assert r.status_code == 206 and r["Content-Security-Policy"] == SANDBOX_CSP


# --- a separate media origin ---------------------------------------------------------------------

@pytest.fixture
def origin(settings):
    settings.MEDIA_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "files.example.org"]
    return ORIGIN


def test_urls_are_built_on_the_media_origin_with_a_token(origin, world, photo):
    urls = status_data(photo, world["owner"])["urls"]
    assert set(urls) == {"thumb", "web", "preview", "original"} - {"preview"}
    for name, url in urls.items():
        path = reverse("media:original", args=[photo.pk]) if name == "original" else reverse(
            "media:rendition", args=[photo.pk, name])
        assert url.startswith(f"{ORIGIN}{path}?t=")


def test_the_site_redirects_file_requests_to_the_media_origin(origin, client, world, photo):
    """The site's host never serves the bytes: the permission is checked there, then a redirect."""
    client.force_login(world["owner"])
    r = client.get(reverse("media:original", args=[photo.pk]))
    assert r.status_code == 302 and r["Location"].startswith(f"{ORIGIN}/files/m/{photo.pk}/original?t=")
    assert "no-store" in r["Cache-Control"]
    r = client.get(reverse("media:rendition", args=[photo.pk, "thumb"]))
    assert r.status_code == 302 and r["Location"].startswith(ORIGIN)
    client.force_login(world["other"])  # no permission: 404 as before, no token handed out
    assert client.get(reverse("media:original", args=[photo.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("media:original", args=[photo.pk])).status_code == 302  # to the login page
    assert "login" in client.get(reverse("media:original", args=[photo.pk]))["Location"]


def test_the_media_origin_serves_with_a_valid_token_only(origin, client, world, photo):
    url = file_url(photo, "original", world["owner"])
    path_and_query = url[len(ORIGIN):]
    r = client.get(path_and_query, HTTP_HOST="files.example.org", secure=True)
    assert r.status_code == 200, r.content[:200]
    assert r["Content-Disposition"].startswith("attachment;") and r["Content-Security-Policy"] == SANDBOX_CSP
    path = path_and_query.split("?")[0]
    assert client.get(path, HTTP_HOST="files.example.org", secure=True).status_code == 404  # no token
    forged = path + "?t=" + url.split("t=")[1][:-3] + "abc"
    assert client.get(forged, HTTP_HOST="files.example.org", secure=True).status_code == 404
    # A token for the thumbnail does not open the original; one for another user is checked again.
    thumb_token = file_url(photo, "thumb", world["owner"]).split("?")[1]
    assert client.get(f"{path}?{thumb_token}", HTTP_HOST="files.example.org", secure=True).status_code == 404
    other_token = file_url(photo, "original", world["other"]).split("?")[1]
    assert client.get(f"{path}?{other_token}", HTTP_HOST="files.example.org", secure=True).status_code == 404


def test_tokens_expire(origin, client, world, photo, settings):
    url = file_url(photo, "thumb", world["owner"])
    settings.MEDIA_ORIGIN_URL_MAX_AGE = -1
    assert client.get(url[len(ORIGIN):], HTTP_HOST="files.example.org", secure=True).status_code == 404


# --- hostile names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,clean", [
    ("../../../etc/passwd.jpg", "passwd.jpg"),
    ("..\\..\\windows\\win.ini.jpg", "win.ini.jpg"),
    ("photo\x00.php.jpg", "photo.php.jpg"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),  # right-to-left override: "invoiceexe.jpg" on screen
    ("a\u2066b\u2067c\u2068d\u2069e\u200ff\u061cg.jpg", "abcdefg.jpg"),  # isolates, RLM, ALM
    ("line\u2028break\u2029.jpg", "linebreak.jpg"),
    ("CON.jpg", "_CON.jpg"), ("nul", "_nul"), ("com1.txt.jpg", "_com1.txt.jpg"), ("Lpt9.png", "_Lpt9.png"),
    ("CONOUT$.jpg", "_CONOUT$.jpg"), ("console.jpg", "console.jpg"),
    ('a<b>c:d"e|f?g*.jpg', "a_b_c_d_e_f_g_.jpg"),
    ("trailing.jpg. . .", "trailing.jpg"),
    ("..", "file"), ("", "file"),
])
def test_clean_filename(raw, clean):
    assert filenames.clean_filename(raw) == clean


def test_a_3000_byte_name_is_shortened_keeping_its_extension():
    name = filenames.clean_filename("征" * 1000 + ".jpg")
    assert len(name.encode()) <= 255 and name.endswith("….jpg")


@pytest.mark.parametrize("name", ["../../x.jpg", "x\x00.jpg", "CON.jpg", "a\u202egpj.jpg", "征" * 1000 + ".jpg",
                                  "x." + "a" * 3000, "x.\u202ejpg"])
def test_hostile_names_never_reach_the_disk(world, target, name, tmp_path, django_capture_on_commit_callbacks):
    """Through a file object (a temporary copy is made) and into storage: only uuid names on disk."""
    data = samples.make_jpeg(tmp_path / "p.jpg", 320, 240).read_bytes()
    src = io.BytesIO(data)
    src.name = name
    with django_capture_on_commit_callbacks(execute=True):
        media = create_media_from_file(src, owner=world["owner"], target=target("image"), filename=name)
    media.refresh_from_db()
    assert media.filename == filenames.clean_filename(name)
    for path in stored_files():
        assert path.name.isascii() and ".." not in path.name[:-5] and len(path.name) < 80, path
        assert Path(path).name.split(".")[0].replace("-", "").replace("_", "").isalnum()


def test_names_are_shown_escaped_and_sent_safely(client, world, ingest, tmp_path):
    path = samples.make_jpeg(tmp_path / "p.jpg", 320, 240)
    media = ingest(path, "image", filename='<img src=x onerror=alert(1)>"\u202egpj.jpg')
    assert media.filename == "_img src=x onerror=alert(1)__gpj.jpg"
    client.force_login(world["owner"])
    page = client.get(reverse("media:status", args=[media.pk])).content.decode()
    assert "<img src=x" not in page and "\u202e" not in page
    r = client.get(reverse("media:original", args=[media.pk]))
    header = r["Content-Disposition"]
    assert header == 'attachment; filename="_img src=x onerror=alert(1)__gpj.jpg"'
    media.filename = "報告\u202e\r\nX-Evil: 1.jpg"  # a row stored before names were cleaned
    media.save(update_fields=["filename"])
    header = client.get(reverse("media:original", args=[media.pk]))["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and "\u202e" not in header
    assert header.startswith("attachment; filename*=utf-8''")


def test_media_origin_from_the_environment_joins_hosts_and_the_sites_csp():
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'zhengji.settings'; import django; django.setup(); "
            "from django.conf import settings as s; import json; "
            "print(json.dumps([s.MEDIA_ORIGIN, s.ALLOWED_HOSTS, s.CONTENT_SECURITY_POLICY['DIRECTIVES']]))")
    env = {**os.environ, "MEDIA_ORIGIN": ORIGIN + "/"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True, timeout=120)
    origin, hosts, csp = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert origin == ORIGIN and "files.example.org" in hosts
    assert ORIGIN in csp["img-src"] and ORIGIN in csp["media-src"] and ORIGIN not in csp["script-src"]


def test_the_media_origin_serves_nothing_but_files(origin, client, world, photo):
    client.force_login(world["owner"])
    for path in ("/", reverse("media:status", args=[photo.pk]), "/accounts/login/", "/static/css/site.css",
                 f"/api/media/files/{photo.pk}", "/no/such/page"):
        r = client.get(path, HTTP_HOST="files.example.org", secure=True)
        assert r.status_code == 404 and r["Content-Type"] == "text/plain", path
    url = file_url(photo, "thumb", world["owner"])
    assert client.get(url[len(ORIGIN):], HTTP_HOST="files.example.org", secure=True).status_code == 200
    assert client.get(reverse("media:status", args=[photo.pk])).status_code == 200  # the site as before


def test_file_urls_are_stable_for_a_while_so_browsers_cache_them(origin, world, photo):
    assert file_url(photo, "thumb", world["owner"]) == file_url(photo, "thumb", world["owner"])
    assert file_url(photo, "thumb", world["owner"]) != file_url(photo, "thumb", world["other"])
