"""The winners' gallery and the review app's public awards: nothing before the results are public."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.review.builders_publicity import PublicityWorld
from zhengji.common.registry import public_awards
from zhengji.review.models import PublicityStatus

from .helpers import show

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = PublicityWorld(n=6)
    show(w.entries)  # approved for display: the gate would show every one of them
    return w


def url(w) -> str:
    return f"/c/{w.campaign.slug}/winners/"


def test_nothing_before_publication(client, world):
    assert public_awards.awards([world.track.pk]) == {}
    page = client.get(url(world)).content.decode()
    assert 'class="card h-100 zj-winner"' not in page and 'id="no-winners"' in page
    assert "一等奖" not in page
    # Frozen but the notice starts tomorrow: still nothing.
    world.publicity(starts=timezone.now() + dt.timedelta(days=1))
    assert public_awards.awards([world.track.pk]) == {}
    assert "一等奖" not in client.get(url(world)).content.decode()


def test_tiers_once_on_notice(client, world):
    world.publicity()
    awards = public_awards.awards([world.track.pk, world.other_track.pk])
    assert {e: (a.label, a.order) for e, a in awards.items()} == {
        world.awarded[0].pk: ("一等奖", 1), world.awarded[1].pk: ("二等奖", 2), world.awarded[2].pk: ("二等奖", 2)}
    page = client.get(url(world)).content.decode()
    assert page.count('class="card h-100 zj-winner"') == 3
    first, second = page.index('data-tier="1"'), page.index('data-tier="2"')
    assert first < page.index(world.awarded[0].title) < second < page.index(world.awarded[1].title)
    for e in world.others:
        assert f'data-entry="{e.pk}"' not in page
    assert f'href="/w/{world.awarded[0].pk}/"' in page
    assert f'href="/results/tracks/{world.track.pk}/"' in page


def test_finalised_results_stay(client, world):
    world.publicity(status=PublicityStatus.FINALISED, starts=timezone.now() - dt.timedelta(days=20),
                    ends=timezone.now() - dt.timedelta(days=10))
    assert len(public_awards.awards([world.track.pk])) == 3
    assert client.get(url(world)).content.decode().count("zj-winner") == 3


def test_withdrawn_results_are_hidden_again(client, world):
    world.publicity(status=PublicityStatus.WITHDRAWN)
    assert public_awards.awards([world.track.pk]) == {}
    assert "zj-winner" not in client.get(url(world)).content.decode()


def test_only_entries_the_public_gate_shows(client):
    w = PublicityWorld(n=4)
    show(w.awarded[:1])
    w.publicity()
    page = client.get(url(w)).content.decode()
    assert page.count('class="card h-100 zj-winner"') == 1 and w.awarded[0].title in page
    assert w.awarded[1].title not in page


def test_campaign_and_track_pages_link_to_results(client, world):
    slug = world.campaign.slug
    page = client.get(f"/c/{slug}/{world.track.slug}/").content.decode()
    assert 'id="track-results"' not in page
    world.publicity()
    page = client.get(f"/c/{slug}/{world.track.slug}/").content.decode()
    assert f'href="/results/tracks/{world.track.pk}/"' in page
    assert f'href="/c/{slug}/winners/#track-{world.track.pk}"' in page
    home = client.get(f"/c/{slug}/").content.decode()
    assert f'href="/c/{slug}/winners/"' in home and 'href="/results/"' in home and 'href="/results/notices/"' in home
    assert f'data-results="{world.track.pk}"' in home and f'data-results="{world.other_track.pk}"' not in home


def test_winners_query_count_does_not_grow(client, django_assert_max_num_queries):
    w = PublicityWorld(n=12)
    show(w.awarded)
    w.publicity()
    with django_assert_max_num_queries(12) as few:
        assert client.get(url(w)).content.decode().count("zj-winner") == 3
    from zhengji.review.models import ResultLine

    ResultLine.objects.filter(track=w.track, tier__isnull=True).update(tier=w.second)
    show(w.entries)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(w)).content.decode().count("zj-winner") == 12


def test_draft_campaign_winners_404(client, world):
    world.campaign.is_published = False
    world.campaign.save()
    assert client.get(url(world)).status_code == 404


def test_winners_api(client, world):
    r = client.get(f"/api/public/campaigns/{world.campaign.slug}/winners")
    assert r.status_code == 200 and r.json()["tracks"] == [] and r.json()["count"] == 0
    world.publicity()
    data = client.get(f"/api/public/campaigns/{world.campaign.slug}/winners").json()
    assert data["count"] == 3
    [track] = data["tracks"]
    assert track["number"] == 4 and track["results_url"] == f"/results/tracks/{world.track.pk}/"
    assert [(t["label"], len(t["entries"])) for t in track["tiers"]] == [("一等奖", 1), ("二等奖", 2)]
    first = track["tiers"][0]["entries"][0]
    assert first["id"] == world.awarded[0].pk and first["url"] == f"/w/{world.awarded[0].pk}/"
    assert "phone" not in str(data)
    assert client.get("/api/public/campaigns/nope/winners").status_code == 404
    assert client.post(f"/api/public/campaigns/{world.campaign.slug}/winners").status_code == 405


def test_cached_winners_page_follows_the_publication(client, world, settings):
    settings.PUBLIC_PAGE_CACHE = True
    assert "zj-winner" not in client.get(url(world)).content.decode()
    assert client.get(url(world))["X-Page-Cache"] == "hit"
    world.publicity()  # saving the publicity bumps the campaign's pages
    r = client.get(url(world))
    assert r["X-Page-Cache"] == "miss" and r.content.decode().count("zj-winner") == 3


def test_share_api(client, settings):
    settings.SITE_URL = "https://zj.example.org"
    r = client.get("/api/public/share", {"path": "/campaigns/"})
    assert r.status_code == 200
    assert r.json() == {"url": "https://zj.example.org/campaigns/",
                        "qr": "https://zj.example.org/qr.svg?path=%2Fcampaigns%2F"}
    bad = client.get("/api/public/share", {"path": "https://evil.example.com/"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_path"
