"""The review world: the reporting world (Tongling tree, a track hosted by 宣城市总工会) with
entries already reported to the host unit from several units, a panel of judges from different
organisations (and one outside expert), and a scoring round open now with a two-line rubric.

Entries reach REPORTED by a direct status write (the reporting chain has its own tests); every
review step from there on goes through the review domain functions under test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests import factories as f
from tests.reporting.builders import ReportWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.models import Criterion, PanelMember, Round, RoundKind, RoundStatus

UNITS = ("ya1", "ya2", "jq1", "jq2")


class ReviewWorld(ReportWorld):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.campaign_admin = f.user(real_name="活动管理员")
        f.grant(self.campaign_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=self.campaign)
        self.moderator = f.user(real_name="审核员")
        f.grant(self.moderator, CampaignRole.MODERATOR, campaign=self.campaign)

    def reported(self, n: int, *, status: str = EntryStatus.REPORTED, units=UNITS, track=None) -> list[Entry]:
        """`n` entries of the track, spread over `units`, standing at `status`."""
        out = []
        for i in range(n):
            e = self.submitted(title=f"参赛作品{i:03d}", unit=units[i % len(units)], track=track)
            out.append(e)
        Entry.objects.filter(pk__in=[e.pk for e in out]).update(status=status)
        return list(Entry.objects.filter(pk__in=[e.pk for e in out]).select_related("unit", "track").order_by("pk"))

    def judge(self, org_key: str | None = None, *, name: str = "", track=None, cap: int | None = None) -> PanelMember:
        """A judge on the panel: from organisation `org_key` of the tree (None: an outside expert)."""
        track = track or self.track
        u = f.user(real_name=name or f"评委{PanelMember.objects.count() + 1}")
        f.grant(u, CampaignRole.JUDGE, track=track)
        org = self.tree[org_key] if org_key else None
        return PanelMember.objects.create(track=track, user=u, org=org, cap=cap,
                                          affiliation="" if org else "某大学")

    def panel(self, orgs=("ya2", "jq1", "city", None, None)) -> list[PanelMember]:
        return [self.judge(o) for o in orgs]

    def scoring_round(self, *, k: int = 3, track=None, status: str = RoundStatus.OPEN, position: int = 2) -> Round:
        now = timezone.now()
        r = Round.objects.create(track=track or self.track, position=position, kind=RoundKind.SCORING, name="复审",
                                 opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10),
                                 judges_per_entry=k, status=status)
        Criterion.objects.create(round=r, position=0, name="思想性", maximum=Decimal("40"), weight=Decimal("1"))
        Criterion.objects.create(round=r, position=1, name="艺术性", maximum=Decimal("60"), weight=Decimal("1"))
        return r


__all__ = ["ReviewWorld"]
