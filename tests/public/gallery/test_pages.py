import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengji.public.domain import showcase as domain
from zhengji.public.models import Credit, Showcase

pytestmark = pytest.mark.django_db


def html(r) -> str:
    return r.content.decode()


def gallery_url(w, **params) -> str:
    q = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/c/{w.campaign.slug}/gallery/" + (f"?{q}" if q else "")


def test_gallery_shows_approved_entries_with_credit_city_and_award(client, w, awards):
    a = w.entry("匠心筑梦", authors=("欧阳明远",))
    b = w.entry("合肥工匠", unit=w.hf1, authors=("李四",))
    hidden = w.entry("未审核作品")
    domain.approve(w.host, w.track, [a.pk, b.pk])
    awards.given[a.pk] = (7, "一等奖", 1)
    page = html(client.get(gallery_url(w)))
    assert "作品展示" in page
    assert "匠心筑梦" in page and "合肥工匠" in page and "未审核作品" not in page
    assert "欧阳明远 · 义安区某公司工会" in page
    assert "铜陵市总工会" in page and "合肥市总工会" in page
    assert "一等奖" in page
    assert f'href="/w/{a.pk}/"' in page
    assert hidden.pk


def test_filters_search_sort_and_track_selector(client, w, awards):
    a = w.entry("匠心筑梦", authors=("欧阳明远",))
    b = w.entry("合肥工匠", unit=w.hf1)
    c = w.entry("摄影作品", track=w.track2)
    domain.approve(w.host, w.track, [a.pk, b.pk])
    domain.approve(w.host2, w.track2, [c.pk])
    awards.given[b.pk] = (8, "二等奖", 2)
    assert "合肥工匠" not in html(client.get(gallery_url(w, city=w.tongling.pk)))
    assert "匠心筑梦" in html(client.get(gallery_url(w, city=w.tongling.pk)))
    only_b = html(client.get(gallery_url(w, tier=8)))
    assert "合肥工匠" in only_b and "匠心筑梦" not in only_b
    found = html(client.get(gallery_url(w, q="匠心")))
    assert "匠心筑梦" in found and "合肥工匠" not in found
    assert "没有符合条件的作品" in html(client.get(gallery_url(w, q="不存在的词")))
    photo = html(client.get(gallery_url(w, track="photo")))
    assert "摄影作品" in photo and "匠心筑梦" not in photo
    Showcase.objects.filter(entry=b).update(views=50)
    views = html(client.get(gallery_url(w, sort="views")))
    assert views.index("合肥工匠") < views.index("匠心筑梦")
    # Bad parameters are ignored, never an error.
    assert client.get(gallery_url(w, city="x", tier="-1", sort="nope", after="%%%", seed="abc")).status_code == 200


def walk(client, url) -> list[str]:
    """Every card title over every page, following the "more" link."""
    titles: list[str] = []
    while url:
        page = html(client.get(url))
        titles += re.findall(r'<h2 class="h6 card-title mb-1 zj-gallery-title">([^<]+)</h2>', page)
        more = re.search(r'<a class="btn btn-outline-primary" href="([^"]+)"', page)
        url = ("/c/" + url.split("/c/")[1].split("?")[0] + more.group(1).replace("&amp;", "&")) if more else ""
    return titles


@pytest.mark.parametrize("sort", ["new", "views", "random"])
def test_keyset_pages_cover_every_entry_once(client, w, sort):
    entries = [w.entry(f"作品{i:02d}") for i in range(30)]
    domain.approve(w.host, w.track, [e.pk for e in entries])
    for i, e in enumerate(entries):
        Showcase.objects.filter(entry=e).update(views=i % 4)
    titles = walk(client, gallery_url(w, sort=sort, size=7))
    assert sorted(titles) == sorted(e.title for e in entries)
    if sort == "random":
        assert walk(client, gallery_url(w, sort=sort, size=7)) == titles  # stable for the day


def test_query_count_does_not_grow_with_page_size(client, w, awards):
    entries = [w.entry(f"作品{i:02d}", authors=("甲", "乙")) for i in range(40)]
    domain.approve(w.host, w.track, [e.pk for e in entries])
    client.get(gallery_url(w))  # what a gallery remembers (its tracks, the first with works) is read once
    counts = []
    for size in (5, 40):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(gallery_url(w, size=size, q="作品"))
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_cached_gallery_changes_after_an_approval(client, w, django_capture_on_commit_callbacks, settings):
    settings.PUBLIC_PAGE_CACHE = True
    a = w.entry("第一件")
    b = w.entry("第二件")
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve(w.host, w.track, [a.pk])
    first = client.get(gallery_url(w))
    assert first["X-Page-Cache"] == "miss"
    again = client.get(gallery_url(w))
    assert again["X-Page-Cache"] == "hit" and "第二件" not in html(again)
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve(w.host, w.track, [b.pk])
    after = client.get(gallery_url(w))
    assert after["X-Page-Cache"] == "miss" and "第二件" in html(after)


def test_cached_gallery_hit_costs_no_query_and_follows_a_track_rename(client, w, settings,
                                                                     django_capture_on_commit_callbacks,
                                                                     django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE = True
    a = w.entry("第一件")
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve(w.host, w.track, [a.pk])
    url = gallery_url(w, track=w.track.slug)
    assert client.get(url)["X-Page-Cache"] == "miss"
    client.cookies.clear()
    with django_assert_num_queries(0):  # the track lookup is remembered too
        assert client.get(url)["X-Page-Cache"] == "hit"
    w.track.slug = "renamed"
    w.track.save()  # bumps "site": the remembered tracks are read again
    r = client.get(gallery_url(w, track="renamed"))
    assert r.status_code == 200 and r["X-Page-Cache"] == "miss" and "第一件" in html(r)


def test_without_a_choice_the_gallery_opens_on_the_first_track_with_works(client, w, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.PUBLIC_PAGE_CACHE = True
    assert w.track.number < w.track2.number
    photo = w.entry("摄影作品", track=w.track2)
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve(w.host2, w.track2, [photo.pk])
    page = html(client.get(gallery_url(w)))
    assert "摄影作品" in page and "共 1 件作品" in page
    english = html(client.get(gallery_url(w), HTTP_ACCEPT_LANGUAGE="en"))
    assert "1 entry<" in english and "1 entries" not in english
    # Once the first track lists a work, it is the one shown (the remembered choice is forgotten).
    first = w.entry("第一件")
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve(w.host, w.track, [first.pk])
    page = html(client.get(gallery_url(w)))
    assert "第一件" in page and "摄影作品" not in page


def test_gallery_404_and_methods(client, w):
    assert client.get("/c/nope/gallery/").status_code == 404
    assert client.post(gallery_url(w)).status_code == 405


# --- staff page ------------------------------------------------------------------------------------

def manage_url(w) -> str:
    return f"/manage/gallery/{w.track.pk}/"


def test_manage_page_lists_filters_and_approves_in_bulk(client, w, django_capture_on_commit_callbacks):
    a = w.entry("匠心筑梦")
    b = w.entry("合肥工匠", unit=w.hf1)
    w.entry("还在基层", status="submitted")
    client.force_login(w.host)
    page = html(client.get(manage_url(w)))
    assert "作品展示审核" in page and "匠心筑梦" in page and "合肥工匠" in page and "还在基层" not in page
    assert "合肥工匠" not in html(client.get(manage_url(w) + f"?city={w.tongling.pk}"))
    assert "匠心筑梦" not in html(client.get(manage_url(w) + "?q=合肥"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(manage_url(w), {"entries": [a.pk, b.pk], "action": "approve"}, follow=True)
    assert "2 件作品已在作品展示中公开" in html(r)
    assert Showcase.objects.filter(approved=True).count() == 2
    assert "合肥工匠" not in html(client.get(manage_url(w) + "?shown=no"))
    r = client.post(manage_url(w), {"entries": [a.pk], "action": "withdraw", "reason": ""}, follow=True)
    assert "请填写撤下展示的原因" in html(r)
    r = client.post(manage_url(w), {"entries": [a.pk], "action": "withdraw", "reason": "待核实"}, follow=True)
    assert "1 件作品已撤下展示" in html(r)


@pytest.mark.parametrize("who", ["unit_admin", "judge", "worker", "host2"])
def test_manage_page_refuses_others(client, w, who):
    e = w.entry("作品")
    client.force_login(getattr(w, who))
    assert client.get(manage_url(w)).status_code == 403
    assert client.post(manage_url(w), {"entries": [e.pk], "action": "approve"}).status_code == 403
    assert not Showcase.objects.filter(approved=True).exists()


def test_manage_page_anonymous_and_method(client, w):
    assert client.get(manage_url(w)).status_code == 302
    client.force_login(w.admin)
    assert client.get(manage_url(w)).status_code == 200
    assert client.put(manage_url(w)).status_code == 405


def test_manage_page_query_count_constant(client, w):
    client.force_login(w.host)
    for i in range(3):
        w.entry(f"作品{i}")
    with CaptureQueriesContext(connection) as small:
        client.get(manage_url(w))
    for i in range(30):
        w.entry(f"更多{i}")
    with CaptureQueriesContext(connection) as big:
        client.get(manage_url(w))
    assert len(big.captured_queries) == len(small.captured_queries)


# --- credit page, hub and centre -------------------------------------------------------------------

def test_credit_page_owner_only(client, w):
    e = w.entry("作品", authors=("欧阳明远",))
    url = f"/w/{e.pk}/credit/"
    assert client.get(url).status_code == 302
    for who in (w.host, w.other):
        client.force_login(who)
        assert client.get(url).status_code == 404
        assert client.post(url, {"credit": "unit"}).status_code == 404
    client.force_login(w.worker)
    page = html(client.get(url))
    assert "署名方式" in page and "仅署单位" in page
    r = client.post(url, {"credit": "unit"}, follow=True)
    assert "已保存" in html(r)
    assert Showcase.objects.get(entry=e).credit == Credit.UNIT
    assert client.post(url, {"credit": "bad"}).status_code == 400
    assert client.delete(url).status_code == 405


def test_hub_and_centre_panels(client, w):
    e = w.entry("匠心筑梦")
    w.entry("另一件")
    client.force_login(w.host)
    hub = html(client.get("/hub/"))
    assert "作品展示审核" in hub and "待审核展示：2" in hub and f"/manage/gallery/{w.track.pk}/" in hub
    client.force_login(w.worker)
    centre = html(client.get("/accounts/centre/"))
    assert "我的作品公开情况" in centre and f"/w/{e.pk}/credit/" in centre and "待审核展示" in centre
