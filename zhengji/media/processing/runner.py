"""The processing task's body: claim a MediaFile, make its renditions, store them, finish or fail.

Crash safety: renditions are made in a temporary folder, then saved to storage under new unique
names, and only then are the fields and the status set, in one transaction. A worker killed at any
point leaves either the old state or the new one (at worst an unreferenced rendition file). A
media left "processing" longer than MEDIA_PROCESSING_STALE_SECONDS, or "failed", is processed
again from scratch when its task runs again. Originals are never written to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import tempfile
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhengji.common import audit

from ..models import MediaFile, MediaStatus
from . import probe as probing
from . import renditions

log = logging.getLogger(__name__)
RENDITION_FIELDS = ("thumbnail", "web", "preview")


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "MEDIA_PROCESSING_STALE_SECONDS", 2 * 3600))


def is_stale(media: MediaFile, now: dt.datetime | None = None) -> bool:
    """Processing that has run longer than any real job: its worker is presumed dead."""
    now = now or timezone.now()
    return media.status == MediaStatus.PROCESSING and media.updated < now - stale_after()


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
        media.save(update_fields=["status", "attempts", "error", "updated"])
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
    # Stored reasons are read by people of any language later; keep them in the site language.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            storage = media.original.storage
            suffix = Path(media.original.name).suffix
            with tempfile.TemporaryDirectory(prefix="zj-media-", dir=getattr(settings, "MEDIA_WORK_DIR", None)) as tmp:
                with probing.local_copy(storage, media.original.name, suffix=suffix) as src:
                    outputs = renditions.renditions(media.kind, src, Path(tmp), duration=media.duration)
                extra: dict[str, Any] = {}
                if "preview" in outputs:
                    with contextlib.suppress(probing.ProbeError):
                        extra["preview"] = probing.summarize(probing.ffprobe(outputs["preview"]))
                saved = _store(media, outputs)
            done = _finish(media_id, attempt, saved, extra)
            return "ready" if done else "skipped"
        except renditions.ProcessingError as exc:
            _fail(media_id, attempt, exc.summary, exc.detail)
            return "failed"
        except Exception as exc:
            log.exception("processing media %s failed", media_id)
            _fail(media_id, attempt, _("Processing failed unexpectedly. Please try again later."),
                  "".join(traceback.format_exception_only(type(exc), exc)))
            return "failed"


