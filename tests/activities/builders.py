"""The activities world: the Tongling tree, a campaign of the province collecting today, admins
at several levels (and a sibling county's), a campaign admin, a worker, a superuser."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from tests import factories as f
from tests.entries.builders import campaign_now, png_bytes, worker
from zhengji.activities import services
from zhengji.activities.photos import PURPOSE
from zhengji.campaigns.roles import CampaignRole
from zhengji.media.models import MediaFile, MediaStatus


def photo(owner, *, purpose=PURPOSE, status=MediaStatus.READY, name="photo.png", kind="image") -> MediaFile:
    content = png_bytes()
    m = MediaFile(owner=owner, filename=name, purpose=purpose, status=status, kind=kind, content_type="image/png",
                  size=len(content), sha256=hashlib.sha256(content).hexdigest())
    m.original.save(name, ContentFile(content), save=False)
    m.save()
    return m


class ActWorld:
    def __init__(self):
        self.tree = f.tongling_tree()
        self.campaign = campaign_now(self.tree["province"])
        self.other_campaign = campaign_now(self.tree["province"], slug="other")
        self.ya1_admin = f.unit_admin(self.tree["ya1"])
        self.yian_admin = f.unit_admin(self.tree["yian"])
        self.jiao_admin = f.unit_admin(self.tree["jiao"])
        self.city_admin = f.unit_admin(self.tree["city"])
        self.campaign_admin = f.user(real_name="活动管理员")
        f.grant(self.campaign_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=self.campaign)
        self.worker = worker(self.tree["ya1"])
        self.superuser = f.user(is_superuser=True, is_staff=True)
        self.today = timezone.localdate()

    def activity(self, unit="ya1", actor=None, **kw):
        campaign = kw.pop("campaign", self.campaign)
        data = services.ActivityData(org_id=self.tree[unit].pk, title=kw.pop("title", "网络文明讲座"),
                                     held_on=kw.pop("held_on", self.today - dt.timedelta(days=1)),
                                     participants=kw.pop("participants", 30), place=kw.pop("place", "会议室"), **kw)
        return services.create_activity(actor or self.superuser, campaign, data)

    def brand(self, unit="ya1", name="清朗网络品牌", **kw):
        data = services.BrandProjectData(org_id=self.tree[unit].pk, name=name, **kw)
        return services.create_brand_project(self.superuser, self.campaign, data)

    def volunteer(self, unit="ya1", phone="13800001111", name="李志愿", **kw):
        data = services.VolunteerData(org_id=self.tree[unit].pk, name=name, phone=phone, **kw)
        return services.create_volunteer(self.superuser, self.campaign, data)
