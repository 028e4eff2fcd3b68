"""The video engine: a pHash a second, matched as aligned runs (docs/fingerprints.md).

ffmpeg decodes the file once, one frame a second, scaled to 64×64 RGB, into a pipe; each frame
is hashed as it arrives (memory does not grow with the length) on its value channel
max(R, G, B) as images are, black bars are trimmed first (a
letterboxed copy, or a 16:9 slideshow of 4:3 photos, hashes like its picture) and uniform frames
(black, fades) are skipped. Frames are `PerceptualHash` rows (medium "video", `at` = second) in
the index the image engine uses, so a video made of entered photos finds them, and a photo
entered later finds the video.

Matching reads the candidates of all frames at once (`lookup_many`), then, per other video,
looks for runs of frames whose time offset agrees (within a second): each run of at least
`FINGERPRINT_VIDEO_MIN_RUN` frames is a segment [a_start, a_end, b_start, b_end] in seconds.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

import numpy as np
from django.db import transaction
from PIL import Image

from . import imagehashing as ih
from .engines import Match, Subject
from .image import Hit, lookup_many, setting, store_rows
from .models import PerceptualHash, VideoSignature

FRAME_PX = 64


FRAME_CENTRE_VARIANT = 10  # `PerceptualHash.variant` of a frame's centre (image variants are 0–9)
FRAME_CENTRE_BOX = (.15, .15, .15, .15)  # cut from each side: what a corner or edge logo covers


def _trim_bars(frame: np.ndarray, dark: float = 24.0, flat: float = 12.0, share: float = 0.8) -> np.ndarray:
    """Cut dark rows and columns at the edges (letterbox, pillarbox), at most 40 %. A line is a
    bar when `share` of its pixels are dark and those lie within `flat` of each other: a
    watermark or subtitle drawn across a bar (a fifth of it at most) leaves it a bar."""
    def edge(lines: np.ndarray) -> tuple[int, int]:
        low, high = np.percentile(lines, [2, share * 100], axis=1)
        blank = (high < dark) & (high - low < flat)
        n = len(blank)
        lo = 0
        while lo < n * 0.4 and blank[lo]:
            lo += 1
        hi = n
        while hi > n * 0.6 and blank[hi - 1]:
            hi -= 1
        return lo, hi

    top, bottom = edge(frame)
    left, right = edge(frame.T)
    return frame[top:bottom, left:right]


def frame_hash(frame: np.ndarray) -> int | None:
    """The pHash of one frame (its value channel), or None for a (nearly) uniform one."""
    return frame_hash_pair(frame)[0]


def _hash_or_none(frame: np.ndarray) -> int | None:
    if frame.size == 0 or min(frame.shape) < 8 or float(frame.std()) < 6.0:
        return None
    return ih.phash(Image.fromarray(frame))


def frame_hash_pair(frame: np.ndarray) -> tuple[int | None, int | None]:
    """The pHash of one frame (its value channel, bars cut) and of its centre (`FRAME_CENTRE_BOX`
    of that), each None when (nearly) uniform. A logo or watermark in a corner or along an edge
    moves the whole frame's hash (a bright box over 4 % of a dark frame: 10–22 bits), and leaves
    the centre's alone."""
    frame = _trim_bars(frame)
    whole = _hash_or_none(frame)
    h, w = frame.shape if frame.ndim == 2 else (0, 0)
    left, top, right, bottom = FRAME_CENTRE_BOX
    centre = frame[round(top * h):h - round(bottom * h), round(left * w):w - round(right * w)]
    return whole, (_hash_or_none(centre) if whole is not None else None)


def frame_hashes(path: Path, *, timeout: float | None = None, max_seconds: int | None = None,
                 centre: bool = False):
    """Yield (second, hash or None) for one frame a second — (second, (hash, centre hash)) with
    `centre` — ; stops (and says so by yielding ("truncated", None)) at the time limit or after
    `max_seconds`."""
    timeout = timeout if timeout is not None else setting("FINGERPRINT_VIDEO_TIMEOUT", 600)
    max_seconds = max_seconds if max_seconds is not None else int(setting("FINGERPRINT_VIDEO_MAX_SECONDS", 4 * 3600))
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1", "-i", str(path),
           "-an", "-sn", "-dn", "-vf", f"fps=1,scale={FRAME_PX}:{FRAME_PX}:flags=area,format=rgb24",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    size = FRAME_PX * FRAME_PX * 3
    deadline = time.monotonic() + timeout
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        second = 0
        assert proc.stdout is not None
        while True:
            if time.monotonic() > deadline or second >= max_seconds:
                yield "truncated", None
                return
            buf = proc.stdout.read(size)
            if len(buf) < size:
                return
            rgb = np.frombuffer(buf, dtype=np.uint8).reshape(FRAME_PX, FRAME_PX, 3)
            value = ih.value_channel(rgb)
            yield second, (frame_hash_pair(value) if centre else frame_hash(value))
            second += 1
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def align(pairs: list[tuple[int, int, int]], min_run: int) -> list[list[int]]:
    """Segments [a_start, a_end, b_start, b_end] (seconds) from matching frame pairs (ta, tb, d):
    the most common time offsets first, each a-second used once, runs of at least `min_run`
    frames with gaps of at most one missing frame."""
    offsets = Counter(tb - ta for ta, tb, _d in pairs)
    used: set[int] = set()
    segments: list[list[int]] = []
    for off, _count in offsets.most_common(32):
        near: dict[int, int] = {}
        for ta, tb, _d in pairs:
            if abs(tb - ta - off) <= 1 and ta not in used:
                near.setdefault(ta, tb)
        run: list[int] = []
        ends: list[int | None] = [*sorted(near), None]
        for t in ends:
            if t is not None and (not run or t - run[-1] <= 2):
                run.append(t)
                continue
            if len(run) >= min_run:
                segments.append([run[0], run[-1] + 1, run[0] + off, run[-1] + 1 + off])
                used.update(range(run[0], run[-1] + 1))
            run = [] if t is None else [t]
    segments.sort()
    return segments


class VideoEngine:
    medium = "video"

    def applies(self, kind: str) -> bool:
        return kind == "video"

    def compute_file(self, subject: Subject, path: Path, kind: str) -> None:
        rows: list[tuple[int, int, int]] = []
        seconds = frames = 0
        truncated = False
        for second, pair in frame_hashes(path, centre=True):
            if second == "truncated":
                truncated = True
                break
            seconds = int(second) + 1
            whole, middle = pair
            if whole is not None:
                rows.append((0, int(second), whole))
                frames += 1
            if middle is not None:
                rows.append((FRAME_CENTRE_VARIANT, int(second), middle))
        with transaction.atomic():
            self.forget(subject)
            VideoSignature.objects.create(subject_type=subject[0], subject_id=subject[1], duration=seconds,
                                          frames=frames, truncated=truncated)
            store_rows(subject, "video", rows)

    def compute_text(self, subject: Subject, text: str) -> None:
        return None

    def matches(self, subject: Subject, limit: int = 20) -> list[Match]:
        mine = VideoSignature.objects.filter(subject_type=subject[0], subject_id=subject[1]).first()
        if mine is None:
            return []
        radius = int(setting("FINGERPRINT_VIDEO_RADIUS", 8))
        frame_distance = int(setting("FINGERPRINT_FRAME_DISTANCE", 8))
        min_run = int(setting("FINGERPRINT_VIDEO_MIN_RUN", 3))
        frames = [((at, variant), value) for at, variant, value in PerceptualHash.objects.filter(
            subject_type=subject[0], subject_id=subject[1], medium="video").values_list("at", "variant", "value")]
        # A frame's whole hash against stored frames and images, its centre against stored
        # frames' centres only (an image hit on a centre would compare different crops).
        hits = [h for h in lookup_many(frames, radius, exclude=subject)
                if (h.variant == h.key[1] if h.medium == "video" else h.key[1] == 0)]
        by_subject: dict[Subject, list[Hit]] = {}
        for h in hits:
            by_subject.setdefault(h.subject, []).append(h)
        lengths = {(t, i): n for t, i, n in VideoSignature.objects.filter(
            subject_id__in=[s[1] for s, hs in by_subject.items() if hs[0].medium == "video"])
            .values_list("subject_type", "subject_id", "frames")}
        out: list[Match] = []
        for other, hs in by_subject.items():
            if hs[0].medium == "video":
                # A pair of seconds counts once, at the nearer of its whole and centre hashes.
                nearest: dict[tuple[int, int], int] = {}
                for h in hs:
                    pair = (int(h.key[0]), h.at)
                    nearest[pair] = min(h.distance, nearest.get(pair, 64))
                pairs = [(ta, tb, d) for (ta, tb), d in nearest.items()]
                segments = align(pairs, min_run)
                if not segments:
                    continue
                covered = sum(s[1] - s[0] for s in segments)
                shorter = max(1, min(mine.frames, lengths.get(other, mine.frames)))
                dist = [d for _ta, _tb, d in pairs]
                score = min(1.0, covered / shorter) * (1 - float(np.median(dist)) / 64)
                out.append(Match(subject, other, "video", round(score, 3),
                                 {"segments": segments, "distance": int(np.median(dist)), "frames": covered}))
            else:  # an image: which seconds of this video show it
                close = sorted({int(h.key[0]) for h in hs if h.distance <= frame_distance})
                if not close:
                    continue
                best = min(h.distance for h in hs)
                segs: list[list[int]] = []
                for s in close:
                    if segs and s - segs[-1][1] <= 1:
                        segs[-1][1] = s + 1
                    else:
                        segs.append([s, s + 1, 0, 0])
                mirrored = False
                out.append(Match(subject, other, "video", round(1 - best / 32, 3),
                                 {"segments": segs, "distance": best, "mirrored": mirrored}))
        out.sort(key=lambda m: -m.score)
        return out[:limit]

    def forget(self, subject: Subject) -> None:
        VideoSignature.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()
        PerceptualHash.objects.filter(subject_type=subject[0], subject_id=subject[1], medium="video").delete()


ENGINE = VideoEngine()
