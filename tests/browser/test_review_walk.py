"""Issue 10's whole sequence in one browser run: host-unit staff (office PC) add a scoring round
with its rubric, open it and apply the automatic assignment; a judge on a phone scores three
entries; staff decide the tiers, freeze the results and put them on public notice; a worker on a
phone files an objection; the moderator dismisses it; after the notice period staff finalise; the
campaign admin publishes the results notice and issues certificates; the winner downloads theirs
and its QR page says it is genuine."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests import factories as f
from tests.browser.session import log_in
from tests.review.builders import ReviewWorld
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.models import (
    Assignment,
    AwardTier,
    Certificate,
    Notice,
    Objection,
    ObjectionStatus,
    Publicity,
    ResultLine,
    ResultSnapshot,
    Round,
    Score,
    ScoreStatus,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def local(when: dt.datetime) -> str:
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return errors


def test_judging_from_round_to_certificate(page):
    w = ReviewWorld()
    entries = w.reported(3, status=EntryStatus.ELIGIBLE)
    judge = w.judge(None, name="外聘专家")
    AwardTier.objects.create(track=w.track, position=0, name="一等奖", quota=1)
    AwardTier.objects.create(track=w.track, position=1, name="二等奖", quota=1)
    objector = f.user(real_name="王五")
    errors = watch(page)
    page.on("dialog", lambda d: d.accept())
    T = f"/review/tracks/{w.track.pk}"

    # 1. Host-unit staff on an office PC: a scoring round, its rubric, open, assign.
    page.set_viewport_size(DESKTOP)
    log_in(page, w.host_staff)
    page.goto(page.base_url + f"{T}/rounds/")
    now = timezone.now()
    page.select_option("#r-kind", "scoring")
    page.fill("#r-name", "复评")
    page.fill("#r-opens", local(now - dt.timedelta(hours=1)))
    page.fill("#r-closes", local(now + dt.timedelta(days=10)))
    page.fill("#r-k", "1")
    page.locator("#round-create button[type=submit]").click()
    page.wait_for_selector("#criteria-form")
    rows = page.locator("#criteria-form [data-row]")
    rows.nth(0).locator("input[name=c_name]").fill("思想性")
    rows.nth(0).locator("input[name=c_maximum]").fill("40")
    page.locator("#criteria-form [data-row-add]").click()
    rows.nth(1).locator("input[name=c_name]").fill("艺术性")
    rows.nth(1).locator("input[name=c_maximum]").fill("60")
    page.locator("#criteria-form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    rnd = Round.objects.get(track=w.track)
    c1, c2 = rnd.criteria.order_by("position")
    page.goto(page.base_url + f"{T}/rounds/")
    page.locator(f"li[data-round='{rnd.pk}'] button[value=open]").click()
    page.wait_for_load_state("load")
    rnd.refresh_from_db()
    assert rnd.status == "open" and rnd.round_entries.count() == 3
    page.goto(page.base_url + f"/review/rounds/{rnd.pk}/assign/")
    page.locator("#as-apply").click()
    page.wait_for_selector("#as-applied")
    mine = list(Assignment.objects.filter(round=rnd, judge=judge.user).order_by("pk"))
    assert len(mine) == 3

    # 2. The judge on a phone scores the three entries (blind: no author, unit or phone).
    page.set_viewport_size(PHONE)
    log_in(page, judge.user)
    page.goto(page.base_url + "/review/judge/")
    assert fits(page)
    page.locator(".judge-queue-link").first.click()
    for i in range(3):
        page.wait_for_url(re.compile(r".*/review/judge/\d+/$"))
        here = int(page.url.rstrip("/").rsplit("/", 1)[1])
        entry = Assignment.objects.get(pk=here).entry
        html = page.content()
        assert entry.title in html and entry.unit.name not in html and entry.submitter.phone not in html
        assert fits(page)
        page.fill(f"#c_{c1.pk}", str(30 + i))
        page.fill(f"#c_{c2.pk}", str(50 - 5 * i))
        page.locator("#submit-score").click()
    page.wait_for_url(re.compile(r".*/review/judge/$"))
    assert Score.objects.filter(round=rnd, status=ScoreStatus.SUBMITTED).count() == 3

    # 3. Staff: close the round (the entries are scored), decide the tiers from the ranking,
    # freeze, put on public notice.
    page.set_viewport_size(DESKTOP)
    log_in(page, w.host_staff)
    page.goto(page.base_url + f"{T}/rounds/")
    page.locator(f"li[data-round='{rnd.pk}'] button[value=close]").click()
    page.wait_for_load_state("load")
    assert set(Entry.objects.filter(pk__in=[e.pk for e in entries]).values_list("status", flat=True)) == {
        EntryStatus.SCORED}
    page.goto(page.base_url + f"{T}/ranking/")
    page.locator("button[name=action][value=decide]").click()
    page.wait_for_load_state("load")
    tiers = dict(ResultLine.objects.filter(track=w.track).values_list("entry_id", "tier__name"))
    assert sorted(t for t in tiers.values() if t) == ["一等奖", "二等奖"]
    winner = Entry.objects.get(pk=next(e for e, t in tiers.items() if t == "一等奖"))
    page.goto(page.base_url + f"{T}/freeze/")
    page.locator("button[name=action][value=freeze]").click()
    page.wait_for_load_state("load")
    snap = ResultSnapshot.objects.get(track=w.track)
    assert page.locator("#frozen-hash").inner_text() == snap.sha256
    page.goto(page.base_url + f"{T}/publicity/")
    page.locator("form:has(input[value=publish]) button").click()
    page.wait_for_load_state("load")
    pub = Publicity.objects.get(track=w.track)

    # 4. A worker on a phone files a real-name objection against the winner.
    page.set_viewport_size(PHONE)
    log_in(page, objector)
    page.goto(page.base_url + "/results/")
    page.click(f"a[href='/results/notice/{pub.pk}/']")
    assert snap.sha256 in page.locator("#hash").inner_text() and fits(page)
    page.goto(page.base_url + f"/results/notice/{pub.pk}/objection/?entry={winner.pk}")
    page.fill("#id_name", "王五")
    page.fill("#id_unit_name", "某某公司")
    page.fill("#id_reason", "该作品与网上已发表的作品雷同")
    page.click("#objection-form button[type=submit]")
    page.wait_for_url(re.compile(r"/results/objections/mine/$"))
    obj = Objection.objects.get()

    # 5. The moderator dismisses it with a reply; the objector reads it.
    log_in(page, w.moderator)
    page.goto(page.base_url + "/review/objections/")
    page.click(f"a[data-objection='{obj.pk}']")
    page.fill("#reply", "经核查，作品为原创，异议不成立")
    page.click("#handle button[value=dismiss]")
    page.wait_for_url(re.compile(rf"/review/objections/{obj.pk}/$"))
    assert Objection.objects.get().status == ObjectionStatus.DISMISSED
    log_in(page, objector)
    page.goto(page.base_url + "/results/objections/mine/")
    assert "异议不成立" in page.locator("main").inner_text()

    # 6. After the notice period (working days, weekends skipped): staff finalise.
    with time_machine.travel(pub.ends + dt.timedelta(hours=1), tick=True):
        page.set_viewport_size(DESKTOP)
        log_in(page, w.host_staff)
        page.goto(page.base_url + f"{T}/publicity/")
        page.locator("form:has(input[value=finalise]) button").click()
        page.wait_for_load_state("load")
        statuses = dict(Entry.objects.filter(pk__in=[e.pk for e in entries]).values_list("pk", "status"))
        assert sorted(statuses.values()) == [EntryStatus.AWARDED, EntryStatus.AWARDED, EntryStatus.NOT_AWARDED]

        # 7. The campaign admin publishes the notice and issues the certificates.
        log_in(page, w.campaign_admin)
        page.goto(page.base_url + "/review/notices/")
        page.locator("form[action$='/review/notices/new/'] button").click()
        page.wait_for_url("**/review/notices/*/")
        page.fill("#f-number", "皖工办〔2026〕12号")
        page.locator("#notice-form button.btn-primary").click()
        page.wait_for_load_state()
        n = Notice.objects.get()
        page.check("#f-checked")
        page.locator("form[action$='/publish/'] button").click()
        page.wait_for_url(f"**/results/notices/{n.pk}/")
        with page.expect_download() as dl:
            page.locator(f"a[href$='/results/notices/{n.pk}/download.pdf']").click()
        assert dl.value.path().read_bytes().startswith(b"%PDF")
        page.goto(page.base_url + f"{T}/certificates/")
        page.locator("form button.btn-primary").first.click()
        page.wait_for_load_state("load")
        cert = Certificate.objects.get(entry=winner)

        # 8. The winner downloads the certificate on a phone; its QR page says genuine.
        page.set_viewport_size(PHONE)
        log_in(page, winner.submitter)
        page.goto(page.base_url + "/review/certificates/mine/")
        with page.expect_download() as dl:
            page.locator(f"a[href$='/review/certificates/{cert.pk}/certificate.pdf']").click()
        assert dl.value.path().read_bytes().startswith(b"%PDF")
        page.goto(page.base_url + f"/results/certificates/{cert.code}/")
        assert page.locator(".alert-success").is_visible() and winner.title in page.content() and fits(page)
    assert errors == [], errors
