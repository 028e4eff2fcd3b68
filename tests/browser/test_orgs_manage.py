"""A unit admin creates a sub-organisation, browses the tree, and imports a small file through
preview and apply, in a real browser."""

import pytest

from tests import factories as f
from tests.browser.session import log_in
from tests.orgs.builders import csv_bytes
from zhengji.orgs.models import Organization

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_unit_admin_creates_child_and_imports(page):
    tree = f.tongling_tree()
    admin = f.unit_admin(tree["yian"])
    log_in(page, admin)

    page.goto(page.base_url + "/orgs/")
    assert page.locator("h1").inner_text() == "组织管理"
    # Lazy tree: opening 义安区 loads its units with htmx.
    page.locator(f"#org-{tree['yian'].pk} summary").click(position={"x": 2, "y": 5})
    page.locator(f"#org-{tree['ya1'].pk}").wait_for()
    assert "义安区某学校工会" in page.locator("#org-tree").inner_text()

    page.goto(page.base_url + f"/orgs/{tree['yian'].pk}/")
    page.get_by_role("link", name="新增下级组织").click()
    page.get_by_label("名称").first.fill("义安区浏览器测试工会")
    page.get_by_label("编码").fill("YA-BR-1")
    page.get_by_label("会员数").fill("66")
    page.get_by_label("类型").select_option("grassroots")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/orgs/*/")
    assert "义安区浏览器测试工会" in page.locator("h1").inner_text()
    child = Organization.objects.get(code="YA-BR-1")
    assert child.is_within(tree["yian"]) and child.member_count == 66

    page.goto(page.base_url + "/orgs/import/")
    data = csv_bytes([["YA-BR-2", "导入的工会", "", "基层工会", "YA-BR-1", "12", "", ""],
                      ["YA-BR-3", "导入的分会", "", "基层工会", "YA-BR-2", "5", "", ""]])
    page.set_input_files("#id_file", files=[{"name": "orgs.csv", "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/orgs/import/*/")
    assert "新建 2 个" in page.locator("#import-summary").inner_text()
    assert not Organization.objects.filter(code="YA-BR-2").exists()
    page.locator("#import-apply").click()
    page.wait_for_url(f"**/orgs/{tree['yian'].pk}/")
    assert "导入完成" in page.locator(".alert-success").inner_text()
    assert Organization.objects.get(code="YA-BR-3").is_within(Organization.objects.get(code="YA-BR-2"))
