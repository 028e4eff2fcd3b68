"""Automatic reminders are sent exactly once with two schedulers running: two real
`manage.py scheduler --once` processes (tasks run immediately in each), and four threads calling
the periodic job at once, against the real test database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from tests import factories as f
from tests.entries.builders import GOOD_DATA, worker
from zhengji.common.models import Notification
from zhengji.entries import services as entry_services
from zhengji.entries.services import Changes
from zhengji.reporting import reminders
from zhengji.reporting.models import DeliveryStatus, ReminderDelivery, ReminderKind, ReminderRound, ReminderSetting

from .builders import ReportWorld

ROOT = Path(__file__).resolve().parents[2]
N_DRAFTS = 30


def _world() -> tuple[ReportWorld, set[int]]:
    rw = ReportWorld()
    ReminderSetting.objects.create(campaign=rw.campaign, days_before=30)  # every deadline is within 30 days
    expected = set()
    for i in range(N_DRAFTS):
        u = worker(rw.tree["ya2" if i % 2 else "jq2"])
        entry_services.create_draft(u, rw.track, changes=Changes(title=f"草稿{i}", data=dict(GOOD_DATA)))
        expected.add(u.pk)
    for unit in ("ya2", "jq2"):  # two more silent units with an admin each (ya1, jq1 have theirs)
        expected.add(f.unit_admin(rw.tree[unit]).pk)
    expected |= {rw.ya1_admin.pk, rw.ya1_admin2.pk, rw.jq1_admin.pk}
    return rw, expected


def _db_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (f"postgresql://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@"
                               f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(s["NAME"])
    env.update(TASKS_IMMEDIATE="1", SMS_BACKEND="zhengji.common.sms.LocMemSMSBackend",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", DJANGO_SETTINGS_MODULE="zhengji.settings")
    return env


def _assert_exactly_once(expected: set[int]) -> None:
    per_user = Counter(Notification.objects.values_list("user_id", flat=True))
    assert set(per_user) == expected
    assert set(per_user.values()) == {1}, per_user
    assert ReminderDelivery.objects.count() == len(expected)
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert sorted(ReminderRound.objects.values_list("kind", flat=True)) == [ReminderKind.DRAFTS, ReminderKind.SILENT]


@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_send_each_reminder_once():
    if connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]):
        pytest.skip("the processes need a database file")  # pragma: no cover - settings use a file
    _rw, expected = _world()
    env = _db_env()
    cmd = [sys.executable, "manage.py", "scheduler", "--once"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
        assert "zhengji.reporting.reminders.run_due" in out
    _assert_exactly_once(expected)


@pytest.mark.django_db(transaction=True)
def test_four_threads_running_the_job_at_once_send_each_reminder_once():
    _rw, expected = _world()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def go() -> None:
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            results.append(reminders.run_due())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(r["rounds"] for r in results) == 2
    assert sum(r["sent"] for r in results) == len(expected)
    _assert_exactly_once(expected)
