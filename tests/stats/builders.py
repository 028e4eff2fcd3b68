"""The statistics world: the reporting world (Tongling tree, a host unit in 宣城, a campaign
collecting today) plus a campaign admin, and a hand-made scenario whose figures are worked out
by hand in the tests."""

from __future__ import annotations

import datetime as dt

from tests import factories as f
from tests.entries.builders import worker
from tests.reporting.builders import ReportWorld
from zhengji.activities.models import Activity
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries import services as entry_services
from zhengji.reporting import services as reporting


class StatsWorld(ReportWorld):
    def __init__(self) -> None:
        super().__init__()
        self.campaign_admin = f.user(real_name="活动管理员")
        f.grant(self.campaign_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=self.campaign)
        self.plain = worker(self.tree["jq2"])

    def scenario(self) -> None:
        """w1 (义安区某公司工会): two entries, one recommended by its union; w2 (same union): one
        entry, withdrawn; w3 (郊区某厂工会): one entry; 义安区某学校工会 held an activity."""
        t = self.tree
        self.w1 = worker(t["ya1"], real_name="王一")
        self.w2 = worker(t["ya1"], real_name="王二")
        self.w3 = worker(t["jq1"], real_name="王三")
        self.e1 = self.submitted(self.w1, title="作品一")
        self.e2 = self.submitted(self.w1, title="作品二")
        self.e3 = self.submitted(self.w2, title="作品三")
        self.e4 = self.submitted(self.w3, title="作品四", unit="jq1")
        reporting.recommend(self.ya1_admin, [self.e1], t["ya1"])
        entry_services.withdraw(self.w2, self.e3)
        Activity.objects.create(campaign=self.campaign, org=t["ya2"], title="网络文明讲座",
                                held_on=dt.date.today())
