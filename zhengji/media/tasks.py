"""Background tasks of media processing (django-tasks; the db_worker runs them, tests run them
immediately)."""

from __future__ import annotations

from django_tasks import task


@task()
def process_media(media_id: int) -> str:
    """Make the renditions of one MediaFile; safe to run twice or after a crash."""
    from .domain import run_processing

    return run_processing(media_id)
