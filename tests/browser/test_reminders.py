"""A city admin on a phone previews the silent units of the city and sends them a reminder."""

import pytest
from django.utils import timezone

from tests import factories as f
from tests.browser.session import log_in
from tests.reporting.builders import ReportWorld
from zhengji.activities.models import Activity
from zhengji.common.models import Notification
from zhengji.reporting.models import ReminderDelivery

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_admin_on_a_phone_previews_and_sends_a_reminder(page):
    rw = ReportWorld()
    rw.submitted()  # ya1 took part
    Activity.objects.create(campaign=rw.campaign, org=rw.tree["jq1"], title="讲座", held_on=timezone.localdate())
    silent = [f.unit_admin(rw.tree["ya2"]), f.unit_admin(rw.tree["jq2"])]
    log_in(page, rw.city_admin)

    page.goto(page.base_url + "/reporting/")
    page.locator("a[href='/reporting/reminders/']").first.click()
    page.wait_for_url("**/reporting/reminders/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.locator("#r-kind").select_option("silent")
    page.locator("#tpl-short").check()
    page.locator("#reminder-form button[type=submit]").click()
    page.wait_for_url("**/reporting/reminders/?*")
    assert page.locator("#recipient-count").inner_text() == "2"
    body = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert "义安区某学校工会" in body and "郊区某医院工会" in body and "义安区某公司工会" not in body
    assert "北京时间" in page.locator("#reminder-text").inner_text()

    page.locator("#send-reminder").click()
    page.wait_for_url("**/reporting/reminders/?*")
    assert page.locator(".alert-success").count() == 1
    assert ReminderDelivery.objects.filter(status="sent").count() == 2
    assert Notification.objects.filter(user__in=silent).count() == 2
    # The same round again today is refused with a message, nothing more is sent.
    page.goto(page.url)
    page.locator("#reminder-form button[type=submit]").click()
    page.wait_for_url("**/reporting/reminders/?*")
    assert page.locator("#recipient-count").inner_text() == "0"
    assert page.locator("#send-reminder").count() == 0
