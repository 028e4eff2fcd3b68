"""Concurrent saves of one judge's score on PostgreSQL (autosave and a click at once, two tabs):
one Score row, no integrity error, the last write wins whole (separate connections, one barrier)."""

from __future__ import annotations

import pytest

from tests.concurrency import at_once, needs_postgresql
from tests.review import builders_judge as bj
from tests.review.builders import ReviewWorld
from zhengji.entries.models import EntryStatus
from zhengji.review.domain.scoring import save_score
from zhengji.review.models import Score, ScoreStatus


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_score_make_one_row():
    needs_postgresql()
    w = ReviewWorld()
    (entry,) = w.reported(1, status=EntryStatus.ELIGIBLE)
    seat = w.judge(None)
    rnd = w.scoring_round()
    c1, c2 = list(rnd.criteria.all())
    (a,) = bj.assign(w, rnd, [entry], seat.user)
    ok, refused = at_once(6, lambda i: save_score(seat.user, a.pk, {c1.pk: i, c2.pk: i}, submit=i % 2 == 0))
    assert len(ok) == 6 and refused == []
    s = Score.objects.get(assignment=a)
    # Once one submission got in, every later save kept it submitted.
    assert s.status == ScoreStatus.SUBMITTED
    v = s.values[str(c1.pk)]
    assert s.values == {str(c1.pk): v, str(c2.pk): v} and float(s.total) == 2 * v
