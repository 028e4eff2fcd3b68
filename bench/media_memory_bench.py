#!/usr/bin/env python3
"""Peak memory of validating (the web request) and processing (the worker) the largest allowed
images and a 2 GB video. Each step runs in a fresh Python process (Django set up as in production)
that reports the kernel's high-water mark of its resident memory (VmHWM in /proc/self/status) and
the largest child process's peak (ffprobe / ffmpeg, from getrusage(RUSAGE_CHILDREN)). A tiny image
gives the baseline of the same run (Django + Pillow + pypdf imported).

Goal: every step's Python process peaks under 300 MB (GOAL_MB); the files that should be refused
are refused.

Images, at the limits of the default settings (MEDIA_MAX_IMAGE_PIXELS 150 MP, MEDIA_IMAGE_DECODE_BYTES
160 MiB): RGBA PNG 8192×5120 (4 bytes a pixel: exactly the budget), 1-bit PNG 15000×10000 (150 MP),
JPEG 15000×10000 (decoded at 1/8), HEIC 6144×4551 (6 bytes a pixel: the budget), and the issue's
files: 88 MP RGBA PNG (refused: 352 MB to decode) and 88 MP 1-bit PNG. Video: a 3 s lossless 1080p
noise clip with sound concatenated (stream copy) to 2 GiB, validated (ffprobe) and processed (720p
preview, poster, thumbnail).

    .venv/bin/python bench/media_memory_bench.py [--no-video] [--no-heic] [--keep]

BENCH_TMP: where the temporary folder goes (needs ~2.5 GB free for the video).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MB = 1024 * 1024
GOAL_MB = 300

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")
import django
django.setup()
from pathlib import Path
from zhengji.media.filerules import FileRule
from zhengji.media.processing import probe, renditions, validation

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0

step, kind, src, work = sys.argv[1:5]
before = hwm()
t0 = time.monotonic()
outcome, detail = "ok", ""
try:
    if step == "validate":
        checked = validation.validate_path(src, filename=Path(src).name, rule=FileRule(kinds=[kind]))
        probe.sha256_file(src)
        detail = f"{checked.width}x{checked.height}" if checked.width else ""
    else:
        out = renditions.renditions(kind, src, Path(work), duration=float(sys.argv[5]) if len(sys.argv) > 5 else None)
        detail = ",".join(sorted(out))
except Exception as exc:
    outcome, detail = type(exc).__name__, str(exc)[:200]
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"before": before, "peak": hwm(), "children": children, "seconds": time.monotonic() - t0,
                  "outcome": outcome, "detail": detail}))
"""


def measure(step: str, kind: str, src: Path, work: Path, *extra: str) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-c", CHILD, step, kind, str(src), str(work), *extra],
                          capture_output=True, cwd=ROOT, timeout=3600, env={**os.environ})
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode()[-3000:])
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def make_images(d: Path, heic: bool) -> list[tuple[str, Path, bool]]:
    """(label, path, expected to be accepted)."""
    import pillow_heif  # noqa: PLC0415 (a script: imports after sys.path is set)
    from PIL import Image  # noqa: PLC0415 (idem)

    from zhengji.media import samples  # noqa: PLC0415 (idem)

    Image.MAX_IMAGE_PIXELS = None
    out = [("tiny PNG 64×48 (baseline)", samples.make_png(d / "tiny.png", 64, 48), True)]
    out.append(("RGBA PNG 8192×5120 (42 MP, = budget)", samples.make_big_png(d / "rgba-max.png", 8192, 5120), True))
    out.append(("1-bit PNG 15000×10000 (150 MP, = limit)",
                samples.make_big_png(d / "bilevel-max.png", 15000, 10000, "1"), True))
    out.append(("issue: RGBA PNG 11000×8000 (88 MP)", samples.make_big_png(d / "rgba-88.png", 11000, 8000), False))
    out.append(("issue: 1-bit PNG 11000×8000 (88 MP)",
                samples.make_big_png(d / "bilevel-88.png", 11000, 8000, "1"), True))
    jpeg = d / "max.jpg"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=15000x10000", "-frames:v", "1", "-q:v", "4", str(jpeg)], check=True)
    out.append(("JPEG 15000×10000 (150 MP, = limit)", jpeg, True))
    if heic:
        t0 = time.monotonic()
        im = Image.open(jpeg)
        im.draft("RGB", (6144, 4551))
        im = im.resize((6144, 4551))
        heif = d / "max.heic"
        pillow_heif.from_pillow(im).save(heif, quality=50)
        del im
        print(f"(HEIC encoded in {time.monotonic() - t0:.0f} s)", flush=True)
        out.append(("HEIC 6144×4551 (28 MP, = budget)", heif, True))
    return out


def make_video(d: Path, target: int = 2 * 1024 ** 3) -> tuple[Path, float]:
    seg = d / "seg.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-vf", "noise=alls=60:allf=t+u", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast",
                    "-qp", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", str(seg)],
                   check=True)
    copies = -(-target // seg.stat().st_size)
    listing = d / "list.txt"
    listing.write_text("".join(f"file '{seg}'\n" for _ in range(copies)))
    video = d / "video-2g.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
                    "-i", str(listing), "-c", "copy", "-movflags", "+faststart", str(video)], check=True)
    seg.unlink()
    return video, 3.0 * copies


def row(label: str, size: int, step: str, r: dict, base: int) -> str:
    return (f"| {label} | {size / MB:,.1f} MB | {step} | {r['outcome']} | {r['peak'] / MB:,.0f} MB | "
            f"{(r['peak'] - base) / MB:+,.0f} MB | {r['children'] / MB:,.0f} MB | {r['seconds']:.1f} s |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-video", action="store_true")
    ap.add_argument("--no-heic", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix="zj-bench-media-", dir=os.environ.get("BENCH_TMP")))
    failures = []
    lines = ["| file | size | step | outcome | peak RSS (Python) | over baseline | largest child (ffmpeg) | time |",
             "|---|---:|---|---|---:|---:|---:|---:|"]
    try:
        images = make_images(d, heic=not args.no_heic)
        base = measure("validate", "image", images[0][1], d / "w0")["peak"]
        for i, (label, path, accepted) in enumerate(images):
            size = path.stat().st_size
            v = measure("validate", "image", path, d / f"w{i}")
            lines.append(row(label, size, "validate (request)", v, base))
            print(lines[-1], flush=True)
            if (v["outcome"] == "ok") != accepted:
                failures.append(f"{label}: validation {v['outcome']} {v['detail']}")
            if v["peak"] > GOAL_MB * MB:
                failures.append(f"{label}: validation peak {v['peak'] / MB:.0f} MB")
            p = measure("process", "image", path, d / f"p{i}")
            lines.append(row(label, size, "process (worker)", p, base))
            print(lines[-1], flush=True)
            if accepted and p["outcome"] != "ok":
                failures.append(f"{label}: processing {p['outcome']} {p['detail']}")
            if p["peak"] > GOAL_MB * MB:
                failures.append(f"{label}: processing peak {p['peak'] / MB:.0f} MB")
            shutil.rmtree(d / f"p{i}", ignore_errors=True)
        if not args.no_video:
            t0 = time.monotonic()
            video, duration = make_video(d)
            print(f"(video generated in {time.monotonic() - t0:.0f} s)", flush=True)
            size = video.stat().st_size
            label = f"video 1080p H.264 lossless noise, {duration:.0f} s"
            v = measure("validate", "video", video, d / "vw")
            lines.append(row(label, size, "validate (request)", v, base))
            print(lines[-1], flush=True)
            p = measure("process", "video", video, d / "vp", str(duration))
            lines.append(row(label, size, "process (worker)", p, base))
            print(lines[-1], flush=True)
            for step, r in (("validation", v), ("processing", p)):
                if r["outcome"] != "ok":
                    failures.append(f"video: {step} {r['outcome']} {r['detail']}")
                if r["peak"] > GOAL_MB * MB:
                    failures.append(f"video: {step} peak {r['peak'] / MB:.0f} MB")
    finally:
        if args.keep:
            print(f"files kept in {d}")
        else:
            shutil.rmtree(d, ignore_errors=True)
    print()
    print(f"baseline (tiny PNG validated): {base / MB:.0f} MB; goal: every Python peak < {GOAL_MB} MB")
    print("\n".join(lines))
    if failures:
        print("MISSED:", *failures, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
