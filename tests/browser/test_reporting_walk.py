"""One entry's whole way up the reporting chain, in chromium on a phone-sized screen: a worker of
义安区某公司工会 submits; the grassroots union returns it for revision with a reason; the worker
reads the reason, edits and resubmits; the grassroots union recommends it and reports it up in a
batch; 义安区总工会 and 铜陵市总工会 recommend and report it in turn; the host unit of its track
(宣城市总工会's staff) finds it among the entries reported to the track and downloads the export
package, whose contents are checked."""

from __future__ import annotations

import zipfile

import pytest

from tests.browser.session import log_in
from tests.reporting.builders import ReportWorld
from zhengji.entries.models import Entry, EntryStatus
from zhengji.reporting.models import Batch, ChainPosition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def decide(page, entry: Entry, action: str, reason: str = "") -> None:
    page.goto(page.base_url + "/reporting/")
    page.check(f"#c{entry.pk}")
    if reason:
        page.fill("#reason", reason)
    page.click(f"#bulk button[name=action][value={action}]")
    page.wait_for_load_state()


def report_up(page, level, track) -> Batch:
    page.goto(page.base_url + "/reporting/batches/")
    page.select_option("#b-level", str(level.pk))
    page.select_option("#b-track", str(track.pk))
    page.locator("main form").first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    batch = Batch.objects.filter(level=level, track=track).latest("created_at")
    assert f"/reporting/batches/{batch.pk}/" in page.url
    page.locator(f"form[action$='/reporting/batches/{batch.pk}/send/'] button").click()
    page.wait_for_load_state()
    batch.refresh_from_db()
    assert batch.status == "sent"
    return batch


def test_one_entry_walks_from_a_worker_to_the_host_unit(page, settings):
    w = ReportWorld()
    entry = w.submitted(user=w.worker, title="江城夜色")
    t = w.tree

    # The grassroots union returns it for revision, with a reason.
    log_in(page, w.ya1_admin)
    decide(page, entry, "return", reason="请补充拍摄时间")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETURNED

    # The worker reads the reason, edits and resubmits.
    page.context.clear_cookies()
    log_in(page, w.worker)
    page.goto(page.base_url + f"/entries/{entry.pk}/")
    assert "请补充拍摄时间" in page.content()
    page.goto(page.base_url + f"/entries/{entry.pk}/edit/")
    page.fill("#id_entry_title", "江城夜色（修改稿）")
    if not page.is_checked("#id_entry_pledge"):
        page.check("#id_entry_pledge")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED and entry.title == "江城夜色（修改稿）"

    # Up the chain: 义安区某公司工会 → 义安区总工会 → 铜陵市总工会 → the host unit.
    for admin, level in ((w.ya1_admin, t["ya1"]), (w.yian_admin, t["yian"]), (w.city_admin, t["city"])):
        page.context.clear_cookies()
        log_in(page, admin)
        decide(page, entry, "recommend")
        assert ChainPosition.objects.get(entry=entry).recommended
        batch = report_up(page, level, w.track)
        assert list(batch.items.values_list("entry_id", flat=True)) == [entry.pk]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REPORTED
    assert ChainPosition.objects.get(entry=entry).level == w.host
    assert batch.to_host and batch.target == w.host

    # The host unit's staff find it and download the export package.
    page.context.clear_cookies()
    log_in(page, w.host_staff)
    page.goto(page.base_url + "/reporting/host/")
    page.click(f"a[href$='/reporting/host/{w.track.pk}/']")
    page.wait_for_load_state()
    assert entry.number in page.content()
    with page.expect_download() as info:
        page.locator("a[href*='package']").first.click()
    with zipfile.ZipFile(info.value.path()) as z:
        names = z.namelist()
    folder = [n for n in names if n.startswith(entry.number) and "江城夜色（修改稿）" in n]
    assert folder, names
    assert any(n.endswith(".pdf") for n in folder) and any(n.endswith(".xlsx") for n in folder), folder
    assert any(n.lower().endswith((".jpg", ".jpeg", ".png")) for n in folder), folder  # the work's own file
    assert any(name.endswith(".xlsx") for name in names), names
