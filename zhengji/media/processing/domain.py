"""State changes of a MediaFile's processing that people and schedulers ask for: queue it,
retry it, requeue lost tasks. The task body itself is `runner.run_processing`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import User
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted

from ..models import MediaFile, MediaStatus
from .runner import lock_media, stale_after
from .tasks import process_media


def is_stuck(media: MediaFile, now: dt.datetime | None = None) -> bool:
    """Queued or processing for longer than any real job: the task or its worker was lost."""
    now = now or timezone.now()
    return (media.status in (MediaStatus.PENDING, MediaStatus.PROCESSING)
            and media.updated < now - stale_after())


def can_retry(media: MediaFile) -> bool:
    return media.status == MediaStatus.FAILED or is_stuck(media)


def enqueue_processing(media: MediaFile) -> None:
    """Queue the processing task once the current transaction commits (a worker must see the row)."""
    pk = media.pk

    def _go() -> None:
        process_media.enqueue(pk)

    transaction.on_commit(_go)


def requeue_stuck(now: dt.datetime | None = None) -> list[int]:
    """Queue again every media whose task was lost (pending or processing for too long). Run
    from `manage.py media_requeue` (e.g. hourly by cron or after restoring the task queue)."""
    cutoff = (now or timezone.now()) - stale_after()
    ids = list(MediaFile.objects.filter(status__in=[MediaStatus.PENDING, MediaStatus.PROCESSING],
                                        updated__lt=cutoff).order_by().values_list("pk", flat=True))
    for pk in ids:
        process_media.enqueue(pk)
    return ids


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
