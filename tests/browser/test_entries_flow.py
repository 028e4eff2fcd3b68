"""An entrant fills the entry form in the browser: the draft autosaves as they type, errors keep
what was typed, and submitting gives the entry number."""

from __future__ import annotations

import re

import pytest

from tests.browser.session import log_in
from tests.entries.builders import World, media
from zhengji.entries.models import Entry, EntryStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def settle(page):
    """Let the autosave triggered by the last typing finish (SQLite's shared in-memory test
    database raises "table is locked" on concurrent writers instead of waiting)."""
    page.locator("body").click(position={"x": 1, "y": 1})
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")


def test_fill_autosave_and_submit(page, settings):
    settings.ENTRIES_AUTOSAVE_SECONDS = 1
    w = World()
    log_in(page, w.worker)
    page.goto(f"{page.base_url}/entries/new/{w.track.pk}/")
    page.fill("#id_title", "浏览器里的作品")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/entries/\d+/edit/$"))
    entry = Entry.objects.get(submitter=w.worker)

    # Autosave: typing into a field saves the draft without leaving the page.
    page.fill("#id_creator_note", "自动保存的说明")
    page.locator("#id_creator_note").blur()
    page.locator("#autosave-status .text-success").wait_for()
    entry.refresh_from_db()
    assert entry.data["creator_note"] == "自动保存的说明"

    # Submitting an incomplete entry keeps everything typed and says what is missing.
    page.fill("#id_minutes", "99")
    settle(page)
    with page.expect_navigation():
        page.click("button[value=submit]")
    page.locator(".alert-danger").first.wait_for()
    assert page.input_value("#id_minutes") == "99"
    assert page.input_value("#id_creator_note") == "自动保存的说明"

    # Complete it: a valid value, a file (the uploader's hidden input), the pledge.
    page.fill("#id_minutes", "5")
    m = media(w.worker, slot="photos")
    page.evaluate(f"document.querySelector('input[name=photos]').value = '{m.pk}'")
    page.check("#id_entry_pledge")
    settle(page)
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(rf"/entries/{entry.pk}/$"))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.number in page.locator("main").inner_text()
    assert page.locator(f"a[href='/entries/{entry.pk}/receipt.pdf']").count() == 1


def test_withdraw_with_confirmation(page):
    w = World()
    e = w.submitted()
    log_in(page, w.worker)
    page.goto(f"{page.base_url}/entries/{e.pk}/")
    page.click(f"a[href='/entries/{e.pk}/withdraw/']")
    page.check("#id_confirm")
    page.click("button.btn-danger")
    page.wait_for_url(re.compile(rf"/entries/{e.pk}/$"))
    e.refresh_from_db()
    assert e.status == EntryStatus.WITHDRAWN
