"""Fixtures of the entry page tests: sample media made once per session."""

from __future__ import annotations

import pytest

from zhengji.media import samples

from .builders import World


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("entry-samples")
    samples.make_video(d / "clip.mp4", 2, 320, 240)
    samples.make_audio(d / "tone.mp3", 2)
    for i in range(3):
        samples.make_jpeg(d / f"p{i}.jpg", 480 + 40 * i, 320)
    samples.make_pdf(d / "doc.pdf", pages=1)
    return d


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def rich_entry(world, media_dir, django_capture_on_commit_callbacks):
    """A published entry with a video, an audio, a three-photo series, a document and an ID photo."""
    e = world.entry()
    cap = django_capture_on_commit_callbacks
    e.media = {
        "video": world.attach(e, media_dir / "clip.mp4", "clip", cap),
        "audio": world.attach(e, media_dir / "tone.mp3", "sound", cap),
        "photos": [world.attach(e, media_dir / f"p{i}.jpg", "photos", cap) for i in (2, 0, 1)],
        "doc": world.attach(e, media_dir / "doc.pdf", "docs", cap),
        "id_photo": world.attach(e, media_dir / "p0.jpg", "id_photo", cap),
    }
    return e
