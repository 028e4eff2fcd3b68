"""The audio engine: the same recording, re-encoded, trimmed, louder or quieter, with noise added.

How (docs/fingerprints-audio-text.md):
1. `fpcalc -raw -json -length N` (Chromaprint, Debian's libchromaprint-tools) gives one 32-bit
   sub-fingerprint per ~0.124 s of the first `FINGERPRINT_AUDIO_MAX_SECONDS` of sound (of an audio
   file, or of a video's sound track: cheap extra evidence for videos).
2. Every sub-fingerprint is stored in `AudioHash` with its low `MASK` bits cleared (those flip
   first under re-encoding and noise) and its position; values that fill more than a few percent of
   a recording (silence, a hum) are not stored.
3. A look-up asks the database for the stored rows sharing a value (indexed `value IN (...)`),
   votes for (subject, position difference) and keeps subjects whose best difference has at least
   `MIN_VOTES` votes.
4. Verification: the two raw fingerprints are aligned at the voted differences; the bit error rate
   over a sliding window of `WINDOW` items marks where they agree (`MAX_BER`; unrelated sound gives
   about 0.5, and 0.3 for the same synthetic voice saying other things). Runs of at least
   `MIN_SEGMENT` seconds are the matching segments.

Score: the matched duration over the shorter recording's duration, times (1 - the bit error rate
of the matched part).
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction

from .engines import Match, Subject
from .models import AudioHash, AudioPrint

log = logging.getLogger(__name__)

ITEM = 4096 / 3 / 11025  # seconds between sub-fingerprints (Chromaprint's default algorithm)
MASK = 0xFFFFFFF0  # the low bits flip first; 28 bits stay selective in a large table
WINDOW = 16  # items (~2 s) of the sliding bit error rate
MAX_BER = 0.2
MIN_SEGMENT = 2.5  # seconds
MIN_VOTES = 3
MIN_SCORE = 0.2
CANDIDATES = 20
COMMON = 0.05  # a value filling more of a recording than this is silence or a hum: not indexed
VALUE_BATCH = 500
MAX_ROWS = 200_000  # rows read per look-up, whatever the archive holds
TIMEOUT = 120  # seconds for fpcalc


def _signed(values: np.ndarray) -> np.ndarray:
    return values.astype(np.uint32).view(np.int32)


def fingerprint(path: Path) -> tuple[float, np.ndarray] | None:
    """(duration, raw uint32 sub-fingerprints) of a file's sound, or None when it has none."""
    limit = int(getattr(settings, "FINGERPRINT_AUDIO_MAX_SECONDS", 900))
    try:
        done = subprocess.run(["fpcalc", "-raw", "-json", "-length", str(limit), str(path)],
                              capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL, check=False)
        data = json.loads(done.stdout or b"{}")
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.info("fpcalc on %s: %s", Path(path).name, exc)
        return None
    raw = data.get("fingerprint") or []
    if len(raw) < WINDOW:
        return None  # no sound track, or under ~2 s of sound: nothing to compare reliably
    return float(data.get("duration") or 0), np.asarray(raw, dtype=np.int64).astype(np.uint32)


def index_rows(raw: np.ndarray) -> list[tuple[int, int]]:
    """(masked value, position) rows worth indexing."""
    masked = _signed(raw & np.uint32(MASK))
    counts = Counter(masked.tolist())
    cap = max(3, int(COMMON * len(raw)))
    return [(int(v), i) for i, v in enumerate(masked.tolist()) if counts[v] <= cap]


class AudioEngine:
    medium = "audio"

    def applies(self, kind: str) -> bool:
        return kind in ("audio", "video")

    def compute_file(self, subject: Subject, path: Path, kind: str) -> None:
        got = fingerprint(path)
        with transaction.atomic():
            self.forget(subject)
            if got is None:
                return
            duration, raw = got
            AudioPrint.objects.create(subject_type=subject[0], subject_id=subject[1], duration=duration,
                                      raw=raw.astype("<u4").tobytes())
            AudioHash.objects.bulk_create(
                [AudioHash(subject_type=subject[0], subject_id=subject[1], value=v, offset=i)
                 for v, i in index_rows(raw)], batch_size=2000)

    def compute_text(self, subject: Subject, text: str) -> None:
        return None

    def matches(self, subject: Subject, limit: int = 20) -> list[Match]:
        mine = AudioPrint.objects.filter(subject_type=subject[0], subject_id=subject[1]).first()
        if mine is None:
            return []
        raw = _raw(mine)
        where: dict[int, list[int]] = {}
        for v, i in index_rows(raw):
            where.setdefault(v, []).append(i)
        values = sorted(where)
        votes: Counter[tuple[str, int, int]] = Counter()
        read = 0
        for k in range(0, len(values), VALUE_BATCH):
            rows = (AudioHash.objects.filter(value__in=values[k:k + VALUE_BATCH])
                    .values_list("subject_type", "subject_id", "value", "offset")[:MAX_ROWS - read])
            for t, sid, v, off in rows:
                read += 1
                if (t, sid) == subject:
                    continue
                for i in where[v]:
                    votes[(t, sid, off - i)] += 1
            if read >= MAX_ROWS:
                break
        # Neighbouring differences are one alignment (an item's worth of drift): add them up.
        by_subject: dict[Subject, Counter[int]] = {}
        for (t, sid, diff), n in votes.items():
            c = by_subject.setdefault((t, sid), Counter())
            for d in (diff - 1, diff, diff + 1):
                c[d] += n
        ranked = sorted(((max(c.values()), s) for s, c in by_subject.items()), reverse=True)
        best = [s for n, s in ranked if n >= MIN_VOTES][:CANDIDATES]
        out: list[Match] = []
        prints = {(p.subject_type, p.subject_id): p for p in _prints(best)}
        for other in best:
            if other not in prints:
                continue
            diffs = [d for d, n in by_subject[other].most_common(5) if n >= MIN_VOTES]
            match = compare(subject, raw, other, _raw(prints[other]), diffs)
            if match is not None and match.score >= MIN_SCORE:
                out.append(match)
        out.sort(key=lambda m: -m.score)
        return out[:limit]

    def forget(self, subject: Subject) -> None:
        AudioHash.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()
        AudioPrint.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()


def _raw(p: AudioPrint) -> np.ndarray:
    return np.frombuffer(bytes(p.raw), dtype="<u4").astype(np.uint32)


def _prints(subjects: list[Subject]) -> list[AudioPrint]:
    by_type: dict[str, list[int]] = {}
    for t, i in subjects:
        by_type.setdefault(t, []).append(i)
    out: list[AudioPrint] = []
    for t, ids in by_type.items():
        out.extend(AudioPrint.objects.filter(subject_type=t, subject_id__in=ids))
    return out


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _bit_errors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Differing bits (0-32) of each aligned pair."""
    return _POPCOUNT[(a ^ b).view(np.uint8)].reshape(-1, 4).sum(axis=1)


def align(a: np.ndarray, b: np.ndarray, diff: int) -> list[tuple[int, int, float]]:
    """Runs where b[i + diff] agrees with a[i]: (first item of a, items, bit error rate)."""
    i0, j0 = max(0, -diff), max(0, diff)
    n = min(len(a) - i0, len(b) - j0)
    if n < WINDOW:
        return []
    errors = _bit_errors(a[i0:i0 + n], b[j0:j0 + n]).astype(float)
    window = np.convolve(errors, np.ones(WINDOW), mode="valid") / (32 * WINDOW)  # n - WINDOW + 1
    good = np.zeros(n, dtype=bool)
    for w in np.flatnonzero(window <= MAX_BER):
        good[w:w + WINDOW] = True
    runs: list[tuple[int, int, float]] = []
    k: int = 0
    while k < n:
        if not good[k]:
            k += 1
            continue
        start = k
        while k < n and good[k]:
            k += 1
        if (k - start) * ITEM >= MIN_SEGMENT:
            runs.append((int(i0 + start), int(k - start), float(errors[start:k].mean() / 32)))
    return runs


def compare(subject: Subject, a: np.ndarray, other: Subject, b: np.ndarray, diffs: list[int]) -> Match | None:
    segments: list[list[float]] = []
    matched = 0
    err = 0.0
    taken = np.zeros(len(a), dtype=bool)
    for diff in diffs:
        for start, items, ber in align(a, b, diff):
            if taken[start:start + items].mean() > 0.5:
                continue  # the same stretch at a neighbouring difference
            taken[start:start + items] = True
            matched += items
            err += ber * items
            segments.append([round(start * ITEM, 2), round((start + items) * ITEM, 2),
                             round((start + diff) * ITEM, 2), round((start + diff + items) * ITEM, 2)])
    if not matched:
        return None
    ber = err / matched
    shorter = min(len(a), len(b))
    coverage = min(1.0, matched / shorter)
    segments.sort()
    return Match(subject, other, "audio", round(coverage * (1 - ber), 4),
                 {"segments": segments, "ber": round(ber, 4), "coverage": round(coverage, 4),
                  "matched_seconds": round(matched * ITEM, 2)})


ENGINE = AudioEngine()
