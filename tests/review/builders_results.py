"""Helpers of the results tests on top of ReviewWorld: entries written in bulk (fast, for the
50 × 5 query-count pages), and submitted scores written as rows (the scoring domain has its own
tests; here we only need numbers to rank)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from tests import factories as f
from tests.review.builders import ReviewWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.models import Assignment, AwardTier, Criterion, Round, RoundEntry, Score, ScoreStatus


def bulk_entries(w: ReviewWorld, n: int, *, status: str = EntryStatus.ELIGIBLE, track=None) -> list[Entry]:
    """`n` entries of the track (ELIGIBLE by default) written in one insert, numbered R0001…"""
    track = track or w.track
    submitter = w.worker
    units = [w.tree[k] for k in ("ya1", "ya2", "jq1", "jq2")]
    tag = f"{track.pk}-{Entry.objects.count()}"
    Entry.objects.bulk_create([
        Entry(track=track, submitter=submitter, unit=units[i % 4], title=f"作品{i:03d}", status=status,
              number=f"R{tag}-{i:04d}", submitted_at=timezone.now()) for i in range(n)])
    return list(Entry.objects.filter(track=track, number__startswith=f"R{tag}-").order_by("pk"))


def criteria(rnd: Round) -> list[Criterion]:
    return list(Criterion.objects.filter(round=rnd).order_by("position", "id"))


def score(rnd: Round, entry: Entry, judge, a: float, b: float, *, status: str = ScoreStatus.SUBMITTED) -> Score:
    """An active assignment and a score: criterion 1 ("思想性", max 40) gets `a`, criterion 2
    ("艺术性", max 60) gets `b`; total a + b (both weights 1)."""
    c1, c2 = criteria(rnd)
    asg = Assignment.objects.create(round=rnd, entry=entry, judge=judge)
    RoundEntry.objects.get_or_create(round=rnd, entry=entry)
    return Score.objects.create(assignment=asg, round=rnd, entry=entry, judge=judge,
                                values={str(c1.pk): a, str(c2.pk): b}, total=Decimal(str(a + b)), status=status,
                                submitted_at=timezone.now() if status == ScoreStatus.SUBMITTED else None)


def tiers(track, *quotas: int) -> list[AwardTier]:
    names = ("一等奖", "二等奖", "三等奖", "优秀奖")
    return [AwardTier.objects.create(track=track, position=i, name=names[i], quota=q) for i, q in enumerate(quotas)]


def other_track_staff(w: ReviewWorld):
    u = f.user(real_name="别的联络员")
    f.grant(u, CampaignRole.HOST_STAFF, track=w.other_track)
    return u


class Scored:
    """A world with a scoring round of four entries scored by three judges:

    judge   e0          e1          e2          e3
    j0      30+50=80    35+50=85    20+40=60    30+45=75
    j1      32+52=84    30+50=80    25+45=70    30+40=70
    j2      34+56=90    35+55=90    20+30=50    30+50=80
    means   84.6667     85          60          75
    """

    def __init__(self, w: ReviewWorld | None = None):
        self.w = w or ReviewWorld()
        self.entries = bulk_entries(self.w, 4)
        self.judges = [self.w.judge(None) for _ in range(3)]
        self.rnd = self.w.scoring_round()
        table = {0: [(30, 50), (32, 52), (34, 56)], 1: [(35, 50), (30, 50), (35, 55)],
                 2: [(20, 40), (25, 45), (20, 30)], 3: [(30, 45), (30, 40), (30, 50)]}
        for i, e in enumerate(self.entries):
            for j, pm in enumerate(self.judges):
                score(self.rnd, e, pm.user, *table[i][j])


__all__ = ["Scored", "bulk_entries", "criteria", "other_track_staff", "score", "tiers"]
