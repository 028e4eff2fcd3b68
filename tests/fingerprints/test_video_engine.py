"""The video engine: edited copies are found with their segments; a slideshow of stored photos
finds the photos (and they find it); memory stays flat along a long video."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from tests.fingerprints import media_edits as me
from zhengji.fingerprints import engines
from zhengji.fingerprints.image import ENGINE as IMAGE
from zhengji.fingerprints.models import PerceptualHash, VideoSignature
from zhengji.fingerprints.video import ENGINE as VIDEO
from zhengji.fingerprints.video import FRAME_CENTRE_VARIANT, _trim_bars, align, frame_hashes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Two pans (12 s) over different photos, their edits, and a slideshow of three photos."""
    work = tmp_path_factory.mktemp("clips")
    pics = {name: me.save(me.sample(name, 320), work / f"{name}.png", "PNG")
            for name in ("astronaut", "coffee", "rocket", "camera", "moon")}
    out = {"pics": pics,
           "a": me.moving_clip(work / "a.mp4", pics["astronaut"], size="160x120", fps=5),
           "b": me.moving_clip(work / "b.mp4", pics["coffee"], size="160x120", fps=5)}
    for edit in ("reencode", "scale", "trim", "watermark"):
        out[edit] = me.edit_video(out["a"], work / f"a_{edit}.mp4", edit)
    out["show"] = me.slideshow(work / "show.mp4", [pics["rocket"], pics["camera"], pics["moon"]], seconds=3,
                               size="320x180", fps=5)
    return out


@pytest.mark.parametrize("edit", ["reencode", "scale", "trim", "watermark"])
def test_edited_copy_is_found_with_its_segments(clips, edit):
    VIDEO.compute_file(("media", 1), clips["a"], "video")
    VIDEO.compute_file(("media", 2), clips["b"], "video")
    VIDEO.compute_file(("media", 3), clips[edit], "video")
    found = VIDEO.matches(("media", 3))
    assert [m.other for m in found] == [("media", 1)], found
    m = found[0]
    assert m.medium == "video" and 0.5 <= m.score <= 1
    segments = m.detail["segments"]
    covered = sum(a_end - a_start for a_start, a_end, _b, _e in segments)
    if edit == "trim":  # 6 s cut from second 3: the copy's 0–6 s is the original's 3–9 s
        assert covered >= 4
        for a_start, _a_end, b_start, _b_end in segments:
            assert abs((b_start - a_start) - 3) <= 1
    else:
        assert covered >= 9
        for a_start, _a_end, b_start, _b_end in segments:
            assert abs(b_start - a_start) <= 1
    # The original finds the copy too; the other clip finds neither.
    assert ("media", 3) in [x.other for x in VIDEO.matches(("media", 1))]
    assert VIDEO.matches(("media", 2)) == []


def test_slideshow_of_stored_photos_finds_them_and_they_find_it(clips):
    pics = clips["pics"]
    for pk, name in ((11, "rocket"), (12, "camera"), (13, "moon"), (14, "astronaut")):
        IMAGE.compute_file(("media", pk), pics[name], "image")
    VIDEO.compute_file(("media", 20), clips["show"], "video")
    found = {m.other: m for m in engines.matches(("media", 20))}
    assert set(found) == {("media", 11), ("media", 12), ("media", 13)}
    # Each photo is shown for three seconds, in order: rocket 0–3, camera 3–6, moon 6–9.
    for pk, start in ((11, 0), (12, 3), (13, 6)):
        segs = found[("media", pk)].detail["segments"]
        assert any(a_start <= start + 1 and a_end >= start + 2 for a_start, a_end, _b, _e in segs), segs
    back = [m for m in engines.matches(("media", 12)) if m.other == ("media", 20)]
    assert back and back[0].medium == "image" and back[0].detail["segments"]
    assert not [m for m in engines.matches(("media", 14)) if m.other == ("media", 20)]


def test_rows_replaced_and_forgotten(clips):
    VIDEO.compute_file(("media", 5), clips["a"], "video")
    sig = VideoSignature.objects.get(subject_id=5)
    rows = PerceptualHash.objects.filter(subject_id=5)
    assert 11 <= sig.duration <= 13 and sig.frames == rows.filter(variant=0).count() >= 10
    assert rows.filter(variant=FRAME_CENTRE_VARIANT).count() == sig.frames  # each frame's centre
    VIDEO.compute_file(("media", 5), clips["a"], "video")
    assert PerceptualHash.objects.filter(subject_id=5).count() == 2 * sig.frames
    engines.forget(("media", 5))
    assert not PerceptualHash.objects.filter(subject_id=5).exists()
    assert VIDEO.applies("video") and not VIDEO.applies("image")


@pytest.mark.parametrize("stored", ["rocket_pan", "show"])
def test_watermark_over_a_dark_picture_or_a_bar_is_found(clips, tmp_path, stored):
    """A bright box in the lower right moves the whole frame's hash of a dark picture by 10–22
    bits, and over a pillarboxed slideshow it also covered a bar; the frame's centre is left
    alone, and a bar with a box across a fifth of it is still cut."""
    path = clips[stored] if stored == "show" else me.moving_clip(tmp_path / "r.mp4", clips["pics"]["rocket"],
                                                                  size="160x120", fps=5)
    VIDEO.compute_file(("media", 1), path, "video")
    VIDEO.compute_file(("media", 2), clips["b"], "video")
    VIDEO.compute_file(("media", 3), me.edit_video(path, tmp_path / "w.mp4", "watermark"), "video")
    found = VIDEO.matches(("media", 3))
    assert [m.other for m in found] == [("media", 1)], found
    assert sum(a_end - a_start for a_start, a_end, _b, _e in found[0].detail["segments"]) >= 8


def test_bars_are_cut_under_a_watermark():
    rnd = np.random.default_rng(1)
    frame = np.zeros((64, 64), dtype=np.uint8)
    frame[:, 12:52] = rnd.integers(40, 220, (64, 40))  # a picture between two black bars
    marked = frame.copy()
    marked[54:61, 38:61] = 200  # a box across the picture and the right bar
    assert _trim_bars(frame).shape == _trim_bars(marked).shape == (64, 40)


def test_align_finds_offset_runs():
    pairs = [(t, t + 5, 2) for t in range(0, 10)] + [(3, 40, 1), (20, 50, 3)]
    assert align(pairs, 3) == [[0, 10, 5, 15]]
    assert align([(0, 0, 0), (1, 1, 0)], 3) == []


def test_time_limit_stops_decoding(clips):
    assert list(frame_hashes(clips["a"], timeout=0)) == [("truncated", None)]
    assert list(frame_hashes(clips["a"], max_seconds=2))[-1] == ("truncated", None)


def test_memory_stays_flat_on_a_long_video(tmp_path):
    """Hashes are taken as frames arrive: Python's peak allocation for 10 minutes of video is no
    more than for one (ffmpeg runs in its own process and streams through a pipe)."""
    def peak(seconds: int) -> tuple[int, int]:
        path = tmp_path / f"long{seconds}.mp4"
        me._ffmpeg("-f", "lavfi", "-i", f"testsrc2=duration={seconds}:size=128x96:rate=2", "-c:v", "libx264",
                   "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
        tracemalloc.start()
        count = sum(1 for _s, _h in frame_hashes(path))
        _cur, high = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return count, high

    short_count, short_peak = peak(60)
    long_count, long_peak = peak(600)
    assert long_count >= 590 and short_count >= 59
    assert long_peak < short_peak * 1.5 + 256 * 1024, (short_peak, long_peak)
