"""Fingerprint engines and the one interface the apps above use (docs/originality.md).

A *subject* is what a fingerprint belongs to, named by the caller: `("media", pk)` for a stored
file, `("text", pk)` for a text the originality app keeps (typed answers of an entry, a reference
text). This app knows files and texts, never entries or campaigns: the originality app maps its
subjects to entries and decides which matches are in scope (the campaign, the archive, the
reference set).

An engine handles one medium (`image`, `video`, `audio`, `text`, and `exact` for sha256):

- `applies(kind)`: whether it fingerprints a media file of this kind ("image", "video", ...);
- `compute_file(subject, path, kind)`: store this subject's fingerprint rows (replacing old ones);
- `compute_text(subject, text)`: the same for a text (text engine only);
- `matches(subject, limit)`: the stored subjects similar to this one, best first, as `Match`es;
- `forget(subject)`: drop the rows.

Engines register with `register(engine)`; `load_builtin()` registers those that ship here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

Subject = tuple[str, int]

# Modules whose `ENGINE` is registered at start-up (each engine lives in its own module).
BUILTIN = (
    "zhengji.fingerprints.exact",
    "zhengji.fingerprints.image",
    "zhengji.fingerprints.video",
    "zhengji.fingerprints.audio",
    "zhengji.fingerprints.text",
)


@dataclass(frozen=True)
class Match:
    """`other` resembles `subject` in `medium` with `score` in [0, 1] (1: identical).
    `detail` says how: e.g. {"distance": 6, "mirrored": true} for an image, {"segments":
    [[a_start, a_end, b_start, b_end], ...]} in seconds for audio/video, {"jaccard": 0.8} for text."""

    subject: Subject
    other: Subject
    medium: str
    score: float
    detail: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    medium: str

    def applies(self, kind: str) -> bool: ...

    def compute_file(self, subject: Subject, path: Path, kind: str) -> None: ...

    def compute_text(self, subject: Subject, text: str) -> None: ...

    def matches(self, subject: Subject, limit: int = 20) -> list[Match]: ...

    def forget(self, subject: Subject) -> None: ...


_engines: dict[str, Engine] = {}


def register(engine: Engine) -> None:
    _engines[engine.medium] = engine


def engines() -> list[Engine]:
    return list(_engines.values())


def engine(medium: str) -> Engine | None:
    return _engines.get(medium)


def load_builtin() -> None:
    for name in BUILTIN:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a missing dependency inside the engine is an error
                raise
            continue
        register(module.ENGINE)


def compute_file(subject: Subject, path: Path, kind: str) -> list[str]:
    """Run every engine that applies to a file of this kind; the media it ran."""
    done = []
    for e in engines():
        if e.applies(kind):
            e.compute_file(subject, path, kind)
            done.append(e.medium)
    return done


def compute_text(subject: Subject, text: str) -> None:
    e = engine("text")
    if e is not None:
        e.compute_text(subject, text)


def matches(subject: Subject, limit: int = 20) -> list[Match]:
    """Everything similar to `subject` in any medium, best first (one list, all engines)."""
    out: list[Match] = []
    for e in engines():
        out.extend(e.matches(subject, limit))
    out.sort(key=lambda m: -m.score)
    return out


def forget(subject: Subject) -> None:
    for e in engines():
        e.forget(subject)
