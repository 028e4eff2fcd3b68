"""Issue 8 points 1 and 7 in chromium, on a phone (390x844) and an office PC: a new worker joins a
union by search, the unit admin is notified and confirms from the subtree queue, and the worker
starts an entry from the track page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f
from tests.entries.builders import World
from zhengji.common.models import Notification
from zhengji.entries.models import Entry
from zhengji.orgs.models import Membership, MembershipStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}])


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}],
                         ids=["phone", "desktop"])
def test_join_confirm_and_enter_from_the_track_page(page, viewport):
    page.set_viewport_size(viewport)
    w = World()
    newcomer = f.user(real_name="钱七")

    # The worker finds the union by name and asks to join.
    log_in(page, newcomer)
    page.goto(page.base_url + "/accounts/join/")
    page.fill("#org-q", "义安区某公司")
    page.locator("#org-results li", has_text="义安区某公司工会").get_by_role("button").click()
    page.wait_for_url("**/accounts/centre/")
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.PENDING
    page.locator("a[href='/accounts/join/']", has_text="义安区某公司工会").first.click()
    page.locator("#membership-card").wait_for()
    assert "义安区某公司工会" in page.locator("#membership-card").inner_text()

    # The admins of the union and of the level above are told.
    told = set(Notification.objects.filter(url__contains="/orgs/pending/").values_list("user_id", flat=True))
    assert told == {w.ya1_admin.pk, w.yian_admin.pk}

    # The county admin opens the queue from the hub and confirms.
    log_in(page, w.yian_admin)
    page.goto(page.base_url + "/hub/")
    page.locator("a[href='/orgs/pending/']").first.click()
    page.wait_for_url("**/orgs/pending/")
    m = Membership.objects.get(user=newcomer)
    page.locator("#pending-list li", has_text="钱七").wait_for()
    page.check(f"#m-{m.pk}")
    assert page.locator("#pending-chosen").inner_text() == "1"
    page.click("button[value=confirm]")
    page.wait_for_url("**/orgs/pending/")
    page.locator("#pending-empty").wait_for()
    m.refresh_from_db()
    assert m.status == MembershipStatus.CONFIRMED and m.confirmed_by == w.yian_admin
    assert newcomer.notifications.filter(url="/entries/new/").exists()

    # The worker starts an entry from the track page.
    log_in(page, newcomer)
    page.goto(f"{page.base_url}/c/{w.campaign.slug}/{w.track.slug}/")
    page.locator("#track-cta a[data-start]").click()
    page.wait_for_url(f"**/entries/new/{w.track.pk}/")
    page.fill("#id_title", "从子项目页开始的作品")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/entries/\d+/edit/$"))
    e = Entry.objects.get(submitter=newcomer)
    assert e.title == "从子项目页开始的作品" and e.unit == w.tree["ya1"]
    # Starting again takes up the untouched draft instead of making another.
    page.goto(f"{page.base_url}/entries/new/{w.track.pk}/")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/entries/{e.pk}/edit/")
    assert Entry.objects.filter(submitter=newcomer).count() == 1
