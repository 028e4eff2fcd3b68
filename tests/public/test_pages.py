import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from zhengji.campaigns.models import LevelRule
from zhengji.campaigns.roles import CampaignRole

from .builders import announcement, campaign_with_tracks

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def html(r) -> str:
    return r.content.decode()


def test_home_shows_current_campaign_with_ten_tracks(client):
    tree, c = campaign_with_tracks(10, summary="全省职工网络文明主题活动")
    r = client.get("/")
    assert r.status_code == 200
    page = html(r)
    assert "皖美职工正能量" in page
    assert "全省职工网络文明主题活动" in page
    assert page.count('class="card h-100 zj-track-card"') == 10
    assert "子项目10" in page and "铜陵市总工会" in page
    assert "承办单位" in page and "参与对象" in page and "个人，单位" in page
    assert "2025年9月15日" in page  # collection deadline
    assert f'href="/c/{c.slug}/t3/"' in page


def test_home_without_campaign(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "暂无进行中的主题活动" in html(r)


def test_home_picks_most_recent_published_and_hides_drafts(client):
    tree = f.tongling_tree()
    f.campaign(tree["province"], name="旧活动2024", year=2024)
    f.campaign(tree["province"], name="当前活动2025", year=2025)
    f.campaign(tree["province"], name="草稿活动2026", year=2026, published=False)
    page = html(client.get("/"))
    assert "当前活动2025" in page
    assert "草稿活动2026" not in page
    listing = html(client.get("/campaigns/"))
    assert "旧活动2024" in listing and "当前活动2025" in listing and "草稿活动2026" not in listing


def test_post_to_public_pages_is_not_allowed(client):
    campaign_with_tracks(1)
    assert client.post("/").status_code == 405


def test_draft_campaign_is_404_to_public_and_previewed_by_its_admins(client):
    tree, c = campaign_with_tracks(2, published=False)
    worker = f.user()
    province_admin = f.unit_admin(tree["province"])  # a unit admin is not a campaign admin
    other_campaign = f.campaign(tree["province"])
    other_admin = f.user()
    f.grant(other_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=other_campaign)
    urls = [f"/c/{c.slug}/", f"/c/{c.slug}/t1/", f"/c/{c.slug}/news/"]
    for u in urls:
        assert client.get(u).status_code == 404
    for who in (worker, province_admin, other_admin):
        client.force_login(who)
        for u in urls:
            assert client.get(u).status_code == 404, (who, u)
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    client.force_login(admin)
    for u in urls:
        r = client.get(u)
        assert r.status_code == 200
        assert "预览" in html(r) and "仅其管理员可见" in html(r)
    assert c.name in html(client.get("/campaigns/"))
    client.force_login(f.user(is_superuser=True))
    assert client.get(f"/c/{c.slug}/").status_code == 200


def test_published_campaign_page_has_no_preview_banner(client):
    tree, c = campaign_with_tracks(1)
    page = html(client.get(f"/c/{c.slug}/"))
    assert "预览" not in page


@pytest.mark.parametrize(("day", "phase"), [
    (dt.date(2025, 5, 25), "launched"),
    (dt.date(2025, 7, 1), "collecting"),
    (dt.date(2025, 10, 15), "reviewing"),
    (dt.date(2025, 12, 5), "publicity"),
    (dt.date(2026, 1, 5), "concluded"),
])
def test_timeline_marks_today(client, day, phase):
    tree, c = campaign_with_tracks(1)
    # 08:30 in Shanghai is still the previous day in UTC: the phase must follow the Shanghai date.
    with time_machine.travel(dt.datetime.combine(day, dt.time(0, 30), tzinfo=SH), tick=False):
        page = html(client.get(f"/c/{c.slug}/"))
    current = [line for line in page.splitlines() if 'aria-current="step"' in line]
    assert len(current) == 1
    assert f'data-phase="{phase}"' in current[0]
    assert f'class="current" aria-current="step" data-phase="{phase}"' in page


def test_timeline_uses_shanghai_date_at_the_boundary(client):
    tree, c = campaign_with_tracks(1)
    # 2025-06-01 00:30 Shanghai = 2025-05-31 16:30 UTC: collection has started in Shanghai.
    with time_machine.travel(dt.datetime(2025, 5, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        page = html(client.get(f"/c/{c.slug}/"))
    assert 'class="current" aria-current="step" data-phase="collecting"' in page
    assert 'class="done" data-phase="launched"' in page
    assert 'class="upcoming" data-phase="reviewing"' in page


def test_announcements_scheduling_and_pinning(client):
    tree, c = campaign_with_tracks(1)
    announcement(c, "普通公告", days_ago=2)
    announcement(c, "置顶公告", days_ago=5, pinned=True)
    future = announcement(c, "明日公告", days_ago=-1)
    unpublished = announcement(c, "未发布公告", days_ago=None)
    page = html(client.get(f"/c/{c.slug}/"))
    assert "普通公告" in page and "置顶公告" in page
    assert "明日公告" not in page and "未发布公告" not in page
    assert page.index("置顶公告") < page.index("普通公告")
    assert client.get(f"/c/{c.slug}/news/{future.pk}/").status_code == 404
    assert client.get(f"/c/{c.slug}/news/{unpublished.pk}/").status_code == 404
    # Once its time comes, the scheduled announcement appears.
    with time_machine.travel(dt.datetime.now(tz=SH) + dt.timedelta(days=2)):
        page = html(client.get(f"/c/{c.slug}/"))
        assert "明日公告" in page
        assert client.get(f"/c/{c.slug}/news/{future.pk}/").status_code == 200
    listing = html(client.get(f"/c/{c.slug}/news/"))
    assert "普通公告" in listing and "明日公告" not in listing


def test_scheduled_announcement_previewed_by_campaign_admin(client):
    tree, c = campaign_with_tracks(1)
    future = announcement(c, "明日公告", days_ago=-1)
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    client.force_login(admin)
    r = client.get(f"/c/{c.slug}/news/{future.pk}/")
    assert r.status_code == 200
    assert "该公告尚未发布" in html(r)


def test_announcement_body_is_sanitised(client):
    tree, c = campaign_with_tracks(1)
    a = announcement(c, "公告", body='<p>你好<script>alert(1)</script><a href="javascript:x()">链接</a></p>')
    page = html(client.get(f"/c/{c.slug}/news/{a.pk}/"))
    assert "<p>你好" in page
    assert "alert(1)" not in page and "javascript:" not in page
    plain = announcement(c, "纯文本", body="第一行\n第二行 1<2")
    page = html(client.get(f"/c/{c.slug}/news/{plain.pk}/"))
    assert "第一行<br>第二行 1&lt;2" in page


def test_announcement_of_another_campaign_is_404(client):
    tree, c = campaign_with_tracks(1)
    other = f.campaign(tree["province"])
    a = announcement(other, "别的公告")
    assert client.get(f"/c/{c.slug}/news/{a.pk}/").status_code == 404


def test_track_page_rules_form_summary_and_deadlines(client):
    tree, c = campaign_with_tracks(3)
    track = c.tracks.get(number=2)
    LevelRule.objects.create(campaign=c, org_kind="county", deadline=dt.datetime(2025, 9, 5, 18, tzinfo=SH), quota=5)
    LevelRule.objects.create(campaign=c, track=track, org_kind="county",
                             deadline=dt.datetime(2025, 9, 8, 18, tzinfo=SH), quota=3)
    LevelRule.objects.create(campaign=c, org_kind="city", deadline=dt.datetime(2025, 9, 15, 18, tzinfo=SH))
    r = client.get(f"/c/{c.slug}/t2/")
    assert r.status_code == 200
    page = html(r)
    assert "<p>规则2：<strong>原创</strong></p>" in page  # rich text, not escaped
    assert "MP4，≤ 10 分钟，≤ 2 GB，≥ 720p" in page
    assert "≤ 300 字" in page and "≤ 60 字" in page
    assert "必填" in page
    # The track's own county rule overrides the campaign-wide one.
    assert "县/区总工会" in page or "县（区）" in page or "county" in page.lower()
    # Every level's deadline, labelled, with the time and the zone (a visitor reads them all).
    assert "2025-09-08 18:00" in page and "最多 3 件" in page
    assert "2025-09-05" not in page
    assert "2025-09-15 18:00" in page
    assert client.get(f"/c/{c.slug}/nope/").status_code == 404
    other = f.campaign(tree["province"])
    assert client.get(f"/c/{other.slug}/t2/").status_code == 404


def test_track_page_in_english(client):
    tree, c = campaign_with_tracks(2)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get(f"/c/{c.slug}/t2/"))
    assert "MP4, ≤ 10 minutes, ≤ 2 GB, ≥ 720p" in page
    assert "<p>Rules 2: <strong>original</strong></p>" in page
    assert "Track 2" in page and "What to submit" in page


def test_invalid_stored_form_schema_does_not_break_the_track_page(client):
    tree, c = campaign_with_tracks(1)
    c.tracks.update(form_schema=[{"key": "Bad Key", "type": "nope"}])
    r = client.get(f"/c/{c.slug}/t1/")
    assert r.status_code == 200
    assert "报送表单尚未发布" in html(r)


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_home_query_count_does_not_grow_with_tracks(client):
    tree, c3 = campaign_with_tracks(3, slug="three")
    for i in range(3):
        announcement(c3, f"公告{i}")
    n3 = _count_queries(client, "/c/three/")
    c10 = f.campaign(tree["province"], slug="ten")
    for i in range(1, 11):
        f.track(c10, tree["city"], number=i)
    for i in range(8):
        announcement(c10, f"公告{i}")
    n10 = _count_queries(client, "/c/ten/")
    assert n3 == n10
    assert n10 <= 5
    # A logged-in worker adds only the session, user and unread-count queries.
    client.force_login(f.user())
    assert _count_queries(client, "/c/three/") == _count_queries(client, "/c/ten/")


def test_track_page_query_count(client, django_assert_max_num_queries):
    tree, c = campaign_with_tracks(10)
    with django_assert_max_num_queries(5):
        client.get(f"/c/{c.slug}/t5/")


def test_list_pages_query_counts_do_not_grow(client):
    tree, c = campaign_with_tracks(1, slug="main")
    for i in range(2):
        announcement(c, f"公告{i}")
    n_campaigns = _count_queries(client, "/campaigns/")
    n_news = _count_queries(client, "/c/main/news/")
    for i in range(12):
        f.campaign(tree["province"], name=f"活动{i}")
        announcement(c, f"更多公告{i}")
    assert _count_queries(client, "/campaigns/") == n_campaigns
    assert _count_queries(client, "/c/main/news/") == n_news
    assert "活动11" in html(client.get("/campaigns/"))


def test_announcement_list_paginates(client):
    tree, c = campaign_with_tracks(1)
    for i in range(25):
        announcement(c, f"公告{i:02d}", days_ago=30 - i)
    page1 = html(client.get(f"/c/{c.slug}/news/"))
    assert "公告24" in page1 and "公告04" not in page1 and "page=2" in page1
    page2 = html(client.get(f"/c/{c.slug}/news/", {"page": 2}))
    assert "公告04" in page2 and "公告24" not in page2
    assert client.get(f"/c/{c.slug}/news/", {"page": "x"}).status_code == 200
