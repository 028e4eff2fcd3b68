"""State changes of a MediaFile's processing that people and schedulers ask for: queue it,
retry it, requeue lost tasks. The task body itself is `runner.run_processing`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import User
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted

from ..models import MediaFile, MediaStatus
from . import children
from .runner import is_stale, lock_media, stale_after, stale_processing
from .tasks import process_media


def is_stuck(media: MediaFile, now: dt.datetime | None = None) -> bool:
    """The task or its worker was lost: processing with a silent heartbeat, or queued for longer
    than any queue takes."""
    now = now or timezone.now()
    if media.status == MediaStatus.PROCESSING:
        return is_stale(media, now)
    return media.status == MediaStatus.PENDING and media.updated < now - stale_after()


def can_retry(media: MediaFile) -> bool:
    return media.status == MediaStatus.FAILED or is_stuck(media)


def enqueue_processing(media: MediaFile) -> None:
    """Queue the processing task once the current transaction commits (a worker must see the row)."""
    pk = media.pk

    def _go() -> None:
        process_media.enqueue(pk)

    transaction.on_commit(_go)


def requeue_stuck(now: dt.datetime | None = None) -> list[int]:
    """Queue again every media whose task was lost: processing with a silent heartbeat (its worker
    died), or pending for longer than MEDIA_PROCESSING_STALE_SECONDS (its task was lost). Each is
    set back to pending first (so a presumed-dead attempt that wakes up can no longer finish, and
    the next run does not queue it twice). Run by the scheduler every MEDIA_REQUEUE_INTERVAL and
    by `manage.py media_requeue`."""
    now = now or timezone.now()
    stuck = stale_processing(now) | Q(status=MediaStatus.PENDING, updated__lt=now - stale_after())
    ids: list[int] = []
    for pk in MediaFile.objects.filter(stuck).order_by("pk").values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            media = lock_media(pk)
            if media is None or not is_stuck(media, now):
                continue  # finished or claimed meanwhile
            before = audit.snapshot(media, ["status", "attempts"])
            media.status = MediaStatus.PENDING
            media.save(update_fields=["status", "updated"])
            audit.record("media.requeued", media, actor=None, before=before,
                         after=audit.snapshot(media, ["status", "attempts"]),
                         reason="processing heartbeat silent" if before["status"] == MediaStatus.PROCESSING
                         else "queued too long")
        process_media.enqueue(pk)  # committed: a worker sees the pending row
        ids.append(pk)
    return ids


def sweep_work_folders() -> list[str]:
    """Remove the temporary folders of dead workers on this machine (see children)."""
    return children.sweep_work_folders()


# --- user actions ---------------------------------------------------------------------------

@transaction.atomic
def retry_processing(actor: User, media: MediaFile) -> MediaFile:
    """Queue a failed (or stuck) media for processing again, from scratch. Owner or admins."""
    if not actor.has_perm("media.retry_processing", media):
        raise NotPermitted(_("You may not retry the processing of this file."))
    locked = lock_media(media.pk)
    if locked is None:
        raise NotFound(_("This file no longer exists."))
    media = locked
    if media.status == MediaStatus.READY:
        raise DomainError(_("This file has been processed already."), code="already_ready")
    if not can_retry(media):
        raise DomainError(_("This file is being processed now; please wait."), code="in_progress", status=409)
    before = audit.snapshot(media, ["status", "error", "attempts"])
    media.status = MediaStatus.PENDING
    media.error = ""
    media.save(update_fields=["status", "error", "updated"])
    audit.record("media.retry", media, actor=actor, before=before,
                 after=audit.snapshot(media, ["status", "error", "attempts"]))
    enqueue_processing(media)
    return media
