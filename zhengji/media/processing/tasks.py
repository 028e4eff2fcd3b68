"""Background tasks of media processing (django-tasks; the db_worker runs them, tests run them
immediately)."""

from __future__ import annotations

from django_tasks import task

from .runner import run_processing


@task()
def process_media(media_id: int) -> str:
    """Make the renditions of one MediaFile; safe to run twice or after a crash."""
    return run_processing(media_id)
