"""Concurrent applies of one preview on PostgreSQL: exactly one writes the assignment, the others
are refused as stale; concurrent manual additions of one judge to one entry: one row."""

from __future__ import annotations

import pytest

from tests.concurrency import at_once, needs_postgresql
from tests.review.builders_assign import AssignWorld, active
from zhengji.common.models import AuditLog
from zhengji.review.domain import assignment as assign

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(n, fn):
    ok, refused = at_once(n, fn)
    return ok, [exc.code for exc in refused]


def test_concurrent_applies_write_once():
    needs_postgresql()
    w = AssignWorld()
    w.judge(None), w.city_judge(0), w.city_judge(1), w.city_judge(2)
    r, entries = w.round_with(6, k=2)
    plan = assign.preview(w.host_staff, r)
    staff = [w.host_staff, w.campaign_admin, w.host_staff]
    ok, refused = run_together(3, lambda i: assign.apply(staff[i], r, plan.hash))
    assert len(ok) == 1 and refused == ["stale", "stale"]
    assert active(r).count() == 12
    assert AuditLog.objects.filter(action="review.assign_apply").count() == 1


def test_concurrent_manual_adds_make_one_row():
    needs_postgresql()
    w = AssignWorld()
    judge = w.judge(None)
    r, entries = w.round_with(2, k=1)
    ok, refused = run_together(3, lambda i: assign.add(w.host_staff, r, entries[0], judge.user))
    assert len(ok) == 1 and refused == ["already_assigned", "already_assigned"]
    assert active(r).count() == 1
