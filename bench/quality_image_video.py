"""Recall and precision of the image and video engines on a generated set, per edit.

    .venv/bin/python bench/quality_image_video.py [--quick]

Images: scikit-image's offline sample pictures (20), synthetic pictures of one house style (30),
faces of different people (20) and quarters of four large samples (16) are stored; each of the
first 50 (samples and synthetic) is queried after every edit of tests/fingerprints/media_edits.py,
and 50 unseen pictures of the same styles (30 synthetic, 20 other faces) are queried as negatives.
A reported match is right only if it names the picture the query was made from. Videos: pans
across four sample pictures and two slideshows are stored, queried after each video edit; a
slideshow of stored photos must find the photos. Goal: images recall >= 0.95 at precision >= 0.99.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchenv import ROOT, configure  # noqa: E402 (shared start-up of the benchmarks)

TMP = configure("fpquality")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from tests.fingerprints import media_edits as me  # noqa: E402
from zhengji.fingerprints.image import ENGINE as IMAGE  # noqa: E402
from zhengji.fingerprints.models import ImageSignature, PerceptualHash, VideoSignature  # noqa: E402
from zhengji.fingerprints.video import ENGINE as VIDEO  # noqa: E402


def run_images(work: Path, quick: bool) -> tuple[dict, int]:
    originals: dict[int, object] = {}
    n = 0
    queried: list[int] = []

    def add(img, query: bool) -> None:
        nonlocal n
        n += 1
        originals[n] = img
        if query:
            queried.append(n)

    for name in me.SAMPLES:
        add(me.sample(name), True)
    for seed in range(30 if not quick else 10):
        add(me.synthetic(seed), True)
    for face in me.faces(20):
        add(face, False)
    for name in ("hubble_deep_field", "retina", "brick", "grass"):
        for tile in me.tiles(name):
            add(tile, False)
    for pk, img in originals.items():
        IMAGE.compute_file(("media", pk), me.save(img, work / f"o{pk}.png", "PNG"), "image")
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # found, positives, false matches
    times: list[float] = []
    q = 100000

    def query(img, expect: int | None, edit: str) -> None:
        nonlocal q
        q += 1
        path = me.save(img, work / f"q{q}.jpg")
        t = time.perf_counter()
        IMAGE.compute_file(("media", q), path, "image")
        found = IMAGE.matches(("media", q))
        times.append(time.perf_counter() - t)
        IMAGE.forget(("media", q))
        row = stats[edit]
        if expect is not None:
            row[1] += 1
            row[0] += any(m.other == ("media", expect) for m in found)
        row[2] += sum(1 for m in found if m.other != ("media", expect))

    for pk in queried:
        for edit, fn in me.EDITS.items():
            query(fn(originals[pk]), pk, edit)
    for seed in range(100, 130 if not quick else 110):
        query(me.synthetic(seed), None, "negative: same-style synthetic")
    for face in me.faces(40)[20:]:
        query(face, None, "negative: other faces")
    return stats, int(sorted(times)[len(times) // 2] * 1000)


def run_videos(work: Path) -> dict:
    # The image part's pictures include the photos the clips are made of: a clip would rightly
    # find them (cross-media), which is measured on its own below, so start from an empty index.
    for model in (PerceptualHash, ImageSignature, VideoSignature):
        model.objects.all().delete()
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    notes: dict[str, str] = {}
    pics = {name: me.save(me.sample(name, 480), work / f"{name}.png", "PNG")
            for name in ("astronaut", "coffee", "rocket", "immunohistochemistry", "chelsea", "camera", "moon")}
    stored: dict[int, Path] = {}
    for i, name in enumerate(("astronaut", "coffee", "rocket", "immunohistochemistry"), start=1):
        stored[i] = me.moving_clip(work / f"v{i}.mp4", pics[name])
    stored[5] = me.slideshow(work / "v5.mp4", [pics["chelsea"], pics["camera"], pics["moon"]])
    for pk, path in stored.items():
        VIDEO.compute_file(("media", pk), path, "video")
    q = 1000
    for pk, path in stored.items():
        for edit in me.VIDEO_EDITS:
            q += 1
            edited = me.edit_video(path, work / f"q{q}.{'webm' if edit == 'webm' else 'mp4'}", edit)
            VIDEO.compute_file(("media", q), edited, "video")
            found = VIDEO.matches(("media", q))
            VIDEO.forget(("media", q))
            row = stats[edit]
            row[1] += 1
            hit = [m for m in found if m.other == ("media", pk)]
            row[0] += bool(hit)
            row[2] += sum(1 for m in found if m.other != ("media", pk))
            if hit and pk == 1:
                notes[edit] = str(hit[0].detail["segments"])
    # Hard negatives: clips of pictures that are not stored, made the same ways (pans; a 16:9
    # slideshow of 4:3-ish photos, whose bars are cut as the stored one's are; same-style
    # synthetic pictures), queried as they are and watermarked: any match is a false one.
    unseen = {name: me.save(me.sample(name, 480), work / f"n-{name}.png", "PNG")
              for name in ("hubble_deep_field", "coins", "clock", "page", "retina", "cell")}
    negatives = {f"pan {name}": me.moving_clip(work / f"n-{name}.mp4", unseen[name])
                 for name in ("hubble_deep_field", "coins", "clock")}
    negatives["slideshow page, retina, cell"] = me.slideshow(
        work / "n-show.mp4", [unseen["page"], unseen["retina"], unseen["cell"]])
    synth = [me.save(me.synthetic(seed, (320, 240)), work / f"n-s{seed}.png", "PNG") for seed in (200, 201, 202)]
    negatives["slideshow same-style synthetic"] = me.slideshow(work / "n-synth.mp4", synth)
    for label, path in negatives.items():
        for edit in ("as is", "watermark"):
            q += 1
            if edit != "as is":
                path = me.edit_video(path, work / f"q{q}.mp4", edit)
            VIDEO.compute_file(("media", q), path, "video")
            found = VIDEO.matches(("media", q))
            VIDEO.forget(("media", q))
            stats[f"negative: {edit}"][2] += len(found)
            if found:
                notes[f"false: {label} {edit}"] = str([(m.other, m.score, m.detail["segments"]) for m in found])
    # Cross-media: photos stored, a slideshow of them queried.
    photo_ids = {}
    for i, name in enumerate(("chelsea", "camera", "moon"), start=500):
        IMAGE.compute_file(("media", i), pics[name], "image")
        photo_ids[i] = name
    show = me.slideshow(work / "show.mp4", [pics["camera"], pics["moon"], pics["chelsea"]], size="640x360")
    VIDEO.compute_file(("media", 2000), show, "video")
    found = [m for m in VIDEO.matches(("media", 2000)) if m.other[1] in photo_ids]
    stats["slideshow of stored photos → photos"] = [len(found), 3, 0]
    notes["slideshow"] = str({photo_ids[m.other[1]]: m.detail["segments"] for m in found})
    return stats, notes


def table(stats: dict) -> tuple[str, float, float]:
    lines = ["| edit | found / queries | recall | false matches |", "|---|---:|---:|---:|"]
    tp = pos = fp = 0
    for edit, (found, positives, false) in stats.items():
        recall = f"{found / positives:.2f}" if positives else "—"
        lines.append(f"| {edit} | {found} / {positives} | {recall} | {false} |")
        tp += found
        pos += positives
        fp += false
    recall = tp / pos if pos else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    lines.append(f"| **all** | {tp} / {pos} | **{recall:.3f}** | {fp} (precision **{precision:.3f}**) |")
    return "\n".join(lines), recall, precision


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-video", action="store_true")
    parser.add_argument("--no-images", action="store_true")
    parser.add_argument("--radius", type=int, default=None, help="FINGERPRINT_IMAGE_RADIUS to try")
    parser.add_argument("--zncc", type=float, default=None, help="FINGERPRINT_IMAGE_MIN_ZNCC to try")
    args = parser.parse_args()
    from django.conf import settings  # noqa: PLC0415 (after django.setup())

    if args.radius is not None:
        settings.FINGERPRINT_IMAGE_RADIUS = args.radius
    if args.zncc is not None:
        settings.FINGERPRINT_IMAGE_MIN_ZNCC = args.zncc
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(dir=TMP) as tmp:
        work = Path(tmp)
        ok = True
        if not args.no_images:
            t = time.perf_counter()
            stats, p50 = run_images(work, args.quick)
            text, recall, precision = table(stats)
            print(f"## Images ({time.perf_counter() - t:.0f} s; fingerprint + look-up p50 {p50} ms)\n\n{text}\n")
            ok = recall >= 0.95 and precision >= 0.99
        if not args.no_video:
            t = time.perf_counter()
            vstats, notes = run_videos(work)
            vtext, vrecall, vprecision = table(vstats)
            print(f"## Videos ({time.perf_counter() - t:.0f} s)\n\n{vtext}\n")
            for k, v in notes.items():
                print(f"- {k}: {v}")
    print("\nimages goal (recall >= 0.95 at precision >= 0.99):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
