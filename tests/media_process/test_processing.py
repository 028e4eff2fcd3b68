"""Processing in the background task: renditions per kind, failures with reasons, retry, and
crash safety (a task interrupted or run twice leaves a consistent state)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.media.models import MediaStatus
from zhengji.media.processing import domain, renditions, runner
from zhengji.media.processing.tasks import process_media

pytestmark = pytest.mark.django_db


def ffprobe(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, check=True)
    return json.loads(out.stdout)


def top_atoms(path) -> list[str]:
    """The order of the top-level MP4 boxes."""
    atoms = []
    with open(path, "rb") as fh:
        while True:
            head = fh.read(8)
            if len(head) < 8:
                break
            size = int.from_bytes(head[:4], "big")
            atoms.append(head[4:].decode("latin-1"))
            if size == 1:
                size = int.from_bytes(fh.read(8), "big")
                fh.seek(size - 16, 1)
            elif size == 0:
                break
            else:
                fh.seek(size - 8, 1)
    return atoms


def rendition_files(media) -> list[str]:
    try:
        _dirs, files = default_storage.listdir(f"renditions/{media.pk}")
    except FileNotFoundError:
        return []
    return files


def has_exif(path) -> bool:
    with Image.open(path) as im:
        return bool(im.getexif()) or "exif" in im.info


# --- renditions per kind --------------------------------------------------------------------

def test_image_renditions_without_exif(ingest, media_dir):
    assert has_exif(media_dir / "photo.jpg")  # the sample carries EXIF with GPS
    media = ingest(media_dir / "photo.jpg", "photo")
    assert media.status == MediaStatus.READY and media.attempts == 1 and media.error == ""
    for field, box in (("thumbnail", 320), ("web", 1600)):
        path = getattr(media, field).path
        assert not has_exif(path)
        with Image.open(path) as im:
            assert im.format == "JPEG" and max(im.size) <= box
    with Image.open(media.thumbnail.path) as im:
        assert im.size == (320, 240)
    # The original is untouched and keeps its metadata (private, owner only).
    with Image.open(media.original.path) as im:
        assert 0x8825 in im.getexif()
    assert not media.preview


def test_orientation_applied(ingest, media_dir):
    media = ingest(media_dir / "rotated.jpg", "photo")
    with Image.open(media.web.path) as im:
        assert im.size == (480, 640)


def test_heic_accepted_and_rendered(ingest, media_dir):
    media = ingest(media_dir / "photo.heic", "photo")
    assert media.status == MediaStatus.READY
    with Image.open(media.web.path) as im:
        assert im.format == "JPEG" and im.size == (400, 300)
    assert not has_exif(media.web.path)


def test_video_preview_h264_faststart_and_poster(ingest, media_dir):
    media = ingest(media_dir / "clip.webm", "video")
    assert media.status == MediaStatus.READY, media.error
    info = ffprobe(media.preview.path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert video["codec_name"] == "h264" and audio["codec_name"] == "aac"
    atoms = top_atoms(media.preview.path)
    assert atoms.index("moov") < atoms.index("mdat")  # faststart
    assert abs(float(info["format"]["duration"]) - media.duration) < 0.3
    assert "tags" not in info["format"] or "encoder" in info["format"]["tags"] and len(info["format"]["tags"]) <= 4
    with Image.open(media.web.path) as im:  # the poster frame
        assert im.format == "JPEG" and im.size == (320, 240)
    assert media.thumbnail
    assert media.original.name.endswith(".webm") and media.preview.name.endswith(".mp4")


def test_audio_preview_duration_close_to_original(ingest, media_dir):
    media = ingest(media_dir / "recitation.mp3", "audio")
    assert media.status == MediaStatus.READY, media.error
    info = ffprobe(media.preview.path)
    assert [s["codec_name"] for s in info["streams"]] == ["aac"]
    assert abs(float(info["format"]["duration"]) - media.duration) < 0.2
    assert media.probe["preview"]["duration"] == pytest.approx(media.duration, abs=0.2)


def test_document_needs_no_rendition(ingest, media_dir):
    media = ingest(media_dir / "doc.docx", "doc")
    assert media.status == MediaStatus.READY and not media.thumbnail and not media.preview


# --- failure and retry ----------------------------------------------------------------------

def test_truncated_video_fails_with_reason_then_retry_after_fixing(ingest, media_dir, world,
                                                                   django_capture_on_commit_callbacks):
    media = ingest(media_dir / "truncated.mp4", "video")  # passes the magic-byte and ffprobe checks
    assert media.status == MediaStatus.FAILED and media.attempts == 1
    assert "不完整" in media.error.split("\n\n")[0]
    assert not media.preview and not media.web and rendition_files(media) == []
    assert AuditLog.objects.filter(action="media.processing_failed", object_id=str(media.pk)).exists()
    # Fixed (the complete bytes restored), the owner retries: processed from scratch.
    with open(media.original.path, "wb") as out:
        out.write((media_dir / "clip.mp4").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        domain.retry_processing(world["owner"], media)
    media.refresh_from_db()
    assert media.status == MediaStatus.READY and media.attempts == 2 and media.error == ""
    assert AuditLog.objects.filter(action="media.retry", object_id=str(media.pk), actor=world["owner"]).exists()


def test_retry_rules(ingest, media_dir, world):
    media = ingest(media_dir / "photo.jpg", "photo")
    with pytest.raises(DomainError):  # ready: nothing to retry
        domain.retry_processing(world["owner"], media)
    media.status = MediaStatus.FAILED
    media.save()
    with pytest.raises(NotPermitted):
        domain.retry_processing(world["other"], media)
    assert domain.retry_processing(world["admin"], media).status == MediaStatus.PENDING


def test_processing_timeout_is_a_failure(ingest, media_dir, settings):
    settings.MEDIA_FFMPEG_TIMEOUT = 0.001
    media = ingest(media_dir / "clip.mp4", "video")
    assert media.status == MediaStatus.FAILED and "太长" in media.error


# --- crash safety ---------------------------------------------------------------------------

def test_error_while_saving_leaves_nothing_half_done(ingest, media_dir, monkeypatch):
    real_record = domain.audit.record

    def record(action, *a, **kw):
        if action == "media.processed":  # after the renditions were saved to storage
            raise RuntimeError("database went away")
        return real_record(action, *a, **kw)

    monkeypatch.setattr(domain.audit, "record", record)
    media = ingest(media_dir / "photo.jpg", "photo")
    assert media.status == MediaStatus.FAILED and not media.thumbnail and not media.web
    assert rendition_files(media) == []  # the saved files were removed again
    monkeypatch.setattr(domain.audit, "record", real_record)
    assert process_media.enqueue(media.pk).return_value == "ready"
    media.refresh_from_db()
    assert media.status == MediaStatus.READY and media.attempts == 2 and len(rendition_files(media)) == 2


def test_killed_worker_is_taken_over_after_stale_time(ingest, media_dir, monkeypatch):
    real = renditions.renditions

    def killed(*a, **kw):
        real(*a, **kw)  # temp outputs written…
        raise SystemExit  # …and the worker dies before saving anything

    monkeypatch.setattr(renditions, "renditions", killed)
    media = ingest(media_dir / "photo.jpg", "photo", process=False)
    with pytest.raises(SystemExit):
        runner.run_processing(media.pk)
    media.refresh_from_db()
    assert media.status == MediaStatus.PROCESSING and media.attempts == 1 and not media.web
    assert rendition_files(media) == []
    monkeypatch.setattr(renditions, "renditions", real)
    # Started again at once: the job is presumed still running elsewhere, nothing happens.
    assert runner.run_processing(media.pk) == "skipped"
    # Later than the stale limit: run again from scratch.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        assert runner.run_processing(media.pk) == "ready"
    media.refresh_from_db()
    assert media.status == MediaStatus.READY and media.attempts == 2 and len(rendition_files(media)) == 2


def test_running_twice_is_idempotent(ingest, media_dir):
    media = ingest(media_dir / "photo.jpg", "photo")
    names = (media.thumbnail.name, media.web.name)
    assert process_media.enqueue(media.pk).return_value == "skipped"
    media.refresh_from_db()
    assert (media.thumbnail.name, media.web.name) == names and media.attempts == 1


def test_reprocessing_replaces_old_renditions_never_the_original(ingest, media_dir, django_capture_on_commit_callbacks):
    media = ingest(media_dir / "photo.jpg", "photo")
    old = media.web.name
    original = media.original.name
    media.status = MediaStatus.FAILED
    media.save()
    with django_capture_on_commit_callbacks(execute=True):
        runner.run_processing(media.pk)
    media.refresh_from_db()
    assert media.web.name != old and not default_storage.exists(old)
    assert media.original.name == original and default_storage.exists(original)
    assert len(rendition_files(media)) == 2


def test_portrait_video_meets_landscape_minimum_and_stays_portrait(ingest, media_dir):
    media = ingest(media_dir / "portrait.mp4", "video")  # slot minimum 320×240, compared either way up
    assert (media.width, media.height) == (240, 320) and media.status == MediaStatus.READY
    video = next(s for s in ffprobe(media.preview.path)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (240, 320)


def test_preview_is_scaled_down_to_the_limit(ingest, media_dir, settings):
    settings.MEDIA_PREVIEW_MAX_HEIGHT = 120  # the 320×240 clip becomes 160×120
    media = ingest(media_dir / "clip.mp4", "video")
    video = next(s for s in ffprobe(media.preview.path)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (160, 120)
    with Image.open(media.thumbnail.path) as im:
        assert im.size == (160, 120)  # never enlarged


def test_lost_tasks_are_requeued(ingest, media_dir, world):
    media = ingest(media_dir / "photo.jpg", "photo", process=False)  # queued, but the task was lost
    with pytest.raises(DomainError):  # just queued: not retryable yet
        domain.retry_processing(world["owner"], media)
    assert domain.requeue_stuck() == []
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        assert domain.can_retry(media)
        out = io.StringIO()
        call_command("media_requeue", stdout=out)
    assert f"requeued 1 media: {media.pk}" in out.getvalue()
    media.refresh_from_db()
    assert media.status == MediaStatus.READY
