import pytest

from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_home_page_in_browser(page):
    tree = f.tongling_tree()
    f.campaign(tree["province"])
    page.goto(page.base_url + "/")
    assert "皖美职工正能量" in page.locator("h1").inner_text()
    # Our own static files load (no CDN): Bootstrap's CSS sets the navbar's display.
    assert page.locator("nav.navbar").evaluate("e => getComputedStyle(e).display") == "flex"
