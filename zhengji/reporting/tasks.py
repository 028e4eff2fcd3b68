"""Background work of the reporting app (django-tasks: the db_worker runs them, tests run them
immediately): the check and the apply of an entry import; and, when an entry reaches its track's
host unit, its recommendation forms rendered into the `RenderedFile` cache as the host's staff will
see them (phone masked, the site's language), and its files' copies without metadata made, so
the first download of the host's package does not wait for them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django_tasks import task

from zhengji.entries.models import Entry

from . import imports
from .documents import form_rows
from .package import RenderCache, cached_form, prepare_media


@task()
def check_import(import_id: int) -> str:
    """Check every row of an uploaded import (the preview's errors)."""
    return imports.check(import_id).status


@task()
def apply_import(import_id: int) -> str:
    """Create the import's entries, all or nothing."""
    return imports.apply(import_id).status


_cache: RenderCache | None = None


def _shared_cache() -> RenderCache:
    """One per worker process: the PDF engine's fonts are loaded once, not per task."""
    global _cache
    if _cache is None:
        _cache = RenderCache()
    _cache.rows.clear()
    return _cache


@task()
def render_host_forms(entry_id: int) -> str:
    entry = Entry.objects.select_related("track__campaign", "unit").filter(pk=entry_id).first()
    if entry is None:
        return "gone"
    with translation.override(settings.LANGUAGE_CODE):
        (row,) = form_rows([entry], None)
        cache = _shared_cache()
        for ext in ("xlsx", "pdf"):
            cached_form(row, ext, cache)
    prepare_media(entry)
    return row.number


def on_reported_to_host(entry: Entry, event: Any) -> None:
    """`workflow.on_applied("report_to_host")` hook (inside the step's transaction): render the
    entry's forms once the report is committed."""
    entry_id = entry.pk
    transaction.on_commit(lambda: render_host_forms.enqueue(entry_id), robust=True)
