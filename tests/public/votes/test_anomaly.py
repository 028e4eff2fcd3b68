"""Anomaly detection: a synthetic burst is flagged and left out of the count; releasing it puts it
back; confirming keeps it out; many votes from one network are held, and new ones with them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from zhengji.common import registry
from zhengji.common.errors import NotPermitted
from zhengji.common.models import AuditLog
from zhengji.public import votes_anomaly
from zhengji.public.domain import votes
from zhengji.public.domain.votes import Origin
from zhengji.public.models import AnomalyGroup, Vote, VoteTally

from .conftest import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.VOTE_ANOMALY_BURST_MIN = 8
    settings.VOTE_ANOMALY_BURST_FACTOR = 5
    settings.VOTE_ANOMALY_NETWORK_MAX = 6
    settings.VOTE_ANOMALY_DEVICE_MAX = 1000
    settings.VOTE_ANOMALY_FRESH_MAX = 1000
    settings.VOTE_CHALLENGE_AFTER_NETWORK = 10_000


def voters(n: int) -> list:
    return [f.user() for _ in range(n)]


def count(w, e) -> int:
    return registry.vote_counts.counts(w.track.pk, [e.pk])[e.pk]


def test_a_burst_is_flagged_left_out_and_released_back():
    w = build_world(entries=2)
    hot, calm = w.entries
    # A calm history: two votes yesterday (outside the scan window).
    old = timezone.now() - dt.timedelta(hours=5)
    for u in voters(2):
        votes.cast(u, hot.pk, origin=Origin(network=f"10.{u.pk % 250}.0.0/24"), at=old)
    votes.cast(w.voter, calm.pk)
    for i, u in enumerate(voters(10)):
        votes.cast(u, hot.pk, origin=Origin(network=f"172.16.{i}.0/24"))
    assert count(w, hot) == 12
    found = votes_anomaly.scan_track(w.track.pk)
    assert [g.kind for g in found] == ["burst"]
    g = found[0]
    assert g.entry_id == hot.pk and g.votes == 10
    assert count(w, hot) == 2 and count(w, calm) == 1
    assert VoteTally.objects.get(entry=hot).held == 10
    # A second scan does not flag the same votes twice.
    assert votes_anomaly.scan_track(w.track.pk) == []
    admin = f.user()
    f.grant(admin, "campaign_admin", campaign=w.campaign)
    assert votes.decide(admin, [g.pk], "release") == 1
    assert count(w, hot) == 12 and VoteTally.objects.get(entry=hot).held == 0
    assert AuditLog.objects.filter(action="vote.anomaly.release").count() == 1
    # Released votes are never flagged again.
    assert votes_anomaly.scan_track(w.track.pk) == []
    assert votes.decide(admin, [g.pk], "release") == 0


def test_one_network_is_held_and_new_votes_from_it_too_confirm_keeps_them_out():
    w = build_world(entries=1)
    e = w.entries[0]
    net = Origin(network="203.0.113.0/24")
    for u in voters(6):
        votes.cast(u, e.pk, origin=net)
    votes.cast(w.voter, e.pk, origin=Origin(network="198.51.100.0/24"))
    (g,) = votes_anomaly.scan_track(w.track.pk)
    assert g.kind == "network" and g.key == "203.0.113.0/24"
    assert count(w, e) == 1
    # A new vote from the flagged network is held as it comes.
    cast = votes.cast(f.user(), e.pk, origin=net)
    assert cast.held and count(w, e) == 1
    assert Vote.objects.filter(group=g, state="held").count() == 7
    staff = f.user()
    f.grant(staff, "host_staff", track=w.track)
    with pytest.raises(NotPermitted):
        votes.decide(f.user(), [g.pk], "confirm")
    assert votes.decide(staff, [g.pk], "confirm") == 1
    assert count(w, e) == 1 and VoteTally.objects.get(entry=e).held == 0
    assert Vote.objects.filter(group=g, state="excluded").count() == 7
    assert AnomalyGroup.objects.get().state == "confirmed"
    # The flag is lifted: later votes from the network count again (until the next scan).
    assert not votes.cast(f.user(), e.pk, origin=net).held


def test_fresh_accounts_and_devices(settings):
    settings.VOTE_ANOMALY_FRESH_MAX = 4
    settings.VOTE_ANOMALY_DEVICE_MAX = 3
    settings.VOTE_ANOMALY_BURST_MIN = 1000
    w = build_world(entries=2)
    a, b = w.entries
    old = voters(5)
    type(old[0]).objects.filter(pk__in=[u.pk for u in old]).update(date_joined=timezone.now() - dt.timedelta(days=30))
    for u in old:
        votes.cast(u, a.pk, origin=Origin(network=f"10.0.{u.pk % 250}.0/24"))
    for u in voters(4):
        votes.cast(u, b.pk, origin=Origin(network=f"10.1.{u.pk % 250}.0/24"))
    for u in voters(3):
        votes.cast(u, a.pk, origin=Origin(network=f"10.2.{u.pk % 250}.0/24", device="d1"))
    kinds = sorted(g.kind for g in votes_anomaly.scan_track(w.track.pk))
    assert kinds == ["device", "fresh"]
    assert count(w, a) == 5 and count(w, b) == 0


def test_periodic_job_is_registered_and_scans():
    assert "zhengji.public.votes_anomaly.scan_recent" in [j.path for j in registry.periodic_jobs.jobs()]
    w = build_world(entries=1)
    for u in voters(6):
        votes.cast(u, w.entries[0].pk, origin=Origin(network="192.0.2.0/24"))
    assert votes_anomaly.scan_recent() == 1
