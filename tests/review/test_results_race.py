"""On PostgreSQL, a change that passed `ensure_not_frozen` and a freeze never interleave: the
freeze waits for the change to commit and its snapshot holds the changed score."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from tests.review.builders_results import Scored
from zhengji.review.domain import results as domain
from zhengji.review.models import Score


@pytest.mark.django_db(transaction=True)
def test_a_freeze_waits_for_a_change_in_flight():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    s = Scored()
    w = s.w
    target = Score.objects.get(entry=s.entries[0], judge=s.judges[0].user)
    checked = threading.Event()
    errors: list[Exception] = []
    snaps = []

    def change():
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            with transaction.atomic():
                domain.ensure_not_frozen(w.track)
                checked.set()
                time.sleep(0.5)  # the freeze starts meanwhile
                Score.objects.filter(pk=target.pk).update(total=Decimal("81"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    def freeze():
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            checked.wait(5)
            snaps.append(domain.freeze(w.host_staff, w.track))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=change), threading.Thread(target=freeze)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    (snap,) = snaps
    judge = domain.judge_pseudonym(w.track.pk, s.judges[0].user_id)
    frozen = next(sc for sc in snap.data["rounds"][0]["scores"]
                  if sc["entry"] == s.entries[0].pk and sc["judge"] == judge)
    assert frozen["total"] == "81.0000"
