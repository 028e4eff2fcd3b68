"""The processing task's body: claim a MediaFile, make its renditions, store them, finish or fail.

Crash safety: renditions are made in a temporary folder, then saved to storage under new unique
names, and only then are the fields and the status set, in one transaction. A worker killed at any
point leaves either the old state or the new one (at worst an unreferenced rendition file).

Liveness: a claim counts one more attempt (`attempts` is the attempt's token) and stamps
`heartbeat`; the task renews it every MEDIA_HEARTBEAT_SECONDS while it works (between ffmpeg's
slices, between copied blocks). Processing whose heartbeat is silent for
MEDIA_HEARTBEAT_STALE_SECONDS lost its worker: it may be claimed again (requeue, the owner's
retry). Finishing and failing compare the attempt (compare-and-set), and a heartbeat that finds
its attempt replaced stops the work and kills ffmpeg, so a presumed-dead attempt that wakes up
can never overwrite the newer one: the file is finished exactly once. ffmpeg dies with its worker
(children.die_with_parent) and the work folder of a dead worker is swept
(children.sweep_work_folders). Originals are never written to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhengji.common import audit

from ..models import MediaFile, MediaStatus
from ..signals import media_ready
from . import children, renditions
from . import probe as probing

log = logging.getLogger(__name__)
RENDITION_FIELDS = ("thumbnail", "web", "preview")


def stale_after() -> dt.timedelta:
    """How long a queued (pending) file may wait before its task is presumed lost."""
    return dt.timedelta(seconds=getattr(settings, "MEDIA_PROCESSING_STALE_SECONDS", 2 * 3600))


def silent_after() -> dt.timedelta:
    """How long a running task's heartbeat may be silent before its worker is presumed dead."""
    return dt.timedelta(seconds=getattr(settings, "MEDIA_HEARTBEAT_STALE_SECONDS", 180))


def is_stale(media: MediaFile, now: dt.datetime | None = None) -> bool:
    """Processing whose heartbeat is silent: its worker is presumed dead."""
    now = now or timezone.now()
    last = media.heartbeat or media.updated
    return media.status == MediaStatus.PROCESSING and last < now - silent_after()


def stale_processing(now: dt.datetime | None = None) -> Q:
    """The rows `is_stale` says yes to, as a filter."""
    cutoff = (now or timezone.now()) - silent_after()
    return Q(status=MediaStatus.PROCESSING) & (
        Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, updated__lt=cutoff))


class Superseded(Exception):
    """This attempt was taken over (presumed dead, retried): stop without touching the row."""


class Heartbeat:
    """Renews the heartbeat of one attempt at most every MEDIA_HEARTBEAT_SECONDS (call it as
    often as convenient); raises Superseded when the attempt is no longer the current one."""

    def __init__(self, media_id: int, attempt: int):
        self.media_id = media_id
        self.attempt = attempt
        self.every = float(getattr(settings, "MEDIA_HEARTBEAT_SECONDS", 15))
        self.last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last < self.every:
            return
        self.last = time.monotonic()
        alive = MediaFile.objects.filter(pk=self.media_id, status=MediaStatus.PROCESSING,
                                         attempts=self.attempt).update(heartbeat=timezone.now())
        if not alive:
            raise Superseded(f"media {self.media_id} attempt {self.attempt}")


def lock_media(pk: int) -> MediaFile | None:
    """The row, locked for this transaction (no ordering, no joins: PostgreSQL refuses FOR UPDATE
    on the nullable side of an outer join)."""
    return MediaFile.objects.select_for_update(of=("self",)).order_by().filter(pk=pk).first()


# --- the task body --------------------------------------------------------------------------

def _claim(media_id: int) -> MediaFile | None:
    with transaction.atomic():
        media = lock_media(media_id)
        if media is None or media.status == MediaStatus.READY:
            return None
        if media.status == MediaStatus.PROCESSING and not is_stale(media):
            return None  # another worker is on it
        media.status = MediaStatus.PROCESSING
        media.attempts += 1
        media.error = ""
        media.heartbeat = timezone.now()
        media.save(update_fields=["status", "attempts", "error", "heartbeat", "updated"])
        return media


def _store(media: MediaFile, outputs: dict[str, Path]) -> dict[str, str]:
    """Save rendition files under new unique names; on any error remove what was saved."""
    storage = media.original.storage
    token = secrets.token_hex(6)
    saved: dict[str, str] = {}
    try:
        for field, path in outputs.items():
            name = f"renditions/{media.pk}/{token}-{field}{path.suffix}"
            with open(path, "rb") as fh:
                saved[field] = storage.save(name, File(fh, name=path.name))
    except BaseException:
        _delete_names(storage, saved.values())
        raise
    return saved


def _delete_names(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        if name and name.startswith("renditions/"):  # never an original
            with contextlib.suppress(Exception):
                storage.delete(name)


def _finish(media_id: int, attempt: int, saved: dict[str, str], extra_probe: dict[str, Any]) -> bool:
    storage = MediaFile._meta.get_field("original").storage
    try:
        with transaction.atomic():
            media = lock_media(media_id)
            if media is None or media.status != MediaStatus.PROCESSING or media.attempts != attempt:
                # Deleted meanwhile, or someone else took over (a retry after we were presumed
                # dead): theirs wins.
                _delete_names(storage, saved.values())
                return False
            before = audit.snapshot(media, ["status", *RENDITION_FIELDS])
            old = [getattr(media, f).name for f in RENDITION_FIELDS]
            for f in RENDITION_FIELDS:
                setattr(media, f, saved.get(f, ""))
            if extra_probe:
                media.probe = {**media.probe, **extra_probe}
            media.status = MediaStatus.READY
            media.error = ""
            media.save()
            audit.record("media.processed", media, actor=None, before=before,
                         after=audit.snapshot(media, ["status", *RENDITION_FIELDS]))
            stale = [n for n in old if n and n not in saved.values()]
            transaction.on_commit(lambda: _delete_names(storage, stale))
            transaction.on_commit(lambda: media_ready.send(sender=MediaFile, media_id=media_id))
    except BaseException:
        _delete_names(storage, saved.values())
        raise
    return True


def _fail(media_id: int, attempt: int, summary: str, detail: str) -> None:
    with transaction.atomic():
        media = lock_media(media_id)
        if media is None or media.status != MediaStatus.PROCESSING or media.attempts != attempt:
            return
        media.status = MediaStatus.FAILED
        media.error = summary + (f"\n\n{detail.strip()[-1500:]}" if detail.strip() else "")
        media.save(update_fields=["status", "error", "updated"])
        audit.record("media.processing_failed", media, actor=None, after={"status": media.status},
                     reason=summary)


def run_processing(media_id: int) -> str:
    """Make the renditions of one media. Returns "ready", "failed" or "skipped"."""
    media = _claim(media_id)
    if media is None:
        return "skipped"
    attempt = media.attempts
    beat = Heartbeat(media_id, attempt)
    # Stored reasons are read by people of any language later; keep them in the site language.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            storage = media.original.storage
            suffix = Path(media.original.name).suffix
            with children.work_folder() as tmp:
                with probing.local_copy(storage, media.original.name, suffix=suffix, dir=tmp, beat=beat) as src:
                    outputs = renditions.renditions(media.kind, src, tmp, duration=media.duration, beat=beat)
                beat()
                extra: dict[str, Any] = {}
                if "preview" in outputs:
                    with contextlib.suppress(probing.ProbeError):
                        extra["preview"] = probing.summarize(probing.ffprobe(outputs["preview"]))
                saved = _store(media, outputs)
            done = _finish(media_id, attempt, saved, extra)
            return "ready" if done else "skipped"
        except Superseded:
            log.warning("processing media %s: attempt %s was taken over; stopped", media_id, attempt)
            return "skipped"
        except renditions.ProcessingError as exc:
            _fail(media_id, attempt, exc.summary, exc.detail)
            return "failed"
        except Exception as exc:
            log.exception("processing media %s failed", media_id)
            _fail(media_id, attempt, _("Processing failed unexpectedly. Please try again later."),
                  "".join(traceback.format_exception_only(type(exc), exc)))
            return "failed"
