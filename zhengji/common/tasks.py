"""Generic background jobs shared by the apps."""

from __future__ import annotations

from django.utils.module_loading import import_string
from django_tasks import task


@task()
def run_job(path: str) -> str:
    """Run a periodic job (a plain function named by its dotted path) on the task queue."""
    result = import_string(path)()
    return repr(result)[:200]
