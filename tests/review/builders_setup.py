"""Helpers of the setup area's tests on top of ReviewWorld: people who may not run the review,
a round in its place, a submitted score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests import factories as f
from tests.review.builders import ReviewWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.review.models import Assignment, Round, RoundKind, RoundStatus, Score, ScoreStatus


class SetupWorld(ReviewWorld):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.other_host = f.user(real_name="诵读联络员")
        f.grant(self.other_host, CampaignRole.HOST_STAFF, track=self.other_track)
        self.superuser = f.user(real_name="超级管理员", is_superuser=True)

    def outsiders(self) -> dict[str, object]:
        """Everyone who may NOT set up the review of `self.track`."""
        judge = self.judge(None).user
        return {"judge": judge, "moderator": self.moderator, "other_host": self.other_host,
                "unit_admin": self.ya1_admin, "city_admin": self.city_admin, "worker": self.worker}

    def round(self, kind: str = RoundKind.SCORING, *, position: int, status: str = RoundStatus.DRAFT,
              name: str = "", days: int = 10) -> Round:
        now = timezone.now()
        return Round.objects.create(track=self.track, position=position, kind=kind, name=name or f"第{position}轮",
                                    opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=days),
                                    status=status)

    def submitted_score(self, rnd: Round, entry, judge) -> Score:
        a = Assignment.objects.create(round=rnd, entry=entry, judge=judge)
        return Score.objects.create(assignment=a, round=rnd, entry=entry, judge=judge, values={},
                                    total=Decimal("50"), status=ScoreStatus.SUBMITTED, submitted_at=timezone.now())


def soon(days: int = 0, hours: int = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days, hours=hours)


__all__ = ["SetupWorld", "soon"]
