"""The statistics dashboard on a phone: the charts draw (ECharts from our static files), the same
figures are in tables, and a child organisation's link drills down one level."""

import pytest

from tests.browser.session import log_in
from tests.stats.builders import StatsWorld

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]



def test_dashboard_on_a_phone_drills_down(page):
    sw = StatsWorld()
    sw.scenario()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # (the browser's own favicon.ico request is not a page resource: responses are what count)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text
            else None)
    log_in(page, sw.campaign_admin)

    page.goto(page.base_url + "/stats/")
    assert page.locator("h1").inner_text() == "统计"
    page.locator("[data-chart=children] canvas").first.wait_for()
    page.locator("[data-chart=tracks] canvas").first.wait_for()
    box = page.locator("[data-chart=tracks] canvas").first.bounding_box()
    assert box is not None and 300 <= box["width"] <= 390 and box["height"] > 100
    table = page.locator("#stats-children")
    assert "铜陵市总工会" in table.inner_text() and "宣城市总工会" in table.inner_text()
    assert page.locator("#fig-participation").inner_text() == "0.4%"  # 2 of 490
    assert page.locator("#fig-coverage").inner_text() == "33.3%"  # 3 of 9

    table.get_by_role("link", name="铜陵市总工会").click()
    page.wait_for_url(f"**org={sw.tree['city'].pk}*")
    assert page.locator("h2").first.inner_text() == "铜陵市总工会"
    page.locator("[data-chart=children] canvas").first.wait_for()
    rows = page.locator("#stats-children tbody tr")
    assert rows.count() == 2
    assert "义安区总工会" in rows.nth(0).inner_text() or "义安区总工会" in rows.nth(1).inner_text()
    assert page.locator("#fig-coverage").inner_text() == "42.9%"  # 3 of 7
    assert not errors, errors
