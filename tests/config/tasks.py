"""A task for the worker tests (importable by a worker subprocess run from the project root)."""

from django_tasks import task


@task()
def multiply(a: int, b: int) -> int:
    return a * b
