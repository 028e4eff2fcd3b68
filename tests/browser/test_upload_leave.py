"""Issue 8 point 8 in chromium: leaving the page mid-upload asks first; text typed just before
leaving is saved (pagehide, keepalive) without waiting for the autosave debounce."""

from __future__ import annotations

import time

import pytest

from tests import factories as f
from tests.browser.session import log_in
from tests.browser.test_photo_order import SCHEMA, photo, wait_for
from tests.entries.builders import campaign_now, worker
from zhengji.entries import services
from zhengji.entries.models import Entry
from zhengji.entries.services import Changes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def draft():
    tree = f.tongling_tree()
    track = f.track(campaign_now(tree["province"]), tree["city"], form_schema=SCHEMA, entrant_types=["individual"])
    w = worker(tree["ya1"])
    return w, services.create_draft(w, track, changes=Changes(title="初稿"))


def test_text_typed_just_before_leaving_is_saved(page, settings):
    settings.ENTRIES_AUTOSAVE_SECONDS = 30  # the debounce alone would lose it
    w, entry = draft()
    log_in(page, w)
    page.goto(page.base_url + f"/entries/{entry.pk}/edit/")
    page.locator("#id_entry_summary").fill("刚刚打的字")
    page.goto(page.base_url + "/entries/")
    assert wait_for(lambda: Entry.objects.get(pk=entry.pk).summary == "刚刚打的字", timeout=10)


def test_leaving_a_field_saves_it(page, settings):
    settings.ENTRIES_AUTOSAVE_SECONDS = 30
    w, entry = draft()
    log_in(page, w)
    page.goto(page.base_url + f"/entries/{entry.pk}/edit/")
    page.locator("#id_entry_title").fill("离开即保存")
    page.locator("#id_entry_summary").focus()
    assert wait_for(lambda: Entry.objects.get(pk=entry.pk).title == "离开即保存", timeout=10)


def test_leaving_mid_upload_asks_first(page, settings, tmp_path):
    settings.MEDIA_UPLOAD_CHUNK_BYTES = 64 * 1024
    w, entry = draft()
    big = tmp_path / "大.jpg"
    photo(big, 1200, 7)

    def slow(route):
        if route.request.method == "PATCH":
            time.sleep(0.3)
        route.continue_()

    page.route("**/files/tus/*", slow)
    log_in(page, w)
    page.goto(page.base_url + f"/entries/{entry.pk}/edit/")
    page.locator("h1").click()  # a user gesture: browsers ask before unload only after one
    page.locator("[data-zj-uploader] input.uppy-Dashboard-input").first.set_input_files(str(big))
    page.wait_for_function("() => document.querySelector('[data-zj-uploader]').zjUppy.getFiles().length === 1")
    dialogs = []

    def on_dialog(d):
        dialogs.append(d.type)
        d.dismiss()  # stay

    page.on("dialog", on_dialog)
    page.evaluate("() => { window.location.href = '/entries/'; }")
    assert wait_for(lambda: dialogs == ["beforeunload"], timeout=10)
    assert f"/entries/{entry.pk}/edit/" in page.url
    page.unroute("**/files/tus/*")
