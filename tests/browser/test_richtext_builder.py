"""Issue 8 points 3 and 4 in chromium, on a phone (390×844) and an office PC: a campaign admin
creates a track without typing a slug, HTML or keys (host unit picked from the search results,
rules written with the Chinese editor toolbar, an image uploaded, previewed), builds a choice
field with option rows, previews the entry form, and the public page shows the formatting.
Not one CSP violation on the way (the CSP has no 'unsafe-inline')."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests import factories as f
from tests.browser.test_csp_browser import log_in, watch
from zhengji.campaigns.models import Track
from zhengji.campaigns.roles import CampaignRole

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def png_file() -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (80, 40), (20, 120, 200)).save(buf, "PNG")
    return {"name": "海报.png", "mimeType": "image/png", "buffer": buf.getvalue()}


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}],
                         ids=["phone", "desktop"])
def test_admin_writes_rules_and_builds_choice_field_without_html_or_keys(page, viewport):
    page.set_viewport_size(viewport)
    tree = f.tongling_tree()
    campaign = f.campaign(tree["city"], slug="camp-a")
    admin = f.user(phone="13900000001")
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=campaign)
    problems = watch(page)
    log_in(page, admin)

    page.goto(page.base_url + "/manage/camp-a/tracks/new/")
    page.locator("#id_name").fill("书法")
    # The host unit: typed part of the name, picked from the results.
    page.locator("#id_host_unit").fill("义安")
    page.locator("[data-org-option]").first.click()
    assert page.locator("input[name=host_unit]").input_value() == str(tree["yian"].pk)
    assert "义安区总工会" in page.locator("[data-org-chosen]").inner_text()
    page.locator("#id_work_kind").select_option("image")

    # The rules, with the editor's Chinese toolbar.
    box = page.locator("[data-richtext]").first
    assert box.locator("textarea").is_hidden()
    bold = box.get_by_role("button", name="加粗")
    assert bold.get_attribute("title") == "加粗"
    editor = box.locator(".ql-editor")
    editor.click()
    box.locator(".ql-header .ql-picker-label").click()
    box.locator('.ql-header .ql-picker-item[data-value="2"]').click()
    page.keyboard.type("参赛要求")
    page.keyboard.press("Enter")
    page.keyboard.type("作品须为原创，")
    bold.click()
    page.keyboard.type("不得抄袭")
    bold.click()
    page.keyboard.press("Enter")
    box.get_by_role("button", name="编号列表").click()
    page.keyboard.type("每人限报一件")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    with page.expect_file_chooser() as chooser:
        box.get_by_role("button", name="插入图片").click()
    chooser.value.set_files(png_file())
    editor.locator('img[src^="/manage/richtext/"]').wait_for()

    # The preview: cleaned and rendered by the server as the public page renders it.
    box.get_by_role("button", name="预览").click()
    preview = box.locator(".richtext-preview")
    preview.locator("h2").wait_for()
    assert preview.locator("h2").inner_text() == "参赛要求"
    assert preview.locator("strong").inner_text() == "不得抄袭"
    assert preview.locator("ol li").first.inner_text() == "每人限报一件"
    problems.extend(page.evaluate("window.__csp"))
    page.get_by_role("button", name="保存", exact=True).click()

    page.wait_for_url("**/tracks/track-1/form/")
    track = Track.objects.get(campaign=campaign, slug="track-1")
    assert track.host_unit == tree["yian"] and "<h2>参赛要求</h2>" in track.rules and "<img" in track.rules

    # The entry form: a choice field with options as rows, no keys typed.
    page.get_by_role("button", name="添加字段").click()
    page.get_by_label("类型", exact=True).select_option("choice")
    page.get_by_label("名称", exact=True).fill("组别")
    page.get_by_label("必填").check()
    page.get_by_label("选项 1", exact=True).fill("职工组")
    page.get_by_label("选项 2", exact=True).fill("学生组")
    page.get_by_role("button", name="添加选项").click()
    page.get_by_label("选项 3", exact=True).fill("退休组")
    assert page.get_by_label("选项 1", exact=True).input_value() == "职工组"
    page.get_by_role("button", name="预览", exact=True).click()
    form_preview = page.locator("#form-preview")
    form_preview.wait_for()
    options = form_preview.locator("select option").all_inner_texts()
    assert options[1:] == ["职工组", "学生组", "退休组"]
    problems.extend(page.evaluate("window.__csp"))
    page.get_by_role("button", name="保存报名表").click()
    assert page.get_by_text("报名表已保存。").is_visible()
    track.refresh_from_db()
    assert track.form_schema == [{"key": "field_1", "type": "choice", "label": "组别", "required": True,
                                  "choices": [{"value": "1", "label": "职工组"}, {"value": "2", "label": "学生组"},
                                              {"value": "3", "label": "退休组"}]}]

    # The announcement form has the same editor (body and English body).
    page.goto(page.base_url + "/manage/camp-a/announcements/new/")
    page.locator(".ql-editor").nth(1).wait_for()
    assert page.locator("[data-richtext] textarea").first.is_hidden()
    problems.extend(page.evaluate("window.__csp"))

    # The public page shows the formatting.
    page.goto(page.base_url + "/c/camp-a/track-1/")
    rules = page.locator(".rich-text").first
    assert rules.locator("h2").inner_text() == "参赛要求"
    assert rules.locator("strong").inner_text() == "不得抄袭"
    assert rules.locator("ol li").first.inner_text() == "每人限报一件"
    rules.locator("img").wait_for()
    assert rules.locator("img").evaluate("img => img.complete && img.naturalWidth") == 80
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("window.__csp"))
    assert problems == []
