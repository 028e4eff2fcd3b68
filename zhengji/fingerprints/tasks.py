"""Background fingerprinting: each file once it is READY (media's `media_ready` signal)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing.probe import local_copy

from . import engines
from .signals import fingerprinted

log = logging.getLogger(__name__)


def on_media_ready(sender: Any = None, *, media_id: int, **kwargs: Any) -> None:
    if settings.FINGERPRINT_ON_READY:
        fingerprint_media.enqueue(media_id)


def fingerprint_file(media: MediaFile) -> list[str]:
    """Compute every applicable fingerprint of one stored file (synchronously); the media run."""
    storage, name = media.original.storage, media.original.name or ""
    with local_copy(storage, name, suffix=Path(name).suffix) as path:
        done = engines.compute_file(("media", media.pk), path, media.kind)
    transaction.on_commit(lambda: fingerprinted.send(sender=None, subject=("media", media.pk), media=done))
    return done


@task()
def fingerprint_media(media_id: int) -> str:
    """Fingerprint one READY media file; safe to run twice (rows are replaced)."""
    media = MediaFile.objects.filter(pk=media_id, status=MediaStatus.READY).first()
    if media is None or not media.original:
        return "skipped"
    try:
        done = fingerprint_file(media)
    except Exception:
        # A fingerprint is advice for staff, never a reason to fail an upload.
        log.exception("fingerprinting media %s failed", media_id)
        return "failed"
    return ",".join(done)


def refingerprint(kind: str | None = None, *, now: bool = False) -> int:
    """Fingerprint every READY media file (of `kind`) again: queue a task for each, or with
    `now` compute them here; returns how many. Rows are replaced, so running it twice is safe."""
    media = MediaFile.objects.filter(status=MediaStatus.READY).order_by("pk")
    if kind:
        media = media.filter(kind=kind)
    count = 0
    for pk in media.values_list("pk", flat=True).iterator():
        if now:
            fingerprint_media.call(pk)
        else:
            fingerprint_media.enqueue(pk)
        count += 1
    return count
