"""The setup area's pages: every page for host staff, the anonymous, those who may not and a wrong
method; the forms (settings, rounds with the rubric, panel, tiers, vetting with per-entry results,
holidays); the lists' query counts do not grow with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.review.builders_setup import SetupWorld
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.models import AwardTier, Criterion, Holiday, PanelMember, ReviewSetup, Round, RoundStatus

pytestmark = pytest.mark.django_db
S = EntryStatus


@pytest.fixture
def w():
    return SetupWorld()


def urls(w, rnd):
    return [reverse("review:tracks"), reverse("review:track", args=[w.track.pk]),
            reverse("review:setup", args=[w.track.pk]), reverse("review:rounds", args=[w.track.pk]),
            reverse("review:round_edit", args=[rnd.pk]), reverse("review:panel", args=[w.track.pk]),
            reverse("review:tiers", args=[w.track.pk]), reverse("review:vetting", args=[w.track.pk]),
            reverse("review:panel_org_search", args=[w.track.pk]) + "?org_q=义安"]


def test_pages_by_audience(client, w):
    rnd = w.round(position=1)
    e = w.reported(1)[0]
    pages = [*urls(w, rnd), reverse("review:vetting_entry", args=[w.track.pk, e.pk])]
    holidays = reverse("review:holidays", args=[w.campaign.slug])
    for url in [*pages, holidays]:
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"], url
    for who in (w.host_staff, w.campaign_admin, w.superuser):
        client.force_login(who)
        for url in pages:
            assert client.get(url).status_code == 200, (who, url)
    for label, who in w.outsiders().items():
        client.force_login(who)
        for url in pages:
            if label == "other_host" and url == reverse("review:tracks"):
                html = client.get(url).content.decode()
                assert reverse("review:track", args=[w.track.pk]) not in html
                assert reverse("review:track", args=[w.other_track.pk]) in html
                continue
            assert client.get(url).status_code == 403, (label, url)
        assert client.get(holidays).status_code == 403, label
        assert client.post(reverse("review:setup", args=[w.track.pk]), {"normalise": "on"}).status_code == 403
    client.force_login(w.host_staff)
    assert client.get(holidays).status_code == 403
    assert client.post(reverse("review:tracks")).status_code == 405
    assert client.delete(reverse("review:track", args=[w.track.pk])).status_code == 405
    assert client.put(reverse("review:rounds", args=[w.track.pk])).status_code == 405
    assert client.post(reverse("review:vetting_entry", args=[w.track.pk, e.pk])).status_code == 405
    assert client.get(reverse("review:track", args=[999999])).status_code == 404
    # The other track's entry is not shown in this track's queue detail.
    other = w.reported(1, track=w.other_track)[0]
    assert client.get(reverse("review:vetting_entry", args=[w.track.pk, other.pk])).status_code == 404
    client.force_login(w.campaign_admin)
    assert client.get(holidays).status_code == 200


def test_track_home_links_and_checklist(client, w):
    rnd = w.scoring_round(status=RoundStatus.DRAFT, position=1)
    client.force_login(w.host_staff)
    html = client.get(reverse("review:track", args=[w.track.pk])).content.decode()
    for name in ("setup", "rounds", "panel", "tiers", "vetting"):
        assert reverse(f"review:{name}", args=[w.track.pk]) in html
    assert reverse("review:round_edit", args=[rnd.pk]) in html
    assert 'data-step="rubric" data-done="1"' in html and 'data-step="panel" data-done="0"' in html
    # Looking at the settings does not count as setting them.
    client.get(reverse("review:setup", args=[w.track.pk]))
    assert 'data-step="setup" data-done="0"' in client.get(reverse("review:track", args=[w.track.pk])).content.decode()


def test_settings_form(client, w):
    client.force_login(w.host_staff)
    url = reverse("review:setup", args=[w.track.pk])
    r = client.post(url, {"blind": "on", "aggregation": "median", "tie_break": "criteria", "public_vote_weight": "10",
                          "publicity_days": "5"})
    assert r.status_code == 302
    s = ReviewSetup.objects.get(track=w.track)
    assert (s.aggregation, s.normalise, s.public_vote_weight) == ("median", False, 10)
    r = client.post(url, {"aggregation": "median", "tie_break": "criteria", "public_vote_weight": "80",
                          "publicity_days": "5"})
    assert r.status_code == 200 and 'value="80"' in r.content.decode()
    assert ReviewSetup.objects.get(track=w.track).public_vote_weight == 10


def test_rounds_and_rubric_forms(client, w):
    client.force_login(w.host_staff)
    url = reverse("review:rounds", args=[w.track.pk])
    r = client.post(url, {"action": "create", "kind": "scoring", "name": "初评", "opens": "2030-10-08T09:00",
                          "closes": "2030-10-20T18:00", "judges_per_entry": "3"})
    rnd = Round.objects.get(track=w.track)
    assert r.status_code == 302 and r["Location"] == reverse("review:round_edit", args=[rnd.pk])
    assert rnd.opens.isoformat() == "2030-10-08T01:00:00+00:00"
    edit = reverse("review:round_edit", args=[rnd.pk])
    assert 'value="2030-10-08T09:00"' in client.get(edit).content.decode()
    r = client.post(edit, {"action": "criteria", "c_id": ["", "", ""], "c_name": ["思想性", "艺术性", ""],
                           "c_name_en": ["", "", ""], "c_description": ["立意", "", ""],
                           "c_maximum": ["40", "60", "10"], "c_weight": ["1", "1", "1"]})
    assert r.status_code == 302
    assert list(Criterion.objects.filter(round=rnd).values_list("name", "position")) == [("思想性", 1), ("艺术性", 2)]
    ids = list(Criterion.objects.filter(round=rnd).values_list("pk", flat=True))
    # Reordered, one removed by emptying its name.
    r = client.post(edit, {"action": "criteria", "c_id": [str(ids[1]), str(ids[0])], "c_name": ["艺术性", ""],
                           "c_name_en": ["", ""], "c_description": ["", ""], "c_maximum": ["60", "40"],
                           "c_weight": ["2", "1"]})
    assert list(Criterion.objects.filter(round=rnd).values_list("pk", "position")) == [(ids[1], 1)]
    r = client.post(edit, {"action": "criteria", "c_id": [""], "c_name": ["x"], "c_name_en": [""],
                           "c_description": [""], "c_maximum": ["-5"], "c_weight": ["1"]})
    assert r.status_code == 200 and 'value="-5"' in r.content.decode()
    r = client.post(edit, {"action": "round", "name": "初评（改）", "name_en": "", "opens": "2030-10-08T09:00",
                           "closes": "2030-10-21T18:00", "judges_per_entry": "5", "instructions": "看原创"})
    rnd.refresh_from_db()
    assert (rnd.name, rnd.judges_per_entry, rnd.instructions) == ("初评（改）", 5, "看原创")
    r = client.post(edit, {"action": "round", "name": "x", "opens": "2030-10-08T09:00", "closes": "2030-10-01T09:00"})
    assert r.status_code == 200
    # Open needs eligible entries; then it opens; delete refused once open.
    r = client.post(url, {"action": "open", "round": rnd.pk}, follow=True)
    assert Round.objects.get(pk=rnd.pk).status == RoundStatus.DRAFT
    w.reported(2, status=S.ELIGIBLE)
    Round.objects.filter(pk=rnd.pk).update(opens="2020-01-01T00:00:00Z")
    client.post(url, {"action": "open", "round": rnd.pk})
    assert Round.objects.get(pk=rnd.pk).status == RoundStatus.OPEN
    client.post(url, {"action": "delete", "round": rnd.pk})
    assert Round.objects.filter(pk=rnd.pk).exists()
    client.post(url, {"action": "close", "round": rnd.pk})
    assert Round.objects.get(pk=rnd.pk).status == RoundStatus.CLOSED
    assert client.post(url, {"action": "open", "round": 999999}).status_code == 404


def test_panel_form(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.host_staff)
    url = reverse("review:panel", args=[w.track.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"action": "invite", "phone": "13712345678", "name": "外聘专家", "org": "",
                              "org_q": "", "affiliation": "安徽师范大学", "cap": "30"})
    assert r.status_code == 302
    seat = PanelMember.objects.get(track=w.track, user__phone="13712345678")
    assert (seat.cap, seat.org, seat.affiliation) == (30, None, "安徽师范大学")
    r = client.post(url, {"action": "invite", "phone": "13700000001", "name": "县里评委", "org": str(w.tree["jq1"].pk)})
    assert PanelMember.objects.get(user__phone="13700000001").org == w.tree["jq1"]
    r = client.post(url, {"action": "invite", "phone": "123", "name": "x"})
    assert r.status_code == 200 and 'value="123"' in r.content.decode()
    r = client.post(url, {"action": "invite", "phone": "13700000002", "name": "x", "org_q": "没有这个单位"})
    assert r.status_code == 200 and not PanelMember.objects.filter(user__phone="13700000002").exists()
    client.post(url, {"action": "update", "seat": seat.pk, "cap": "12", "affiliation": "安徽师范大学"})
    assert PanelMember.objects.get(pk=seat.pk).cap == 12
    client.post(url, {"action": "remove", "seat": seat.pk})
    assert not PanelMember.objects.get(pk=seat.pk).active
    client.post(url, {"action": "reactivate", "seat": seat.pk})
    assert PanelMember.objects.get(pk=seat.pk).active
    other_seat = w.judge(None, track=w.other_track)
    assert client.post(url, {"action": "remove", "seat": other_seat.pk}).status_code == 404
    html = client.get(reverse("review:panel_org_search", args=[w.track.pk]) + "?org_q=义安").content.decode()
    assert "data-org-option" in html


def test_tiers_and_holidays_forms(client, w):
    client.force_login(w.host_staff)
    url = reverse("review:tiers", args=[w.track.pk])
    r = client.post(url, {"t_id": ["", "", ""], "t_name": ["一等奖", "二等奖", ""], "t_name_en": ["", "", ""],
                          "t_quota": ["1", "2", ""]})
    assert r.status_code == 302
    assert list(AwardTier.objects.filter(track=w.track).values_list("name", "quota")) == [("一等奖", 1), ("二等奖", 2)]
    r = client.post(url, {"t_id": [""], "t_name": ["三等奖"], "t_name_en": [""], "t_quota": ["0"]})
    assert r.status_code == 200 and AwardTier.objects.filter(track=w.track).count() == 2
    client.force_login(w.campaign_admin)
    url = reverse("review:holidays", args=[w.campaign.slug])
    r = client.post(url, {"h_date": ["2026-10-01", "2026-10-10", ""], "h_name": ["国庆", "调休", ""],
                          "h_workday": ["0", "1", "0"]})
    assert r.status_code == 302
    assert list(Holiday.objects.filter(campaign=w.campaign).values_list("workday", flat=True)) == [False, True]
    r = client.post(url, {"h_date": ["2026-10-09"], "h_name": ["周五"], "h_workday": ["1"]})
    assert r.status_code == 200 and Holiday.objects.filter(campaign=w.campaign).count() == 2


def test_vetting_bulk_with_per_entry_results(client, w):
    a, b = w.reported(2)
    done = w.reported(1, status=S.ELIGIBLE)[0]
    client.force_login(w.host_staff)
    url = reverse("review:vetting", args=[w.track.pk])
    html = client.get(url).content.decode()
    assert a.number in html and b.number in html and done.number not in html
    assert done.number in client.get(url + "?state=eligible").content.decode()
    r = client.post(url, {"action": "eligible", "entry": [a.pk, done.pk]}, follow=True)
    msgs = [str(m) for m in r.context["messages"]]
    assert Entry.objects.get(pk=a.pk).status == S.ELIGIBLE
    assert any(done.number in m for m in msgs) and len(msgs) == 2
    r = client.post(url, {"action": "disqualify", "entry": [b.pk], "reason": ""}, follow=True)
    assert Entry.objects.get(pk=b.pk).status == S.REPORTED
    client.post(url, {"action": "disqualify", "entry": [b.pk], "reason": "非原创"})
    assert Entry.objects.get(pk=b.pk).status == S.DISQUALIFIED
    detail = client.get(reverse("review:vetting_entry", args=[w.track.pk, a.pk])).content.decode()
    assert a.number in detail


def test_list_pages_query_counts_do_not_grow(client, w, django_assert_max_num_queries):
    client.force_login(w.host_staff)
    w.scoring_round(position=1)
    small = {}
    for url in urls(w, Round.objects.get(track=w.track))[:8]:
        with django_assert_max_num_queries(40):
            client.get(url)
    # Many more rows: the same bound for each list.
    w.reported(30)
    for _i in range(12):
        w.judge(None)
    for name in ("tracks", "track", "panel", "vetting", "rounds"):
        args = [] if name == "tracks" else [w.track.pk]
        url = reverse(f"review:{name}", args=args)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        small[name] = len(ctx.captured_queries)
    w.reported(30, units=("jq1", "jq2"))
    for _i in range(12):
        w.judge("jq1")
    for name, before in small.items():
        args = [] if name == "tracks" else [w.track.pk]
        with django_assert_max_num_queries(before):
            client.get(reverse(f"review:{name}", args=args))
