"""A small world for the comments tests: a published campaign with one track, a public entry of a
worker of 义安区某公司工会, a published announcement, the staff who moderate and a commenter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import factories as f
from tests.public.builders import announcement
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries.models import Entry, EntryStatus
from zhengji.public import sensitive
from zhengji.public.domain import comments as domain
from zhengji.public.models import CommentMode, CommentProfile, CommentSettings


@dataclass
class World:
    tree: dict
    campaign: Any
    track: Any
    entrant: Any
    entry: Any
    news: Any
    admin: Any  # campaign admin
    moderator: Any  # campaign moderator
    host: Any  # host staff of the track
    unit_admin: Any  # admin of the entry's unit
    worker: Any  # a commenter with a nickname
    other: Any  # another logged-in worker with a nickname

    def entry_target(self):
        return domain.Target("entry", self.entry, self.campaign.pk, self.track.pk)

    def news_target(self):
        return domain.Target("announcement", self.news, self.campaign.pk, None)

    def mode(self, mode: str, **kw) -> None:
        CommentSettings.objects.update_or_create(campaign=self.campaign, defaults={"mode": mode, **kw})

    def entry_of(self, title: str = "另一件作品") -> Any:
        return Entry.objects.create(track=self.track, submitter=self.entrant, unit=self.tree["ya1"], title=title,
                                    status=EntryStatus.PUBLISHED)


def nicknamed(nickname: str, **kw):
    u = f.user(**kw)
    CommentProfile.objects.create(user=u, nickname=nickname)
    return u


@pytest.fixture
def cw(db) -> World:
    tree = f.tongling_tree()
    c = f.campaign(tree["province"], published=True)
    t = f.track(c, tree["city"], number=1)
    entrant = nicknamed("作者本人", real_name="张三")
    entry = Entry.objects.create(track=t, submitter=entrant, unit=tree["ya1"], title="匠心筑梦",
                                 status=EntryStatus.PUBLISHED)
    news = announcement(c, "征集公告")
    admin = nicknamed("管理员甲")
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    moderator = nicknamed("版主乙")
    f.grant(moderator, CampaignRole.MODERATOR, campaign=c)
    host = nicknamed("承办丙")
    f.grant(host, CampaignRole.HOST_STAFF, track=t)
    unit_admin = nicknamed("工会丁")
    f.grant(unit_admin, "unit_admin", org=tree["ya1"])
    worker = nicknamed("热心职工", real_name="李四")
    other = nicknamed("路过的人")
    sensitive._cache.lists.clear()
    return World(tree, c, t, entrant, entry, news, admin, moderator, host, unit_admin, worker, other)


@pytest.fixture
def post_mode(cw) -> World:
    cw.mode(CommentMode.POST)
    return cw
