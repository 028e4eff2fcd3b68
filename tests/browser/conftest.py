"""Playwright for Python driving Debian's chromium (/usr/bin/chromium); never `playwright install`."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        # `make test` installs chromium; a run without it is a broken setup, not a skip.
        pytest.fail(f"chromium not found at {CHROMIUM}; run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server, settings):
    # Live server runs with DEBUG off; serve static files from finders (no collectstatic needed).
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15000)
    p = context.new_page()
    p.base_url = live_server.url
    yield p
    context.close()
