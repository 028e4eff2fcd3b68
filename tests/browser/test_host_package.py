"""The host unit's journey in chromium: host staff open the hub, go to their track's page with
the entries every city reported, and download the export package; the downloaded zip is opened
and checked (a folder per entry in Chinese, the files, the forms, the summary table)."""

from __future__ import annotations

import zipfile

import pytest

from tests.browser.session import log_in
from tests.reporting.builders import ReportWorld
from zhengji.reporting import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_host_staff_download_the_package(page, tmp_path):
    rw = ReportWorld()
    t = rw.tree
    entries = [rw.submitted(title="山水铜陵"), rw.submitted(title="工地/清晨")]
    for admin, level in ((rw.ya1_admin, t["ya1"]), (rw.yian_admin, t["yian"]), (rw.city_admin, t["city"])):
        services.recommend(admin, entries, level)
        services.send_batch(admin, services.create_batch(admin, level, rw.track))
    for e in entries:
        e.refresh_from_db()

    log_in(page, rw.host_staff)
    page.goto(page.base_url + "/hub/")
    page.get_by_role("link", name="报送给承办单位的作品").click()
    page.get_by_role("link", name="摄影作品").click()
    for e in entries:
        assert page.get_by_role("cell", name=e.number).is_visible()
    with page.expect_download() as dl:
        page.locator("#package-link").click()
    download = dl.value
    assert download.suggested_filename.endswith(".zip") and "摄影作品" in download.suggested_filename
    path = tmp_path / "package.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert "汇总表.xlsx" in names
        for e in entries:
            folder = f"{e.number} {e.title.replace('/', '_')}"
            assert f"{folder}/photo.png" in names
            assert f"{folder}/推荐表 {e.number}.xlsx" in names and f"{folder}/推荐表 {e.number}.pdf" in names
            assert z.read(f"{folder}/推荐表 {e.number}.pdf").startswith(b"%PDF")
