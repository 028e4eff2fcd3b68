"""The assign area on a phone (390 × 844) and on a desktop: staff preview a round's assignment,
apply it, replace a judge, and record a conflict; nothing scrolls sideways and axe-core finds no
serious or critical violation."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in
from tests.browser.test_phone_layout import check
from tests.review.builders_assign import AssignWorld, active, submit_score
from zhengji.common.models import AuditLog
from zhengji.review.models import Conflict

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_assign_and_conflicts_on_a_phone(page):
    w = AssignWorld()
    seats = [w.judge("ya2"), w.judge("jq1"), w.city_judge(0), w.city_judge(1), w.city_judge(2), w.judge(None)]
    r, entries = w.round_with(6)
    assert page.viewport_size["width"] == 390
    log_in(page, w.host_staff)
    check(page, f"/review/rounds/{r.pk}/assign/", "review-assign-preview", tokens=6)
    assert page.locator("#as-loads").inner_text() in ("3–3", "2–4", "3–4", "2–3")
    with page.expect_navigation():
        page.click("#as-apply")
    assert page.locator("#as-applied").is_visible()
    assert active(r).count() == 18
    check(page, f"/review/rounds/{r.pk}/assign/", "review-assign-applied", tokens=6)
    # A judge drops out after scoring one entry: the score stays, the rest moves.
    scored = submit_score(active(r).filter(judge=seats[2].user).first())
    page.select_option("#as-rep-judge", str(seats[2].user_id))
    page.fill("#as-rep-reason", "临时出差")
    with page.expect_navigation():
        page.click("form:has(#as-rep-reason) button[type=submit]")
    assert page.locator(".alert-success").count() == 1
    assert list(active(r).filter(judge=seats[2].user)) == [scored.assignment]
    assert active(r).count() == 18
    # A manual removal unfolds from the judge's name and fits the screen.
    page.locator("#as-table details summary").first.click()
    check(page, f"/review/rounds/{r.pk}/assign/", "review-assign-after-replace", tokens=6)
    # Conflicts: record one by entry number.
    check(page, f"/review/tracks/{w.track.pk}/conflicts/", "review-conflicts-empty", tokens=0)
    page.select_option("#cf-judge", str(seats[-1].user_id))
    page.fill("#cf-entry", entries[0].number)
    page.fill("#cf-reason", "评委是作者的老师")
    with page.expect_navigation():
        page.click("form:has(#cf-reason) button[type=submit]")
    assert Conflict.objects.filter(judge=seats[-1].user, entry=entries[0]).exists()
    check(page, f"/review/tracks/{w.track.pk}/conflicts/", "review-conflicts", tokens=1)
    assert AuditLog.objects.filter(action="review.conflict_set").count() == 1


def test_assign_on_a_desktop(page):
    w = AssignWorld()
    w.judge(None), w.city_judge(0), w.city_judge(1)
    r, _entries = w.round_with(4, k=2)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, w.campaign_admin)
    check(page, f"/review/rounds/{r.pk}/assign/", "desktop-review-assign", tokens=4)
    assert page.locator("#as-table thead").is_visible()
