"""The publicity world: the review world with entries SCORED, award tiers, result lines and a
frozen snapshot written directly (the results area builds `freeze()`; these tests do not depend
on it), plus helpers for objection uploads and publicities at a given moment."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from tests import factories as f
from tests.entries.builders import png_bytes
from tests.review.builders import ReviewWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries.models import Entry, EntryStatus
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.review import objection_files
from zhengji.review.models import AwardTier, Publicity, PublicityStatus, ResultLine, ResultSnapshot


def evidence(owner, *, purpose=objection_files.PURPOSE, status=MediaStatus.READY, name="proof.png",
             kind="image") -> MediaFile:
    content = png_bytes()
    m = MediaFile(owner=owner, filename=name, purpose=purpose, status=status, kind=kind, content_type="image/png",
                  size=len(content), sha256=hashlib.sha256(content).hexdigest())
    m.original.save(name, ContentFile(content), save=False)
    m.save()
    return m


class PublicityWorld(ReviewWorld):
    """`entries` (8, SCORED, numbered): the first 3 with tiers 一等奖 (1), 二等奖 (2); the rest
    without a tier. `snapshot`: version 1, frozen."""

    def __init__(self, n: int = 8, **kw):
        super().__init__(**kw)
        self.entries = self.reported(n, status=EntryStatus.SCORED)
        for i, e in enumerate(self.entries):
            if not e.number:
                Entry.objects.filter(pk=e.pk).update(number=f"T4-{i + 1:04d}")
        self.entries = list(Entry.objects.filter(pk__in=[e.pk for e in self.entries])
                            .select_related("unit", "track").order_by("pk"))
        self.first = AwardTier.objects.create(track=self.track, position=0, name="一等奖", quota=1)
        self.second = AwardTier.objects.create(track=self.track, position=1, name="二等奖", quota=2)
        tiers = [self.first, self.second, self.second]
        for i, e in enumerate(self.entries):
            ResultLine.objects.create(track=self.track, entry=e, rank=i + 1, score=Decimal(90 - i),
                                      tier=tiers[i] if i < len(tiers) else None, decided_by=self.host_staff)
        self.awarded = self.entries[:3]
        self.others = self.entries[3:]
        self.snapshot = self.freeze()
        self.objector = f.user(real_name="异议人")
        self.unverified = f.user(real_name="未验证")
        self.unverified.phone_verified = False
        self.unverified.save(update_fields=["phone_verified"])
        self.other_staff = f.user(real_name="别的赛道")
        f.grant(self.other_staff, CampaignRole.HOST_STAFF, track=self.other_track)

    def freeze(self, version: int | None = None) -> ResultSnapshot:
        version = version or (ResultSnapshot.objects.filter(track=self.track).count() + 1)
        data = {"track": self.track.pk, "version": version,
                "lines": list(ResultLine.objects.filter(track=self.track).order_by("rank")
                              .values("entry_id", "rank", "tier_id"))}
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return ResultSnapshot.objects.create(track=self.track, version=version, data=json.loads(raw),
                                             sha256=hashlib.sha256(raw.encode()).hexdigest(),
                                             frozen_by=self.host_staff)

    def reopen(self, snapshot: ResultSnapshot, reason: str = "异议成立") -> None:
        snapshot.reopened_at = timezone.now()
        snapshot.reopened_by = self.host_staff
        snapshot.reopen_reason = reason
        snapshot.save()

    def publicity(self, *, starts=None, ends=None, status=PublicityStatus.OPEN) -> Publicity:
        """A publicity written directly, open from `starts` (default an hour ago) to `ends`
        (default in five days)."""
        now = timezone.now()
        return Publicity.objects.create(track=self.track, snapshot=self.snapshot,
                                        starts=starts or now - dt.timedelta(hours=1),
                                        ends=ends or now + dt.timedelta(days=5), status=status,
                                        published_by=self.host_staff)


__all__ = ["PublicityWorld", "evidence"]
