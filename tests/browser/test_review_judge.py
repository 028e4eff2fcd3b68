"""A judge on a phone scores three entries (a draft first, autosaved when a field is left, then the
submission, which moves on to the next entry); on a desktop the keyboard moves between entries."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.session import log_in
from tests.review import builders_judge as bj
from tests.review.builders import ReviewWorld
from zhengji.entries.models import EntryStatus
from zhengji.review.models import Score, ScoreStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def world():
    w = ReviewWorld()
    w.entries = w.reported(3, status=EntryStatus.ELIGIBLE)
    w.seat = w.judge(None)
    w.round = w.scoring_round()
    w.c1, w.c2 = list(w.round.criteria.all())
    w.asg = bj.assign(w, w.round, w.entries, w.seat.user)
    return w


def test_a_judge_on_a_phone_scores_three_entries(page):
    w = world()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, w.seat.user)
    page.goto(page.base_url + "/review/judge/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".judge-queue-link").first.click()
    page.wait_for_url(re.compile(rf".*/review/judge/{w.asg[0].pk}/$"))
    for i, a in enumerate(w.asg):
        assert page.url.endswith(f"/review/judge/{a.pk}/")
        assert w.entries[i].title in page.locator("#judge-title").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        # A value, then leaving the field: saved as a draft without a page load.
        page.locator(f"#c_{w.c1.pk}").fill(str(20 + i))
        here = f"/review/judge/{a.pk}/"
        def autosave(r, here=here):
            return r.request.method == "POST" and r.url.endswith(here)

        with page.expect_response(autosave) as resp_info:
            page.locator("#comment").focus()
        assert resp_info.value.status == 200
        expect(page.locator("#save-status")).to_contain_text(":")
        score = Score.objects.get(assignment=a)
        assert score.status == ScoreStatus.DRAFT and score.values == {str(w.c1.pk): float(20 + i)}
        assert page.locator("#score-total").inner_text() == str(20 + i)
        # The draft button: the page again with the draft.
        page.locator("#comment").fill("构图不错")
        page.locator("#save-draft").click()
        page.wait_for_selector(".alert-success")
        assert page.locator(f"#c_{w.c1.pk}").input_value() == str(20 + i)
        # Submitting without the second criterion is refused with its message; then with it.
        page.locator("#submit-score").click()
        page.wait_for_selector(f"#c_{w.c2.pk}.is-invalid")
        page.locator(f"#c_{w.c2.pk}").fill("50.5")
        page.locator("#submit-score").click()
        if i < 2:
            page.wait_for_url(re.compile(rf".*/review/judge/{w.asg[i + 1].pk}/$"))
        else:
            page.wait_for_url(re.compile(r".*/review/judge/$"))
    scores = Score.objects.filter(round=w.round).order_by("assignment_id")
    assert [s.status for s in scores] == [ScoreStatus.SUBMITTED] * 3
    assert [str(s.total) for s in scores] == ["70.5000", "71.5000", "72.5000"]
    assert "3" in page.locator(f"[data-round-progress='{w.round.pk}']").inner_text()
    assert page.locator(".badge.text-bg-success").count() == 3
    # No script error and no CSP violation on the way (a refused submission is a 422, not an error).
    assert [p for p in problems if "422" not in p] == []


def test_keyboard_shortcuts_on_a_desktop(page):
    w = world()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, w.seat.user)
    page.goto(page.base_url + f"/review/judge/{w.asg[0].pk}/")
    page.locator("body").press("j")
    page.wait_for_url(re.compile(rf".*/review/judge/{w.asg[1].pk}/$"))
    page.locator("body").press("k")
    page.wait_for_url(re.compile(rf".*/review/judge/{w.asg[0].pk}/$"))
    # Typing in a field is not a shortcut; Enter moves to the next field and submits from the last.
    page.locator(f"#c_{w.c1.pk}").fill("3")
    page.locator(f"#c_{w.c1.pk}").press("j")
    assert page.url.endswith(f"/review/judge/{w.asg[0].pk}/")
    page.locator(f"#c_{w.c1.pk}").fill("30")
    page.locator(f"#c_{w.c1.pk}").press("Enter")
    assert page.evaluate("document.activeElement.id") == f"c_{w.c2.pk}"
    page.locator(f"#c_{w.c2.pk}").fill("40")
    page.locator(f"#c_{w.c2.pk}").press("Enter")
    page.wait_for_url(re.compile(rf".*/review/judge/{w.asg[1].pk}/$"))
    assert Score.objects.get(assignment=w.asg[0]).status == ScoreStatus.SUBMITTED
    # ? opens the help; s saves a draft.
    page.locator("body").press("?")
    page.wait_for_selector("#shortcuts.show")
    page.locator("#shortcuts .btn-close").click()
    page.wait_for_selector("#shortcuts", state="hidden")
    page.locator(f"#c_{w.c1.pk}").fill("5")
    page.locator("#judge-title").click()
    page.keyboard.press("s")
    page.wait_for_selector(".alert-success")
    assert Score.objects.get(assignment=w.asg[1]).values == {str(w.c1.pk): 5.0}
