"""The foundation's main journey, end to end in chromium: a new worker registers with a phone
number and SMS code, joins a grassroots union, logs in, opens the campaign and a track's rules,
and switches to English and back."""

from __future__ import annotations

import re

import pytest

from tests.public.builders import campaign_with_tracks
from zhengji.common import sms
from zhengji.orgs.models import Membership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = "13966667777"
PW = "Zhigong-2025!"


def test_new_worker_journey(page):
    tree, c = campaign_with_tracks(10)

    # Register with phone and code.
    page.goto(page.base_url + "/")
    page.locator(".navbar-toggler").click()
    page.locator("#nav.show:not(.collapsing)").wait_for()  # the collapse animation is over
    page.locator("#nav").get_by_role("link", name="注册").click()
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_selector("text=验证码已发送")
    code = re.search(r"\b(\d{6})\b", [m for m in sms.outbox if m["phone"] == PHONE][-1]["message"]).group(1)
    page.get_by_label("验证码").fill(code)
    page.get_by_label("真实姓名").fill("钱七")
    page.get_by_label("密码", exact=True).fill(PW)
    page.get_by_label("再次输入密码").fill(PW)
    page.get_by_role("button", name="注册", exact=True).click()

    # Join a grassroots union from the tree.
    page.wait_for_url("**/accounts/join/")
    page.get_by_label("工会名称").fill("郊区某厂")
    page.locator("#org-results li", has_text="郊区某厂工会").get_by_role("button").click()
    page.wait_for_url("**/accounts/centre/")
    assert Membership.objects.get(user__phone=PHONE).org == tree["jq1"]

    # Log out and in again.
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("手机号（工作人员可用用户名）").fill(PHONE)
    page.get_by_label("密码").fill(PW)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/accounts/centre/")

    # The campaign and a track's rules.
    page.goto(page.base_url + "/")
    assert "皖美职工正能量" in page.locator("h1").inner_text()
    assert page.locator("#tracks .zj-track-card").count() == 10
    page.get_by_role("link", name="子项目4", exact=True).click()
    page.wait_for_url(f"**/c/{c.slug}/t4/")
    assert "规则4" in page.locator("#rules .rich-text").inner_text()

    # English and back, on the same page, still logged in.
    page.locator("#lang-switch").click()
    page.wait_for_url(f"**/c/{c.slug}/t4/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Rules 4" in page.locator("#rules .rich-text").inner_text()
    page.locator("#lang-switch").click()
    page.wait_for_url(f"**/c/{c.slug}/t4/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "规则4" in page.locator("#rules .rich-text").inner_text()
    page.goto(page.base_url + "/accounts/centre/")
    assert page.locator("#my-name").inner_text() == "钱七"
