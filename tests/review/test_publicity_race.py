"""The daily objection limit holds under concurrent requests on PostgreSQL: eight objections of
one user at once, exactly five filed, three refused (the publicity row is locked while counting)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.review.builders_publicity import PublicityWorld
from zhengji.review.domain import publicity as domain
from zhengji.review.models import Objection


@pytest.mark.django_db(transaction=True)
def test_concurrent_objections_keep_the_daily_limit():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    w = PublicityWorld(n=4)
    pub = w.publicity()
    n = domain.OBJECTIONS_PER_DAY + 3
    ok, refused, errors = [], [], []
    barrier = threading.Barrier(n)

    def go(i):
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            domain.file_objection(w.objector, pub, w.awarded[i % 3], "张三", "单位", f"理由{i}")
            ok.append(i)
        except domain.RateLimited as exc:
            refused.append(exc.code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(ok) == domain.OBJECTIONS_PER_DAY and refused == ["rate_limited"] * 3
    assert Objection.objects.filter(publicity=pub, objector=w.objector).count() == domain.OBJECTIONS_PER_DAY
