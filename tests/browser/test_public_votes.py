"""A logged-in worker votes on a phone (390x844): the box loads live, the vote counts, a second vote
the same day is refused with a clear message; when the rate rule trips, the self-hosted ALTCHA
widget solves the server's challenge and the vote goes through. axe-core on the vote page, and no
CSP violation (the widget's external build, its worker and the box's script are all files)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.browser.session import log_in
from tests.browser.test_usability_walk import axe_clean
from tests.public.votes.conftest import _cheap_challenge, build_world  # noqa: F401 (its autouse fixture)
from zhengji.public.models import Vote

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def test_worker_votes_once_a_day_and_solves_the_challenge(page, settings):  # noqa: F811
    # The rate rule counts per minute: start at a minute's first second (the server thread shares the clock).
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=True):
        journey(page, settings)


def journey(page, settings) -> None:  # noqa: F811
    settings.VOTE_CHALLENGE_AFTER_ACCOUNT = 2
    settings.VOTE_CHALLENGE_COST = 50
    w = build_world(per_account=5, entries=2)
    page.add_init_script(WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Anonymous: a log-in link, no error.
    page.goto(f"{page.base_url}/w/{w.entries[0].pk}/vote/")
    page.get_by_role("link", name="登录后投票").wait_for()

    log_in(page, w.voter)
    # A second tab left open on the same entry (or a page WeChat kept): its button is still live.
    stale = page.context.new_page()
    stale.goto(f"{page.base_url}/w/{w.entries[0].pk}/vote/")
    stale.locator(".zj-vote").get_by_role("button", name="投票", exact=True).wait_for()
    page.goto(f"{page.base_url}/w/{w.entries[0].pk}/vote/")
    box = page.locator(".zj-vote")
    box.get_by_role("button", name="投票", exact=True).click()
    box.get_by_text("谢谢，您的投票已记录。").wait_for()
    assert box.locator(".zj-vote-count").inner_text() == "1"
    # Today's vote for this entry is cast: the button says so and cannot be pressed.
    assert box.get_by_role("button", name="今日已投票").is_disabled()
    # The second vote the same day, from the stale tab, is refused with a clear message.
    stale_box = stale.locator(".zj-vote")
    stale_box.get_by_role("button", name="投票", exact=True).click()
    stale_box.get_by_text("今天已为该作品投过票，明天再来。").wait_for()
    assert stale_box.get_by_role("button", name="今日已投票").is_disabled()
    stale.close()
    axe_clean(page)
    assert Vote.objects.count() == 1

    # The second entry: the rate rule (two attempts a minute here) demands a proof of work.
    page.goto(f"{page.base_url}/w/{w.entries[1].pk}/vote/")
    box.get_by_text("短时间内投票较多，请先完成验证再投票。").wait_for()
    button = box.get_by_role("button", name="投票", exact=True)
    assert button.is_disabled()
    # The widget fetches the challenge, its PBKDF2 worker solves it, the button comes back.
    try:
        page.wait_for_function("() => !document.querySelector('.zj-vote button[type=submit]').disabled",
                               timeout=30000)
    except Exception:
        page.screenshot(path="/tmp/votes-challenge.png")
        raise AssertionError(f"not solved: {errors} {page.evaluate('window.__csp')}") from None
    button.click()
    box.get_by_text("谢谢，您的投票已记录。").wait_for()
    assert Vote.objects.filter(entry=w.entries[1], challenged=True).count() == 1
    assert page.evaluate("window.__csp") == [] and errors == []
