"""Concurrent recommends on PostgreSQL never exceed the quota (separate connections, one barrier)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from zhengji.common.errors import QuotaExceeded
from zhengji.reporting import services
from zhengji.reporting.models import ChainPosition, QuotaCounter

from .builders import ReportWorld


@pytest.mark.django_db(transaction=True)
def test_concurrent_recommends_never_exceed_the_quota():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    rw = ReportWorld(quotas={"grassroots": 3})
    entries = rw.many(6)
    admins = [rw.ya1_admin, rw.ya1_admin2]
    level = rw.tree["ya1"]
    ok, refused, errors = [], [], []
    barrier = threading.Barrier(len(entries))

    def go(i, e):
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            services.recommend(admins[i % 2], [e.pk], level)
            ok.append(e.pk)
        except QuotaExceeded:
            refused.append(e.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(i, e)) for i, e in enumerate(entries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(ok) == 3 and len(refused) == 3
    assert ChainPosition.objects.filter(level=level, recommended=True).count() == 3
    assert QuotaCounter.objects.get(org=level, track=rw.track).used == 3
