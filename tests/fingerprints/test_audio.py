"""The audio engine: re-encoded, trimmed, quieter, noisy copies are found with their segments;
other recordings in the same voice and the same words read again are not; a video's sound track
counts; files without sound are skipped."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fingerprints import audio_edits as A
from zhengji.fingerprints import engines
from zhengji.fingerprints.audio import ENGINE, ITEM
from zhengji.fingerprints.models import AudioHash, AudioPrint
from zhengji.media import samples

pytestmark = pytest.mark.django_db

FLAG = 0.5  # what the originality app should flag from (bench/README-fp-audio-text.md)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    """One recitation, its edited copies and the hard negatives, made once for the module."""
    d = tmp_path_factory.mktemp("audio")
    original = A.speech(d / "original.wav", A.words(1))
    out = {"original": original}
    for kind in A.EDITS:
        out[kind] = A.edit(original, d, kind, seed=1)
    out["other-words"] = A.speech(d / "other.wav", A.words(2))
    out["other-voice"] = A.speech(d / "voice.wav", A.words(1), pitch=80, speed=140)
    out["video"] = d / "video.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=5", "-i",
                    str(original), "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                    "-b:a", "48k", str(out["video"])], check=True, timeout=120, capture_output=True)
    return out


@pytest.fixture
def archive(clips):
    ENGINE.compute_file(("ref", 1), clips["original"], "audio")
    ENGINE.compute_file(("ref", 2), clips["other-words"], "audio")
    return clips


@pytest.mark.parametrize("kind", A.EDITS)
def test_each_edit_is_found_with_its_segments(archive, kind):
    ENGINE.compute_file(("media", 1), archive[kind], "audio")
    found = ENGINE.matches(("media", 1))
    assert [m.other for m in found] == [("ref", 1)], kind
    m = found[0]
    assert m.medium == "audio" and m.score >= FLAG
    (a0, a1, b0, b1), *_ = m.detail["segments"]
    assert a1 - a0 >= 10 and abs((a1 - a0) - (b1 - b0)) < 0.01
    if kind in ("trim", "combined"):  # the copy starts later in the original: 3 s / 1.5 s cut
        cut = 3.0 if kind == "trim" else 1.5
        assert abs((b0 - a0) - cut) <= 2 * ITEM
    else:
        assert abs(b0 - a0) <= 2 * ITEM


def test_the_same_words_in_another_voice_and_other_words_are_not_copies(archive):
    ENGINE.compute_file(("media", 1), archive["other-voice"], "audio")
    assert ENGINE.matches(("media", 1)) == []
    assert [m.other for m in ENGINE.matches(("ref", 2))] == []


def test_a_videos_sound_track_is_evidence(archive):
    assert ENGINE.applies("video") and not ENGINE.applies("image")
    assert "audio" in engines.compute_file(("media", 1), archive["video"], "video")
    (m,) = [m for m in engines.matches(("media", 1)) if m.medium == "audio"]
    assert m.other == ("ref", 1) and m.score >= FLAG


def test_files_without_sound_are_skipped(tmp_path):
    silent = samples.make_video(tmp_path / "silent.mp4", duration=1, audio=False)
    ENGINE.compute_file(("media", 1), silent, "video")
    not_audio = tmp_path / "x.mp3"
    not_audio.write_bytes(b"not audio at all" * 100)
    ENGINE.compute_file(("media", 2), not_audio, "audio")
    assert not AudioPrint.objects.exists() and ENGINE.matches(("media", 1)) == []


def test_recompute_replaces_and_forget_drops(archive):
    n = AudioHash.objects.filter(subject_type="ref", subject_id=1).count()
    ENGINE.compute_file(("ref", 1), archive["original"], "audio")
    assert AudioHash.objects.filter(subject_type="ref", subject_id=1).count() == n > 0
    ENGINE.forget(("ref", 1))
    assert not AudioPrint.objects.filter(subject_id=1).exists()
    assert not AudioHash.objects.filter(subject_id=1).exists()


def test_look_up_queries_are_bounded(archive, django_assert_max_num_queries):
    ENGINE.compute_file(("media", 1), archive["noise"], "audio")
    with django_assert_max_num_queries(4):  # own print, value rows (one batch), candidates' prints
        found = ENGINE.matches(("media", 1))
    assert found[0].other == ("ref", 1)
