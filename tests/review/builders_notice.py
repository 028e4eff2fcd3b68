"""The notice world: the review world with award tiers, result lines and entries set to AWARDED
directly (the results and publicity areas have their own tests), authors on each entry, and a
second track of the same campaign."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests import factories as f
from tests.entries.builders import SCHEMA, campaign_now
from tests.review.builders import ReviewWorld
from zhengji.campaigns.models import LevelRule
from zhengji.entries.models import Entry, EntryAuthor, EntryStatus
from zhengji.review.models import AwardTier, ResultLine


class NoticeWorld(ReviewWorld):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.superuser = f.user(real_name="超级管理员", is_superuser=True)

    def other_campaign_track(self):
        """A track of another campaign of the same province, collecting now (its own winners)."""
        c = campaign_now(self.tree["province"], name="别的活动")
        deadline = timezone.now() + dt.timedelta(days=15)
        for kind in ("grassroots", "county", "city"):
            LevelRule.objects.create(campaign=c, org_kind=kind, deadline=deadline, quota=None)
        return f.track(c, self.host, number=1, form_schema=SCHEMA, entrant_types=["individual"], name="别的赛道")

    def tiers(self, track, spec=(("一等奖", 1), ("二等奖", 2), ("三等奖", 3))) -> list[AwardTier]:
        return [AwardTier.objects.create(track=track, position=i, name=name, quota=q)
                for i, (name, q) in enumerate(spec)]

    def awarded(self, track=None, counts=(1, 2), *, losers: int = 1, prefix: str = "") -> dict[str, list[Entry]]:
        """Per tier (best first) `counts[i]` AWARDED entries with a result line; `losers` more
        entries NOT_AWARDED with a line without tier. Authors: two per entry."""
        track = track or self.track
        tiers = list(AwardTier.objects.filter(track=track).order_by("position")) or self.tiers(track)
        total = sum(counts)
        entries = self.reported(total + losers, status=EntryStatus.AWARDED, track=track)
        out: dict[str, list[Entry]] = {}
        rank = 0
        it = iter(entries)
        for tier, n in zip(tiers, counts, strict=False):
            for _ in range(n):
                e = next(it)
                rank += 1
                ResultLine.objects.create(track=track, entry=e, rank=rank, tier=tier, score=100 - rank)
                out.setdefault(tier.name, []).append(e)
        rest = list(it)
        for e in rest:
            rank += 1
            ResultLine.objects.create(track=track, entry=e, rank=rank, tier=None, score=10)
        Entry.objects.filter(pk__in=[e.pk for e in rest]).update(status=EntryStatus.NOT_AWARDED)
        for e in entries:
            e.title = f"{prefix}{track.name}作品{e.pk}"
            e.save(update_fields=["title"])
            EntryAuthor.objects.filter(entry=e).delete()
            EntryAuthor.objects.create(entry=e, position=0, name=f"作者甲{e.pk}", unit_name=e.unit.name)
            EntryAuthor.objects.create(entry=e, position=1, name=f"作者乙{e.pk}", unit_name=e.unit.name)
        out["_losers"] = rest
        return out


__all__ = ["NoticeWorld"]
