"""The entry page: the gate, what it shows (and never shows), its players and viewer, the cache."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from zhengji.entries.models import EntryStatus as S
from zhengji.media.views_media import rendition_path
from zhengji.public.models import Credit

from .builders import AUTHOR, SECRET_FILE, SECRET_ID_CARD, SECRET_NAME, SECRET_PHONE

pytestmark = pytest.mark.django_db

SECRETS = (SECRET_NAME, SECRET_PHONE, SECRET_FILE, SECRET_ID_CARD)


def url(e) -> str:
    return reverse("public:entry", args=[e.pk])


@pytest.mark.parametrize("status,approved", [
    (S.DRAFT, None), (S.SUBMITTED, True), (S.RECOMMENDED, True), (S.RETURNED, True), (S.REJECTED, True),
    (S.DISQUALIFIED, True), (S.WITHDRAWN, True), (S.REPORTED, None), (S.ELIGIBLE, False), (S.AWARDED, False),
])
def test_non_public_entries_are_404(client, world, status, approved):
    e = world.entry(status, approved=approved)
    assert client.get(url(e)).status_code == 404
    assert client.get(f"/api/public/entries/{e.pk}").status_code == 404
    # Not even its author or a superuser sees it here (the public page is the public's).
    client.force_login(f.user(is_superuser=True))
    assert client.get(url(e)).status_code == 404


def test_unpublished_campaign_hides_a_published_entry(client, world):
    e = world.entry(S.PUBLISHED)
    world.campaign.is_published = False
    world.campaign.save(update_fields=["is_published"])
    assert client.get(url(e)).status_code == 404


@pytest.mark.parametrize("status,approved", [(S.PUBLISHED, None), (S.ELIGIBLE, True), (S.REPORTED, True),
                                             (S.SCORED, True)])
def test_public_entries_are_shown(client, world, status, approved):
    e = world.entry(status, approved=approved)
    r = client.get(url(e))
    assert r.status_code == 200
    html = r.content.decode()
    assert "匠心筑梦" in html and e.number in html
    assert reverse("public:track", args=[world.campaign.slug, world.track.slug]) in html
    assert reverse("public:campaign", args=[world.campaign.slug]) in html


def test_page_shows_credit_answers_and_reading_view(client, world):
    e = world.entry()
    html = client.get(url(e)).content.decode()
    credit = re.search(r'id="entry-credit">(.*?)</p>', html, re.S).group(1)
    assert AUTHOR in credit and "义安区某公司工会" in credit
    assert "凌晨四点的车间" in html and "<strong>加粗</strong>" in html and "<script>alert" not in html
    assert 'data-reading' in html and 'data-size="l"' in html  # the reading view with its size switch
    assert "纪实" in html  # a choice answer shows its label
    assert "139****4321" in html  # a phone typed into a shown answer is masked
    assert "作者真实姓名" not in html and "联系电话" not in html  # identifying / contact fields left out


@pytest.mark.parametrize("choice,authors,unit", [(Credit.AUTHORS, True, False), (Credit.UNIT, False, True),
                                                 (Credit.AUTHORS_AND_UNIT, True, True)])
def test_credit_follows_the_entrants_choice(client, world, choice, authors, unit):
    e = world.entry(credit=choice)
    html = client.get(url(e)).content.decode()
    credit = re.search(r'id="entry-credit">(.*?)</p>', html, re.S).group(1)
    assert (AUTHOR in credit) is authors
    assert ("义安区某公司工会" in credit) is unit


def test_no_identifying_data_in_page_or_json(client, rich_entry):
    """A name, a phone, an ID card number and file names planted everywhere never come out."""
    e = rich_entry
    for path in (url(e), f"/api/public/entries/{e.pk}"):
        body = client.get(path).content.decode()
        for secret in SECRETS:
            assert secret not in body, (path, secret)
        assert "/original" not in body
    client.force_login(f.user())  # the live page of a logged-in visitor too
    body = client.get(url(e)).content.decode()
    assert not [s for s in SECRETS if s in body]


def test_players_viewer_and_documents(client, rich_entry):
    e = rich_entry
    html = client.get(url(e)).content.decode()
    video = re.search(r"<video[^>]*>.*?</video>", html, re.S).group(0)
    assert "playsinline" in video and 'poster="' in video
    assert f"/files/m/{e.media['video'].pk}/preview?v=" in video
    assert f"/files/m/{e.media['video'].pk}/poster?v=" in video
    assert f"/files/m/{e.media['audio'].pk}/preview?v=" in re.search(r"<audio.*?</audio>", html, re.S).group(0)
    viewer = re.search(r"<section[^>]*data-viewer.*?</section>", html, re.S).group(0)
    order = [int(m) for m in re.findall(r"/files/m/(\d+)/web", viewer)]
    assert order == [m.pk for m in e.media["photos"]]  # the entrant's order
    assert "1/3" in viewer and "data-next" in viewer and "data-full" in viewer
    # The identifying photo field and the document are not published as files.
    assert f"/m/{e.media['id_photo'].pk}/" not in html and f"/m/{e.media['doc'].pk}/" not in html
    assert 'id="entry-documents"' in html
    assert 'id="wechat-hint"' in html and "entry.js" in html


def rendition(e, key, name: str) -> str:
    """The URL of a rendition as the entry page gives it (the media app's, versioned)."""
    media = e.media[key] if not isinstance(key, tuple) else e.media[key[0]][key[1]]
    return rendition_path(media, name)


def test_public_renditions(client, rich_entry):
    e = rich_entry
    v = e.media["video"]
    preview = rendition(e, "video", "preview")
    assert preview in client.get(url(e)).content.decode().replace("&amp;", "&")
    r = client.get(preview, HTTP_RANGE="bytes=0-99")
    assert r.status_code == 206 and r["Content-Type"] == "video/mp4" and r["Content-Range"].startswith("bytes 0-99/")
    assert r["Cache-Control"] == "public, max-age=31536000, immutable" and r["ETag"]
    assert SECRET_FILE not in r.get("Content-Disposition", "")
    assert client.get(rendition(e, "video", "poster"), HTTP_IF_NONE_MATCH=r["ETag"]).status_code in (200, 304)
    assert client.get(preview, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
    photo = e.media["photos"][0]
    assert client.get(rendition(e, ("photos", 0), "web")).status_code == 200
    assert client.get(reverse("media:rendition", args=[photo.pk, "preview"])).status_code == 404  # none for images
    # Never the original, never an identifying file field (anonymous: asked to log in, as any closed file).
    assert client.get(reverse("media:original", args=[v.pk])).status_code == 302
    assert client.get(rendition(e, "id_photo", "web")).status_code == 302
    assert client.post(rendition(e, ("photos", 0), "web")).status_code == 405
    e.status = S.DISQUALIFIED
    e.save(update_fields=["status"])
    assert client.get(rendition(e, ("photos", 0), "web")).status_code == 302  # closed at once (cached answer forgotten)


def test_account_card(client, world):
    e = world.entry(track=world.account_track, data={
        "platform": "douyin", "account_name": "铜陵工匠说", "account_id": "tlgj2025", "url": "https://example.org/a",
        "followers": 125000, "stats_period": "2024年9月—2025年8月", "operator_phone": SECRET_PHONE})
    html = client.get(url(e)).content.decode()
    card = re.search(r'id="account-card">.*?</section>', html, re.S).group(0)
    assert "抖音" in card and "铜陵工匠说" in card and "tlgj2025" in card and "125,000" in card
    assert 'href="https://example.org/a"' in card and "2024年9月" in card
    assert SECRET_PHONE not in html
    data = client.get(f"/api/public/entries/{e.pk}").json()
    assert data["account"]["name"] == "铜陵工匠说" and data["account"]["followers"] == 125000


def test_share_context_and_language(client, rich_entry):
    r = client.get(url(rich_entry))
    share = r.context["share"]
    assert share["title"] == "匠心筑梦" and share["url"] == f"http://testserver/w/{rich_entry.pk}/"
    assert share["image"].startswith("http://testserver/files/m/")
    en = client.get(url(rich_entry), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Statement" in en and "Views" in en


def test_query_count_is_bounded(client, rich_entry, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # entry, showcase, authors, files, AI label (+ award provider)
        assert client.get(url(rich_entry)).status_code == 200


def test_wrong_method(client, world):
    e = world.entry()
    assert client.post(url(e)).status_code == 405
    assert client.get(reverse("public:entry_seen", args=[e.pk])).status_code == 405


def test_cached_page_changes_after_an_edit(client, world, settings):
    settings.PUBLIC_PAGE_CACHE = True
    e = world.entry()
    first = client.get(url(e))
    assert first["X-Page-Cache"] == "miss"
    again = client.get(url(e))
    assert again["X-Page-Cache"] == "hit" and "匠心筑梦" in again.content.decode()
    e.title = "匠心筑梦（修订）"
    e.save()
    r = client.get(url(e))
    assert r["X-Page-Cache"] == "miss" and "匠心筑梦（修订）" in r.content.decode()
    # Disqualified: gone at once, not served from the cache.
    e.status = S.DISQUALIFIED
    e.save()
    assert client.get(url(e)).status_code == 404
    # A logged-in visitor always gets the live page.
    e.status = S.PUBLISHED
    e.save()
    client.get(url(e))
    client.force_login(f.user())
    assert "X-Page-Cache" not in client.get(url(e))


def test_cached_page_follows_a_credit_change(client, world, settings):
    settings.PUBLIC_PAGE_CACHE = True
    e = world.entry(credit=Credit.AUTHORS_AND_UNIT)
    assert "义安区某公司工会" in client.get(url(e)).content.decode()
    show = e.showcase
    show.credit = Credit.AUTHORS
    show.save()
    r = client.get(url(e))
    assert r["X-Page-Cache"] == "miss"
    assert "义安区某公司工会" not in re.search(r'id="entry-credit">(.*?)</p>', r.content.decode(), re.S).group(1)


def test_query_count_does_not_grow_with_the_files(client, world, rich_entry):
    bare = world.entry(data={})
    with CaptureQueriesContext(connection) as few:
        client.get(url(bare))
    with CaptureQueriesContext(connection) as many:
        client.get(url(rich_entry))  # 7 files, 3 photos, answers
    assert len(many) == len(few)


def test_head_request(client, world):
    e = world.entry()
    assert client.head(url(e)).status_code == 200


def test_rendition_requests_after_the_first_cost_no_query(client, rich_entry, django_assert_num_queries):
    path = rendition(rich_entry, "video", "preview")
    assert client.get(path, HTTP_RANGE="bytes=0-99").status_code == 206
    with django_assert_num_queries(0):
        r = client.get(path, HTTP_RANGE="bytes=100-199")
    assert r.status_code == 206 and len(b"".join(r.streaming_content)) == 100


def test_remembered_public_answer_is_forgotten_when_the_campaign_is_unpublished(client, world, rich_entry):
    path = rendition(rich_entry, "video", "preview")
    assert client.get(path, HTTP_RANGE="bytes=0-9").status_code == 206
    world.campaign.is_published = False  # the whole campaign leaves the public site
    world.campaign.save(update_fields=["is_published"])
    assert client.get(path, HTTP_RANGE="bytes=0-9").status_code == 302
