"""Background work of the reporting app (django-tasks: the worker runs them, tests run them
immediately): the check and the apply of an entry import."""

from __future__ import annotations

from django_tasks import task

from . import imports


@task()
def check_import(import_id: int) -> str:
    """Check every row of an uploaded import (the preview's errors)."""
    return imports.check(import_id).status


@task()
def apply_import(import_id: int) -> str:
    """Create the import's entries, all or nothing."""
    return imports.apply(import_id).status
