"""The rendition, original, status and retry views: who may use them, Range requests, htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from zhengji.media import access
from zhengji.media.models import MediaStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(ingest, media_dir):
    return ingest(media_dir / "photo.jpg", "photo")


@pytest.fixture
def video(ingest, media_dir):
    return ingest(media_dir / "clip.mp4", "video")


def url(name, media, **kw):
    if name == "rendition":
        return reverse("media:rendition", args=[media.pk, kw["which"]])
    return reverse(f"media:{name}", args=[media.pk])


def body(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


@pytest.mark.parametrize("which,ctype", [("thumb", "image/jpeg"), ("web", "image/jpeg")])
def test_owner_and_superuser_get_image_renditions(client, world, photo, which, ctype):
    for who in ("owner", "admin"):
        client.force_login(world[who])
        r = client.get(url("rendition", photo, which=which))
        assert r.status_code == 200 and r["Content-Type"] == ctype
        assert body(r)[:2] == b"\xff\xd8"
        assert "private" in r["Cache-Control"]


def test_others_and_anonymous_get_nothing(client, world, photo):
    targets = [url("rendition", photo, which="thumb"), url("original", photo), url("status", photo)]
    for target in targets:
        r = client.get(target)
        assert r.status_code == 302 and reverse("accounts:login") in r["Location"]
    client.force_login(world["other"])
    for target in targets:
        assert client.get(target).status_code == 404
    assert client.post(url("retry", photo)).status_code == 404


def test_wrong_methods(client, world, photo):
    client.force_login(world["owner"])
    assert client.post(url("rendition", photo, which="thumb")).status_code == 405
    assert client.post(url("status", photo)).status_code == 405
    assert client.get(url("retry", photo)).status_code == 405
    assert client.delete(url("original", photo)).status_code == 405


def test_missing_rendition_is_404(client, world, photo, video):
    client.force_login(world["owner"])
    assert client.get(url("rendition", photo, which="preview")).status_code == 404
    assert client.get(f"/files/m/{photo.pk}/nonsense").status_code == 404
    assert client.get(url("rendition", video, which="poster")).status_code == 200
    photo.status = MediaStatus.PROCESSING
    photo.save()
    assert client.get(url("rendition", photo, which="thumb")).status_code == 404


def test_original_download_owner_only(client, world, photo, media_dir):
    client.force_login(world["owner"])
    r = client.get(url("original", photo))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert body(r) == (media_dir / "photo.jpg").read_bytes()


def test_video_preview_ranges(client, world, video):
    client.force_login(world["owner"])
    size = video.preview.size
    r = client.get(url("rendition", video, which="preview"))
    assert r.status_code == 200 and r["Accept-Ranges"] == "bytes" and r["Content-Type"] == "video/mp4"
    full = body(r)
    assert len(full) == size
    r = client.get(url("rendition", video, which="preview"), HTTP_RANGE="bytes=0-99")
    assert r.status_code == 206 and r["Content-Range"] == f"bytes 0-99/{size}" and body(r) == full[:100]
    r = client.get(url("rendition", video, which="preview"), HTTP_RANGE="bytes=100-")
    assert r.status_code == 206 and body(r) == full[100:]
    r = client.get(url("rendition", video, which="preview"), HTTP_RANGE="bytes=-50")
    assert r.status_code == 206 and body(r) == full[-50:]
    r = client.get(url("rendition", video, which="preview"), HTTP_RANGE=f"bytes={size}-")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{size}"


def test_status_json_and_htmx(client, world, video):
    client.force_login(world["owner"])
    data = client.get(url("status", video), {"format": "json"}).json()
    assert data["status"] == "ready" and data["kind"] == "video" and data["sha256"] == video.sha256
    assert set(data["urls"]) == {"thumb", "poster", "preview", "original"}
    r = client.get(url("status", video), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and f'id="media-status-{video.pk}"' in html and "<video" in html
    assert "<html" not in html
    full = client.get(url("status", video)).content.decode()
    assert "<html" in full and "<video" in full


def test_status_of_pending_polls(client, world, ingest, media_dir):
    media = ingest(media_dir / "photo.jpg", "photo", process=False)
    client.force_login(world["owner"])
    html = client.get(url("status", media), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 3s"' in html and "media:retry" not in html


def test_failed_status_shows_reason_and_retry(client, world, ingest, media_dir, django_capture_on_commit_callbacks):
    media = ingest(media_dir / "truncated.mp4", "video")
    assert media.status == MediaStatus.FAILED
    client.force_login(world["owner"])
    html = client.get(url("status", media), HTTP_HX_REQUEST="true").content.decode()
    assert "不完整" in html and f'hx-post="{url("retry", media)}"' in html
    assert "Technical details" not in html and "技术细节" not in html  # ffmpeg output: admins only
    # Other users may not retry; the owner may.
    client.force_login(world["other"])
    assert client.post(url("retry", media)).status_code == 404
    client.force_login(world["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url("retry", media), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    media.refresh_from_db()
    assert media.status == MediaStatus.FAILED and media.attempts == 2  # still broken: failed again
    # Retrying a ready file is refused with a message (JSON and redirect forms).
    photo = ingest(media_dir / "photo.jpg", "photo")
    html = client.post(url("retry", photo), HTTP_HX_REQUEST="true").content.decode()
    assert "此文件已处理完成。" in html and 'role="alert"' in html
    r = client.post(url("retry", photo), HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["code"] == "already_ready"
    r = client.post(url("retry", photo))
    assert r.status_code == 302 and r["Location"] == url("status", photo)


def test_superuser_sees_technical_details(client, world, ingest, media_dir):
    media = ingest(media_dir / "truncated.mp4", "video")
    client.force_login(world["admin"])
    data = client.get(url("status", media), HTTP_ACCEPT="application/json").json()
    assert data["status"] == "failed" and data["error_detail"] and data["can_retry"]


def test_head_request(client, world, video):
    client.force_login(world["owner"])
    r = client.head(url("rendition", video, which="preview"))
    assert r.status_code == 200 and int(r["Content-Length"]) == video.preview.size


def test_unit_admins_see_nothing_yet(client, world, photo):
    """Media alone: the owner and superusers (other apps add viewers through media.access)."""
    admin = f.unit_admin(world["unit"])
    client.force_login(admin)
    assert client.get(url("rendition", photo, which="thumb")).status_code == 404
    assert client.get(url("original", photo)).status_code == 404


def test_registered_viewer_rule_grants_renditions_not_originals(client, world, photo):
    """A later app plugs in a viewer without touching media: registering grants, removing takes away."""
    client.force_login(world["other"])
    assert client.get(url("rendition", photo, which="thumb")).status_code == 404
    access.register_viewer("tests.everyone", lambda user, media: user.is_authenticated)
    try:
        assert client.get(url("rendition", photo, which="thumb")).status_code == 200
        assert client.get(url("status", photo) + "?format=json").json()["can_retry"] is False
        assert client.get(url("original", photo)).status_code == 404  # originals have their own rules
    finally:
        access.unregister_viewer("tests.everyone")
    assert client.get(url("rendition", photo, which="thumb")).status_code == 404


def test_registered_original_rule_is_separate(client, world, photo):
    client.force_login(world["other"])
    access.register_original_reader("tests.other", lambda user, media: user.pk == world["other"].pk)
    try:
        assert client.get(url("original", photo)).status_code == 200
    finally:
        access.unregister_original_reader("tests.other")
    assert client.get(url("original", photo)).status_code == 404
