"""A gallery world: two cities, a published campaign with two tracks, entries reported to the host
unit, and the people who may (and may not) approve them for display."""

from __future__ import annotations

import itertools

from tests import factories as f
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.registry import PublicAward, public_awards
from zhengji.entries.models import Entry, EntryAuthor, EntryStatus
from zhengji.orgs.models import Membership, MembershipStatus, OrgKind

_n = itertools.count(1)


class GalleryWorld:
    def __init__(self) -> None:
        self.tree = f.tongling_tree()
        province = self.tree["province"]
        self.hefei = f.org("合肥市总工会", OrgKind.CITY, province, code="AH-HF")
        self.hf1 = f.org("合肥某机床厂工会", OrgKind.GRASSROOTS, self.hefei, code="AH-HF-01")
        self.tongling = self.tree["city"]
        self.campaign = f.campaign(province)
        self.track = f.track(self.campaign, self.tongling, number=1, name="网络微视频", slug="video")
        self.track2 = f.track(self.campaign, self.tongling, number=2, name="网络摄影", slug="photo")
        self.host = f.user(real_name="主办人员")
        f.grant(self.host, CampaignRole.HOST_STAFF, track=self.track)
        self.host2 = f.user()
        f.grant(self.host2, CampaignRole.HOST_STAFF, track=self.track2)
        self.admin = f.user()
        f.grant(self.admin, CampaignRole.CAMPAIGN_ADMIN, campaign=self.campaign)
        self.unit_admin = f.unit_admin(province)
        self.judge = f.user()
        f.grant(self.judge, CampaignRole.JUDGE, track=self.track)
        self.worker = f.user(real_name="王五")
        Membership.objects.create(user=self.worker, org=self.tree["ya1"], status=MembershipStatus.CONFIRMED)
        self.other = f.user()

    def entry(self, title: str, *, unit=None, track=None, status: str = EntryStatus.REPORTED, authors=("张三",),
              summary: str = "", submitter=None) -> Entry:
        n = next(_n)
        e = Entry.objects.create(track=track or self.track, submitter=submitter or self.worker,
                                 unit=unit or self.tree["ya1"], title=title, summary=summary,
                                 number=f"G{n:05d}", status=status)
        for i, name in enumerate(authors):
            EntryAuthor.objects.create(entry=e, name=name, position=i)
        return e


class FakeAwards:
    """A public_awards provider for tests: {entry_id: (tier_id, label, order)}."""

    def __init__(self) -> None:
        self.given: dict[int, tuple[int, str, int]] = {}

    def __call__(self, track_ids: list[int]) -> dict[int, PublicAward]:
        return {eid: PublicAward(eid, t, label, order) for eid, (t, label, order) in self.given.items()}

    def __enter__(self) -> FakeAwards:
        public_awards.register("tests.fake", self)
        return self

    def __exit__(self, *exc) -> None:
        public_awards.unregister("tests.fake")
