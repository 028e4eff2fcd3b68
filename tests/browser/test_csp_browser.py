"""The main pages in chromium under the strict CSP (no 'unsafe-inline' for styles or scripts) and
the Permissions-Policy: not one violation, not one header complaint, including the Uppy upload
widget with a file in it and Bootstrap's interactive parts (issue 7 point 12)."""

from __future__ import annotations

import pytest

from tests.browser.session import log_in
from tests.entries.builders import World, media, png_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Every CSP violation, as the page itself sees it (an init script is not subject to the CSP).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""



def watch(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(WATCH)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if ("Content Security Policy" in m.text or "Permissions-Policy" in m.text
                or "Refused to" in m.text or (m.type == "error" and not m.text.startswith("Failed to load")))
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def visit(page, problems, path, *, expect=None):
    response = page.goto(page.base_url + path)
    assert response is not None and response.status < 400, (path, response and response.status)
    assert "camera=()" in (response.headers.get("permissions-policy") or "")
    if expect:
        page.locator(expect).first.wait_for()
    page.wait_for_load_state("networkidle")
    problems.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))


def test_main_pages_have_no_csp_violations(page, tmp_path):
    problems = watch(page)
    w = World()
    visit(page, problems, "/")
    visit(page, problems, "/accounts/login/", expect="#id_phone")
    visit(page, problems, "/accounts/register/", expect="#id_phone")

    # The entry form with the upload widget, and a file put into it (Uppy renders its list).
    e = w.draft(title="我的作品")
    log_in(page, w.worker)
    visit(page, problems, f"/entries/{e.pk}/edit/", expect="[data-zj-uploader]")
    photo = tmp_path / "photo.png"
    photo.write_bytes(png_bytes())
    page.locator("[data-zj-uploader] input.uppy-Dashboard-input").first.set_input_files(str(photo))
    page.wait_for_selector("[data-zj-uploader][data-last-upload]", timeout=30000)
    page.wait_for_load_state("networkidle")
    problems.extend(f"upload: {v}" for v in page.evaluate("window.__csp"))

    # The entry page with a ready image (its thumbnail width used to be an inline style).
    submitted = w.submitted()
    media(w.worker, slot="photos", entry=submitted)
    visit(page, problems, f"/entries/{submitted.pk}/")
    visit(page, problems, "/accounts/centre/")

    # The hub of a unit admin, with Bootstrap's menu opened on a phone-sized screen.
    page.context.clear_cookies()
    log_in(page, w.yian_admin)
    visit(page, problems, "/hub/")
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator(".navbar-collapse.show").wait_for()
    visit(page, problems, "/orgs/")
    problems.extend(f"hub: {v}" for v in page.evaluate("window.__csp"))

    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("mode", "violations"), [("richText", False), ("html", True)])
def test_echarts_tooltips_need_rich_text_mode(page, settings, mode, violations):
    """ECharts draws on a canvas; its default HTML tooltip writes style="" markup, which the CSP
    blocks, so charts use `tooltip.renderMode = "richText"` (docs/security.md)."""
    settings.ROOT_URLCONF = "tests.browser.csp_urls"
    problems = watch(page)
    visit(page, problems, f"/csp-test/chart-{mode}/", expect="body[data-shown]")
    page.locator("#chart canvas").first.hover(position={"x": 180, "y": 120})
    page.wait_for_timeout(300)
    problems.extend(page.evaluate("window.__csp"))
    assert bool(problems) is violations, problems
