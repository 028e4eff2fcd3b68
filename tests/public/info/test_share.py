"""Titles, descriptions and Open Graph tags of every shareable page, and the share button."""

import pytest
from django.utils.translation import gettext as _

from tests.public.builders import announcement, campaign_with_tracks
from tests.review.builders_publicity import PublicityWorld

from .helpers import meta, published_world, show, title

pytestmark = pytest.mark.django_db
SITE = "https://zj.example.org"

OG = ("og:title", "og:description", "og:url", "og:image", "og:type", "og:site_name", "description")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def check(page: str, *, og_title: str, url: str, kind: str = "website") -> dict:
    m = meta(page)
    for key in OG:
        assert m.get(key), f"{key} missing"
    assert m["og:title"] == og_title
    assert m["og:url"] == SITE + url
    assert m["og:type"] == kind
    assert m["og:site_name"] == "职工作品征集平台"
    assert m["og:image"].startswith(SITE + "/")
    assert f'<link rel="canonical" href="{SITE}{url}">' in page
    # The share button: a QR code of this page, usable without JavaScript (a link to the SVG).
    assert 'id="share"' in page and "/qr.svg?path=" in page
    return m


def test_home_campaign_track_and_announcement(client):
    tree, c = campaign_with_tracks(2, summary="全省职工网络文明主题活动")
    a = announcement(c, "关于征集的通知", body="<p>请各单位<strong>认真组织</strong>。</p>")
    page = client.get("/").content.decode()
    m = check(page, og_title="皖美职工正能量 争做中国好网民", url="/")
    assert m["description"] == "全省职工网络文明主题活动" == m["og:description"]
    assert title(page).startswith("皖美职工正能量 争做中国好网民")
    assert 'href="/qr.svg?path=/"' in page

    check(client.get(f"/c/{c.slug}/").content.decode(), og_title="皖美职工正能量 争做中国好网民", url=f"/c/{c.slug}/")

    page = client.get(f"/c/{c.slug}/t1/").content.decode()
    m = check(page, og_title="子项目1 · 皖美职工正能量 争做中国好网民", url=f"/c/{c.slug}/t1/")
    assert m["og:description"] == "规则1：原创"  # the rules as plain text when there is no description
    assert f"/qr.svg?path=/c/{c.slug}/t1/" in page

    page = client.get(f"/c/{c.slug}/news/{a.pk}/").content.decode()
    m = check(page, og_title="关于征集的通知", url=f"/c/{c.slug}/news/{a.pk}/", kind="article")
    assert m["og:description"] == "请各单位认真组织。"

    check(client.get(f"/c/{c.slug}/news/").content.decode(), og_title="公告 · 皖美职工正能量 争做中国好网民",
          url=f"/c/{c.slug}/news/")
    check(client.get("/campaigns/").content.decode(), og_title="主题活动", url="/campaigns/")


def test_english_share_data(client):
    tree, c = campaign_with_tracks(1)
    page = client.get(f"/c/{c.slug}/t1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert meta(page)["og:title"] == "Track 1 · Strive to be a Good Chinese Netizen"
    assert meta(page)["og:site_name"] == "Zhengji call for works"


def test_forged_host_does_not_reach_the_links(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    tree, c = campaign_with_tracks(1)
    page = client.get("/", HTTP_HOST="evil.example.com").content.decode()
    assert "evil.example.com" not in page
    assert meta(page)["og:url"] == SITE + "/"


def test_banner_is_the_share_picture(client):
    from django.core.files.base import ContentFile

    from tests.entries.builders import png_bytes

    tree, c = campaign_with_tracks(1)
    c.banner.save("banner.png", ContentFile(png_bytes()))
    m = meta(client.get(f"/c/{c.slug}/").content.decode())
    assert m["og:image"] == SITE + c.banner.url


def test_default_share_picture(client):
    r = client.get("/share.png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r.content.startswith(b"\x89PNG") and "max-age=31536000" in r["Cache-Control"]
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(r.content)).size == (1200, 630)


def test_winners_and_results_pages(client):
    w = PublicityWorld(n=4)
    pub = published_world(w)
    show(w.awarded)
    slug = w.campaign.slug
    check(client.get(f"/c/{slug}/winners/").content.decode(), og_title="获奖作品 · " + w.campaign.name,
          url=f"/c/{slug}/winners/")
    page = client.get(f"/results/notice/{pub.pk}/").content.decode()
    m = check(page, og_title=f"{w.track.name} · {_('Proposed results')}", url=f"/results/notice/{pub.pk}/")
    assert w.campaign.name in m["og:description"]
    check(client.get("/results/").content.decode(), og_title=_("Results on public notice"), url="/results/")
    check(client.get("/results/notices/").content.decode(), og_title="结果通报", url="/results/notices/")


def test_published_notice_document_page(client):
    from tests.review.builders_notice import NoticeWorld
    from zhengji.review.domain import notice as dom

    w = NoticeWorld()
    w.awarded(w.track, counts=(1, 1), losers=0)
    n = dom.create_notice(w.campaign_admin, w.campaign, number="皖工办〔2026〕12号")
    dom.publish_notice(w.campaign_admin, n)
    n.refresh_from_db()
    page = client.get(f"/results/notices/{n.pk}/").content.decode()
    m = check(page, og_title=n.title, url=f"/results/notices/{n.pk}/")
    assert "皖工办〔2026〕12号" in m["og:description"]
