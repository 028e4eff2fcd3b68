"""The processing status card in a real browser: htmx polling turns "processing" into a playable
video, and Retry on a failed file processes it again."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser.session import log_in
from zhengji.entries.file_targets import track_slot_target
from zhengji.media import samples
from zhengji.media.models import MediaStatus
from zhengji.media.processing import runner
from zhengji.media.uploads import ingest
from zhengji.orgs.models import OrgKind

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SCHEMA = [{"key": "video", "type": "file", "label": "视频", "file": {"kinds": ["video"], "extensions": ["mp4"]}}]



@pytest.fixture
def setup(tmp_path):
    root = f.org("市总工会", OrgKind.CITY)
    track = f.track(f.campaign(root), root, form_schema=SCHEMA)
    owner = f.user()
    clip = samples.make_video(tmp_path / "clip.mp4", 2, 320, 240)
    return track, owner, clip


def test_status_polls_until_the_video_plays(page, setup, monkeypatch):
    track, owner, clip = setup
    monkeypatch.setattr(ingest, "enqueue_processing", lambda media: None)  # the worker comes later
    media = ingest.create_media_from_file(clip, owner=owner, target=track_slot_target(track, "video"))
    log_in(page, owner)
    page.goto(f"{page.base_url}/files/m/{media.pk}/status")
    assert page.locator(".progress-bar").count() == 1
    assert runner.run_processing(media.pk) == "ready"
    video = page.locator(f"#media-status-{media.pk} video")
    video.wait_for(timeout=10000)  # the card polls every 3 s
    # The browser loads the preview (with Range requests) and knows its length.
    page.wait_for_function("document.querySelector('video').readyState >= 1 && "
                           "document.querySelector('video').duration > 1.5")
    assert page.locator(f"#media-status-{media.pk} video").get_attribute("poster").endswith("/poster")


def test_retry_button_processes_again(page, setup, settings):
    track, owner, clip = setup
    settings.MEDIA_FFMPEG_TIMEOUT = 0.001  # processing fails…
    media = ingest.create_media_from_file(clip, owner=owner, target=track_slot_target(track, "video"))
    media.refresh_from_db()
    assert media.status == MediaStatus.FAILED
    settings.MEDIA_FFMPEG_TIMEOUT = 600  # …the cause is fixed
    log_in(page, owner)
    page.goto(f"{page.base_url}/files/m/{media.pk}/status")
    assert "处理失败" in page.locator(f"#media-status-{media.pk}").inner_text()
    page.get_by_role("button", name="重新处理").click()
    page.locator(f"#media-status-{media.pk} video").wait_for(timeout=20000)
    media.refresh_from_db()
    assert media.status == MediaStatus.READY and media.attempts == 2
