"""Recordings and the edits that disguise a copy, for the audio engine's tests and bench.

Speech comes from espeak-ng (Mandarin voice) reading generated Chinese texts; the edits are ffmpeg
filters and encoders. Hard negatives: other words in the same synthetic voice (the closest thing
to "same style"), and the same words read again in another voice (a new recording, not a copy).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .text_edits import text

EDITS = ("reencode", "trim", "volume", "noise", "combined")


def _run(*args: str) -> None:
    subprocess.run(args, check=True, timeout=120, stdin=subprocess.DEVNULL, capture_output=True)


def words(seed: int, chars: int = 70) -> str:
    """About `chars` characters of generated Chinese (one paragraph read in ~15 s)."""
    return text(seed, seed % 7, paragraphs=1)[:chars]


def speech(path: Path, said: str, *, pitch: int = 50, speed: int = 175) -> Path:
    """`said` read by espeak-ng's Mandarin voice, as 22 kHz mono WAV."""
    _run("espeak-ng", "-v", "cmn", "-p", str(pitch), "-s", str(speed), "-w", str(path), said)
    return path


def edit(src: Path, dst_dir: Path, kind: str, seed: int = 0) -> Path:
    """A copy of `src` after one kind of edit (see EDITS), in `dst_dir`."""
    ff = ("ffmpeg", "-v", "error", "-y", "-i", str(src))
    noise = f"anoisesrc=a=0.25:c=pink:seed={seed + 1}:d=600[n];[0][n]amix=inputs=2:duration=first:weights=1 1"
    if kind == "reencode":  # to AAC at a low bitrate, and to 16 kHz
        out = dst_dir / f"{src.stem}-{kind}.m4a"
        _run(*ff, "-ar", "16000", "-c:a", "aac", "-b:a", "32k", str(out))
    elif kind == "trim":  # the first 3 s and the last 2 s cut
        out = dst_dir / f"{src.stem}-{kind}.mp3"
        _run("ffmpeg", "-v", "error", "-y", "-ss", "3", "-i", str(src), "-af", "areverse,atrim=start=2,areverse",
             "-c:a", "libmp3lame", "-b:a", "64k", str(out))
    elif kind == "volume":  # much quieter
        out = dst_dir / f"{src.stem}-{kind}.wav"
        _run(*ff, "-af", "volume=0.25", str(out))
    elif kind == "noise":  # pink noise mixed in (loud: the bit error rate doubles)
        out = dst_dir / f"{src.stem}-{kind}.wav"
        _run(*ff, "-filter_complex", noise, str(out))
    elif kind == "combined":  # trimmed, louder, noisy, to Opus
        out = dst_dir / f"{src.stem}-{kind}.ogg"
        _run("ffmpeg", "-v", "error", "-y", "-ss", "1.5", "-i", str(src), "-filter_complex",
             noise + ",volume=1.8", "-c:a", "libopus", "-b:a", "32k", str(out))
    else:
        raise ValueError(kind)
    return out
