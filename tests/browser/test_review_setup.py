"""The review set-up on a phone (390 x 844) in chromium: host staff open their track's review,
add a scoring round with a two-criterion rubric, invite a judge (organisation picked from the
search), and find two reported entries eligible in one go; a campaign admin lists two holidays.
Nothing overflows the screen."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in
from tests.review.builders_setup import SetupWorld
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.domain.setup import plain
from zhengji.review.models import Criterion, Holiday, PanelMember, Round

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_host_staff_set_up_a_round_invite_a_judge_and_vet(page):
    w = SetupWorld()
    a, b = w.reported(2)
    page.on("dialog", lambda d: d.accept())
    log_in(page, w.host_staff)
    page.goto(page.base_url + "/review/")
    page.locator("#review-tracks a").first.click()
    assert page.locator("#review-checklist").is_visible() and fits(page)

    # A scoring round, then its rubric of two criteria.
    page.goto(page.base_url + f"/review/tracks/{w.track.pk}/rounds/")
    page.select_option("#r-kind", "scoring")
    page.fill("#r-name", "初评")
    page.fill("#r-opens", "2030-10-08T09:00")
    page.fill("#r-closes", "2030-10-20T18:00")
    page.fill("#r-k", "2")
    assert fits(page)
    page.locator("#round-create button[type=submit]").click()
    page.wait_for_selector("#criteria-form")
    rows = page.locator("#criteria-form [data-row]")
    rows.nth(0).locator("input[name=c_name]").fill("思想性")
    rows.nth(0).locator("input[name=c_maximum]").fill("40")
    rows.nth(0).locator("textarea[name=c_description]").fill("主题鲜明，立意深刻")
    page.locator("#criteria-form [data-row-add]").click()
    rows.nth(1).locator("input[name=c_name]").fill("艺术性")
    rows.nth(1).locator("input[name=c_maximum]").fill("60")
    rows.nth(1).locator("input[name=c_weight]").fill("1.5")
    assert fits(page)
    page.locator("#criteria-form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    rnd = Round.objects.get(track=w.track)
    assert rnd.judges_per_entry == 2 and rnd.name == "初评"
    assert [(c.name, plain(c.maximum), plain(c.weight))
            for c in Criterion.objects.filter(round=rnd)] == [("思想性", "40", "1"), ("艺术性", "60", "1.5")]

    # Invite a judge from 郊区; the organisation is picked from the search results.
    page.goto(page.base_url + f"/review/tracks/{w.track.pk}/panel/")
    page.fill("#invite-phone", "13855550001")
    page.fill("#invite-name", "郊区评委")
    page.locator("#invite-org").press_sequentially("郊区", delay=30)
    option = page.locator("[data-org-option]").first
    option.wait_for()
    label = option.get_attribute("data-org-label")
    option.click()
    page.fill("#invite-aff", "郊区文联")
    page.fill("#invite-cap", "30")
    assert fits(page)
    page.locator("#invite-form button[type=submit]").click()
    page.wait_for_selector("#panel-list")
    seat = PanelMember.objects.select_related("org", "user").get(track=w.track)
    assert seat.user.phone == "13855550001" and seat.org.name == label and seat.cap == 30
    assert not seat.user.has_usable_password()
    assert page.locator(f"[data-seat='{seat.pk}']").is_visible() and fits(page)

    # Vet both reported entries at once.
    page.goto(page.base_url + f"/review/tracks/{w.track.pk}/vetting/")
    assert page.locator("#vetting-list [data-entry]").count() == 2 and fits(page)
    # The host projection of one entry, loaded when its details open.
    first = page.locator(f"[data-entry='{a.pk}'] details")
    first.locator("summary").click()
    first.locator("dl").wait_for()
    assert a.number in first.inner_text() and fits(page)
    page.locator("#v-all").check()
    page.locator("#vetting-form button[value=eligible]").click()
    page.wait_for_selector(".alert-success")
    assert set(Entry.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {EntryStatus.ELIGIBLE}
    assert page.locator("#vetting-list").count() == 0

    # The other set-up pages fit the phone too.
    for path in (f"/review/tracks/{w.track.pk}/setup/", f"/review/tracks/{w.track.pk}/tiers/",
                 f"/review/tracks/{w.track.pk}/rounds/", f"/review/tracks/{w.track.pk}/"):
        page.goto(page.base_url + path)
        assert fits(page), path
    log_in(page, w.campaign_admin)
    page.goto(page.base_url + f"/review/campaigns/{w.campaign.slug}/holidays/")
    page.locator("#holidays-form [data-row-add]").click()
    rows = page.locator("#holidays-form [data-row]")
    rows.nth(0).locator("input[name=h_date]").fill("2030-10-01")
    rows.nth(0).locator("input[name=h_name]").fill("国庆节")
    rows.nth(1).locator("input[name=h_date]").fill("2030-10-12")
    rows.nth(1).locator("select[name=h_workday]").select_option("1")
    assert fits(page)
    page.locator("#holidays-form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert list(Holiday.objects.filter(campaign=w.campaign).values_list("workday", flat=True)) == [False, True]
