"""Issue 8's whole "done when" in one run of chromium: first on a phone (390x844), then the key
steps again on an office PC (1366x900).

On the phone: a new worker joins a grassroots union by search (the district federation is shown
as not a union to join); the admins are told (site notice, signed and dated SMS); the county admin
confirms from the subtree queue reached from the hub; the worker starts an entry from the track
page, uploads three photos, reorders them, submits, and the order holds on the detail page and in
the receipt; a campaign admin creates a track with a choice field and rules written in the editor
(no HTML, no keys), previews both, and the public page shows the formatting, with the rules'
headings below the section's.

On the PC: another worker joins and is confirmed, starts an entry from the track page; the hub
links to 本单位作品; the tree counts the whole subtree; primary buttons are the site red and
digits tabular; the first entry's photo order holds on its detail page."""

from __future__ import annotations

import io
import random
import re
import time

import pytest
from PIL import Image
from pypdf import PdfReader

from tests import factories as f
from tests.browser.session import log_in
from tests.browser.test_phone_layout import AXE_JS
from tests.entries.builders import World
from zhengji.campaigns.models import Track
from zhengji.campaigns.roles import CampaignRole
from zhengji.common import sms
from zhengji.common.models import Notification
from zhengji.entries import files as entry_files
from zhengji.entries.models import Entry, EntryStatus
from zhengji.media.models import MediaFile
from zhengji.orgs.models import Membership, MembershipStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PHOTOS = [{"key": "photos", "type": "file", "label": "组照", "required": True,
           "file": {"kinds": ["image"], "extensions": ["jpg"], "min_count": 3, "max_count": 3}}]
SIGNED_SMS = re.compile(r"^【征集】.+（\d{4}-\d{2}-\d{2}）$")
SITE_RED = "rgb(183, 28, 28)"


def photo(path, size: int, seed: int) -> None:
    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (size, size), bytes(rnd.getrandbits(8) for _ in range(size * size * 3)))
    img.save(path, "JPEG", quality=95)


def wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def names_in(widget) -> list[str]:
    return [n.strip().split()[0] for n in widget.locator("li[data-media-id] [data-zj-name]").all_inner_texts()]


def axe_clean(page) -> None:
    """axe-core finds no serious or critical violation on the page as it stands."""
    page.add_script_tag(url=f"{page.base_url}/static/vendor/axe-core/axe.min.js")
    violations = page.evaluate(AXE_JS)
    assert violations == [], f"{page.url}: axe-core: {violations}"


def fonts_of(page, selector: str) -> int:
    """How many platform fonts chromium used to draw the text of the first element matching."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return len({f["familyName"] for f in fonts})


def join_by_search(page, user, query: str, union: str) -> None:
    log_in(page, user)
    page.goto(page.base_url + "/accounts/join/")
    page.fill("#org-q", query)
    row = page.locator("#org-results li", has_text=union)
    row.wait_for()
    row.get_by_role("button").click()
    page.wait_for_url("**/accounts/centre/")
    assert Membership.objects.get(user=user).status == MembershipStatus.PENDING


def confirm_from_the_queue(page, admin, worker_name: str) -> None:
    log_in(page, admin)
    page.goto(page.base_url + "/hub/")
    page.locator("a[href='/orgs/pending/']").first.click()
    page.wait_for_url("**/orgs/pending/")
    row = page.locator("#pending-list li", has_text=worker_name)
    row.wait_for()
    axe_clean(page)
    row.locator("input[type=checkbox]").check()
    page.click("button[value=confirm]")
    page.wait_for_url("**/orgs/pending/")
    page.locator("#pending-empty").wait_for()


def start_from_the_track_page(page, user, w, title: str) -> Entry:
    log_in(page, user)
    page.goto(f"{page.base_url}/c/{w.campaign.slug}/{w.photos.slug}/")
    page.locator("#track-cta a[data-start]").click()
    page.wait_for_url(f"**/entries/new/{w.photos.pk}/")
    page.fill("#id_title", title)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/entries/\d+/edit/$"))
    return Entry.objects.get(submitter=user, title=title)


def shown_order(page) -> list[str]:
    return page.locator(".entry-files [id^=entry-media-]").evaluate_all("els => els.map(e => e.id)")


def test_the_whole_usability_walk_on_a_phone_then_on_a_pc(page, settings, tmp_path):
    settings.MEDIA_UPLOAD_CHUNK_BYTES = 256 * 1024
    w = World()
    w.photos = f.track(w.campaign, w.tree["city"], number=5, slug="photos", name="摄影", name_en="Photography",
                       form_schema=PHOTOS, entrant_types=["individual"])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)

    # ============================== on a phone ==============================
    page.set_viewport_size(PHONE)
    newcomer = f.user(real_name="钱七")
    sms.outbox.clear()

    # 1. The worker searches; the county federation is listed as not a union to join.
    log_in(page, newcomer)
    page.goto(page.base_url + "/accounts/join/")
    page.fill("#org-q", "义安区")
    federation = page.locator("#org-results li", has=page.locator(".not-grassroots"))
    federation.first.wait_for()
    assert federation.count() == 1 and federation.locator(".org-label").inner_text().endswith("义安区总工会")
    assert federation.get_by_role("button").count() == 0 and "不是基层工会" in federation.inner_text()
    assert page.locator("#org-results li button").count() == 2  # the two grassroots unions under it
    axe_clean(page)
    join_by_search(page, newcomer, "义安区某公司", "义安区某公司工会")

    # 2. The admins of the union and of the level above are told, by the site and by SMS.
    told = set(Notification.objects.filter(url__contains="/orgs/pending/").values_list("user_id", flat=True))
    assert told == {w.ya1_admin.pk, w.yian_admin.pk}
    texts = {m["phone"]: m["message"] for m in sms.outbox}
    assert set(texts) == {w.ya1_admin.phone, w.yian_admin.phone}
    assert all(SIGNED_SMS.match(t) and "钱七" in t for t in texts.values()), texts

    # 3. The county admin confirms from the subtree queue, reached from the hub.
    confirm_from_the_queue(page, w.yian_admin, "钱七")
    m = Membership.objects.get(user=newcomer)
    assert m.status == MembershipStatus.CONFIRMED and m.confirmed_by == w.yian_admin

    # 4. The worker starts an entry from the track page and uploads three photos at once.
    entry = start_from_the_track_page(page, newcomer, w, "车间一日")
    paths = []
    for i, size in ((1, 600), (2, 64), (3, 64)):
        p = tmp_path / f"{i}.jpg"
        photo(p, size, i)
        paths.append(str(p))
    widget = page.locator("[data-zj-uploader]")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(paths)
    widget.locator("li[data-media-id]").nth(2).wait_for(timeout=60000)
    assert names_in(widget) == ["1.jpg", "2.jpg", "3.jpg"]  # the picked order
    by_name = {mf.filename: mf.pk for mf in MediaFile.objects.filter(owner=newcomer)}
    assert wait_for(lambda: entry_files.slot_ids(entry, "photos") == [by_name[n] for n in ("1.jpg", "2.jpg", "3.jpg")])
    page.wait_for_function("() => !document.querySelector('[data-zj-uploader] .uppy-Dashboard-Item')")

    # 5. Reorder by tapping: 3.jpg to the top, 1.jpg one place down.
    widget.locator("li[data-media-id]").nth(2).locator('[data-zj-move="-1"]').click()
    widget.locator("li[data-media-id]").nth(1).locator('[data-zj-move="-1"]').click()
    assert names_in(widget) == ["3.jpg", "1.jpg", "2.jpg"]
    widget.locator("li[data-media-id]").nth(1).locator('[data-zj-move="1"]').click()
    want = ["3.jpg", "2.jpg", "1.jpg"]
    assert names_in(widget) == want
    ids = [by_name[n] for n in want]
    assert wait_for(lambda: entry_files.slot_ids(entry, "photos") == ids)  # autosaved

    # 6. Submit; the order holds on the detail page and in the receipt.
    page.locator("#id_entry_pledge").check()
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(f"**/entries/{entry.pk}/")
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.status == EntryStatus.SUBMITTED and entry.number
    assert shown_order(page) == [f"entry-media-{pk}" for pk in ids]
    pdf = page.request.get(page.base_url + f"/entries/{entry.pk}/receipt.pdf")
    assert pdf.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    positions = [text.index(n) for n in want]
    assert positions == sorted(positions)

    # 7. A campaign admin writes a track's rules in the editor and builds a choice field.
    admin = f.user(real_name="活动负责人")
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=w.campaign)
    log_in(page, admin)
    page.goto(page.base_url + f"/manage/{w.campaign.slug}/tracks/new/")
    page.locator("#id_name").fill("书法")
    page.locator("#id_host_unit").fill("义安")
    page.locator("[data-org-option]").first.click()
    page.locator("#id_work_kind").select_option("image")
    box = page.locator("[data-richtext]").first
    assert box.locator("textarea").is_hidden()  # no HTML to type
    bold = box.get_by_role("button", name="加粗")
    box.locator(".ql-editor").click()
    box.locator(".ql-header .ql-picker-label").click()
    box.locator('.ql-header .ql-picker-item[data-value="2"]').click()
    page.keyboard.type("参赛要求")
    page.keyboard.press("Enter")
    page.keyboard.type("作品须为原创，")
    bold.click()
    page.keyboard.type("不得抄袭")
    bold.click()
    box.get_by_role("button", name="预览").click()
    preview = box.locator(".richtext-preview")
    preview.locator("h2").wait_for()
    assert preview.locator("strong").inner_text() == "不得抄袭"
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/form/")
    track = Track.objects.get(campaign=w.campaign, name="书法")
    assert "<h2>参赛要求</h2>" in track.rules and re.fullmatch(r"[a-z0-9-]+", track.slug)

    page.get_by_role("button", name="添加字段").click()
    page.get_by_label("类型", exact=True).select_option("choice")
    page.get_by_label("名称", exact=True).fill("组别")
    page.get_by_label("选项 1", exact=True).fill("职工组")
    page.get_by_label("选项 2", exact=True).fill("学生组")
    page.get_by_role("button", name="预览", exact=True).click()
    form_preview = page.locator("#form-preview")
    form_preview.wait_for()
    assert form_preview.locator("select option").all_inner_texts()[1:] == ["职工组", "学生组"]
    page.get_by_role("button", name="保存报名表").click()
    assert page.get_by_text("报名表已保存。").is_visible()
    track.refresh_from_db()
    assert [c["label"] for c in track.form_schema[0]["choices"]] == ["职工组", "学生组"]
    assert re.fullmatch(r"[a-z0-9_]+", track.form_schema[0]["key"])  # made for the admin, not typed

    # 8. The public page shows the formatting; the rules' headings stay below the section's.
    page.goto(page.base_url + f"/c/{w.campaign.slug}/{track.slug}/")
    rules = page.locator(".rich-text").first
    assert rules.locator("h2").inner_text() == "参赛要求"
    assert rules.locator("strong").inner_text() == "不得抄袭"
    size = page.evaluate("""() => [parseFloat(getComputedStyle(document.querySelector('.rich-text h2')).fontSize),
                                   parseFloat(getComputedStyle(document.querySelector('#rules-h')).fontSize)]""")
    assert size[0] < size[1], size

    # ============================== on an office PC ==============================
    page.set_viewport_size(DESKTOP)
    second = f.user(real_name="孙八")
    join_by_search(page, second, "义安区某学校", "义安区某学校工会")
    confirm_from_the_queue(page, w.yian_admin, "孙八")
    assert Membership.objects.get(user=second).status == MembershipStatus.CONFIRMED
    # The hub links to 本单位作品, which lists the phone walk's entry.
    page.goto(page.base_url + "/hub/")
    page.locator("a[href='/entries/unit/']").first.click()
    page.wait_for_url("**/entries/unit/")
    assert entry.number in page.locator("main").inner_text()
    # The tree counts the whole subtree (120 + 80 declared in its two unions, 0 of its own).
    page.goto(page.base_url + "/orgs/")
    assert "会员共 200 人" in page.locator(f"#org-{w.tree['yian'].pk} .member-total").first.inner_text()
    # Digits and Chinese in one line come from one font (so the digits have the text's weight).
    assert fonts_of(page, f"#org-{w.tree['yian'].pk} .member-total") == 1
    axe_clean(page)

    draft = start_from_the_track_page(page, second, w, "学校的一天")
    assert draft.unit == w.tree["ya2"] and draft.status == EntryStatus.DRAFT

    # Primary buttons are the site red; digits are tabular.
    page.goto(f"{page.base_url}/c/{w.campaign.slug}/{w.photos.slug}/")
    cta = page.locator("#track-cta a.btn-primary")
    assert cta.evaluate("el => getComputedStyle(el).backgroundColor") == SITE_RED
    assert page.evaluate("getComputedStyle(document.body).fontVariantNumeric") == "tabular-nums"
    axe_clean(page)  # the red buttons and links keep their contrast
    # The worker's centre has no staff sections.
    page.goto(page.base_url + "/accounts/centre/")
    assert page.locator("#h-tokens").count() == 0 and page.locator("#h-2fa").count() == 0
    axe_clean(page)

    # The first entry's order holds on its detail page on the PC too.
    log_in(page, newcomer)
    page.goto(page.base_url + f"/entries/{entry.pk}/")
    assert shown_order(page) == [f"entry-media-{pk}" for pk in ids]
    assert errors == []
