"""People and things for the campaign tests: campaign A (province) with two tracks hosted by
义安区 and 郊区, campaign B, and one user per role that matters here."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories as f
from zhengji.campaigns.roles import CampaignRole


@pytest.fixture(autouse=True)
def _restore_language():
    # A request in English leaves English active in this thread; later tests expect Chinese.
    from django.utils import translation

    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture
def world(db):
    tree = f.tongling_tree()
    a = f.campaign(tree["city"], slug="camp-a")
    b = f.campaign(tree["city"], slug="camp-b", name="另一个活动")
    t1 = f.track(a, tree["yian"], 1, slug="songs", name="歌曲", name_en="Songs")
    t2 = f.track(a, tree["jiao"], 2, slug="videos", name="微视频", name_en="Micro videos")
    tb = f.track(b, tree["yian"], 1, slug="songs", name="B 歌曲")
    admin_a = f.user(phone="13900000001", real_name="活动管理员甲")
    f.grant(admin_a, CampaignRole.CAMPAIGN_ADMIN, campaign=a)
    admin_b = f.user(phone="13900000002")
    f.grant(admin_b, CampaignRole.CAMPAIGN_ADMIN, campaign=b)
    host1 = f.user(phone="13900000003")
    f.grant(host1, CampaignRole.HOST_STAFF, track=t1)
    worker = f.user(phone="13900000004")
    yian_admin = f.unit_admin(tree["yian"], phone="13900000005")
    jiao_admin = f.unit_admin(tree["jiao"], phone="13900000006")
    superuser = f.user(phone="13900000009", is_superuser=True, is_staff=True)
    return SimpleNamespace(tree=tree, a=a, b=b, t1=t1, t2=t2, tb=tb, admin_a=admin_a, admin_b=admin_b,
                           host1=host1, worker=worker, yian_admin=yian_admin, jiao_admin=jiao_admin,
                           superuser=superuser)


@pytest.fixture
def as_user(client):
    def login(u):
        client.force_login(u)
        return client
    return login


FILE_FIELD = {"key": "video", "type": "file", "label": "作品视频", "label_en": "Video", "required": True,
              "file": {"kinds": ["video"], "extensions": ["mp4"], "max_size_mb": 2048, "max_duration_s": 600,
                       "min_width": 1280, "min_height": 720, "max_count": 1}}
