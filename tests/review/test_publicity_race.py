"""The daily objection limit holds under concurrent requests on PostgreSQL: eight objections of
one user at once, exactly five filed, three refused (the publicity row is locked while counting)."""

from __future__ import annotations

import pytest

from tests.concurrency import at_once, needs_postgresql
from tests.review.builders_publicity import PublicityWorld
from zhengji.review.domain import publicity as domain
from zhengji.review.models import Objection


@pytest.mark.django_db(transaction=True)
def test_concurrent_objections_keep_the_daily_limit():
    needs_postgresql()
    w = PublicityWorld(n=4)
    pub = w.publicity()
    n = domain.OBJECTIONS_PER_DAY + 3
    ok, refused = at_once(n, lambda i: domain.file_objection(w.objector, pub, w.awarded[i % 3], "张三", "单位",
                                                          f"理由{i}"))
    assert all(isinstance(exc, domain.RateLimited) for exc in refused)
    assert len(ok) == domain.OBJECTIONS_PER_DAY and [exc.code for exc in refused] == ["rate_limited"] * 3
    assert Objection.objects.filter(publicity=pub, objector=w.objector).count() == domain.OBJECTIONS_PER_DAY
