"""A visitor on a phone opens a public entry: plays the video preview, swipes through a photo
series, and the page passes axe-core. In WeChat's browser the "open in browser" hint shows."""

from __future__ import annotations

import pytest

from tests.browser.test_usability_walk import axe_clean
from tests.public.entry.conftest import media_dir, rich_entry, world  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN")


def test_visitor_plays_video_and_swipes_photos(page, browser, rich_entry):  # noqa: F811
    e = rich_entry
    page.goto(f"{page.base_url}/w/{e.pk}/")
    assert page.viewport_size == {"width": 390, "height": 844}
    assert "匠心筑梦" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#wechat-hint").is_hidden()

    # The video preview plays (a tap on the player starts it; the poster is its thumbnail frame).
    video = page.locator("video.zj-video")
    video.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('video.zj-video').readyState >= 1")
    video.click()
    page.evaluate("document.querySelector('video.zj-video').paused && document.querySelector('video.zj-video').play()")
    page.wait_for_function("() => document.querySelector('video.zj-video').currentTime > 0")

    # The photo series: the counter, the next arrow, a swipe (scroll snap) and the keyboard.
    viewer = page.locator("[data-viewer]").first
    viewer.scroll_into_view_if_needed()
    count = viewer.locator("[data-count]")
    assert count.inner_text() == "1/3"
    viewer.locator("[data-next]").click()
    page.wait_for_function("() => document.querySelector('[data-viewer] [data-count]').textContent === '2/3'")
    viewer.locator(".zj-viewer-track").evaluate("t => t.scrollTo({left: t.clientWidth * 2, behavior: 'instant'})")
    page.wait_for_function("() => document.querySelector('[data-viewer] [data-count]').textContent === '3/3'")
    assert viewer.locator("[data-next]").is_disabled()
    viewer.locator(".zj-viewer-track").press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('[data-viewer] [data-count]').textContent === '2/3'")
    img = viewer.locator(".zj-slide img").nth(1)
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")

    # The reading view's text size switch.
    page.locator("[data-reading] [data-size=l]").click()
    assert page.locator("[data-reading]").get_attribute("data-text-size") == "l"

    # The beacon ran (a headless browser is a bot: it is not counted).
    page.wait_for_function("() => document.getElementById('entry-views').dataset.seen !== undefined", timeout=10000)
    assert page.locator("#entry-views").get_attribute("data-seen") == "not-counted"
    axe_clean(page)

    # WeChat's built-in browser: the hint to open the page in the system browser.
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, user_agent=WECHAT_UA)
    try:
        wx = ctx.new_page()
        wx.goto(f"{page.base_url}/w/{e.pk}/")
        assert wx.locator("#wechat-hint").is_visible()
        assert wx.locator("#wechat-hint").inner_text().strip()
        wx.wait_for_function("() => document.getElementById('entry-views').dataset.seen === 'counted'", timeout=10000)
    finally:
        ctx.close()
