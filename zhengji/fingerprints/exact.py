"""The exact engine: identical bytes (sha256), for every kind of file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .engines import Match, Subject
from .models import ExactHash


class ExactEngine:
    medium = "exact"

    def applies(self, kind: str) -> bool:
        return True

    def compute_file(self, subject: Subject, path: Path, kind: str) -> None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        ExactHash.objects.update_or_create(subject_type=subject[0], subject_id=subject[1],
                                           defaults={"sha256": h.hexdigest()})

    def compute_text(self, subject: Subject, text: str) -> None:
        return None

    def matches(self, subject: Subject, limit: int = 20) -> list[Match]:
        mine = ExactHash.objects.filter(subject_type=subject[0], subject_id=subject[1]).first()
        if mine is None:
            return []
        others = (ExactHash.objects.filter(sha256=mine.sha256).exclude(pk=mine.pk)
                  .values_list("subject_type", "subject_id")[:limit])
        return [Match(subject, (t, i), "exact", 1.0, {"sha256": mine.sha256}) for t, i in others]

    def forget(self, subject: Subject) -> None:
        ExactHash.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()


ENGINE = ExactEngine()
