"""Background work for uploads: remove expired or abandoned uploads and their staging bytes.

Run it from cron with `manage.py cleanup_uploads` (or enqueue `cleanup_uploads` on the task
queue); it is idempotent and safe to run while uploads are in progress (a live write lease is
never touched)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def cleanup_uploads() -> int:
    return services.cleanup_expired()
