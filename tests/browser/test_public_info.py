"""On a phone: a visitor goes from the home page to a track, an announcement, the winners'
gallery and the results on public notice, and opens a page's QR code; axe-core on the way."""

from __future__ import annotations

import pytest

from tests.browser.test_usability_walk import axe_clean
from tests.public.builders import announcement
from tests.public.info.helpers import show
from tests.review.builders_publicity import PublicityWorld

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_visitor_reads_news_and_results_and_shares(page):
    w = PublicityWorld(n=4)
    show(w.awarded)
    pub = w.publicity()
    news = announcement(w.campaign, "关于公布评选结果的公告", pinned=True,
                        body="<p>各子项目拟获奖名单已进入公示。</p>")
    slug, track = w.campaign.slug, w.track
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(page.base_url + "/")
    assert w.campaign.name in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_clean(page)

    page.click(f"#tracks a[href='/c/{slug}/{track.slug}/']")
    page.wait_for_url(f"**/c/{slug}/{track.slug}/")
    assert page.locator("#track-results-link").is_visible()
    axe_clean(page)

    # The QR code of the track page opens without leaving it.
    page.locator("#share summary").click()
    qr = page.locator("#share img.zj-qr")
    qr.wait_for()
    # The picture loads lazily once the panel opens: wait for it rather than read it at once.
    # (polled from here: wait_for_function evaluates a string, which the CSP forbids)
    loaded = ("(() => { const i = document.querySelector('#share img.zj-qr');"
              " return i.complete && i.naturalWidth > 100; })()")
    for _ in range(100):
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(loaded)
    href = page.locator("#share-qr-link").get_attribute("href")
    assert href == f"/qr.svg?path=/c/{slug}/{track.slug}/"
    svg = page.request.get(page.base_url + href)
    assert svg.ok and svg.headers["content-type"] == "image/svg+xml"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(page.base_url + "/")
    page.click(f"#announcements a[href='/c/{slug}/news/{news.pk}/']")
    page.wait_for_url(f"**/news/{news.pk}/")
    assert "拟获奖名单已进入公示" in page.locator("#announcement").inner_text()

    page.goto(f"{page.base_url}/c/{slug}/{track.slug}/")
    page.click(f"#track-results a[href^='/c/{slug}/winners/']")
    page.wait_for_url(f"**/c/{slug}/winners/*")
    cards = page.locator(".zj-winner")
    assert cards.count() == 3
    assert "一等奖" in page.locator(f"#track-{track.pk}").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_clean(page)

    page.click(f"#track-{track.pk} a[href='/results/tracks/{track.pk}/']")
    page.wait_for_url(f"**/results/tracks/{track.pk}/")
    assert w.snapshot.sha256 in page.locator("#hash").inner_text()
    assert page.locator("#object-btn").get_attribute("href") == f"/results/notice/{pub.pk}/objection/"
    assert page.locator("#share summary").is_visible()
    axe_clean(page)
    assert not [e for e in errors if "Failed to load resource" not in e], errors
