"""Issue 8 point 2: every page shows the deadline that applies to its reader, and it is the one
the domain enforces for that reader (clock frozen; the shown minute is accepted, the next refused)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests import factories as f
from tests.entries.builders import GOOD_DATA
from tests.reporting.builders import ReportWorld
from zhengji.campaigns.models import DeadlineExtension, LevelRule
from zhengji.campaigns.policy import policy_for
from zhengji.common.errors import DomainError
from zhengji.entries import services
from zhengji.entries.services import Changes
from zhengji.reporting.services import check_level_deadline

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 12, 20, 10, 0, tzinfo=SH)
GRASSROOTS = dt.datetime(2027, 1, 2, 23, 59, 59, 999999, tzinfo=SH)
COUNTY = dt.datetime(2027, 1, 5, 23, 59, 59, 999999, tzinfo=SH)
CITY = dt.datetime(2027, 1, 8, 18, 0, tzinfo=SH)
SHOWN_RE = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})")
ROLE_RE = re.compile(r'data-zj-deadline-role="(?P<role>\w+)"(?: data-zj-deadline-kind="(?P<kind>\w+)")?>'
                     r"(?P<body>.*?)</(?:li|td|p|span)>", re.S)


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as t:
        yield t


@pytest.fixture
def w(db, frozen):
    w = ReportWorld()
    LevelRule.objects.filter(campaign=w.campaign, org_kind="grassroots").update(deadline=GRASSROOTS)
    LevelRule.objects.filter(campaign=w.campaign, org_kind="county").update(deadline=COUNTY)
    LevelRule.objects.filter(campaign=w.campaign, org_kind="city").update(deadline=CITY)
    return w


def shown(html: str, role: str) -> list[tuple[str, dt.datetime]]:
    """(level kind, moment) of each deadline the page shows for `role`, read from the visible text,
    which must carry the zone."""
    found = []
    for m in ROLE_RE.finditer(html):
        if m.group("role") != role:
            continue
        body = re.sub(r"<[^>]+>", "", m.group("body"))
        assert "北京时间" in body or "Beijing time" in body, body
        when = dt.datetime.strptime(SHOWN_RE.search(body).group(1), "%Y-%m-%d %H:%M").replace(tzinfo=SH)
        found.append((m.group("kind") or "", when))
    return found


def accepted_until(check, when: dt.datetime) -> None:
    """The domain accepts at the shown minute and refuses a minute later."""
    check(when)
    with pytest.raises(DomainError):
        check(when + dt.timedelta(minutes=1))


def entrant_check(w, unit):
    return lambda at: policy_for(w.campaign, at).check_accepts_entries(w.track, unit)


# --- the policy ------------------------------------------------------------------------------------

def test_worker_gets_their_unit_deadline_with_extension(w):
    p = policy_for(w.campaign)
    [d] = p.reader_deadlines(w.track, w.worker)
    assert (d.role, d.when, d.extended) == ("entrant", GRASSROOTS, False)
    assert "2027-01-02 23:59" in d.text
    later = GRASSROOTS + dt.timedelta(days=2)
    DeadlineExtension.objects.create(campaign=w.campaign, track=w.track, org=w.tree["ya1"], until=later,
                                     reason="台风", granted_by=w.yian_admin)
    [d] = policy_for(w.campaign).reader_deadlines(w.track, w.worker)
    assert (d.when, d.extended) == (later, True)


def test_unit_admin_gets_their_level(w):
    ds = policy_for(w.campaign).reader_deadlines(w.track, w.yian_admin)
    assert [(d.role, d.org_kind, d.when) for d in ds] == [("unit", "county", COUNTY)]
    assert w.tree["yian"].name in ds[0].label


def test_visitor_gets_every_level_labelled(w):
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415 (test-only)
    ds = policy_for(w.campaign).reader_deadlines(w.track, AnonymousUser())
    assert [(d.org_kind, d.when) for d in ds] == [("grassroots", GRASSROOTS), ("county", COUNTY), ("city", CITY)]
    assert len({d.label for d in ds}) == 3


def test_no_rule_means_end_of_collection(w):
    LevelRule.objects.filter(campaign=w.campaign).delete()
    p = policy_for(w.campaign)
    [d] = p.reader_deadlines(w.track, w.worker)
    assert d.when == p.collection_end


# --- the pages -------------------------------------------------------------------------------------

def _draft(w):
    return services.create_draft(w.worker, w.track, changes=Changes(title="作品", data=dict(GOOD_DATA)))


def test_worker_pages_show_the_enforced_deadline(w, client):
    entry = _draft(w)
    client.force_login(w.worker)
    pages = [reverse("public:home"), reverse("public:campaign", args=[w.campaign.slug]),
             reverse("public:track", args=[w.campaign.slug, w.track.slug]),
             reverse("entries:choose_track"), reverse("entries:new", args=[w.track.pk]),
             reverse("entries:mine"), reverse("entries:edit", args=[entry.pk]),
             reverse("entries:detail", args=[entry.pk])]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        got = shown(r.content.decode(), "entrant")
        assert got, url
        for _kind, when in got:
            assert when == GRASSROOTS.replace(second=0, microsecond=0), url
            accepted_until(entrant_check(w, w.tree["ya1"]), when)
    # The entry's own step: saved at the shown minute, refused the minute after.
    services.save_draft(w.worker, entry, Changes(title="还在时限内"), at=GRASSROOTS.replace(second=0))
    with pytest.raises(DomainError):
        services.save_draft(w.worker, entry, Changes(title="晚了"), at=GRASSROOTS + dt.timedelta(seconds=1))


def test_extension_shows_on_the_workers_pages(w, client):
    later = dt.datetime(2027, 1, 4, 12, 0, tzinfo=SH)
    DeadlineExtension.objects.create(campaign=w.campaign, track=w.track, org=w.tree["ya1"], until=later,
                                     reason="台风", granted_by=w.yian_admin)
    entry = _draft(w)
    client.force_login(w.worker)
    for url in (reverse("public:track", args=[w.campaign.slug, w.track.slug]),
                reverse("entries:edit", args=[entry.pk])):
        [(_k, when)] = shown(client.get(url).content.decode(), "entrant")
        assert when == later
        accepted_until(entrant_check(w, w.tree["ya1"]), when)


def test_unit_admin_pages_show_their_level_deadline(w, client):
    client.force_login(w.yian_admin)
    for url in (reverse("public:home"), reverse("public:track", args=[w.campaign.slug, w.track.slug])):
        got = shown(client.get(url).content.decode(), "unit")
        assert got == [("county", COUNTY.replace(second=0, microsecond=0))] * len(got) and got
        for _kind, when in got:
            accepted_until(lambda at: check_level_deadline(policy_for(w.campaign, at), w.track, w.tree["yian"]),
                           when)


def test_visitor_sees_each_level_labelled(w, client):
    html = client.get(reverse("public:track", args=[w.campaign.slug, w.track.slug])).content.decode()
    got = dict(shown(html, "level"))
    assert got == {"grassroots": GRASSROOTS.replace(second=0, microsecond=0),
                   "county": COUNTY.replace(second=0, microsecond=0), "city": CITY}
    accepted_until(entrant_check(w, w.tree["ya1"]), got["grassroots"])
    accepted_until(lambda at: check_level_deadline(policy_for(w.campaign, at), w.track, w.tree["city"]), got["city"])
    # The campaign-wide end of collection is not offered as anyone's deadline.
    assert "征集截止" not in html


def test_home_page_queries_do_not_grow_with_tracks(w, client, django_assert_max_num_queries):
    client.force_login(w.worker)
    for i in range(6, 12):
        f.track(w.campaign, w.host, number=i, slug=f"t{i}", name=f"赛道{i}")
    with django_assert_max_num_queries(25):
        r = client.get(reverse("public:home"))
    assert len(shown(r.content.decode(), "entrant")) == 8


def test_reporting_queue_header_shows_the_levels_enforced_deadline(w, client):
    w.submitted()
    client.force_login(w.yian_admin)
    r = client.get(reverse("reporting:queue"))
    assert r.status_code == 200
    got = shown(r.content.decode(), "unit")
    assert got and {when for _k, when in got} == {COUNTY.replace(second=0, microsecond=0)}
    accepted_until(lambda at: check_level_deadline(policy_for(w.campaign, at), w.track, w.tree["yian"]), got[0][1])
