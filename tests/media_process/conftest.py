"""Fixtures of the media-process tests: real sample media (made once per session), a track whose
form has file slots with limits, and helpers that run the on-commit processing task."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from tests import factories as f
from zhengji.entries.file_targets import track_slot_target
from zhengji.media import samples
from zhengji.media.models import Upload, UploadStatus
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.orgs.models import OrgKind

SCHEMA = [
    {"key": "photo", "type": "file", "label": "照片",
     "file": {"kinds": ["image"], "extensions": ["jpg", "jpeg", "png", "heic"], "max_size_mb": 5,
              "min_width": 200, "min_height": 150, "max_count": 5}},
    {"key": "jpeg_only", "type": "file", "label": "JPEG", "file": {"kinds": ["image"], "extensions": ["jpg"]}},
    {"key": "big_photo", "type": "file", "label": "大图", "file": {"kinds": ["image"], "min_megapixels": 0.5}},
    {"key": "small_file", "type": "file", "label": "小文件", "file": {"kinds": ["image"], "max_size_mb": 1}},
    {"key": "video", "type": "file", "label": "视频",
     "file": {"kinds": ["video"], "extensions": ["mp4", "mov", "webm"], "max_duration_s": 120,
              "min_width": 320, "min_height": 240}},
    {"key": "audio", "type": "file", "label": "音频",
     "file": {"kinds": ["audio"], "extensions": ["mp3", "wav", "m4a"], "min_duration_s": 1, "max_duration_s": 60}},
    {"key": "long_audio", "type": "file", "label": "长音频", "file": {"kinds": ["audio"], "min_duration_s": 3}},
    {"key": "doc", "type": "file", "label": "文档",
     "file": {"kinds": ["document"], "extensions": ["pdf", "docx"], "max_size_mb": 1}},
]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    """Every sample once per session; small so the suite stays fast."""
    d = tmp_path_factory.mktemp("samples")
    s = samples
    s.make_jpeg(d / "photo.jpg", 640, 480)
    s.make_jpeg(d / "rotated.jpg", 640, 480, orientation=6)
    s.make_jpeg(d / "tiny.jpg", 100, 80)
    s.make_png(d / "photo.png", 400, 300)
    s.make_heic(d / "photo.heic", 400, 300)
    s.make_png_as_jpg(d / "png-named.jpg", 400, 300)
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(d / "noise.png")  # > 1 MB
    s.make_video(d / "clip.mp4", 2, 320, 240)
    s.make_video(d / "clip.webm", 2, 320, 240)
    s.make_video(d / "clip.mov", 2, 320, 240)
    s.make_video(d / "small.mp4", 1, 160, 120)
    s.make_video(d / "portrait.mp4", 1, 240, 320)
    s.make_video(d / "long.mp4", 130, 320, 240, audio=False, rate=1)
    s.make_truncated_video(d / "truncated.mp4", 2, 320, 240, mend_box=True)  # passes ingest
    s.make_text_as(d / "fake.mp4")
    s.make_audio(d / "tone.mp3", 2)
    s.make_audio(d / "tone.wav", 2)
    s.make_audio(d / "tone.m4a", 2)
    s.make_audio(d / "recitation.mp3", speech="床前明月光，疑是地上霜。")
    s.make_pdf(d / "doc.pdf", pages=2)
    s.make_docx(d / "doc.docx")
    return d


@pytest.fixture
def world(db):
    root = f.org("铜陵市总工会", OrgKind.CITY)
    unit = f.org("某公司工会", OrgKind.GRASSROOTS, root)
    c = f.campaign(root)
    t = f.track(c, root, form_schema=SCHEMA)
    return {"org": root, "unit": unit, "campaign": c, "track": t,
            "owner": f.user(), "other": f.user(), "admin": f.user(is_superuser=True)}


@pytest.fixture
def target(world):
    """target(slot) → the ingest target of the world's track's file field `slot`."""
    return lambda slot: track_slot_target(world["track"], slot)


@pytest.fixture
def ingest(world, target, django_capture_on_commit_callbacks):
    """ingest(path, slot) → MediaFile, processed (the task runs on commit, immediately)."""
    def _ingest(path, slot, *, owner=None, filename=None, process=True):
        with django_capture_on_commit_callbacks(execute=process):
            media = create_media_from_file(path, owner=owner or world["owner"], target=target(slot),
                                           filename=filename)
        media.refresh_from_db()
        return media

    return _ingest


@pytest.fixture
def make_upload(world):
    """A completed tus upload whose bytes are staged in storage, as media-upload leaves it."""
    def _make(path, *, filename=None, user=None, status=UploadStatus.COMPLETE):
        path = Path(path)
        with open(path, "rb") as fh:
            key = default_storage.save(f"uploads/staging/{path.name}", File(fh, name=path.name))
        size = path.stat().st_size
        return Upload.objects.create(user=user or world["owner"], filename=filename or path.name, length=size,
                                     offset=size, storage_key=key, status=status,
                                     expires_at=timezone.now() + dt.timedelta(days=1))

    return _make
