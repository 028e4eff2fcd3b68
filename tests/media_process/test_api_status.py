"""The media status and retry in the JSON API (/api/media/files/{id}, …/retry): the owner, another
worker, a superuser, anonymous callers, wrong methods, and every retry refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhengji.media.models import MediaFile, MediaStatus

pytestmark = pytest.mark.django_db


def status_url(media) -> str:
    return f"/api/media/files/{media.pk}"


def retry_url(media) -> str:
    return f"/api/media/files/{media.pk}/retry"


@pytest.fixture
def video(ingest, media_dir):
    return ingest(media_dir / "clip.mp4", "video")


@pytest.fixture
def failed(ingest, media_dir):
    media = ingest(media_dir / "truncated.mp4", "video")
    assert media.status == MediaStatus.FAILED
    return media


def test_owner_gets_the_status_json(client, world, video):
    client.force_login(world["owner"])
    r = client.get(status_url(video))
    assert r.status_code == 200
    data = r.json()
    assert data["id"] == video.pk and data["status"] == "ready" and data["status_label"] == "已就绪"
    assert data["kind"] == "video" and data["sha256"] == video.sha256 and data["size"] == video.size
    assert (data["width"], data["height"]) == (320, 240) and data["duration"] == pytest.approx(2, abs=0.2)
    assert data["urls"] == {"thumb": f"/files/m/{video.pk}/thumb", "web": None,
                            "poster": f"/files/m/{video.pk}/poster", "preview": f"/files/m/{video.pk}/preview",
                            "original": f"/files/m/{video.pk}/original"}
    assert data["error"] == "" and data["can_retry"] is False and data["error_detail"] is None
    # The URLs it gives work for the caller.
    assert client.get(data["urls"]["poster"]).status_code == 200


def test_failed_status_says_why(client, world, failed):
    client.force_login(world["owner"])
    data = client.get(status_url(failed)).json()
    assert data["status"] == "failed" and "不完整" in data["error"] and data["can_retry"] is True
    assert data["urls"] == {"thumb": None, "web": None, "poster": None, "preview": None,
                            "original": f"/files/m/{failed.pk}/original"}
    assert data["error_detail"] is None  # ffmpeg's output: superusers only
    client.force_login(world["admin"])
    assert client.get(status_url(failed)).json()["error_detail"]


def test_others_get_404_and_anonymous_401(client, world, video):
    client.force_login(world["other"])
    for r in (client.get(status_url(video)), client.post(retry_url(video))):
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.logout()
    for r in (client.get(status_url(video)), client.post(retry_url(video))):
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    client.force_login(world["owner"])
    assert client.get("/api/media/files/999999").status_code == 404


def test_wrong_methods(client, world, video):
    client.force_login(world["owner"])
    assert client.post(status_url(video)).status_code == 405
    assert client.delete(status_url(video)).status_code == 405
    assert client.get(retry_url(video)).status_code == 405


def test_owner_retries_a_failed_file(client, world, failed, settings, django_capture_on_commit_callbacks):
    client.force_login(world["other"])
    assert client.post(retry_url(failed)).status_code == 404
    client.force_login(world["owner"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = client.post(retry_url(failed))
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "pending" and data["error"] == "" and data["can_retry"] is False
    assert len(queued) == 1  # the processing task, queued on commit
    failed.refresh_from_db()
    assert failed.status == MediaStatus.PENDING
    # Queued and not stuck: a second retry is refused while it waits.
    r = client.post(retry_url(failed))
    assert r.status_code == 409 and r.json()["code"] == "in_progress"


def test_retry_of_a_ready_file_is_refused(client, world, video):
    client.force_login(world["owner"])
    r = client.post(retry_url(video))
    assert r.status_code == 400 and r.json()["code"] == "already_ready" and r.json()["message"]


def test_superuser_retries_a_stuck_file(client, world, video, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - dt.timedelta(days=1)
    MediaFile.objects.filter(pk=video.pk).update(status=MediaStatus.PROCESSING, updated=long_ago,
                                                  heartbeat=long_ago)
    client.force_login(world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(retry_url(video))
    assert r.status_code == 200 and r.json()["status"] == "pending"
    video.refresh_from_db()
    assert video.status == MediaStatus.READY and video.attempts == 2


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/media/files/{media_id}"]
    assert "post" in paths["/api/media/files/{media_id}/retry"]
