"""On a phone: a visitor reads the results on public notice, files an objection with an evidence
image (uploaded through the Uppy widget into the objection_evidence target), finds it under "My
objections"; a moderator dismisses it with a reply and the objector reads the reply."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from tests.browser.session import log_in
from tests.review.builders_publicity import PublicityWorld
from zhengji.media.models import MediaFile
from zhengji.review.models import Objection, ObjectionStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_objection_filed_on_a_phone_and_dismissed(page, tmp_path):
    w = PublicityWorld(n=5)
    pub = w.publicity()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    log_in(page, w.objector)
    page.goto(f"{page.base_url}/results/")
    page.click(f"a[href='/results/notice/{pub.pk}/']")
    assert w.snapshot.sha256 in page.locator("#hash").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    target = w.awarded[1]
    page.click(f"tr[data-entry='{target.pk}'] a")
    page.wait_for_url(re.compile(rf"/results/notice/{pub.pk}/objection/\?entry={target.pk}$"))
    assert page.locator("#id_entry").input_value() == str(target.pk)
    page.fill("#id_name", "王五")
    page.fill("#id_unit_name", "某某公司")
    page.fill("#id_reason", "该作品与网上已发表的作品雷同")
    path = tmp_path / "对比截图.png"
    Image.new("RGB", (320, 240), (200, 30, 30)).save(path, "PNG")
    widget = page.locator("#uploader-evidence")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(path))
    widget.locator(".zj-uploader-files li[data-media-id]").wait_for(timeout=30000)
    media = MediaFile.objects.get(owner=w.objector)
    assert widget.locator("input[name=evidence]").input_value() == str(media.pk)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#objection-form button[type=submit]")
    page.wait_for_url(re.compile(r"/results/objections/mine/$"))
    obj = Objection.objects.get()
    assert obj.entry_id == target.pk and list(obj.evidence.values_list("pk", flat=True)) == [media.pk]
    assert "雷同" in page.locator("main").inner_text()

    log_in(page, w.moderator)
    page.goto(f"{page.base_url}/review/objections/")
    page.click(f"a[data-objection='{obj.pk}']")
    assert "对比截图.png" in page.locator("#evidence").inner_text()
    page.fill("#reply", "经核查，作品为原创，异议不成立")
    page.click("#handle button[value=dismiss]")
    page.wait_for_url(re.compile(rf"/review/objections/{obj.pk}/$"))
    assert Objection.objects.get().status == ObjectionStatus.DISMISSED

    log_in(page, w.objector)
    page.goto(f"{page.base_url}/results/objections/mine/")
    assert "异议不成立" in page.locator("main").inner_text()
    assert errors == []
