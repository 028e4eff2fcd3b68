"""A new worker registers with phone + SMS code, joins a grassroots union through the picker,
logs out and logs in again."""

from __future__ import annotations

import re

import pytest

from tests import factories as f
from zhengji.common import sms
from zhengji.orgs.models import Membership, MembershipStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = "13955556666"
PW = "Gongren-2025!"


def _open_menu(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        # Let Bootstrap's collapse animation finish: a click mid-transition can miss its target.
        page.locator("#nav.show:not(.collapsing)").wait_for()


def test_register_join_logout_login(page):
    tree = f.tongling_tree()
    page.goto(page.base_url + "/accounts/register/")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_selector("text=验证码已发送")
    # The live server runs in this process: read the SMS from the in-memory outbox.
    code = re.search(r"\b(\d{6})\b", [m for m in sms.outbox if m["phone"] == PHONE][-1]["message"]).group(1)
    assert page.get_by_label("手机号").input_value() == PHONE  # kept after sending
    page.get_by_label("验证码").fill(code)
    page.get_by_label("真实姓名").fill("赵六")
    page.get_by_label("密码", exact=True).fill(PW)
    page.get_by_label("再次输入密码").fill(PW)
    page.get_by_role("button", name="注册", exact=True).click()

    # The join page: search by name, results come through htmx with the organisation path.
    page.wait_for_url("**/accounts/join/")
    page.get_by_label("工会名称").fill("义安区某公司")
    item = page.locator("#org-results li", has_text="义安区某公司工会")
    item.wait_for()
    assert "铜陵市总工会 › 义安区总工会 › 义安区某公司工会" in item.inner_text()
    item.get_by_role("button").click()

    page.wait_for_url("**/accounts/centre/")
    assert page.locator("#membership-status").inner_text().strip() == "待确认"
    assert page.locator("#my-phone").inner_text() == "139****6666"
    m = Membership.objects.get(user__phone=PHONE)
    assert m.org == tree["ya1"] and m.status == MembershipStatus.PENDING

    _open_menu(page)
    # Wait for the logout POST's redirect to land before navigating on.
    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").click()
    page.goto(page.base_url + "/accounts/centre/")
    assert "/accounts/login/" in page.url

    page.get_by_label("手机号（工作人员可用用户名）").fill(PHONE)
    page.get_by_label("密码").fill(PW)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/centre/")
    assert page.locator("#my-name").inner_text() == "赵六"
