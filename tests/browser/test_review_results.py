"""The results pages on a phone (390 × 844): staff read the scores (a judge's breakdown opened),
decide a tier on the ranking, freeze, see the hash, reopen with a reason and see it in the
history. Every page fits the screen and passes axe-core (serious/critical)."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in
from tests.browser.test_phone_layout import check
from tests.review.builders_results import Scored, tiers
from zhengji.review.domain import results as domain
from zhengji.review.models import ResultLine, ReviewSetup

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_results_pages_on_a_phone(page):
    s = Scored()
    w = s.w
    first, _second = tiers(w.track, 1, 1)
    ReviewSetup.objects.update_or_create(track=w.track, defaults={"normalise": True})
    log_in(page, w.host_staff)
    e0, e1, *_ = s.entries
    check(page, f"/review/rounds/{s.rnd.pk}/progress/", "review-progress", tokens=0)
    check(page, f"/review/rounds/{s.rnd.pk}/scores/", "review-scores")
    page.locator("details summary").first.click()
    assert page.locator("details[open] li").first.is_visible()
    check(page, f"/review/tracks/{w.track.pk}/ranking/", "review-ranking")
    # Normalised, e0 ranks first (each judge gave it more than their own mean): pre-filled 一等奖.
    assert page.locator(f"#tier-{e0.pk}").input_value() == str(first.pk)
    page.fill(f"#note-{e0.pk}", "全票通过")
    page.locator("button[name=action][value=decide]").click()
    page.wait_for_load_state("load")
    line = ResultLine.objects.get(entry=e0)
    assert (line.tier_id, line.note, line.rank) == (first.pk, "全票通过", 1)
    check(page, f"/review/tracks/{w.track.pk}/freeze/", "review-freeze", tokens=0)
    page.locator("button[name=action][value=freeze]").click()
    page.wait_for_load_state("load")
    snap = domain.current_snapshot(w.track)
    assert page.locator("#frozen-hash").inner_text() == snap.sha256
    page.fill("#reason", "异议成立，重新评定")
    page.locator("button[name=action][value=reopen]").click()
    page.wait_for_load_state("load")
    assert "异议成立，重新评定" in page.locator(".reopen-reason").first.inner_text()
    check(page, f"/review/tracks/{w.track.pk}/freeze/", "review-freeze-reopened", tokens=0)
    check(page, f"/review/tracks/{w.track.pk}/trace/{e1.pk}/", "review-trace")
