"""Participation and coverage on a hand-made tree, figures worked out by hand.

The tree (tests.factories.tongling_tree) plus the host unit:

    安徽省总工会 (0 members)
    ├── 铜陵市总工会 (0)
    │   ├── 义安区总工会 (0): 义安区某公司工会 (120), 义安区某学校工会 (80)
    │   └── 郊区总工会 (0):   郊区某厂工会 (200), 郊区某医院工会 (90)
    └── 宣城市总工会 (0, hosts the track)

Scenario: w1 of 某公司 has two counted entries (one recommended), w2 of 某公司 withdrew theirs,
w3 of 某厂 has one; 某学校 held an activity. So:

- province: participants {w1, w3} = 2 of 490 members; covered {某公司, 某学校, 某厂} = 3 of 9 units;
- 义安区: 1 of 200 (w1); covered 2 of 3 (某公司 by entries, 某学校 by its activity);
- 郊区: 1 of 290; covered 1 of 3; 宣城: 0 of 0 members (no rate), 0 of 1 units.
"""

from __future__ import annotations

import pytest

from zhengji.entries.models import EntryStatus
from zhengji.reporting import services as reporting
from zhengji.stats import queries, tally
from zhengji.stats.models import LevelReport

pytestmark = pytest.mark.django_db


def test_province_figures_by_hand(sw):
    sw.scenario()
    d = queries.dashboard(sw.campaign, sw.tree["province"])
    r = d.root
    assert (r.entries, r.recommended, r.participants, r.members) == (3, 1, 2, 490)
    assert r.participation == round(2 / 490, 4)
    assert (r.units, r.covered, r.silent) == (9, 3, 6)
    assert r.coverage == round(3 / 9, 4)
    kids = {k.org.code: k for k in d.children}
    assert set(kids) == {"AH-TL", "AH-XC"}
    city, host = kids["AH-TL"], kids["AH-XC"]
    assert (city.entries, city.participants, city.members, city.units, city.covered) == (3, 2, 490, 7, 3)
    assert (host.entries, host.participants, host.members, host.units, host.covered) == (0, 0, 0, 1, 0)
    assert host.participation is None and host.coverage == 0
    assert city.has_children and not host.has_children


def test_county_figures_and_tracks(sw):
    sw.scenario()
    d = queries.dashboard(sw.campaign, sw.tree["yian"])
    assert (d.root.participants, d.root.members, d.root.units, d.root.covered) == (1, 200, 3, 2)
    assert d.root.participation == 0.005 and d.root.coverage == round(2 / 3, 4)
    kids = {k.org.code: k for k in d.children}
    ya1, ya2 = kids["AH-TL-YA-01"], kids["AH-TL-YA-02"]
    assert (ya1.entries, ya1.recommended, ya1.participants, ya1.members, ya1.covered) == (2, 1, 1, 120, 1)
    assert (ya2.entries, ya2.participants, ya2.covered) == (0, 0, 1)  # covered by its activity alone
    by_track = {t.track.pk: dict(zip([s for s, _l in d.states], t.counts, strict=True)) for t in d.tracks}
    assert by_track[sw.track.pk][EntryStatus.SUBMITTED] == 1
    assert by_track[sw.track.pk][EntryStatus.RECOMMENDED] == 1
    assert EntryStatus.WITHDRAWN not in by_track[sw.track.pk]  # withdrawn and drafts are not counted
    assert sum(by_track[sw.other_track.pk].values()) == 0
    assert sum(n for _day, n in d.daily) == 3  # first submissions in 义安区, the withdrawn one too
    jiao = queries.dashboard(sw.campaign, sw.tree["jiao"]).root
    assert (jiao.participants, jiao.members, jiao.units, jiao.covered) == (1, 290, 3, 1)


def test_silent_units_pages(sw):
    sw.scenario()
    rows, cursor = queries.silent_page(sw.campaign, sw.tree["province"], size=4)
    assert len(rows) == 4 and cursor == rows[-1][0].path
    rest, cursor2 = queries.silent_page(sw.campaign, sw.tree["province"], after=cursor, size=4)
    assert cursor2 is None
    allcodes = {o.code for o, _l in rows} | {o.code for o, _l in rest}
    assert allcodes == {"AH", "AH-TL", "AH-TL-YA", "AH-TL-JQ", "AH-TL-JQ-02", "AH-XC"}
    paths = [o.path for o, _l in rows + rest]
    assert paths == sorted(paths)
    assert [o.path for o in queries.iter_silent(sw.campaign, sw.tree["province"], chunk=2)] == paths
    assert dict(rows)[sw.tree["province"]] == "安徽省总工会"  # the path label


def test_on_time_reporting_per_level(sw):
    sw.scenario()
    batch = reporting.create_batch(sw.ya1_admin, sw.tree["ya1"], sw.track)
    reporting.send_batch(sw.ya1_admin, batch)
    (lr,) = LevelReport.objects.filter(campaign=sw.campaign)
    assert lr.org == sw.tree["ya1"] and lr.on_time
    levels = queries.on_time_levels(sw.campaign, sw.tree["yian"])
    assert [(lv.kind, lv.on_time, lv.late, lv.rate) for lv in levels] == [("grassroots", 1, 0, 1.0)]
    assert queries.on_time_levels(sw.campaign, sw.tree["jiao"]) == []
    before = tally.snapshot(sw.campaign.pk)
    tally.rebuild([sw.campaign.pk])
    assert tally.snapshot(sw.campaign.pk) == before


def test_every_status_step_is_hooked():
    from zhengji.entries import transitions

    changing = {n for n, t in transitions.TRANSITIONS.items() if t.target is not None}
    assert changing <= tally.hooked_steps()
    assert {"report_up", "report_to_host"} <= tally.hooked_steps()


def test_rates_without_members():
    assert queries.rate(1, 0) is None and queries.rate(1, 4) == 0.25


def test_activities_brand_projects_and_volunteers_appear_on_the_dashboard(sw, client):
    """The scenario's one activity (某学校) plus, by hand: a second activity of 郊区某厂 with 30
    participants, a brand project of 义安区总工会 itself and two volunteers of 某公司."""
    import datetime as dt

    from zhengji.activities.models import Activity, BrandProject, Volunteer

    sw.scenario()
    t = sw.tree
    Activity.objects.create(campaign=sw.campaign, org=t["jq1"], title="线上答题", held_on=dt.date(2026, 5, 1),
                            participants=30)
    BrandProject.objects.create(campaign=sw.campaign, org=t["yian"], name="清朗义安")
    for i, unit in enumerate(("ya1", "ya1")):
        Volunteer.objects.create(campaign=sw.campaign, org=t[unit], name=f"志愿者{i}", phone=f"1380000000{i}")
    first = Activity.objects.filter(org=t["ya2"]).get()
    d = queries.dashboard(sw.campaign, t["province"])
    assert (d.root.activities, d.root.activity_participants) == (2, 30 + first.participants)
    assert (d.root.brand_projects, d.root.volunteers) == (1, 2)
    city = queries.dashboard(sw.campaign, t["city"])
    kids = {k.org.code: k for k in city.children}
    assert (kids["AH-TL-YA"].activities, kids["AH-TL-YA"].brand_projects, kids["AH-TL-YA"].volunteers) == (1, 1, 2)
    assert (kids["AH-TL-JQ"].activities, kids["AH-TL-JQ"].activity_participants, kids["AH-TL-JQ"].volunteers) == (
        1, 30, 0)
    client.force_login(sw.city_admin)
    page = client.get("/stats/", {"campaign": sw.campaign.pk, "org": t["city"].pk})
    assert page.status_code == 200 and 'id="fig-volunteers">2<' in page.content.decode()
    api = client.get("/api/stats/dashboard", {"campaign": sw.campaign.pk, "org": t["city"].pk}).json()
    assert (api["root"]["activities"], api["root"]["volunteers"], api["root"]["brand_projects"]) == (2, 2, 1)
