"""A track with an open public vote and a few public entries (shared by the votes tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests import factories as f
from zhengji.campaigns.models import Campaign, Track
from zhengji.entries.models import Entry, EntryStatus
from zhengji.orgs.models import Organization
from zhengji.public.models import VoteWindow


@dataclass
class VoteWorld:
    tree: dict[str, Organization]
    campaign: Campaign
    track: Track
    entries: list[Entry]
    window: VoteWindow
    voter: object

    def entry(self, title: str = "作品", status: str = EntryStatus.PUBLISHED, track: Track | None = None) -> Entry:
        return Entry.objects.create(track=track or self.track, submitter=f.user(), unit=self.tree["ya1"],
                                    title=title, status=status)


def build_world(*, per_entry: int = 1, per_account: int = 3, entries: int = 3, show_counts: bool = True) -> VoteWorld:
    tree = f.tongling_tree()
    c = f.campaign(tree["province"])
    t = f.track(c, tree["city"])
    now = timezone.now()
    w = VoteWindow.objects.create(track=t, enabled=True, opens_at=now - dt.timedelta(days=1),
                                  closes_at=now + dt.timedelta(days=10), per_entry_daily=per_entry,
                                  per_account_daily=per_account, show_counts=show_counts)
    world = VoteWorld(tree, c, t, [], w, f.user())
    world.entries = [world.entry(f"作品{i}") for i in range(entries)]
    return world


@pytest.fixture
def world(db) -> VoteWorld:
    return build_world()


@pytest.fixture(autouse=True)
def _cheap_challenge(settings):
    # The proof of work of the tests: a handful of PBKDF2 rounds, solved in milliseconds.
    settings.VOTE_CHALLENGE_COST = 20
