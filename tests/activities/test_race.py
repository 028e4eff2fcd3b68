"""Concurrent registrations of one phone number on PostgreSQL: exactly one volunteer, the others
get the clear duplicate message (separate connections, one barrier)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from zhengji.activities import services
from zhengji.activities.models import Volunteer

from .builders import ActWorld


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_phone():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    aw = ActWorld()
    admins = [(aw.ya1_admin, "ya1"), (aw.jiao_admin, "jq1"), (aw.city_admin, "ya2"), (aw.yian_admin, "ya1")]
    ok, refused, errors = [], [], []
    barrier = threading.Barrier(len(admins))

    def go(admin, unit):
        from django.db import connection as conn  # noqa: PLC0415 (this thread's own connection)

        try:
            barrier.wait()
            services.create_volunteer(admin, aw.campaign, services.VolunteerData(
                org_id=aw.tree[unit].pk, name="同号", phone="13500001234"))
            ok.append(admin.pk)
        except services.Invalid as exc:
            refused.append(exc.code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=a) for a in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(ok) == 1 and refused == ["duplicate_phone"] * 3
    assert Volunteer.objects.filter(campaign=aw.campaign, phone="13500001234").count() == 1
