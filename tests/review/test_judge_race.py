"""Concurrent saves of one judge's score on PostgreSQL (autosave and a click at once, two tabs):
one Score row, no integrity error, the last write wins whole (separate connections, one barrier)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.review import builders_judge as bj
from tests.review.builders import ReviewWorld
from zhengji.entries.models import EntryStatus
from zhengji.review.domain.scoring import save_score
from zhengji.review.models import Score, ScoreStatus


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_score_make_one_row():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    w = ReviewWorld()
    (entry,) = w.reported(1, status=EntryStatus.ELIGIBLE)
    seat = w.judge(None)
    rnd = w.scoring_round()
    c1, c2 = list(rnd.criteria.all())
    (a,) = bj.assign(w, rnd, [entry], seat.user)
    n = 6
    barrier = threading.Barrier(n)
    errors: list[Exception] = []

    def go(i):
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            save_score(seat.user, a.pk, {c1.pk: i, c2.pk: i}, submit=i % 2 == 0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    s = Score.objects.get(assignment=a)
    # Once one submission got in, every later save kept it submitted.
    assert s.status == ScoreStatus.SUBMITTED
    v = s.values[str(c1.pk)]
    assert s.values == {str(c1.pk): v, str(c2.pk): v} and float(s.total) == 2 * v
