"""The results notice on a phone: a campaign admin creates the notice, fills in the number, picks a
suggested outstanding unit, publishes it; a visitor reads it and downloads the PDF; an awarded
entrant downloads their certificate from "My award certificates" and its QR page says genuine."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in
from tests.review.builders_notice import NoticeWorld
from zhengji.common import registry
from zhengji.review.domain import notice as dom
from zhengji.review.models import Certificate, Notice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def test_notice_and_certificate_on_a_phone(page, tmp_path):
    w = NoticeWorld()
    photo = w.awarded(w.track, counts=(1, 1), losers=1)
    registry.honour_suggestions.register("browser", lambda cid: [
        {"kind": "unit", "name": "建议的优秀单位", "unit": "", "why": "获奖 2 件"}])
    try:
        errors = watch(page)
        log_in(page, w.campaign_admin)
        page.goto(page.base_url + "/review/notices/")
        page.locator("form[action$='/review/notices/new/'] button").click()
        page.wait_for_url("**/review/notices/*/")
        assert page.locator("#f-issuer").input_value() == w.campaign.org.name
        page.fill("#f-number", "皖工办〔2026〕12号")
        page.get_by_label("建议的优秀单位", exact=False).check()
        page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)
        page.locator("#notice-form button.btn-primary").click()
        page.wait_for_load_state()
        n = Notice.objects.get()
        assert n.number == "皖工办〔2026〕12号"
        assert n.honours == [{"kind": "unit", "name": "建议的优秀单位", "unit": ""}]
        page.check("#f-checked")
        page.locator("form[action$='/publish/'] button").click()
        page.wait_for_url(f"**/results/notices/{n.pk}/")
        assert "建议的优秀单位" in page.content() and "皖工办〔2026〕12号" in page.content()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # no sideways scrolling on a phone
        with page.expect_download() as dl:
            page.locator(f"a[href$='/results/notices/{n.pk}/download.pdf']").click()
        assert dl.value.path().read_bytes().startswith(b"%PDF")
        page.screenshot(path=str(tmp_path / "public.png"), full_page=True)

        dom.issue_certificates(w.campaign_admin, w.track)
        winner = photo["一等奖"][0]
        c = Certificate.objects.get(entry=winner)
        page.context.clear_cookies()
        log_in(page, winner.submitter)
        page.goto(page.base_url + "/review/certificates/mine/")
        assert winner.title in page.content()
        with page.expect_download() as dl:
            page.locator(f"a[href$='/review/certificates/{c.pk}/certificate.pdf']").click()
        assert dl.value.path().read_bytes().startswith(b"%PDF")
        page.goto(page.base_url + f"/results/certificates/{c.code}/")
        assert page.locator(".alert-success").is_visible() and winner.title in page.content()
        page.screenshot(path=str(tmp_path / "verify.png"), full_page=True)
        assert not errors, errors
    finally:
        registry.honour_suggestions.unregister("browser")
