import pytest
from tests.browser.session import log_in
from tests.review.builders_setup import SetupWorld
from zhengji.entries.models import EntryStatus
from zhengji.review.models import RoundStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_shots(page):
    w = SetupWorld()
    w.reported(3)
    w.reported(2, status=EntryStatus.ELIGIBLE)
    r = w.scoring_round(position=1, status=RoundStatus.DRAFT)
    w.judge("jq1"); w.judge(None)
    log_in(page, w.host_staff)
    for name, url in [("tracks", "/review/"), ("track", f"/review/tracks/{w.track.pk}/"),
                      ("setup", f"/review/tracks/{w.track.pk}/setup/"), ("rounds", f"/review/tracks/{w.track.pk}/rounds/"),
                      ("round_edit", f"/review/rounds/{r.pk}/"), ("panel", f"/review/tracks/{w.track.pk}/panel/"),
                      ("tiers", f"/review/tracks/{w.track.pk}/tiers/"), ("vetting", f"/review/tracks/{w.track.pk}/vetting/")]:
        page.goto(page.base_url + url)
        page.screenshot(path=f"/tmp/shots/{name}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + f"/review/tracks/{w.track.pk}/")
    page.screenshot(path="/tmp/shots/track_desktop.png", full_page=True)
    page.goto(page.base_url + f"/review/rounds/{r.pk}/")
    page.screenshot(path="/tmp/shots/round_desktop.png", full_page=True)
