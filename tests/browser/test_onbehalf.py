"""A unit admin on a phone imports a 3-row sheet of entries for workers with one bad row, sees the
row's error, fixes the sheet, uploads again and applies: three entries are created."""

from __future__ import annotations

import re

import pytest

from tests.browser.session import log_in
from tests.reporting.builders import ReportWorld
from tests.reporting.onbehalf_helpers import photos, row, sheet_bytes, zip_bytes
from zhengji.entries.models import Entry, EntryStatus
from zhengji.reporting.models import OnBehalf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_import_fix_and_apply_on_a_phone(page, settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = str(tmp_path / "imports")
    rw = ReportWorld()
    files = tmp_path / "作品文件.zip"
    files.write_bytes(zip_bytes(photos("工地.png", "车间.png", "巡线.png")))
    rows = [row(title="夕阳下的工地", phone="13900001111", photos="工地.png"),
            row(title="车间的早晨", phone="12345", photos="车间.png"),  # a bad number
            row(title="巡线", phone="13900003333", photos="巡线.png")]
    bad = tmp_path / "作品清单.xlsx"
    bad.write_bytes(sheet_bytes(rows))
    log_in(page, rw.yian_admin)
    assert page.viewport_size["width"] == 390

    page.goto(f"{page.base_url}/reporting/imports/")
    page.set_input_files("#im-sheet", str(bad))
    page.set_input_files("#im-archive", str(files))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/reporting/imports/\d+/$"))
    bad_row = page.locator('#import-rows tr[data-row="3"]')
    bad_row.wait_for()
    assert "12345" in bad_row.inner_text()
    assert page.locator("#im-pledge").count() == 0  # nothing to apply while a row is wrong
    assert not Entry.objects.exists()

    # Fix the sheet and upload it again.
    rows[1] = row(title="车间的早晨", phone="13900002222", photos="车间.png")
    good = tmp_path / "作品清单-改.xlsx"
    good.write_bytes(sheet_bytes(rows))
    page.goto(f"{page.base_url}/reporting/imports/")
    page.set_input_files("#im-sheet", str(good))
    page.set_input_files("#im-archive", str(files))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.locator("#im-pledge").check()
    with page.expect_navigation():
        page.click("main form[action$='/apply/'] button[type=submit]")
    page.locator(".alert-success").wait_for()
    assert Entry.objects.filter(status=EntryStatus.SUBMITTED).count() == 3
    assert OnBehalf.objects.filter(pledged_by=rw.yian_admin).count() == 3
    # No horizontal scrolling on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
