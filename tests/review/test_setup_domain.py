"""The setup area's domain rules: settings, rounds in order and what they take when they open,
closing the last scoring round, the rubric locked by a submitted score, tiers, the panel with
judge-only accounts, vetting per entry, holidays, and who may not do any of it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.review.builders_setup import SetupWorld, soon
from zhengji.accounts import services as accounts
from zhengji.accounts.models import User
from zhengji.accounts.scopes import scopes_for
from zhengji.common import registry, sms
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.entries.models import EntryStatus
from zhengji.entries.queries import View, entries_for
from zhengji.review.domain import setup
from zhengji.review.models import (
    Assignment,
    AwardTier,
    Criterion,
    Holiday,
    PanelMember,
    ResultSnapshot,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
)

pytestmark = pytest.mark.django_db
S = EntryStatus


@pytest.fixture
def w():
    return SetupWorld()


def crit(name="思想性", maximum="40", weight="1", description=""):
    return {"name": name, "maximum": maximum, "weight": weight, "description": description}


# --- settings -------------------------------------------------------------------------------------

def test_settings_are_validated_and_audited(w):
    s = setup.update_setup(w.host_staff, w.track, aggregation="trimmed", normalise=True, public_vote_weight=20,
                           publicity_days=7, blind=True)
    assert (s.aggregation, s.normalise, s.public_vote_weight, s.publicity_days) == ("trimmed", True, 20, 7)
    assert AuditLog.objects.filter(action="review.setup_change").count() == 1
    for bad, code in (({"public_vote_weight": 51}, "out_of_range"), ({"public_vote_weight": -1}, "out_of_range"),
                      ({"publicity_days": 0}, "out_of_range"), ({"aggregation": "max"}, "invalid"),
                      ({"colour": "red"}, "unknown_field"), ({"tie_break": "coin"}, "invalid")):
        with pytest.raises(DomainError) as exc:
            setup.update_setup(w.host_staff, w.track, **bad)
        assert exc.value.code == code, bad
    with pytest.raises(DomainError) as exc:
        setup.update_setup(w.host_staff, w.track, public_vote_weight=0, tie_break="votes")
    assert exc.value.code == "votes_without_weight"
    # Unchanged settings write no audit record.
    setup.update_setup(w.host_staff, w.track, aggregation="trimmed")
    assert AuditLog.objects.filter(action="review.setup_change").count() == 1


@given(weight=st.integers(min_value=-100, max_value=200))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_vote_weight_accepted_exactly_from_0_to_50(w, weight):
    if 0 <= weight <= 50:
        assert setup.update_setup(w.host_staff, w.track, public_vote_weight=weight).public_vote_weight == weight
    else:
        with pytest.raises(DomainError):
            setup.update_setup(w.host_staff, w.track, public_vote_weight=weight)


def test_settings_refused_once_frozen(w):
    ResultSnapshot.objects.create(track=w.track, version=1, data={}, sha256="0" * 64)
    with pytest.raises(DomainError) as exc:
        setup.update_setup(w.host_staff, w.track, normalise=True)
    assert exc.value.code == "frozen"


# --- rounds in order ------------------------------------------------------------------------------

def test_rounds_take_their_places(w):
    s1 = setup.create_round(w.host_staff, w.track, "scoring", "初评", soon(1), soon(10))
    fin = setup.create_round(w.host_staff, w.track, "final", "终评", soon(11), soon(12), judges_per_entry=7)
    s2 = setup.create_round(w.host_staff, w.track, "scoring", "复评", soon(5), soon(10))
    vet = setup.create_round(w.host_staff, w.track, "vetting", "资格审查", soon(0, 1), soon(1))
    order = list(Round.objects.filter(track=w.track).order_by("position").values_list("pk", "position"))
    assert order == [(vet.pk, 1), (s1.pk, 2), (s2.pk, 3), (fin.pk, 4)]
    for kind in ("vetting", "final"):
        with pytest.raises(DomainError) as exc:
            setup.create_round(w.host_staff, w.track, kind, "又一轮", soon(1), soon(2))
        assert exc.value.code == "duplicate_round"
    with pytest.raises(DomainError) as exc:
        setup.create_round(w.host_staff, w.track, "scoring", "倒序", soon(3), soon(2))
    assert exc.value.code == "bad_dates"
    with pytest.raises(DomainError) as exc:
        setup.create_round(w.host_staff, w.track, "scoring", "", soon(1), soon(2))
    assert exc.value.field == "name"
    # Deleting renumbers.
    setup.delete_round(w.host_staff, s2)
    assert list(Round.objects.filter(track=w.track).values_list("position", flat=True)) == [1, 2, 3]
    assert AuditLog.objects.filter(action="review.round_delete").count() == 1


def test_naive_times_are_shanghai(w):
    r = setup.create_round(w.host_staff, w.track, "scoring", "初评", "2026-10-08T09:00", "2026-10-20T18:00")
    assert r.opens == dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC)
    assert setup.local(r.closes) == "2026-10-20 18:00"


def test_open_in_order_vetting_then_scoring(w):
    reported = w.reported(3)
    vet = setup.create_round(w.host_staff, w.track, "vetting", "资格审查", soon(-1), soon(2))
    s1 = setup.create_round(w.host_staff, w.track, "scoring", "初评", soon(-1), soon(10))
    setup.set_criteria(w.host_staff, s1, [crit(), crit("艺术性", "60")])
    with pytest.raises(DomainError) as exc:
        setup.open_round(w.host_staff, s1)
    assert exc.value.code == "round_order"
    opened = setup.open_round(w.host_staff, vet)
    assert (opened.added, opened.total) == (3, 3)
    assert set(RoundEntry.objects.filter(round=vet).values_list("entry_id", flat=True)) == {e.pk for e in reported}
    # A late report joins when the round is opened again; nothing twice.
    late = w.reported(1)[0]
    again = setup.open_round(w.host_staff, vet)
    assert (again.added, again.total) == (1, 4)
    assert setup.open_round(w.host_staff, vet).added == 0
    with pytest.raises(DomainError) as exc:
        setup.close_round(w.host_staff, vet)
    assert exc.value.code == "vetting_unfinished"
    results = setup.vet(w.host_staff, [*reported, late], True)
    assert all(r.ok for r in results)
    setup.close_round(w.host_staff, vet)
    opened = setup.open_round(w.host_staff, s1)
    assert opened.round.status == RoundStatus.OPEN and opened.total == 4
    with pytest.raises(DomainError) as exc:
        setup.open_round(w.host_staff, vet)
    assert exc.value.code == "round_closed"


def test_first_scoring_round_needs_rubric_entries_and_a_future_close(w):
    r = setup.create_round(w.host_staff, w.track, "scoring", "初评", soon(-1), soon(10))
    with pytest.raises(DomainError) as exc:
        setup.open_round(w.host_staff, r)
    assert exc.value.code == "no_criteria"
    setup.set_criteria(w.host_staff, r, [crit()])
    with pytest.raises(DomainError) as exc:
        setup.open_round(w.host_staff, r)
    assert exc.value.code == "no_entries"
    w.reported(2, status=S.ELIGIBLE)
    w.reported(1)  # still reported: not in the scoring round
    assert setup.open_round(w.host_staff, r).total == 2


def test_later_round_takes_the_advanced_entries_only(w):
    entries = w.reported(3, status=S.ELIGIBLE)
    s1 = w.round(position=1, status=RoundStatus.CLOSED)
    s2 = w.round(position=2)
    Criterion.objects.create(round=s2, name="综合", maximum=Decimal("100"))
    with pytest.raises(DomainError) as exc:
        setup.open_round(w.host_staff, s2)
    assert exc.value.code == "no_entries"
    RoundEntry.objects.create(round=s2, entry=entries[0])
    assert setup.open_round(w.host_staff, s2).total == 1
    assert s1.status == RoundStatus.CLOSED


def test_open_round_fills_in_bulk(w):
    w.reported(30)
    vet = setup.create_round(w.host_staff, w.track, "vetting", "资格审查", soon(-1), soon(2))
    with CaptureQueriesContext(connection) as ctx:
        assert setup.open_round(w.host_staff, vet).added == 30
    assert len(ctx.captured_queries) < 25


def test_update_round_while_open_and_closed(w):
    r = w.round(position=1, status=RoundStatus.OPEN)
    r = setup.update_round(w.host_staff, r, closes=soon(20), instructions="注意原创性")
    assert r.instructions == "注意原创性"
    with pytest.raises(DomainError) as exc:
        setup.update_round(w.host_staff, r, judges_per_entry=5)
    assert exc.value.code == "round_open"
    with pytest.raises(DomainError) as exc:
        setup.update_round(w.host_staff, r, closes=soon(-1))
    assert exc.value.code == "bad_dates"
    with pytest.raises(DomainError) as exc:
        setup.delete_round(w.host_staff, r)
    assert exc.value.code == "round_started"
    r.status = RoundStatus.CLOSED
    r.save()
    with pytest.raises(DomainError):
        setup.update_round(w.host_staff, r, name="改名")


def test_close_last_scoring_round_marks_scored_entries(w):
    a, b, c, d = w.reported(4, status=S.ELIGIBLE)
    judge = w.judge(None).user
    s1 = w.round(position=1, status=RoundStatus.OPEN)
    s2 = w.round(position=2)
    for e in (a, b, c):
        RoundEntry.objects.create(round=s1, entry=e)
    w.submitted_score(s1, a, judge)
    w.submitted_score(s1, d, judge)
    closed = setup.close_round(w.host_staff, s1)
    assert closed.scored == [] and closed.round.status == RoundStatus.CLOSED  # a later scoring round follows
    RoundEntry.objects.create(round=s2, entry=b)
    Criterion.objects.create(round=s2, name="综合", maximum=Decimal("100"))
    setup.open_round(w.host_staff, s2)
    w.submitted_score(s2, b, judge)
    closed = setup.close_round(w.host_staff, s2)
    # Every eligible entry scored in any scoring round is scored now; c was never scored.
    assert closed.scored == sorted([a.pk, b.pk, d.pk]) and closed.unscored == []
    statuses = dict(type(a).objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).values_list("pk", "status"))
    assert statuses == {a.pk: S.SCORED, b.pk: S.SCORED, c.pk: S.ELIGIBLE, d.pk: S.SCORED}
    assert AuditLog.objects.filter(action="entry.scored").count() == 3
    with pytest.raises(DomainError) as exc:
        setup.close_round(w.host_staff, s2)
    assert exc.value.code == "round_not_open"


# --- rubric -----------------------------------------------------------------------------------------

def test_criteria_replace_reorder_and_lock_after_a_submitted_score(w):
    r = w.round(position=1)
    first = setup.set_criteria(w.host_staff, r, [crit("思想性", "40", "1.5", "立意"), crit("艺术性", "60")])
    assert [(c.name, c.position, c.weight) for c in first] == [("思想性", 1, Decimal("1.5")), ("艺术性", 2, 1)]
    again = setup.set_criteria(w.host_staff, r, [{**crit("艺术性", "50"), "id": first[1].pk},
                                                  crit("创新性", "10")])
    assert [c.name for c in Criterion.objects.filter(round=r)] == ["艺术性", "创新性"]
    assert again[0].pk == first[1].pk and again[0].maximum == Decimal("50")
    for rows, code in (([crit("a", "0")], "out_of_range"), ([crit("a", "abc")], "out_of_range"),
                       ([crit("a", weight="-1")], "out_of_range"), ([crit("a", weight="0")], "zero_weights"),
                       ([crit("a"), crit("a")], "duplicate"), ([crit("")], "required"), ([], "no_criteria"),
                       ([{**crit(), "id": 999999}], "invalid"), ("nope", "invalid")):
        with pytest.raises(DomainError) as exc:
            setup.set_criteria(w.host_staff, r, rows)
        assert exc.value.code == code, rows
    entry = w.reported(1, status=S.ELIGIBLE)[0]
    w.submitted_score(r, entry, w.judge(None).user)
    with pytest.raises(DomainError) as exc:
        setup.set_criteria(w.host_staff, r, [crit("思想性")])
    assert exc.value.code == "rubric_locked"
    assert [c.name for c in Criterion.objects.filter(round=r)] == ["艺术性", "创新性"]


# --- tiers ------------------------------------------------------------------------------------------

def test_tiers_best_first(w):
    rows = [{"name": "一等奖", "quota": 1}, {"name": "二等奖", "quota": 2}, {"name": "三等奖", "quota": 3},
            {"name": "优秀奖", "quota": 10}]
    tiers = setup.set_tiers(w.host_staff, w.track, rows)
    assert [(t.name, t.position, t.quota) for t in tiers] == [("一等奖", 1, 1), ("二等奖", 2, 2), ("三等奖", 3, 3),
                                                              ("优秀奖", 4, 10)]
    swapped = setup.set_tiers(w.host_staff, w.track, [{"id": tiers[1].pk, "name": "二等奖", "quota": 2},
                                                      {"id": tiers[0].pk, "name": "一等奖", "quota": 1}])
    assert [t.name for t in AwardTier.objects.filter(track=w.track)] == ["二等奖", "一等奖"]
    assert swapped[0].pk == tiers[1].pk
    grown = setup.set_tiers(w.host_staff, w.track, [{"name": f"奖{i}", "quota": 1} for i in range(6)]
                            + [{"id": tiers[1].pk, "name": "二等奖", "quota": 2}])
    assert [t.position for t in grown] == list(range(1, 8)) and grown[-1].pk == tiers[1].pk
    for bad in ([{"name": "x", "quota": 0}], [{"name": "", "quota": 1}], [{"name": "x", "quota": "many"}],
                [{"name": "x", "quota": 1}, {"name": "x", "quota": 2}]):
        with pytest.raises(DomainError):
            setup.set_tiers(w.host_staff, w.track, bad)


# --- panel ------------------------------------------------------------------------------------------

def test_invite_creates_a_judge_only_account_who_logs_in_by_phone_code(w, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv = setup.invite_judge(w.host_staff, w.track, "138 0013 8000", "王教授", affiliation="安徽大学", cap=40)
    user = inv.seat.user
    assert inv.new_account and user.phone == "13800138000" and user.real_name == "王教授"
    assert not user.has_usable_password() and not user.is_superuser
    assert scopes_for(User.objects.get(pk=user.pk)).judge_tracks == {w.track.pk}
    assert scopes_for(user).roles == {"judge"}
    assert any(m["phone"] == "13800138000" and reverse("accounts:password_reset") in m["message"]
               for m in sms.outbox)
    assert Notification.objects.filter(user=user, url=reverse("review:judge_queue")).exists()
    # The phone code flow of accounts: a code to this number, a password, a login.
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.send_code("13800138000", accounts.Purpose.RESET).sent
    code = re.search(r"\d{6}", sms.outbox[-1]["message"]).group(0)
    accounts.reset_password("13800138000", code, "Judge-pass-2026!")
    r = client.post(reverse("accounts:login"), {"phone": "13800138000", "password": "Judge-pass-2026!"})
    assert r.status_code == 302
    # Only the judge queue: one hub card with one link, no staff page of the review.
    # (campaigns' hub lists the judged track without a link; the one link is the queue.)
    links = [i.url for p in registry.hub.panels(user) for i in p.items if i.url]
    assert links == [reverse("review:judge_queue")]
    assert client.get(reverse("review:tracks")).status_code == 403
    assert client.get(reverse("review:track", args=[w.track.pk])).status_code == 403


def test_invite_existing_user_remove_and_reinvite(w, django_capture_on_commit_callbacks):
    expert = w.worker
    jq1 = w.tree["jq1"]
    inv = setup.invite_judge(w.host_staff, w.track, expert.phone, "别的名字", org=jq1.pk)
    assert not inv.new_account and inv.seat.org == jq1
    expert.refresh_from_db()
    assert expert.real_name != "别的名字"  # an existing name is kept
    with pytest.raises(DomainError) as exc:
        setup.invite_judge(w.host_staff, w.track, expert.phone, "x")
    assert exc.value.code == "already_on_panel"
    seat = setup.remove_judge(w.host_staff, inv.seat, "工作调动")
    assert not seat.active and seat.left_at is not None
    assert w.track.pk not in scopes_for(User.objects.get(pk=expert.pk)).judge_tracks
    again = setup.invite_judge(w.host_staff, w.track, expert.phone, "x", cap=5)
    assert again.reactivated and again.seat.pk == seat.pk and again.seat.active and again.seat.cap == 5
    assert w.track.pk in scopes_for(User.objects.get(pk=expert.pk)).judge_tracks
    seat = setup.update_judge(w.host_staff, again.seat, cap=None, affiliation="铜陵学院", org=None)
    assert (seat.cap, seat.affiliation, seat.org) == (None, "铜陵学院", None)
    seat = setup.update_judge(w.host_staff, seat, active=False)
    assert not seat.active and w.track.pk not in scopes_for(User.objects.get(pk=expert.pk)).judge_tracks
    assert PanelMember.objects.filter(track=w.track).count() == 1
    User.objects.filter(pk=w.ya1_admin.pk).update(is_active=False)
    with pytest.raises(DomainError) as exc:
        setup.invite_judge(w.host_staff, w.track, w.ya1_admin.phone, "停用")
    assert exc.value.code == "account_disabled"
    for kw, code in (({"phone": "12345"}, "bad_phone"), ({"name": ""}, "required"), ({"cap": 0}, "out_of_range"),
                     ({"org": 99999999}, "bad_org")):
        args = {"phone": "13900009999", "name": "李", **kw}
        with pytest.raises(DomainError) as exc:
            setup.invite_judge(w.host_staff, w.track, **args)
        assert exc.value.code == code


def test_removed_judge_leaves_their_assignments(w):
    seat = w.judge(None)
    r = w.round(position=1, status=RoundStatus.OPEN)
    e = w.reported(1, status=S.ELIGIBLE)[0]
    Assignment.objects.create(round=r, entry=e, judge=seat.user)
    assert list(entries_for(seat.user, View.JUDGE)) == [e]
    setup.remove_judge(w.host_staff, seat)
    assert Assignment.objects.filter(judge=seat.user, status="active").count() == 1
    assert list(entries_for(User.objects.get(pk=seat.user_id), View.JUDGE)) == []


# --- vetting ----------------------------------------------------------------------------------------

def test_vet_reports_each_entry(w):
    a, b = w.reported(2)
    c = w.reported(1, status=S.ELIGIBLE)[0]
    other = w.reported(1, track=w.other_track)[0]
    results = setup.vet(w.host_staff, [a, b.pk, c, other, 99999999], True)
    by = {r.entry_id: r for r in results}
    assert by[a.pk].ok and by[b.pk].ok and by[a.pk].status == S.ELIGIBLE
    assert not by[c.pk].ok and by[c.pk].code == "not_vettable" and by[c.pk].message
    assert not by[other.pk].ok and by[other.pk].code == "forbidden"
    assert not by[99999999].ok and by[99999999].code == "not_found"
    assert [r.entry_id for r in results] == [a.pk, b.pk, c.pk, other.pk, 99999999]
    with pytest.raises(DomainError) as exc:
        setup.vet(w.host_staff, [c], False, "  ")
    assert exc.value.code == "reason_required"
    out = setup.vet(w.host_staff, [c], False, "抄袭")
    assert out[0].ok and out[0].status == S.DISQUALIFIED
    assert setup.requalify(w.host_staff, c, "申诉成立").status == S.ELIGIBLE
    with pytest.raises(DomainError):
        setup.vet(w.host_staff, [], True)


# --- holidays ---------------------------------------------------------------------------------------

def test_holidays_for_campaign_admins(w):
    rows = [{"date": "2026-10-01", "name": "国庆节", "workday": False},
            {"date": "2026-10-10", "name": "调休", "workday": True}]
    out = setup.set_holidays(w.campaign_admin, w.campaign, rows)
    assert [(h.date.isoformat(), h.workday) for h in out] == [("2026-10-01", False), ("2026-10-10", True)]
    assert Holiday.objects.filter(campaign=w.campaign).count() == 2
    for bad, code in (([{"date": "2026-10-09", "workday": True}], "bad_workday"),
                      ([{"date": "10/01/2026"}], "invalid_date"), ([{"date": "2026-02-30"}], "invalid_date"),
                      ([{"date": "2026-10-01"}, {"date": "2026-10-01"}], "duplicate")):
        with pytest.raises(DomainError) as exc:
            setup.set_holidays(w.campaign_admin, w.campaign, bad)
        assert exc.value.code == code
    for who in (w.host_staff, w.moderator, w.ya1_admin):
        with pytest.raises(NotPermitted):
            setup.set_holidays(who, w.campaign, [])
    assert setup.set_holidays(w.superuser, w.campaign, []) == []


# --- who may not ------------------------------------------------------------------------------------

def test_who_may_not_set_up(w):
    r = w.round(position=1)
    e = w.reported(1)[0]
    seat = w.judge("jq1")
    people = {**w.outsiders(), "anonymous": AnonymousUser()}
    for label, who in people.items():
        calls = [(setup.update_setup, (w.track,), {"normalise": True}),
                 (setup.create_round, (w.track, "scoring", "x", soon(1), soon(2)), {}),
                 (setup.update_round, (r,), {"name": "x"}),
                 (setup.delete_round, (r,), {}),
                 (setup.open_round, (r,), {}),
                 (setup.close_round, (r,), {}),
                 (setup.set_criteria, (r, [crit()]), {}),
                 (setup.set_tiers, (w.track, [{"name": "一等奖", "quota": 1}]), {}),
                 (setup.invite_judge, (w.track, "13900001111", "张"), {}),
                 (setup.update_judge, (seat,), {"cap": 3}),
                 (setup.remove_judge, (seat,), {}),
                 (setup.requalify, (e, "x"), {})]
        for fn, args, kw in calls:
            with pytest.raises(NotPermitted):
                fn(who, *args, **kw)
        if label != "anonymous":
            assert not setup.vet(who, [e], True)[0].ok, label
    assert e.__class__.objects.get(pk=e.pk).status == S.REPORTED
    # Campaign admins and superusers may.
    assert setup.update_setup(w.campaign_admin, w.track, normalise=True).normalise
    assert setup.create_round(w.superuser, w.track, "final", "终评", soon(1), soon(2)).kind == RoundKind.FINAL


@given(kinds=st.lists(st.sampled_from(["vetting", "scoring", "final"]), min_size=1, max_size=7))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_order_of_creation_keeps_vetting_first_and_final_last(w, kinds):
    Round.objects.filter(track=w.track).delete()
    for i, kind in enumerate(kinds):
        try:
            setup.create_round(w.host_staff, w.track, kind, f"第{i}轮", soon(1), soon(2))
        except DomainError as exc:
            assert exc.code == "duplicate_round" and kinds[:i].count(kind) >= 1
    got = list(Round.objects.filter(track=w.track).order_by("position").values_list("kind", "position"))
    assert [p for _k, p in got] == list(range(1, len(got) + 1))
    order = [k for k, _p in got]
    assert order == sorted(order, key=["vetting", "scoring", "final"].index)
    assert order.count("scoring") == kinds.count("scoring")
