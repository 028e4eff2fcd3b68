"""The Uppy uploader widget in chromium: resumable tus upload through the session (CSRF header),
and an ingest error shown next to the file."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser.session import log_in
from tests.media_upload.conftest import sha256_file, write_random
from zhengji.media.models import Upload, UploadStatus
from zhengji.media.uploads import storage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_upload_widget_uploads_in_chunks(page, settings, tmp_path):
    settings.MEDIA_UPLOAD_CHUNK_BYTES = 1024 * 1024  # several PATCHes for one file
    user = f.user(is_staff=True)
    log_in(page, user)
    path = tmp_path / "视频.mp4"
    digest = write_random(path, 3 * 1024 * 1024 + 17)
    patches = []
    page.on("request", lambda r: patches.append(r.headers.get("x-csrftoken")) if r.method == "PATCH" else None)
    console_errors = []
    # Script errors and CSP violations; failed loads are checked by URL below (the favicon may 404).
    page.on("console", lambda m: console_errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: console_errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and "favicon" not in r.url else None)
    page.goto(page.base_url + "/files/upload-test/")
    assert page.locator("h1").inner_text() == "上传测试"
    widget = page.locator("[data-zj-uploader]")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(path))
    page.wait_for_selector("[data-zj-uploader][data-last-upload]", timeout=30000)
    upload = Upload.objects.get(user=user)
    assert widget.get_attribute("data-last-upload") == str(upload.id)
    assert upload.status == UploadStatus.COMPLETE and upload.filename == "视频.mp4"
    assert sha256_file(storage.local.path(upload.storage_key)) == digest
    assert len(patches) == 4 and all(patches)  # 1 MB chunks, each with the CSRF header
    assert "视频.mp4" in widget.locator(".zj-uploader-files").inner_text()
    assert console_errors == []  # no CSP violations, no script errors


def test_ingest_error_is_shown_next_to_the_file(page, tmp_path):
    tree = f.tongling_tree()
    track = f.track(f.campaign(tree["province"]), tree["city"], form_schema=[
        {"key": "photos", "type": "file", "label": "照片",
         "file": {"kinds": ["image"], "extensions": ["jpg"], "max_count": 2}}])
    user = f.user(is_staff=True)
    log_in(page, user)
    path = tmp_path / "fake.jpg"
    write_random(path, 2000)  # not a JPEG: ingest refuses it (or is not available yet)
    page.goto(page.base_url + f"/files/upload-test/?track={track.pk}&slot=photos")
    widget = page.locator("[data-zj-uploader]")
    assert widget.get_attribute("data-extensions") == "jpg"
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(path))
    error = widget.locator(".zj-uploader-errors li")
    error.wait_for(timeout=30000)
    assert error.inner_text().startswith("fake.jpg: ")
    assert widget.locator("input[name=photos]").input_value() == ""
    assert Upload.objects.get(user=user).status == UploadStatus.COMPLETE


def test_ingested_file_id_goes_into_the_hidden_input(page, tmp_path):
    """A real JPEG into an image slot: its MediaFile id lands in the hidden input named after the
    slot."""

    from PIL import Image

    from zhengji.media.models import MediaFile

    tree = f.tongling_tree()
    track = f.track(f.campaign(tree["province"]), tree["city"], form_schema=[
        {"key": "photos", "type": "file", "label": "照片",
         "file": {"kinds": ["image"], "extensions": ["jpg"], "max_count": 2}}])
    user = f.user(is_staff=True)
    log_in(page, user)
    path = tmp_path / "红色.jpg"
    Image.new("RGB", (800, 600), "red").save(path, "JPEG")
    page.goto(page.base_url + f"/files/upload-test/?track={track.pk}&slot=photos")
    widget = page.locator("[data-zj-uploader]")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(path))
    widget.locator(".zj-uploader-files li[data-media-id]").wait_for(timeout=30000)
    media = MediaFile.objects.get(owner=user)
    assert widget.locator("input[name=photos]").input_value() == str(media.pk)
    assert media.filename == "红色.jpg" and media.kind == "image"
    assert Upload.objects.get(user=user).status == UploadStatus.ATTACHED


def test_widget_resumes_after_a_dropped_chunk(page, settings, tmp_path):
    """The network drops one PATCH: Uppy retries, asks HEAD for the offset and finishes; the
    stored bytes are exactly the file's."""
    settings.MEDIA_UPLOAD_CHUNK_BYTES = 1024 * 1024
    user = f.user(is_staff=True)
    log_in(page, user)
    path = tmp_path / "clip.mp4"
    digest = write_random(path, 3 * 1024 * 1024 + 5)
    seen = {"patch": 0, "head": 0}

    def flaky(route):
        method = route.request.method
        if method == "HEAD":
            seen["head"] += 1
        if method == "PATCH":
            seen["patch"] += 1
            if seen["patch"] == 2:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/files/tus/*", flaky)
    page.goto(page.base_url + "/files/upload-test/")
    page.locator("[data-zj-uploader] input.uppy-Dashboard-input").first.set_input_files(str(path))
    page.wait_for_selector("[data-zj-uploader][data-last-upload]", timeout=30000)
    upload = Upload.objects.get(user=user)
    assert upload.status == UploadStatus.COMPLETE
    assert sha256_file(storage.local.path(upload.storage_key)) == digest
    assert seen["patch"] >= 5 and seen["head"] >= 1  # 4 chunks + the retried one, after a HEAD
