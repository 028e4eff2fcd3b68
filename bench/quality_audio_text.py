"""Recall and precision of the audio and text fingerprint engines, per edit, on a generated set
with hard negatives (bench/README-fp-audio-text.md).

    .venv/bin/python bench/quality_audio_text.py [--texts 60] [--clips 12] [--medium text|audio|both]

Texts: `--texts` originals (generated from jieba's dictionary, 10 topics, 3-12 paragraphs, every
other one opening with its topic's formula), as many same-topic distractors and 30 short texts per
topic opening with the formula are stored; every original is queried after each edit of
tests/fingerprints/text_edits.py, and `--texts` x 3 new same-topic texts plus as many short texts
opening with the formula are queried as negatives.
Audio: `--clips` espeak-ng recitations and as many other recitations in the same voice are stored;
each original is queried after each edit of tests/fingerprints/audio_edits.py, and two negatives
per clip (other words in the same voice; the same words read again in another voice).

A query counts as a hit when the stored original is reported with a score >= the threshold; every
other reported subject at or above it is a false positive. Precision = hits / (hits + false
positives). Exits non-zero when the text goal (recall >= 0.95 at precision >= 0.99) is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchenv import configure

configure("fp-audio-text")

import django  # noqa: E402 (after the environment is set)

django.setup()

from django.core.management import call_command  # noqa: E402

from tests.fingerprints import audio_edits, text_edits  # noqa: E402
from zhengji.fingerprints.audio import ENGINE as AUDIO  # noqa: E402
from zhengji.fingerprints.text import ENGINE as TEXT  # noqa: E402

TEXT_THRESHOLDS = (0.2, 0.3, 0.4, 0.5)
AUDIO_THRESHOLDS = (0.2, 0.3, 0.5, 0.7)


def evaluate(results: list[tuple[str, object, list]], thresholds) -> dict:
    """results: (edit or "negative:...", expected subject or None, matches). Per threshold:
    {edit: (hits, total)}, false positives, precision, recall."""
    out = {}
    for t in thresholds:
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # hits, queries, false positives
        fp = 0
        for kind, expected, found in results:
            flagged = [m.other for m in found if m.score >= t]
            per[kind][1] += 1
            if expected is not None:
                per[kind][0] += expected in flagged
            wrong = sum(1 for o in flagged if o != expected)
            per[kind][2] += wrong
            fp += wrong
        hits = sum(h for k, (h, _n, _f) in per.items() if not k.startswith("negative"))
        total = sum(n for k, (_h, n, _f) in per.items() if not k.startswith("negative"))
        out[t] = {"per": dict(per), "fp": fp, "recall": hits / total,
                  "precision": hits / (hits + fp) if hits + fp else 1.0}
    return out


def run_text(n: int) -> tuple[dict, list[float]]:
    originals = {}
    for i in range(n):
        # Every other text opens with its topic's formula (boilerplate), as notices do.
        paras = text_edits.article(i, i % 10, paragraphs=3 + i % 10, boilerplate=bool(i % 2))
        originals[i] = paras
        TEXT.compute_text(("ref", i), text_edits.render(paras))
        TEXT.compute_text(("ref", 10_000 + i), text_edits.text(10_000 + i, i % 10, paragraphs=3 + (i * 7) % 10))
    for t in range(10):  # 30 short texts per topic with the formula: it becomes known boilerplate
        for k in range(30):
            TEXT.compute_text(("ref", 30_000 + 100 * t + k),
                              text_edits.text(30_000 + k, t, paragraphs=1 + k % 3, boilerplate=True))
    results = []
    times = []
    q = 0

    def query(kind: str, expected, body: str) -> None:
        nonlocal q
        q += 1
        TEXT.compute_text(("q", q), body)
        started = time.perf_counter()
        found = TEXT.matches(("q", q))
        times.append(time.perf_counter() - started)
        TEXT.forget(("q", q))
        results.append((kind, expected, found))

    for i, paras in originals.items():
        for kind in text_edits.EDITS:
            query(kind, ("ref", i), text_edits.edit(paras, kind, seed=i, topic_seed=i % 10))
    for j in range(3 * n):
        query("negative:same-topic", None, text_edits.text(20_000 + j, j % 10, paragraphs=3 + j % 10))
        query("negative:same-formula", None,
              text_edits.text(40_000 + j, j % 10, paragraphs=1 + j % 4, boilerplate=True))
    return evaluate(results, TEXT_THRESHOLDS), times


def run_audio(n: int) -> tuple[dict, list[float]]:
    d = Path(tempfile.mkdtemp(prefix="zj-bench-audio-"))
    originals = {}
    for i in range(n):
        originals[i] = audio_edits.speech(d / f"o{i}.wav", audio_edits.words(i))
        AUDIO.compute_file(("ref", i), originals[i], "audio")
        other = audio_edits.speech(d / f"x{i}.wav", audio_edits.words(10_000 + i))
        AUDIO.compute_file(("ref", 10_000 + i), other, "audio")
    results = []
    times = []
    q = 0

    def query(kind: str, expected, path: Path) -> None:
        nonlocal q
        q += 1
        AUDIO.compute_file(("q", q), path, "audio")
        started = time.perf_counter()
        found = AUDIO.matches(("q", q))
        times.append(time.perf_counter() - started)
        AUDIO.forget(("q", q))
        results.append((kind, expected, found))

    for i, src in originals.items():
        for kind in audio_edits.EDITS:
            query(kind, ("ref", i), audio_edits.edit(src, d, kind, seed=i))
        query("negative:other-words", None, audio_edits.speech(d / f"n{i}.wav", audio_edits.words(20_000 + i)))
        query("negative:other-voice", None,
              audio_edits.speech(d / f"v{i}.wav", audio_edits.words(i), pitch=80, speed=140))
    return evaluate(results, AUDIO_THRESHOLDS), times


def table(name: str, ev: dict, chosen: float, times: list[float]) -> str:
    lines = [f"### {name}", "", "| threshold | recall | precision | false positives |", "|---|---|---|---|"]
    for t, r in ev.items():
        mark = " (chosen)" if t == chosen else ""
        lines.append(f"| {t}{mark} | {r['recall']:.3f} | {r['precision']:.3f} | {r['fp']} |")
    lines += ["", f"Per edit at {chosen}:", "", "| query | found | recall | false positives |", "|---|---|---|---|"]
    for kind, (hits, total, wrong) in ev[chosen]["per"].items():
        if kind.startswith("negative"):
            lines.append(f"| {kind} ({total} queries) | — | — | {wrong} |")
        else:
            lines.append(f"| {kind} | {hits}/{total} | {hits / total:.3f} | {wrong} |")
    lines += ["", f"Look-up time: median {statistics.median(times) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms over {len(times)} look-ups.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=60)
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--medium", choices=["text", "audio", "both"], default="both")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    ok = True
    if args.medium in ("text", "both"):
        started = time.perf_counter()
        ev, times = run_text(args.texts)
        print(table(f"Text ({args.texts} originals, {args.texts} same-topic distractors stored)", ev, 0.5, times))
        print(f"({time.perf_counter() - started:.0f} s)\n")
        ok &= ev[0.5]["recall"] >= 0.95 and ev[0.5]["precision"] >= 0.99
    if args.medium in ("audio", "both"):
        started = time.perf_counter()
        ev, times = run_audio(args.clips)
        print(table(f"Audio ({args.clips} recitations, {args.clips} other recitations stored)", ev, 0.5, times))
        print(f"({time.perf_counter() - started:.0f} s)\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
