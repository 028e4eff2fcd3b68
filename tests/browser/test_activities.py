"""A unit admin on a phone records an activity with a photo (uploaded through the Uppy widget into
the activity_photo target) and finds it in the list."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from tests import factories as f
from tests.browser.session import log_in
from tests.entries.builders import campaign_now
from zhengji.activities.models import Activity
from zhengji.media.models import MediaFile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_unit_admin_records_an_activity_with_a_photo_on_a_phone(page, tmp_path):
    tree = f.tongling_tree()
    campaign = campaign_now(tree["province"])
    admin = f.unit_admin(tree["ya1"])
    log_in(page, admin)
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    path = tmp_path / "活动现场.jpg"
    Image.new("RGB", (640, 480), (30, 120, 200)).save(path, "JPEG")

    page.goto(f"{page.base_url}/activities/")
    page.wait_for_url(re.compile(rf"/activities/{campaign.pk}/$"))
    page.click(f"a[href='/activities/{campaign.pk}/new/']")
    page.fill("#id_title", "手机上记录的讲座")
    page.fill("#id_held_on", campaign.collect_start.isoformat())
    page.fill("#id_participants", "45")
    page.fill("#id_place", "职工书屋")
    page.select_option("#id_kind", "offline")
    widget = page.locator("[data-zj-uploader]")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(path))
    widget.locator(".zj-uploader-files li[data-media-id]").wait_for(timeout=30000)
    media = MediaFile.objects.get(owner=admin)
    assert widget.locator("input[name=photos]").input_value() == str(media.pk)
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/activities/activity/\d+/$"))
    activity = Activity.objects.get()
    assert activity.org == tree["ya1"] and activity.participants == 45 and activity.title == "手机上记录的讲座"
    assert list(activity.photo_links.values_list("media_id", flat=True)) == [media.pk]
    assert "手机上记录的讲座" in page.locator("main").inner_text()

    page.goto(f"{page.base_url}/activities/{campaign.pk}/")
    item = page.locator(".zj-activities li").first
    assert "手机上记录的讲座" in item.inner_text() and "职工书屋" in item.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
