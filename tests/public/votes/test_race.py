"""K concurrent votes from one account produce exactly the quota: each thread has its own database
connection (SQLite: the test database is a file, in WAL mode with IMMEDIATE transactions, so the
writers really queue on the lock; PostgreSQL: real row locks)."""

from __future__ import annotations

import pytest

from tests.concurrency import at_once
from zhengji.public.domain import votes
from zhengji.public.domain.votes import Origin
from zhengji.public.models import Vote, VoteDayCounter, VoteTally

from .conftest import build_world


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # The race is about the database counters, not the cache's rate rule.
    settings.VOTE_CHALLENGE_AFTER_ACCOUNT = 10_000
    settings.VOTE_RATE_MAX_ACCOUNT = 10_000


@pytest.mark.django_db(transaction=True)
def test_k_concurrent_votes_on_many_entries_give_exactly_the_track_quota():
    w = build_world(per_account=5, entries=12)
    ok, refused = at_once(12, lambda i: votes.cast(w.voter, w.entries[i].pk, origin=Origin(network="10.0.0.0/24")))
    assert len(ok) == 5 and len(refused) == 7
    assert {e.code for e in refused} == {"track_quota"}
    assert Vote.objects.filter(user=w.voter).count() == 5
    assert VoteDayCounter.objects.get(user=w.voter, entry_key=0).used == 5
    assert sum(VoteTally.objects.values_list("counted", flat=True)) == 5
    # Refused votes left no per-entry counter behind (rolled back with their transaction).
    assert VoteDayCounter.objects.exclude(entry_key=0).count() == 5


@pytest.mark.django_db(transaction=True)
def test_k_concurrent_votes_on_one_entry_give_exactly_one():
    w = build_world(per_account=50, entries=1)
    e = w.entries[0]
    ok, refused = at_once(10, lambda i: votes.cast(w.voter, e.pk))
    assert len(ok) == 1 and {x.code for x in refused} == {"entry_quota"}
    assert VoteTally.objects.get(entry=e).counted == 1
    assert VoteDayCounter.objects.get(user=w.voter, entry_key=0).used == 1
