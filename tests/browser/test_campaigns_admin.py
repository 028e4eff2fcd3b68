"""A campaign admin creates a track, builds its entry form with a file field, and sees it listed."""

import pytest

from tests import factories as f
from tests.browser.session import log_in
from zhengji.campaigns.models import Track
from zhengji.campaigns.roles import CampaignRole

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_admin_builds_track_with_file_field(page):
    tree = f.tongling_tree()
    campaign = f.campaign(tree["city"], slug="camp-a")
    admin = f.user(phone="13900000001")
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=campaign)
    log_in(page, admin)

    page.goto(page.base_url + "/manage/camp-a/tracks/new/")
    page.locator("#id_slug").fill("micro-video")
    page.locator("#id_name").fill("微视频")
    host = page.locator("#id_host_unit")
    host.fill("义安")
    # htmx fills the results list from the organisation search; a click picks one.
    option = page.locator("[data-org-option]").first
    assert option.get_attribute("data-org-code").startswith("AH-TL-YA")
    option.click()
    page.locator("#id_work_kind").select_option("video")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url("**/tracks/micro-video/form/")
    page.get_by_role("button", name="添加字段").click()
    page.get_by_label("类型", exact=True).select_option("file")
    page.get_by_label("名称", exact=True).fill("作品视频")
    page.get_by_label("必填").check()
    # Choosing "file" opens the limits and shows only the file rules.
    assert page.get_by_label("最大体积（MB）").is_visible()
    assert not page.get_by_label("短文本：最多字符数").is_visible()
    page.get_by_label("视频", exact=True).check()
    page.get_by_label("扩展名（用逗号分隔）").fill("mp4, mov")
    page.get_by_label("最大体积（MB）").fill("abc")  # a mistake first: kept and explained
    page.get_by_role("button", name="保存报名表").click()
    assert page.locator(".alert-danger").first.is_visible()
    assert page.get_by_label("最大体积（MB）").input_value() == "abc"
    assert page.get_by_label("名称", exact=True).input_value() == "作品视频"
    page.get_by_label("最大体积（MB）").fill("500")
    page.get_by_role("button", name="保存报名表").click()
    assert page.get_by_text("报名表已保存。").is_visible()

    track = Track.objects.get(campaign=campaign, slug="micro-video")
    assert track.host_unit == tree["yian"]
    assert track.form_schema == [{"key": "field_1", "type": "file", "label": "作品视频", "required": True,
                                  "file": {"kinds": ["video"], "extensions": ["mp4", "mov"], "max_size_mb": 500}}]

    page.goto(page.base_url + "/manage/camp-a/")
    row = page.locator("#tracks tbody tr", has_text="微视频")
    assert row.is_visible()
    assert "义安区总工会" in row.inner_text()
