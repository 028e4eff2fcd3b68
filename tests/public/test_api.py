import pytest

from tests import factories as f
from zhengji.accounts.models import Role

from .builders import announcement, campaign_with_tracks

pytestmark = pytest.mark.django_db


def test_public_campaign_list_hides_drafts(client):
    tree, c = campaign_with_tracks(1)
    f.campaign(tree["province"], name="草稿", published=False)
    data = client.get("/api/public/campaigns").json()
    assert [d["slug"] for d in data] == [c.slug]


def test_public_campaign_detail(client):
    tree, c = campaign_with_tracks(10)
    announcement(c, "已发布")
    announcement(c, "未来", days_ago=-1)
    r = client.get(f"/api/public/campaigns/{c.slug}")
    assert r.status_code == 200
    data = r.json()
    assert len(data["tracks"]) == 10 and data["tracks"][0]["host_unit"] == "铜陵市总工会"
    assert data["tracks"][0]["who_may_enter"] == "个人，单位"
    assert [a["title"] for a in data["announcements"]] == ["已发布"]
    assert sum(1 for s in data["timeline"] if s["state"] == "current") == 1
    en = client.get(f"/api/public/campaigns/{c.slug}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["name"] == "Strive to be a Good Chinese Netizen" and en["tracks"][1]["name"] == "Track 2"


def test_public_api_draft_is_404_except_for_its_admin(client):
    tree, c = campaign_with_tracks(1, published=False)
    r = client.get(f"/api/public/campaigns/{c.slug}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.force_login(f.user())
    assert client.get(f"/api/public/campaigns/{c.slug}").status_code == 404
    admin = f.user()
    f.grant(admin, Role.CAMPAIGN_ADMIN, campaign=c)
    client.force_login(admin)
    assert client.get(f"/api/public/campaigns/{c.slug}").json()["is_published"] is False


def test_public_api_query_count(client, django_assert_max_num_queries):
    tree, c = campaign_with_tracks(10)
    # campaign, tracks, announcements, level rules (the policy's one query): not one per track
    with django_assert_max_num_queries(4):
        client.get(f"/api/public/campaigns/{c.slug}")


def test_public_api_is_read_only(client):
    tree, c = campaign_with_tracks(1)
    assert client.post("/api/public/campaigns").status_code == 405
