"""Every list page at 390 px: no entry number or time breaks inside, nothing overflows the screen
sideways, and axe-core finds no serious or critical accessibility violation. A screenshot of each
page goes to var/screenshots/ (not committed) to be looked at by eye."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests import factories as f
from tests.activities.builders import ActWorld
from tests.reporting.builders import ReportWorld, worker
from zhengji.entries import services
from zhengji.entries.services import Changes
from zhengji.reporting import services as rservices

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"

# Elements that carry an entry number or a time must be on one line; the page and every list must
# fit the 390 px screen.
LAYOUT_JS = """() => {
  const broken = [];
  const tokens = document.querySelectorAll('main .zj-token, main time');
  let visible = 0;
  for (const el of tokens) {
    const rects = el.getClientRects();
    if (rects.length === 0) continue;  // folded away (closed <details>)
    visible += 1;
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    const tops = new Set(Array.from(rects).map(r => Math.round(r.top)));
    if (tops.size > 1 || el.getBoundingClientRect().height > line * 1.5) broken.push(el.textContent.trim());
  }
  const wide = [];
  for (const el of document.querySelectorAll('main table, main .zj-log')) {
    if (el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth + 1) {
      wide.push(el.id || el.className);
    }
  }
  return {broken, wide, visible, pageWidth: document.documentElement.scrollWidth, screen: window.innerWidth};
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || ''))}));
}"""


def log_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}])


def check(page, path: str, name: str, *, tokens: int = 1) -> dict:
    page.goto(f"{page.base_url}{path}")
    page.wait_for_load_state("load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    layout = page.evaluate(LAYOUT_JS)
    assert layout["broken"] == [], f"{path}: tokens wrap inside: {layout['broken']}"
    assert layout["wide"] == [], f"{path}: lists wider than the screen: {layout['wide']}"
    assert layout["pageWidth"] <= layout["screen"], f"{path}: the page scrolls sideways"
    assert layout["visible"] >= tokens, f"{path}: expected at least {tokens} numbers or times, saw {layout['visible']}"
    page.add_script_tag(url=f"{page.base_url}/static/vendor/axe-core/axe.min.js")
    violations = page.evaluate(AXE_JS)
    assert violations == [], f"{path}: axe-core: {violations}"
    return layout


def test_list_pages_on_a_phone(page):
    world = ReportWorld()
    me = worker(world.tree["ya1"], real_name="王小明")
    mine = [world.submitted(user=me, title=f"长长的作品标题第{i}号，看它在手机上怎样换行") for i in range(2)]
    others = world.many(2)
    rservices.recommend(world.ya1_admin, others[:1], world.tree["ya1"])
    batch = rservices.create_batch(world.ya1_admin, world.tree["ya1"], world.track)
    batch = rservices.send_batch(world.ya1_admin, batch)
    # A draft typed for a while: many autosaves, one row in the audit log.
    t0 = timezone.now() - dt.timedelta(hours=1)
    with time_machine.travel(t0, tick=False):
        draft = services.create_draft(me, world.track, changes=Changes(title="草稿"))
    for i in range(5):
        with time_machine.travel(t0 + dt.timedelta(minutes=i + 1), tick=False):
            services.save_draft(me, draft, Changes(title=f"草稿{i}"))
    assert page.viewport_size["width"] == 390

    log_in(page, me)
    check(page, "/entries/", "entries-mine", tokens=4)
    for e in mine:
        assert page.locator(".zj-token", has_text=e.number).count() == 1

    log_in(page, world.ya1_admin)
    check(page, "/entries/unit/", "entries-unit", tokens=8)
    check(page, "/reporting/", "reporting-queue", tokens=6)
    check(page, "/reporting/batches/", "reporting-batches", tokens=2)
    assert page.locator(".zj-token", has_text=batch.number).count() >= 1
    check(page, f"/reporting/batches/{batch.pk}/", "reporting-batch", tokens=1)
    check(page, "/reporting/onbehalf/", "reporting-onbehalf", tokens=0)
    check(page, f"/orgs/{world.tree['ya1'].pk}/members/", "orgs-members", tokens=3)
    check(page, "/activities/", "activities", tokens=0)

    log_in(page, f.user(is_superuser=True))
    check(page, "/hub/audit/", "audit-log", tokens=10)
    sentences = page.locator("#audit-log .zj-log-sentence").all_inner_texts()
    assert any("王… 提交了作品" in s and mine[0].number in s for s in sentences)
    assert sum("王… 编辑了作品" in s for s in sentences) >= 1
    assert not any("entry.submit" in s for s in sentences)
    page.select_option("#f-kind", "entries")
    with page.expect_navigation():
        page.click("form[aria-label] button[type=submit]")
    assert "kind=entries" in page.url
    # The details unfold on a tap and still fit the screen.
    page.locator("#audit-log details summary").first.click()
    layout = page.evaluate(LAYOUT_JS)
    assert layout["broken"] == [] and layout["pageWidth"] <= layout["screen"]
    page.screenshot(path=str(SHOTS / "audit-log-details.png"), full_page=True)


def test_audit_log_and_queue_on_an_office_pc(page):
    world = ReportWorld()
    world.many(2)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, world.yian_admin)
    check(page, "/reporting/", "desktop-reporting-queue", tokens=2)
    # On a wide screen the queue is a table again (its header row shows).
    assert page.locator("main table thead").first.is_visible()
    log_in(page, f.user(is_superuser=True))
    check(page, "/hub/audit/", "desktop-audit-log", tokens=4)
    assert page.locator("#audit-log .zj-log-item").count() >= 4


def test_activity_lists_and_staff_pages_on_a_phone(page):
    aw = ActWorld()
    for i in range(3):
        aw.activity(title=f"网络文明讲座第{i}期：守护清朗网络空间，从每一位职工做起")
    aw.brand(started_on=aw.today - dt.timedelta(days=30))
    aw.volunteer()
    cid = aw.campaign.pk
    log_in(page, aw.yian_admin)
    check(page, f"/activities/{cid}/", "activities-list", tokens=3)
    check(page, f"/activities/{cid}/brand-projects/", "activities-brands", tokens=1)
    check(page, f"/activities/{cid}/volunteers/", "activities-volunteers", tokens=0)
    check(page, "/hub/", "hub", tokens=0)
    check(page, "/notifications/", "notifications", tokens=0)
