"""The originality journey in chromium on a phone-sized screen: a photo already entered by
义安区某公司工会's worker is entered again by a worker of another unit (郊区); the unit admin where
the copy waits sees the flag in the vetting queue, opens the comparison (side by side and
overlaid, with the opacity slider), and disqualifies it with a reason, which the audit log shows."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in
from tests.browser.test_usability_walk import axe_clean
from tests.originality.builders import OrigWorld, fingerprint, png
from zhengji.entries.models import EntryStatus
from zhengji.originality.models import Flag, FlagKind, FlagStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_unit_admin_disqualifies_a_resubmitted_photo_from_the_comparison(page):
    w = OrigWorld()
    first = w.entry(png((20, 140, 90), size=(64, 48)), unit="ya1", title="江城夜色")
    again = w.entry(png((20, 140, 90), size=(64, 48)), unit="jq1", user=w.jq1_worker, track=w.other_track,
                    title="夜色江城")
    fingerprint(first)
    fingerprint(again)
    flag = Flag.objects.get(entry=again, kind=FlagKind.SIMILAR)

    log_in(page, w.jq1_admin)
    page.goto(page.base_url + "/reporting/")
    row_flag = page.locator(f"[data-flag='{flag.pk}']")
    assert row_flag.is_visible()
    assert first.number in row_flag.inner_text()
    row_flag.locator("a").click()
    page.wait_for_load_state()
    assert f"/originality/flags/{flag.pk}/" in page.url
    assert "江城夜色" in page.content() and "夜色江城" in page.content()
    slider = page.locator("[data-overlay-range]").first
    slider.fill("20")
    assert page.locator("[data-overlay-top]").first.evaluate("el => el.style.opacity") == "0.2"
    axe_clean(page)

    reason = "与义安区已报送的《江城夜色》为同一张照片"
    page.fill("#decide-reason", reason)
    page.click("#decide-form button[name=status][value=disqualified]")
    page.wait_for_load_state()
    flag.refresh_from_db()
    again.refresh_from_db()
    assert flag.status == FlagStatus.DISQUALIFIED and again.status == EntryStatus.REJECTED
    assert page.locator("#flag-status").inner_text() == str(flag.get_status_display())

    page.goto(page.base_url + "/hub/audit/")
    assert reason in page.content()
