"""The counts kept by the workflow hooks equal a rebuild from scratch after any sequence of
submissions, returns, resubmissions, recommendations, rejections, withdrawals and reports."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.entries.builders import worker
from zhengji.common.errors import DomainError
from zhengji.entries import services as entry_services
from zhengji.entries.models import Entry, EntryStatus
from zhengji.reporting import services as reporting
from zhengji.stats import tally
from zhengji.stats.models import StatusTally

pytestmark = pytest.mark.django_db

OPS = ["new", "return", "resubmit", "withdraw", "recommend", "reject", "report"]
UNITS = ["ya1", "ya2", "jq1"]


def _pick(sw, status: str, k: int) -> Entry | None:
    found = list(Entry.objects.filter(track__campaign=sw.campaign, status=status).order_by("pk"))
    return found[k % len(found)] if found else None


def _apply(sw, workers, admins, op: str, k: int) -> None:
    S = EntryStatus
    try:
        if op == "new":
            unit = UNITS[k % 3]
            sw.submitted(workers[unit][k % 2], unit=unit, track=sw.track if k % 4 else sw.other_track)
        elif op in ("return", "recommend", "reject"):
            e = _pick(sw, S.SUBMITTED, k)
            if e is None:
                return
            level, admin = e.unit, admins[e.unit.code]
            if op == "return":
                reporting.return_for_revision(admin, [e], level, "请修改")
            elif op == "recommend":
                reporting.recommend(admin, [e], level)
            else:
                reporting.reject(admin, [e], level, "不符合要求")
        elif op == "resubmit":
            e = _pick(sw, S.RETURNED, k)
            if e is not None:
                entry_services.submit(e.submitter, e, pledge=True)
        elif op == "withdraw":
            e = _pick(sw, S.SUBMITTED, k) or _pick(sw, S.RETURNED, k)
            if e is not None:
                entry_services.withdraw(e.submitter, e)
        elif op == "report":
            e = _pick(sw, S.RECOMMENDED, k)
            if e is not None:
                pos = e.chain_position
                batch = reporting.create_batch(admins[pos.level.code], pos.level, e.track)
                reporting.send_batch(admins[pos.level.code], batch)
    except DomainError:
        pass  # refused (quota, state): the step rolled back with its counts


@pytest.fixture
def world(sw):
    workers = {u: [worker(sw.tree[u]), worker(sw.tree[u])] for u in UNITS}
    admins = {sw.tree["ya1"].code: sw.ya1_admin, sw.tree["jq1"].code: sw.jq1_admin,
              sw.tree["ya2"].code: sw.yian_admin, sw.tree["yian"].code: sw.yian_admin,
              sw.tree["jiao"].code: sw.jiao_admin, sw.tree["city"].code: sw.city_admin}
    return sw, workers, admins


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 11)), min_size=3, max_size=9))
def test_incremental_equals_rebuild(world, steps):
    sw, workers, admins = world
    _apply(sw, workers, admins, "new", len(steps))
    for op, k in steps:
        _apply(sw, workers, admins, op, k)
    incremental = tally.snapshot(sw.campaign.pk)
    tally.rebuild([sw.campaign.pk])
    assert tally.snapshot(sw.campaign.pk) == incremental
    counted = Entry.objects.filter(track__campaign=sw.campaign, status__in=tally.COUNTED).count()
    root = sw.tree["province"].path
    assert sum(StatusTally.objects.filter(campaign=sw.campaign, path=root).values_list("n", flat=True)) == counted


def test_rebuild_command(sw, capsys):
    sw.scenario()
    before = tally.snapshot(sw.campaign.pk)
    StatusTally.objects.all().delete()
    call_command("rebuild_stats", str(sw.campaign.pk))
    assert "StatusTally" in capsys.readouterr().out
    assert tally.snapshot(sw.campaign.pk) == before
    call_command("rebuild_stats")
    assert tally.snapshot(sw.campaign.pk) == before
