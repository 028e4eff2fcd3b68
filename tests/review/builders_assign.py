"""Helpers of the assign area's tests on top of ReviewWorld: a round with its entries, judges
from other cities, submitted scores written directly (scoring has its own tests)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from tests import factories as f
from tests.review.builders import ReviewWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries.models import EntryStatus
from zhengji.orgs.models import OrgKind
from zhengji.review.models import Assignment, AssignmentStatus, PanelMember, Round, RoundEntry, Score, ScoreStatus


class AssignWorld(ReviewWorld):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.cities = [f.org(f"城市{i}总工会", OrgKind.CITY, self.tree["province"], code=f"AH-C{i}") for i in range(3)]
        self.other_host_staff = f.user(real_name="诵读联络员")
        f.grant(self.other_host_staff, CampaignRole.HOST_STAFF, track=self.other_track)

    def city_judge(self, i: int, *, cap: int | None = None, track=None) -> PanelMember:
        track = track or self.track
        u = f.user(real_name=f"外市评委{PanelMember.objects.count() + 1}")
        f.grant(u, CampaignRole.JUDGE, track=track)
        return PanelMember.objects.create(track=track, user=u, org=self.cities[i], cap=cap)

    def round_with(self, n: int, *, k: int = 3, **kw) -> tuple[Round, list]:
        entries = self.reported(n, status=EntryStatus.ELIGIBLE)
        r = self.scoring_round(k=k, **kw)
        RoundEntry.objects.bulk_create([RoundEntry(round=r, entry=e) for e in entries])
        return r, entries


def submit_score(a: Assignment) -> Score:
    return Score.objects.create(assignment=a, round=a.round, entry=a.entry, judge=a.judge, values={"x": 10},
                                total=Decimal("10"), status=ScoreStatus.SUBMITTED, submitted_at=timezone.now())


def draft_score(a: Assignment) -> Score:
    return Score.objects.create(assignment=a, round=a.round, entry=a.entry, judge=a.judge, values={"x": 5},
                                status=ScoreStatus.DRAFT)


def active(r: Round):
    return Assignment.objects.filter(round=r, status=AssignmentStatus.ACTIVE)


__all__ = ["AssignWorld", "active", "draft_score", "submit_score"]
