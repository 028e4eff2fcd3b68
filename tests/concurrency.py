"""Run one function from several threads at once, each on its own database connection (PostgreSQL
race tests: SQLite's test database is one in-memory connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from zhengji.common.errors import DomainError


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")


def at_once(n: int, fn: Callable[[int], Any]) -> tuple[list[int], list[DomainError]]:
    """Call fn(0) … fn(n-1) in n threads released together. Returns the indexes that succeeded
    and the domain refusals; any other exception fails the test."""
    barrier = threading.Barrier(n)
    ok: list[int] = []
    refused: list[DomainError] = []
    errors: list[BaseException] = []

    def go(i: int) -> None:
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            fn(i)
            ok.append(i)
        except DomainError as exc:
            refused.append(exc)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return ok, refused
