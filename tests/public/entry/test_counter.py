"""The view counter: one view per visitor, entry and day; bots never; flushed to the database in
batches with no database write on the beacon's path."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from zhengji.common.registry import periodic_jobs
from zhengji.entries.models import EntryStatus as S
from zhengji.public import counters
from zhengji.public.models import Showcase

pytestmark = pytest.mark.django_db

PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN")
BOTS = ["Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "python-requests/2.31", "curl/8.5.0", ""]


def visitor(vid: str | None = None, ua: str = PHONE_UA, ip: str = "10.0.0.1") -> Client:
    c = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    if vid:
        c.cookies["zj_vid"] = vid
    return c


def see(c: Client, entry) -> dict:
    """What the page's script does: load the page (for its CSRF token), then post the beacon."""
    page = c.get(reverse("public:entry", args=[entry.pk]))
    assert page.status_code == 200
    token = page.context["csrf_token"]
    r = c.post(reverse("public:entry_seen", args=[entry.pk]), {"t": counters.seen_token(entry.pk)},
               HTTP_X_CSRFTOKEN=str(token))
    assert r.status_code == 200, r.content
    return r.json()


def flushed(entry, *, later: float = 600) -> int:
    counters.flush(now=time.time() + later)
    return Showcase.objects.get(entry=entry).views


def test_reloads_of_one_visitor_count_once(world, django_assert_num_queries):
    e = world.entry()
    c = visitor("v" * 22)
    assert see(c, e) == {"counted": True}
    for _ in range(3):
        assert see(c, e) == {"counted": False}
    # The beacon itself touches no database.
    with django_assert_num_queries(0):
        c.post(reverse("public:entry_seen", args=[e.pk]), {"t": counters.seen_token(e.pk)},
               HTTP_X_CSRFTOKEN=c.cookies["csrftoken"].value)
    assert flushed(e) == 1


def test_two_visitors_count_twice_and_the_page_shows_it(world, client):
    e = world.entry()
    see(visitor("a" * 22), e)
    see(visitor("b" * 22), e)  # same address (a NAT), another browser
    assert counters.pending([e.pk])[e.pk] == 2
    assert 'id="entry-views"' in (html := client.get(reverse("public:entry", args=[e.pk])).content.decode())
    assert ">2</span>" in html  # shown before the flush (pending counts included)
    assert flushed(e) == 2
    assert counters.pending([e.pk])[e.pk] == 0  # flushed buckets are not counted twice
    assert ">2</span>" in client.get(reverse("public:entry", args=[e.pk])).content.decode()


def test_without_cookie_address_and_agent_identify_the_visitor(world):
    e = world.entry()
    assert see(visitor(None, ip="10.0.0.7"), e)["counted"] is True
    assert see(visitor(None, ip="10.0.0.7"), e)["counted"] is False
    assert see(visitor(None, ip="10.0.0.8"), e)["counted"] is True
    assert flushed(e) == 2


@pytest.mark.parametrize("ua", BOTS)
def test_bots_never_count(world, ua):
    e = world.entry()
    assert see(visitor("c" * 22, ua=ua), e) == {"counted": False}
    counters.flush(now=time.time() + 600)
    assert not Showcase.objects.filter(entry=e, views__gt=0).exists()


def test_a_page_load_alone_counts_nothing(world):
    """No script, no view (fetchers, crawlers and previews never run the beacon)."""
    e = world.entry()
    for _ in range(3):
        visitor("d" * 22).get(reverse("public:entry", args=[e.pk]))
    assert counters.pending([e.pk])[e.pk] == 0


def test_beacon_refusals(world):
    e = world.entry()
    c = visitor("e" * 22)
    c.get(reverse("public:entry", args=[e.pk]))
    seen = reverse("public:entry_seen", args=[e.pk])
    csrf = c.cookies["csrftoken"].value
    # Without the page's CSRF token: 403.
    assert c.post(seen, {"t": counters.seen_token(e.pk)}).status_code == 403
    # A token of another entry, or none: 404 (ids no page showed are not counted).
    assert c.post(seen, {"t": counters.seen_token(e.pk + 1)}, HTTP_X_CSRFTOKEN=csrf).status_code == 404
    assert c.post(seen, {}, HTTP_X_CSRFTOKEN=csrf).status_code == 404
    assert c.get(seen).status_code == 405
    assert counters.pending([e.pk])[e.pk] == 0


def test_a_rotating_script_is_capped_per_address(world, settings):
    settings.PUBLIC_VIEWS_PER_IP_DAY = 3
    e = world.entry()
    counted = [see(visitor(f"rot{i:020d}", ip="10.9.9.9"), e)["counted"] for i in range(6)]
    assert counted == [True, True, True, False, False, False]


def test_flush_is_idempotent_and_skips_entries_no_longer_public(world):
    shown = world.entry()
    hidden = world.entry()
    see(visitor("f" * 22), shown)
    see(visitor("f" * 22), hidden)
    hidden.status = S.DISQUALIFIED
    hidden.save(update_fields=["status"])
    later = time.time() + 600
    assert counters.flush(now=later) == 1
    assert counters.flush(now=later) == 0  # a second scheduler adds nothing
    assert Showcase.objects.get(entry=shown).views == 1
    assert not Showcase.objects.filter(entry=hidden).exists()


def test_open_bucket_waits_for_the_next_flush(world):
    e = world.entry()
    see(visitor("g" * 22), e)
    assert counters.flush() == 0  # the current bucket is still open
    assert flushed(e) == 1


def test_flush_adds_to_existing_counts(world):
    e = world.entry(S.ELIGIBLE, approved=True)
    Showcase.objects.filter(entry=e).update(views=41)
    see(visitor("h" * 22), e)
    assert flushed(e) == 42


def test_flush_is_a_registered_periodic_job():
    assert "zhengji.public.counters.flush" in [j.path for j in periodic_jobs.jobs()]


def test_bot_patterns():
    assert not counters.is_bot(PHONE_UA)
    assert not counters.is_bot("Mozilla/5.0 (Linux; Android 14; 23127PN0CC) AppleWebKit/537.36 (KHTML, like Gecko) "
                               "Chrome/118.0 Mobile Safari/537.36 baiduboxapp/13.5")
    assert all(counters.is_bot(ua) for ua in BOTS)


def test_beacon_works_from_the_cached_page(world, settings):
    """The cached page carries each visitor's own CSRF token (cache.py fills it in on a hit)."""
    settings.PUBLIC_PAGE_CACHE = True
    e = world.entry()
    visitor("i" * 22).get(reverse("public:entry", args=[e.pk]))  # fills the cache
    c = visitor("j" * 22)
    page = c.get(reverse("public:entry", args=[e.pk]))
    assert page["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert "__ZJ_CSRF_TOKEN__" not in token
    seen_token = re.search(r'data-seen-token="([^"]+)"', page.content.decode()).group(1)
    r = c.post(reverse("public:entry_seen", args=[e.pk]), {"t": seen_token}, HTTP_X_CSRFTOKEN=token)
    assert r.json() == {"counted": True}


def test_concurrent_beacons_of_one_visitor_count_once(world):
    """Eight simultaneous beacons of one visitor (double taps, retries): the cache's atomic add
    lets exactly one count."""
    e = world.entry()
    rf = RequestFactory()

    def beacon(_):
        req = rf.post("/", HTTP_USER_AGENT=PHONE_UA, REMOTE_ADDR="10.1.1.1")
        req.COOKIES["zj_vid"] = "k" * 22
        return counters.record_view(req, e.pk)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(beacon, range(8)))
    assert results.count(True) == 1
    assert counters.pending([e.pk])[e.pk] == 1
