"""The campaigns list as an archive by year, a concluded campaign's home, and the anonymous page
cache of the information pages (invalidation, each visitor's CSRF token)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from tests import factories as f
from tests.public.builders import announcement, campaign_with_tracks
from zhengji.campaigns import services
from zhengji.campaigns.roles import CampaignRole

pytestmark = pytest.mark.django_db


def test_archive_lists_past_years_by_year(client):
    tree = f.tongling_tree()
    old = f.campaign(tree["province"], name="往届活动2023", year=2023)
    mid = f.campaign(tree["province"], name="往届活动2024", year=2024)
    cur = f.campaign(tree["province"], name="下届活动2027", year=2027)
    f.campaign(tree["province"], name="草稿2028", year=2028, published=False)
    page = client.get("/campaigns/").content.decode()
    years = re.findall(r'data-year="(\d+)"', page)
    assert years == ["2027", "2024", "2023"]
    assert "草稿2028" not in page
    for c in (old, mid):  # concluded: marked as archive, with their results links
        block = page[page.index(f'data-campaign="{c.slug}"'):]
        block = block[:block.index("</li>")]
        assert "往届" in block and f'href="/c/{c.slug}/winners/"' in block and 'href="/results/"' in block
    cur_block = page[page.index(f'data-campaign="{cur.slug}"'):]
    assert "/winners/" not in cur_block[:cur_block.index("</li>")]  # 2027: not at its results yet


def test_concluded_campaign_home_says_so(client):
    tree, c = campaign_with_tracks(1)  # 2025: concluded on 2025-12-31
    page = client.get(f"/c/{c.slug}/").content.decode()
    assert 'id="concluded"' in page and f'href="/c/{c.slug}/winners/"' in page
    with time_machine.travel(dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)):
        page = client.get(f"/c/{c.slug}/").content.decode()
        assert 'id="concluded"' not in page and "/winners/" not in page


@pytest.fixture
def cached(settings):
    settings.PUBLIC_PAGE_CACHE = True


def test_cached_home_changes_after_an_announcement_is_published(client, cached):
    tree, c = campaign_with_tracks(1)
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    draft = announcement(c, "刚刚发布的公告", days_ago=None)
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss" and "刚刚发布的公告" not in first.content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    services.publish_announcement(admin, draft)
    again = client.get("/")
    assert again["X-Page-Cache"] == "miss" and "刚刚发布的公告" in again.content.decode()
    # The campaign page and the track page follow as well.
    assert "刚刚发布的公告" in client.get(f"/c/{c.slug}/").content.decode()


def test_cached_page_shows_a_scheduled_announcement_at_its_time(client, cached):
    tree, c = campaign_with_tracks(1)
    a = announcement(c, "三小时后发布", days_ago=-3 / 24)
    assert "三小时后发布" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(a.publish_at + dt.timedelta(seconds=1)):
        r = client.get("/")
        assert r["X-Page-Cache"] == "miss" and "三小时后发布" in r.content.decode()


def test_track_page_cached_and_bumped_by_a_track_edit(client, cached):
    tree, c = campaign_with_tracks(1)
    url = f"/c/{c.slug}/t1/"
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    t = c.tracks.get()
    t.rules = "<p>修改后的规则</p>"
    t.save()
    r = client.get(url)
    assert r["X-Page-Cache"] == "miss" and "修改后的规则" in r.content.decode()


def test_logged_in_visitors_are_not_served_from_the_cache(client, cached):
    tree, c = campaign_with_tracks(1)
    client.get("/")
    client.force_login(f.user())
    assert "X-Page-Cache" not in client.get("/")


def test_second_visitor_from_the_cache_can_switch_language(cached):
    tree, c = campaign_with_tracks(1)
    first = Client(enforce_csrf_checks=True)
    assert first.get("/")["X-Page-Cache"] == "miss"
    second = Client(enforce_csrf_checks=True)
    r = second.get("/")
    assert r["X-Page-Cache"] == "hit"
    page = r.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "__ZJ_CSRF_TOKEN__" not in page
    assert f'"X-CSRFToken": "{token}"' in page  # htmx's header has the same visitor's token
    assert "csrftoken" in second.cookies
    switched = second.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    english = second.get("/")
    assert english["X-Page-Cache"] == "miss"  # the English page is cached on its own
    assert "Strive to be a Good Chinese Netizen" in english.content.decode()
    # The first visitor's token is not the second's.
    other = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first.get("/").content.decode()).group(1)
    assert other != token


def test_cache_key_ignores_a_forged_host(cached, settings):
    settings.ALLOWED_HOSTS = ["*"]
    tree, c = campaign_with_tracks(1)
    Client().get("/", HTTP_HOST="evil.example.com")
    page = Client().get("/").content.decode()
    assert "evil.example.com" not in page




def test_track_page_submit_button_for_the_reader(client, settings):
    """Anonymous visitors (served from the cache) are asked to log in; a worker who may enter gets
    the button that starts an entry, never the cached anonymous page."""
    from tests.entries.builders import World

    settings.PUBLIC_PAGE_CACHE = True
    w = World()
    url = f"/c/{w.campaign.slug}/{w.track.slug}/"
    client.get(url)
    anonymous = client.get(url)
    assert anonymous["X-Page-Cache"] == "hit"
    assert f'href="/accounts/login/?next=/entries/new/{w.track.pk}/"' in anonymous.content.decode()
    client.force_login(w.worker)
    page = client.get(url)
    assert "X-Page-Cache" not in page
    html = page.content.decode()
    assert f'href="/entries/new/{w.track.pk}/" data-start="{w.track.pk}"' in html
    assert 'id="deadlines"' in html
