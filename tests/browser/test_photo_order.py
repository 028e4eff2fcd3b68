"""Issue 8 point 6 in chromium: a worker picks three photos at once; they are listed (and saved)
in the picked order although the first one finishes uploading last; the worker reorders them by
keyboard, by drag and by tapping the arrows; the order holds on the detail page and in the
receipt (PDF). On a phone (390x844) and an office PC."""

from __future__ import annotations

import io
import random
import time

import pytest
from PIL import Image
from pypdf import PdfReader

from tests import factories as f
from tests.browser.session import log_in
from tests.entries.builders import campaign_now, worker
from zhengji.entries import files as entry_files
from zhengji.entries import services
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.services import Changes
from zhengji.media.models import MediaFile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SCHEMA = [{"key": "photos", "type": "file", "label": "组照", "required": True,
           "file": {"kinds": ["image"], "extensions": ["jpg"], "min_count": 3, "max_count": 3}}]


def photo(path, size: int, seed: int) -> None:
    """A JPEG; noise makes a big one big (it uploads in many chunks, so it finishes last)."""
    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (size, size), bytes(rnd.getrandbits(8) for _ in range(size * size * 3)))
    img.save(path, "JPEG", quality=95)


def names_in(widget) -> list[str]:
    return [n.strip().split()[0] for n in widget.locator("li[data-media-id] [data-zj-name]").all_inner_texts()]


def wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}],
                         ids=["phone", "desktop"])
def test_photo_series_keeps_the_picked_order_and_the_reordered_one(page, settings, tmp_path, viewport):
    settings.MEDIA_UPLOAD_CHUNK_BYTES = 256 * 1024
    page.set_viewport_size(viewport)
    tree = f.tongling_tree()
    track = f.track(campaign_now(tree["province"]), tree["city"], form_schema=SCHEMA,
                    entrant_types=["individual"])
    w = worker(tree["ya1"])
    entry = services.create_draft(w, track, changes=Changes(title="车间一日"))
    paths = []
    for i, size in ((1, 900), (2, 64), (3, 64)):
        p = tmp_path / f"{i}.jpg"
        photo(p, size, i)
        paths.append(str(p))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    log_in(page, w)
    page.goto(page.base_url + f"/entries/{entry.pk}/edit/")
    widget = page.locator("[data-zj-uploader]")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(paths)
    widget.locator("li[data-media-id]").nth(2).wait_for(timeout=60000)
    # Picked order, although 1.jpg (big) finished last; each file listed once.
    assert names_in(widget) == ["1.jpg", "2.jpg", "3.jpg"]
    by_name = {m.filename: m.pk for m in MediaFile.objects.filter(owner=w)}
    finished_order = sorted(by_name, key=by_name.get)
    assert finished_order[-1] == "1.jpg"  # ingested last: the old widget listed it last
    assert wait_for(lambda: entry_files.slot_ids(entry, "photos") == [by_name[n] for n in ("1.jpg", "2.jpg", "3.jpg")])
    page.wait_for_function("() => !document.querySelector('[data-zj-uploader] .uppy-Dashboard-Item')")

    rows = widget.locator("li[data-media-id]")
    # Keyboard: the first photo one place down.
    rows.nth(0).locator('[data-zj-move="1"]').focus()
    page.keyboard.press("Enter")
    assert names_in(widget) == ["2.jpg", "1.jpg", "3.jpg"]
    assert page.evaluate("document.activeElement.dataset.zjMove") == "1"  # focus stays on the arrow
    # Drag: the last photo onto the top of the first row.
    rows.nth(2).drag_to(rows.nth(0), target_position={"x": 20, "y": 3})
    assert names_in(widget) == ["3.jpg", "2.jpg", "1.jpg"]
    # Tap: 1.jpg one place up.
    widget.locator("li[data-media-id]").nth(2).locator('[data-zj-move="-1"]').click()
    want = ["3.jpg", "1.jpg", "2.jpg"]
    assert names_in(widget) == want
    assert widget.locator("li[data-media-id]").first.locator('[data-zj-move="-1"]').is_disabled()
    assert widget.locator("[data-zj-pos]").all_inner_texts() == ["1", "2", "3"]
    ids = [by_name[n] for n in want]
    assert widget.locator("input[name=photos]").input_value() == ",".join(map(str, ids))
    assert wait_for(lambda: entry_files.slot_ids(entry, "photos") == ids)  # autosaved

    page.locator("#id_entry_pledge").check()
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(f"**/entries/{entry.pk}/")
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.status == EntryStatus.SUBMITTED
    shown = page.locator(".entry-files [id^=entry-media-]").evaluate_all("els => els.map(e => e.id)")
    assert shown == [f"entry-media-{pk}" for pk in ids]
    pdf = page.request.get(page.base_url + f"/entries/{entry.pk}/receipt.pdf")
    assert pdf.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    positions = [text.index(n) for n in want]
    assert positions == sorted(positions)
    assert errors == []
