"""Concurrent steps on PostgreSQL keep the counts right and do not deadlock: one worker's drafts
in two unions submitted at once (the distinct count of the shared ancestors must be 1), and
returns and resubmissions of other entries crossing each other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.entries.builders import GOOD_DATA, media, worker
from zhengji.entries import services as entry_services
from zhengji.entries.models import Entry
from zhengji.entries.services import Changes
from zhengji.reporting import services as reporting
from zhengji.stats import tally
from zhengji.stats.models import SubtreeTally

from .builders import StatsWorld


def _draft(sw, user, unit=None):
    e = entry_services.create_draft(user, sw.track, changes=Changes(title="并发", summary="简介",
                                                                     data=dict(GOOD_DATA)))
    if unit is not None:  # the same worker's entry counted for another union (moved membership)
        Entry.objects.filter(pk=e.pk).update(unit=unit)
        e.refresh_from_db()
    m = media(user, slot="photos")
    return entry_services.save_draft(user, e, Changes(files={"photos": [m.pk]}))


def _run(jobs):
    errors = []
    barrier = threading.Barrier(len(jobs))

    def go(job):
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            job()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_steps_keep_counts_right():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    sw = StatsWorld()
    w = worker(sw.tree["ya1"])
    drafts = [_draft(sw, w), _draft(sw, w, unit=sw.tree["ya2"]), _draft(sw, w)]
    returned = sw.many(2)
    reporting.return_for_revision(sw.ya1_admin, [returned[0]], sw.tree["ya1"], "请修改")
    returned[0].refresh_from_db()
    jobs = [lambda d=d: entry_services.submit(w, d, pledge=True) for d in drafts]
    jobs.append(lambda: entry_services.submit(returned[0].submitter, returned[0], pledge=True))
    jobs.append(lambda: reporting.return_for_revision(sw.ya1_admin, [returned[1]], sw.tree["ya1"], "请修改"))
    assert _run(jobs) == []
    yian = SubtreeTally.objects.get(campaign=sw.campaign, path=sw.tree["yian"].path)
    assert yian.participants == 3  # w, and the two workers of sw.many
    incremental = tally.snapshot(sw.campaign.pk)
    tally.rebuild([sw.campaign.pk])
    assert tally.snapshot(sw.campaign.pk) == incremental
