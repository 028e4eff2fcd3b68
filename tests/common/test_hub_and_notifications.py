import pytest
from django.urls import reverse

from tests import factories as f
from zhengji.campaigns.roles import CampaignRole
from zhengji.common import services
from zhengji.common.errors import NotFound
from zhengji.common.models import Notification
from zhengji.common.notify import notify

pytestmark = pytest.mark.django_db


def html(r) -> str:
    return r.content.decode()


@pytest.fixture
def world():
    tree = f.tongling_tree()
    c = f.campaign(tree["province"], name="二〇二五活动")
    t = f.track(c, tree["city"], number=1, name="歌曲")
    return tree, c, t


def test_hub_requires_login(client):
    r = client.get("/hub/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_hub_refuses_workers(client):
    client.force_login(f.user())
    assert client.get("/hub/").status_code == 403


def test_hub_wrong_method(client, world):
    tree, c, t = world
    client.force_login(f.unit_admin(tree["yian"]))
    assert client.post("/hub/").status_code == 405


def test_hub_shows_what_each_role_administers(client, world):
    tree, c, t = world
    u = f.unit_admin(tree["yian"])
    client.force_login(u)
    page = html(client.get("/hub/"))
    assert "义安区总工会" in page and f'href="/orgs/{tree["yian"].pk}/"' in page
    assert "郊区总工会" not in page
    assert "二〇二五活动" not in page
    assert "审计日志" in page

    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    client.force_login(admin)
    page = html(client.get("/hub/"))
    assert "二〇二五活动" in page and f'href="/manage/{c.slug}/"' in page
    assert "义安区总工会" not in page

    host = f.user()
    f.grant(host, CampaignRole.HOST_STAFF, track=t)
    client.force_login(host)
    page = html(client.get("/hub/"))
    assert "歌曲" in page and "您承办的子项目" in page
    assert "查看审计日志" not in page  # host staff have no audit scope

    judge = f.user()
    f.grant(judge, CampaignRole.JUDGE, track=t)
    client.force_login(judge)
    page = html(client.get("/hub/"))
    # A judge's card is review's judge queue (and no link to the staff's review pages).
    assert f'href="{reverse("review:judge_queue")}"' in page and 'href="/review/"' not in page


def test_hub_for_superuser(client, world):
    tree, c, t = world
    client.force_login(f.user(is_superuser=True))
    page = html(client.get("/hub/"))
    assert "安徽省总工会" in page and "二〇二五活动" in page and "查看审计日志" in page


# --- Notifications ----------------------------------------------------------------------------------

def test_notifications_unread_first_and_count_in_nav(client):
    u = f.user()
    old_read = notify(u, "已读旧消息")
    services.mark_notification_read(u, old_read.pk)
    notify(u, "未读一")
    notify(u, "未读二", url="/campaigns/")
    other = notify(f.user(), "别人的消息")
    client.force_login(u)
    r = client.get("/notifications/")
    page = html(r)
    assert r.status_code == 200
    assert "别人的消息" not in page
    assert page.index("未读二") < page.index("未读一") < page.index("已读旧消息")
    assert 'id="unread-count">2' in page
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 302
    other.refresh_from_db()
    assert other.read_at is None  # not yours: untouched


def test_mark_one_read_and_open(client):
    u = f.user()
    n = notify(u, "去看看", url="/campaigns/")
    client.force_login(u)
    r = client.post(f"/notifications/{n.pk}/read/", {"open": "1"})
    assert r.status_code == 302 and r["Location"] == "/campaigns/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'id="unread-count"' not in html(client.get("/notifications/"))


def test_open_never_redirects_off_site(client):
    u = f.user()
    n = notify(u, "外链", url="https://evil.example/")
    client.force_login(u)
    r = client.post(f"/notifications/{n.pk}/read/", {"open": "1"})
    assert r["Location"] == "/notifications/"


def test_mark_all_read(client):
    u = f.user()
    for i in range(3):
        notify(u, f"消息{i}")
    client.force_login(u)
    r = client.post("/notifications/read-all/", {"next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert not Notification.objects.filter(user=u, read_at__isnull=True).exists()


def test_notification_views_methods_and_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302
    client.force_login(f.user())
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.get("/notifications/1/read/").status_code == 405


def test_mark_read_service_refuses_others():
    a, b = f.user(), f.user()
    n = notify(a, "x")
    with pytest.raises(NotFound):
        services.mark_notification_read(b, n.pk)
    assert services.mark_all_notifications_read(b) == 0
    assert services.mark_all_notifications_read(a) == 1


def test_notifications_query_count(client, django_assert_max_num_queries):
    u = f.user()
    client.force_login(u)
    for i in range(5):
        notify(u, f"m{i}")
    with django_assert_max_num_queries(6) as few:
        client.get("/notifications/")
    for i in range(25):
        notify(u, f"n{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")
