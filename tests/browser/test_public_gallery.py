"""The gallery on a phone (390x844): a visitor filters by city, searches 匠心 and opens the entry;
host staff approve two entries for display in bulk."""

import pytest

from tests.browser.session import log_in
from tests.browser.test_usability_walk import axe_clean
from tests.public.gallery.builders import GalleryWorld
from zhengji.public.domain import showcase as domain
from zhengji.public.models import Showcase

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_gallery_visitor_and_staff_on_a_phone(page):
    w = GalleryWorld()
    craft = w.entry("匠心筑梦新时代", authors=("欧阳明远",))
    hefei = w.entry("合肥机床工匠", unit=w.hf1)
    domain.approve(w.host, w.track, [craft.pk, hefei.pk])
    waiting = [w.entry("绿水青山"), w.entry("安全生产月")]

    page.goto(f"{page.base_url}/c/{w.campaign.slug}/gallery/")
    cards = page.locator("#gallery-cards .zj-gallery-card")
    assert cards.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_clean(page)

    # Filter by city: the select applies itself.
    page.select_option("#gallery-city", str(w.hefei.pk))
    page.wait_for_url(f"**city={w.hefei.pk}**")
    assert cards.count() == 1 and "合肥机床工匠" in cards.first.inner_text()

    # Back to all cities, then a two-character Chinese search.
    page.select_option("#gallery-city", "")
    page.wait_for_url("**city=&**")
    page.fill("#gallery-q", "匠心")
    page.click("#gallery-apply")
    page.wait_for_url("**q=%E5%8C%A0%E5%BF%83**")
    assert cards.count() == 1
    card = cards.first
    assert "匠心筑梦新时代" in card.inner_text() and "欧阳明远" in card.inner_text()
    axe_clean(page)
    card.locator("a.stretched-link").click()
    page.wait_for_url(f"**/w/{craft.pk}/")
    assert "匠心筑梦新时代" in page.content()

    # Host staff approve the two waiting entries in bulk, on the phone.
    log_in(page, w.host)
    page.goto(f"{page.base_url}/manage/gallery/{w.track.pk}/?shown=no")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for e in waiting:
        page.check(f"#pick-{e.pk}")
    page.click("#bulk-approve")
    page.locator(".alert-success").wait_for()
    assert Showcase.objects.filter(entry__in=waiting, approved=True, listed=True).count() == 2
    # Back on "not approved": the two approved entries left the list.
    assert page.locator("#showcase-list li").count() == 0
    axe_clean(page)

    page.goto(f"{page.base_url}/c/{w.campaign.slug}/gallery/")
    assert cards.count() == 4


def test_the_chosen_track_is_scrolled_into_the_strip_on_a_phone(page):
    from tests import factories as f

    w = GalleryWorld()
    last = None
    for n in range(3, 9):
        last = f.track(w.campaign, w.tongling, number=n, name=f"第{n}个子项目：网络正能量作品征集", slug=f"t{n}")
    page.goto(f"{page.base_url}/c/{w.campaign.slug}/gallery/?track={last.slug}")
    active = page.locator(".zj-gallery-tracks .nav-link.active")
    box = active.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
