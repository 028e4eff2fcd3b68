import pytest

from tests.public.builders import campaign_with_tracks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_home_on_a_phone_tracks_rules_and_language(page):
    tree, c = campaign_with_tracks(10)
    page.goto(page.base_url + "/")
    assert page.viewport_size["width"] == 390
    assert "皖美职工正能量" in page.locator("h1").inner_text()
    cards = page.locator("#tracks .zj-track-card")
    assert cards.count() == 10
    # One column on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#timeline li[aria-current=step]").count() == 1
    # Keyboard users get the skip link first.
    page.keyboard.press("Tab")
    skip = page.locator("a.zj-skip")
    assert skip.evaluate("e => e === document.activeElement") and skip.is_visible()
    # The menu is collapsed on a phone; the language switch stays visible.
    assert not page.locator("#nav").is_visible()
    assert page.locator("#lang-switch").is_visible()

    page.get_by_role("link", name="子项目2", exact=True).click()
    page.wait_for_url(f"**/c/{c.slug}/t2/")
    rules = page.locator("#rules .rich-text")
    assert "规则2" in rules.inner_text()
    assert rules.locator("strong").inner_text() == "原创"
    assert "MP4，≤ 10 分钟，≤ 2 GB，≥ 720p" in page.locator("#form-summary").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("#lang-switch").click()
    page.wait_for_url(f"**/c/{c.slug}/t2/")  # the switch keeps the page
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Rules 2" in page.locator("#rules .rich-text").inner_text()
    assert "What to submit" in page.content()
    page.goto(page.base_url + "/")
    assert "Strive to be a Good Chinese Netizen" in page.locator("h1").inner_text()
    assert "Tracks" in page.locator("#tracks-h").inner_text()

    page.locator("#lang-switch").click()
    page.wait_for_url(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "子项目" in page.locator("#tracks-h").inner_text()

    # The collapsed menu opens with the toggler.
    page.locator(".navbar-toggler").click()
    page.locator("#nav.show:not(.collapsing)").wait_for()  # the collapse animation is over
    page.locator("#nav").get_by_role("link", name="主题活动").click()
    page.wait_for_url("**/campaigns/")
