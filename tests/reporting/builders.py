"""The reporting world: the Tongling tree, a host unit in another city, a campaign collecting
today with one photography track hosted by 宣城市总工会, and admins at every level."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests import factories as f
from tests.entries.builders import GOOD_DATA, SCHEMA, campaign_now, media, worker
from zhengji.campaigns.models import LevelRule
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries import services
from zhengji.entries.services import Changes
from zhengji.orgs.models import OrgKind


class ReportWorld:
    def __init__(self, quotas: dict[str, int | None] | None = None):
        self.tree = f.tongling_tree()
        self.host = f.org("宣城市总工会", OrgKind.CITY, self.tree["province"], code="AH-XC")
        self.campaign = campaign_now(self.tree["province"])
        self.track = f.track(self.campaign, self.host, number=4, form_schema=SCHEMA,
                             entrant_types=["individual", "team"], name="摄影作品")
        self.other_track = f.track(self.campaign, self.host, number=5, form_schema=SCHEMA,
                                   entrant_types=["individual"], slug="t5", name="诵读作品")
        deadline = timezone.now() + dt.timedelta(days=15)
        for kind, quota in (quotas or {"grassroots": 3, "county": 2, "city": 5}).items():
            LevelRule.objects.create(campaign=self.campaign, org_kind=kind, deadline=deadline, quota=quota)
        self.worker = worker(self.tree["ya1"], email="worker@example.org")
        self.ya1_admin = f.unit_admin(self.tree["ya1"])
        self.ya1_admin2 = f.unit_admin(self.tree["ya1"])
        self.yian_admin = f.unit_admin(self.tree["yian"])
        self.jiao_admin = f.unit_admin(self.tree["jiao"])
        self.jq1_admin = f.unit_admin(self.tree["jq1"])
        self.city_admin = f.unit_admin(self.tree["city"])
        self.host_staff = f.user(real_name="宣城联络员")
        f.grant(self.host_staff, CampaignRole.HOST_STAFF, track=self.track)

    def submitted(self, user=None, title="我的作品", track=None, unit="ya1"):
        user = user or worker(self.tree[unit])
        e = services.create_draft(user, track or self.track, changes=Changes(
            title=title, summary="简介", data=dict(GOOD_DATA)))
        m = media(user, slot="photos")
        e = services.save_draft(user, e, Changes(files={"photos": [m.pk]}))
        return services.submit(user, e, pledge=True)

    def many(self, n, unit="ya1", **kw):
        return [self.submitted(title=f"作品{i:03d}", unit=unit, **kw) for i in range(n)]


__all__ = ["ReportWorld", "worker"]
