"""Casting votes: the limits, the local day, the refusals, the tallies, the judging provider."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from tests import factories as f
from zhengji.common import registry
from zhengji.common.errors import NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries.models import EntryStatus
from zhengji.public.domain import votes
from zhengji.public.domain.votes import Origin, VoteRefused
from zhengji.public.models import Vote, VoteDayCounter, VoteTally

pytestmark = pytest.mark.django_db
ORIGIN = Origin(network="10.1.2.0/24", device="abc")


def test_a_vote_is_counted_logged_and_tallied(world):
    e = world.entries[0]
    cast = votes.cast(world.voter, e.pk, origin=ORIGIN)
    assert cast.count == 1 and cast.remaining_today == 2 and not cast.held
    v = Vote.objects.get()
    assert (v.user_id, v.entry_id, v.network, v.device, v.state) == (world.voter.pk, e.pk, "10.1.2.0/24", "abc",
                                                                     "counted")
    assert v.day == timezone.now().astimezone(votes.ZONE).date()
    assert VoteTally.objects.get(entry=e).counted == 1
    assert registry.vote_counts.counts(world.track.pk, [e.pk, world.entries[1].pk]) == {e.pk: 1,
                                                                                         world.entries[1].pk: 0}


def test_one_vote_per_entry_per_day_with_a_clear_message(world):
    e = world.entries[0]
    votes.cast(world.voter, e.pk)
    with pytest.raises(VoteRefused) as exc:
        votes.cast(world.voter, e.pk)
    assert exc.value.code == "entry_quota" and "今天已为该作品投过票" in str(exc.value.message)
    # The refused vote took nothing from the track's daily quota.
    assert VoteDayCounter.objects.get(user=world.voter, entry_key=0).used == 1
    assert VoteTally.objects.get(entry=e).counted == 1


def test_track_quota_per_account_per_day(world):
    more = world.entry("第四个")
    for e in world.entries:
        votes.cast(world.voter, e.pk)
    with pytest.raises(VoteRefused) as exc:
        votes.cast(world.voter, more.pk)
    assert exc.value.code == "track_quota" and "投票次数已用完" in str(exc.value.message)
    # The per-entry counter of the refused vote was rolled back with it.
    assert not VoteDayCounter.objects.filter(user=world.voter, entry_key=more.pk).exists()
    assert not VoteTally.objects.filter(entry=more).exists()


def test_the_quota_resets_on_the_next_local_day(world):
    e = world.entries[0]
    # 23:50 in Beijing is 15:50 UTC: the day turns at 16:00 UTC.
    with time_machine.travel(dt.datetime(2025, 6, 10, 15, 50, tzinfo=dt.UTC), tick=False):
        world.window.opens_at = timezone.now() - dt.timedelta(days=1)
        world.window.save()
        votes.cast(world.voter, e.pk)
        with pytest.raises(VoteRefused):
            votes.cast(world.voter, e.pk)
    with time_machine.travel(dt.datetime(2025, 6, 10, 15, 59, 59, tzinfo=dt.UTC), tick=False), \
            pytest.raises(VoteRefused):
        votes.cast(world.voter, e.pk)
    with time_machine.travel(dt.datetime(2025, 6, 10, 16, 0, 1, tzinfo=dt.UTC), tick=False):
        assert votes.cast(world.voter, e.pk).count == 2
    assert sorted(Vote.objects.values_list("day", flat=True)) == [dt.date(2025, 6, 10), dt.date(2025, 6, 11)]


def test_a_higher_quota_applies_to_todays_counter(world):
    e = world.entries[0]
    votes.cast(world.voter, e.pk)
    world.window.per_entry_daily = 2
    world.window.save()
    votes.cast(world.voter, e.pk)
    with pytest.raises(VoteRefused) as exc:
        votes.cast(world.voter, e.pk)
    assert "今天对该作品的投票次数已用完" in str(exc.value.message)


@pytest.mark.parametrize("case", ["anonymous", "unverified", "closed", "not_open", "off", "no_window", "hidden",
                                  "draft_campaign"])
def test_refusals(world, case):
    e = world.entries[0]
    user = world.voter
    code = {"anonymous": "login_required", "unverified": "phone_unverified", "closed": "closed",
            "not_open": "not_open", "off": "no_vote", "no_window": "no_vote", "hidden": "not_found",
            "draft_campaign": "not_found"}[case]
    now = timezone.now()
    if case == "anonymous":
        user = AnonymousUser()
    elif case == "unverified":
        user = f.user()
        user.phone_verified = False
        user.save()
    elif case == "closed":
        world.window.closes_at = now - dt.timedelta(minutes=1)
        world.window.opens_at = now - dt.timedelta(days=2)
        world.window.save()
    elif case == "not_open":
        world.window.opens_at = now + dt.timedelta(hours=1)
        world.window.save()
    elif case == "off":
        world.window.enabled = False
        world.window.save()
    elif case == "no_window":
        e = world.entry(track=f.track(world.campaign, world.tree["city"], number=2))
    elif case == "hidden":
        e = world.entry(status=EntryStatus.SUBMITTED)
    elif case == "draft_campaign":
        world.campaign.is_published = False
        world.campaign.save()
    with pytest.raises(VoteRefused) as exc:
        votes.cast(user, e.pk)
    assert exc.value.code == code
    assert not Vote.objects.exists()


def test_set_window_is_for_host_staff_and_campaign_admins_and_audited(world):
    now = timezone.now()
    kw = dict(enabled=True, opens_at=now, closes_at=now + dt.timedelta(days=3), per_entry_daily=2,
              per_account_daily=20, show_counts=False)
    with pytest.raises(NotPermitted):
        votes.set_window(f.user(), world.track, **kw)
    staff = f.user()
    f.grant(staff, "host_staff", track=world.track)
    w = votes.set_window(staff, world.track, **kw)
    assert (w.per_entry_daily, w.per_account_daily, w.show_counts) == (2, 20, False)
    log = AuditLog.objects.get(action="vote.window")
    assert log.campaign_id == world.campaign.pk
    admin = f.user()
    f.grant(admin, "campaign_admin", campaign=world.campaign)
    with pytest.raises(Exception) as exc:
        votes.set_window(admin, world.track, **{**kw, "closes_at": now - dt.timedelta(days=1)})
    assert "结束时间" in str(exc.value.message) or exc.value.field == "closes_at"


def test_hidden_counts_are_not_returned(db):
    from .conftest import build_world

    w = build_world(show_counts=False)
    assert votes.cast(w.voter, w.entries[0].pk).count is None
    assert registry.vote_counts.counts(w.track.pk, [w.entries[0].pk]) == {w.entries[0].pk: 1}


def test_vote_path_query_count(world, django_assert_max_num_queries):
    votes.cast(world.voter, world.entries[0].pk)
    # A cold gate: the entry with its window (one read), then the writes.
    # The writes: PostgreSQL, one statement (zj_cast_vote) in the test's savepoint; SQLite, the
    # savepoint, the account's standing, 2 counters, the log row, the tally, the release.
    writes = 3 if connection.vendor == "postgresql" else 7
    with django_assert_max_num_queries(writes + 1):
        votes.cast(world.voter, world.entries[1].pk)
    # A warm gate (cached for VOTE_GATE_CACHE_SECONDS): the writes only.
    votes.gate_of(world.entries[2].pk)
    with django_assert_max_num_queries(writes):
        votes.cast(world.voter, world.entries[2].pk)
