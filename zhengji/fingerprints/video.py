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


def _trim_bars(frame: np.ndarray, dark: float = 24.0, flat: float = 6.0) -> np.ndarray:
    """Cut uniform dark rows and columns at the edges (letterbox, pillarbox), at most 40 %."""
    def edge(lines: np.ndarray) -> tuple[int, int]:
        blank = (lines.mean(axis=1) < dark) & (lines.std(axis=1) < flat)
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
    frame = _trim_bars(frame)
    if frame.size == 0 or float(frame.std()) < 6.0:
        return None
    return ih.phash(Image.fromarray(frame))


def frame_hashes(path: Path, *, timeout: float | None = None, max_seconds: int | None = None):
    """Yield (second, hash or None) for one frame a second; stops (and says so by yielding
    ("truncated", None)) at the time limit or after `max_seconds`."""
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
            yield second, frame_hash(ih.value_channel(rgb))
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
        seconds = 0
        truncated = False
        for second, value in frame_hashes(path):
            if second == "truncated":
                truncated = True
                break
            seconds = int(second) + 1
            if value is not None:
                rows.append((0, int(second), value))
        with transaction.atomic():
            self.forget(subject)
            VideoSignature.objects.create(subject_type=subject[0], subject_id=subject[1], duration=seconds,
                                          frames=len(rows), truncated=truncated)
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
        frames = list(PerceptualHash.objects.filter(subject_type=subject[0], subject_id=subject[1], medium="video")
                      .values_list("at", "value"))
        hits = lookup_many(frames, radius, exclude=subject)
        by_subject: dict[Subject, list[Hit]] = {}
        for h in hits:
            by_subject.setdefault(h.subject, []).append(h)
        lengths = {(t, i): n for t, i, n in VideoSignature.objects.filter(
            subject_id__in=[s[1] for s, hs in by_subject.items() if hs[0].medium == "video"])
            .values_list("subject_type", "subject_id", "frames")}
        out: list[Match] = []
        for other, hs in by_subject.items():
            if hs[0].medium == "video":
                pairs = [(int(h.key), h.at, h.distance) for h in hs]
                segments = align(pairs, min_run)
                if not segments:
                    continue
                covered = sum(s[1] - s[0] for s in segments)
                shorter = max(1, min(mine.frames, lengths.get(other, mine.frames)))
                dist = [h.distance for h in hs]
                score = min(1.0, covered / shorter) * (1 - float(np.median(dist)) / 64)
                out.append(Match(subject, other, "video", round(score, 3),
                                 {"segments": segments, "distance": int(np.median(dist)), "frames": covered}))
            else:  # an image: which seconds of this video show it
                close = sorted({int(h.key) for h in hs if h.distance <= frame_distance})
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
