"""The results domain: reading a round, decisions, advancing, freezing (hash), reopening, the
guard after a freeze, reminders and the public-vote plug-in."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from django.test import TestCase

from tests.review.builders_results import Scored, bulk_entries, other_track_staff, score, tiers
from zhengji.common import registry
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.review.domain import results as domain
from zhengji.review.models import (
    Aggregation,
    Assignment,
    ReviewSetup,
    Round,
    RoundEntry,
    RoundKind,
    Score,
    ScoreStatus,
    TieBreak,
)
from zhengji.review.queries import frozen_snapshot

pytestmark = pytest.mark.django_db


def ranks(track, **kw):
    rnd = domain.ranking_round(track)
    _data, res = domain.compute_round(rnd, **kw)
    return res


def test_ranking_of_a_round_from_its_submitted_scores():
    s = Scored()
    e0, e1, e2, e3 = s.entries
    # A draft score never counts: j0's draft of 0 on e3 would pull its mean down.
    extra = s.w.judge(None)
    score(s.rnd, e3, extra.user, 0, 0, status=ScoreStatus.DRAFT)
    res = ranks(s.w.track)
    # Means (see Scored): e1 (85+80+90)/3 = 85, e0 (80+84+90)/3 = 84.6667, e3 75, e2 60.
    assert [(x.entry_id, x.rank) for x in res.ranking] == [(e1.pk, 1), (e0.pk, 2), (e3.pk, 3), (e2.pk, 4)]
    assert res.entries[e0.pk].final == pytest.approx(254 / 3)
    assert res.scale_max == 100.0  # 40 × 1 + 60 × 1
    # Trimmed mean: e0 keeps 84, e1 keeps 85, e2 60, e3 75 — same order.
    ReviewSetup.objects.update_or_create(track=s.w.track, defaults={"aggregation": Aggregation.TRIMMED})
    res = ranks(s.w.track)
    assert res.entries[e0.pk].final == pytest.approx(84)
    # A disqualified entry leaves the ranking.
    type(e2).objects.filter(pk=e2.pk).update(status="disqualified")
    assert e2.pk not in {x.entry_id for x in ranks(s.w.track).ranking}


def test_criteria_tie_break_through_the_database():
    s = Scored()
    e0, e1, *_ = s.entries
    # Make e0 total 85 too: j2 gives 34+61 → (80 + 84 + 95)/3 = 86.33… no; set j0's e0 to 35+46 = 81,
    # so e0 = (81 + 84 + 90)/3 = 85 = e1. Criterion 1 means: e0 (35+32+34)/3 = 33.6667,
    # e1 (35+30+35)/3 = 33.3333 → e0 first.
    c1, c2 = (str(c.pk) for c in s.rnd.criteria.order_by("position"))
    Score.objects.filter(entry=e0, judge=s.judges[0].user).update(values={c1: 35, c2: 46}, total=Decimal("81"))
    res = ranks(s.w.track)
    assert [(x.entry_id, x.rank, x.broken_by) for x in res.ranking[:2]] == [(e0.pk, 1, "criteria"),
                                                                           (e1.pk, 2, "criteria")]
    ReviewSetup.objects.update_or_create(track=s.w.track, defaults={"tie_break": TieBreak.PANEL})
    res = ranks(s.w.track)
    assert [(x.rank, x.tied) for x in res.ranking[:2]] == [(1, True), (1, True)]
    assert res.ranking[2].rank == 3


def test_votes_come_from_the_registry_and_blend():
    s = Scored()
    e0, e1, e2, e3 = s.entries
    ReviewSetup.objects.update_or_create(track=s.w.track, defaults={"public_vote_weight": 50})
    # Without a provider every count is 0: final = 0.5 × score.
    assert ranks(s.w.track).entries[e1.pk].final == pytest.approx(42.5)

    def provider(track_id, ids):
        return {e2.pk: 100, e1.pk: 10} if track_id == s.w.track.pk else {}

    registry.vote_counts.register("test", provider)
    try:
        res = ranks(s.w.track)
        # e2: 0.5 × 60 + 0.5 × 100 = 80; e1: 0.5 × 85 + 0.5 × 10 = 47.5; e0: 0.5 × 84.6667 = 42.3333.
        assert res.entries[e2.pk].final == pytest.approx(80)
        assert res.entries[e1.pk].final == pytest.approx(47.5)
        assert res.ranking[0].entry_id == e2.pk
    finally:
        registry.vote_counts.unregister("test")


def test_decide_writes_lines_with_rank_and_score_and_is_audited():
    s = Scored()
    w = s.w
    e0, e1, e2, e3 = s.entries
    first, second = tiers(w.track, 1, 1)
    lines = domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, first.pk, "全票"),
                                                  domain.Decision(e0.pk, second.pk),
                                                  domain.Decision(e2.pk, None, "不获奖")])
    by = {line.entry_id: line for line in lines}
    assert (by[e1.pk].rank, by[e1.pk].score, by[e1.pk].tier_id, by[e1.pk].note) == (1, Decimal("85.0000"),
                                                                                    first.pk, "全票")
    assert by[e0.pk].score == Decimal("84.6667") and by[e2.pk].tier_id is None and by[e2.pk].rank == 4
    assert AuditLog.objects.filter(action="review.decide").count() == 3
    # Deciding again updates the line (no second row), with the before state in the audit.
    domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, second.pk)])
    assert type(lines[0]).objects.filter(entry=e1).get().tier_id == second.pk
    assert AuditLog.objects.filter(action="review.decide").latest("id").before["tier"] == first.pk
    # Who may not, and what is refused.
    with pytest.raises(NotPermitted):
        domain.decide(w.judge(None).user, w.track, [domain.Decision(e1.pk, None)])
    with pytest.raises(NotPermitted):
        domain.decide(other_track_staff(w), w.track, [domain.Decision(e1.pk, None)])
    other_tier = tiers(w.other_track, 1)[0]
    with pytest.raises(DomainError) as exc:
        domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, other_tier.pk)])
    assert exc.value.code == "bad_tier"
    stray = bulk_entries(w, 1, track=w.other_track)[0]
    with pytest.raises(DomainError) as exc:
        domain.decide(w.host_staff, w.track, [domain.Decision(stray.pk, None)])
    assert exc.value.code == "not_in_track"
    with pytest.raises(DomainError):
        domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, None), domain.Decision(e1.pk, None)])
    with pytest.raises(DomainError) as exc:
        domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, None)], round_id=999999)
    assert exc.value.code == "bad_round"


def test_advance_to_the_next_round():
    s = Scored()
    w = s.w
    e0, e1, *_ = s.entries
    with pytest.raises(DomainError) as exc:
        domain.advance(w.host_staff, s.rnd, [e0, e1])
    assert exc.value.code == "no_next_round"
    final = Round.objects.create(track=w.track, position=3, kind=RoundKind.FINAL, name="终审", opens=s.rnd.opens,
                                 closes=s.rnd.closes)
    assert domain.advance(w.host_staff, s.rnd, [e0, e1.pk]) == sorted([e0.pk, e1.pk])
    assert set(RoundEntry.objects.filter(round=final).values_list("entry_id", flat=True)) == {e0.pk, e1.pk}
    assert domain.advance(w.host_staff, s.rnd, [e0]) == []  # already there: kept once
    assert AuditLog.objects.filter(action="review.advance", object_id=str(final.pk)).count() == 2
    stray = bulk_entries(w, 1)[0]
    with pytest.raises(DomainError) as exc:
        domain.advance(w.host_staff, s.rnd, [stray])
    assert exc.value.code == "not_in_round"
    with pytest.raises(NotPermitted):
        domain.advance(w.ya1_admin, s.rnd, [e0])
    # The final round has no scores yet: the track is still ranked by the scoring round.
    assert domain.ranking_round(w.track) == s.rnd


def test_freeze_hash_is_the_sha256_of_the_canonical_json_stable_and_changes_with_a_score():
    s = Scored()
    w = s.w
    e0, e1, *_ = s.entries
    tiers(w.track, 1, 2)
    domain.decide(w.campaign_admin, w.track, [domain.Decision(e1.pk, None, "x")])
    snap = domain.freeze(w.host_staff, w.track)
    assert snap.version == 1 and frozen_snapshot(w.track) == snap
    canonical = json.dumps(snap.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert snap.sha256 == hashlib.sha256(canonical).hexdigest()
    snap.refresh_from_db()
    assert domain.verify(snap)
    # No judge's name or user id in the data: pseudonyms, stable within the track.
    text = json.dumps(snap.data, ensure_ascii=False)
    for pm in s.judges:
        assert pm.user.real_name not in text
    judges = {sc["judge"] for sc in snap.data["rounds"][0]["scores"]}
    assert judges == {domain.judge_pseudonym(w.track.pk, pm.user.pk) for pm in s.judges}
    assert all(j.startswith("J-") for j in judges)
    # The intermediate numbers and the decisions are in.
    comp = snap.data["computation"]
    assert comp["ranking"][0] == {"entry": e1.pk, "rank": 1, "final": "85.0000", "tied": False, "broken_by": ""}
    entry0 = next(x for x in comp["entries"] if x["entry"] == e0.pk)
    assert entry0["aggregate"]["mean"] == "84.6667"
    assert snap.data["decisions"][0]["note"] == "x"
    assert snap.data["settings"]["aggregation"] == "mean"
    # Frozen twice? Refused. Reopen and freeze again with nothing changed: same hash, version 2.
    with pytest.raises(DomainError) as exc:
        domain.freeze(w.host_staff, w.track)
    assert exc.value.code == "already_frozen"
    domain.reopen(w.host_staff, w.track, "复核")
    again = domain.freeze(w.host_staff, w.track)
    assert (again.version, again.sha256) == (2, snap.sha256)
    # A score changes: a different hash.
    domain.reopen(w.host_staff, w.track, "评分更正")
    Score.objects.filter(entry=e0, judge=s.judges[0].user).update(total=Decimal("81"))
    third = domain.freeze(w.host_staff, w.track)
    assert third.version == 3 and third.sha256 != snap.sha256
    assert AuditLog.objects.filter(action="review.freeze").count() == 3
    assert AuditLog.objects.filter(action="review.reopen", reason="评分更正").exists()


def test_changes_after_freezing_are_refused_until_reopened():
    s = Scored()
    w = s.w
    e0, e1, *_ = s.entries
    Round.objects.create(track=w.track, position=3, kind=RoundKind.FINAL, name="终审", opens=s.rnd.opens,
                         closes=s.rnd.closes)
    domain.freeze(w.host_staff, w.track)
    with pytest.raises(domain.Frozen) as exc:
        domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, None)])
    assert exc.value.status == 409 and exc.value.code == "frozen"
    with pytest.raises(domain.Frozen):
        domain.advance(w.host_staff, s.rnd, [e0])
    with pytest.raises(domain.Frozen):
        domain.ensure_not_frozen(w.track)
    with pytest.raises(domain.Frozen):
        domain.ensure_not_frozen(w.track.pk)
    domain.ensure_not_frozen(w.other_track)  # another track is not concerned
    # Reopening needs staff and a reason.
    with pytest.raises(DomainError) as exc:
        domain.reopen(w.host_staff, w.track, "   ")
    assert exc.value.code == "reason_required"
    with pytest.raises(NotPermitted):
        domain.reopen(w.judge(None).user, w.track, "x")
    snap = domain.reopen(w.host_staff, w.track, "异议成立，重新评定")
    assert (snap.reopened_by, snap.reopen_reason) == (w.host_staff, "异议成立，重新评定")
    assert frozen_snapshot(w.track) is None
    domain.ensure_not_frozen(w.track)
    assert domain.decide(w.host_staff, w.track, [domain.Decision(e1.pk, None)])
    with pytest.raises(DomainError) as exc:
        domain.reopen(w.host_staff, w.track, "again")
    assert exc.value.code == "not_frozen"


def test_remind_judges_with_unfinished_work():
    s = Scored()
    w = s.w
    lazy = w.judge(None)
    busy = w.judge(None)
    e = s.entries[0]
    Assignment.objects.create(round=s.rnd, entry=e, judge=lazy.user)
    score(s.rnd, s.entries[1], busy.user, 10, 10, status=ScoreStatus.DRAFT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        n = domain.remind_judges(w.host_staff, s.rnd)
    assert n == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == {lazy.user_id, busy.user_id}
    rec = AuditLog.objects.get(action="review.reminder_send")
    assert set(rec.after["judges"]) == {lazy.user_id, busy.user_id}
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert domain.remind_judges(w.host_staff, s.rnd, [lazy.user_id]) == 1
    with pytest.raises(DomainError) as exc:
        domain.remind_judges(w.host_staff, s.rnd, [s.judges[0].user_id])
    assert exc.value.code == "nothing_to_remind"
    with pytest.raises(NotPermitted):
        domain.remind_judges(lazy.user, s.rnd)
    Round.objects.filter(pk=s.rnd.pk).update(status="draft")
    with pytest.raises(DomainError) as exc:
        domain.remind_judges(w.host_staff, s.rnd)
    assert exc.value.code == "round_not_open"
    Round.objects.filter(pk=s.rnd.pk).update(status="closed")
    with pytest.raises(DomainError) as exc:
        domain.remind_judges(w.host_staff, s.rnd)
    assert exc.value.code == "round_closed"
    prog = {p.judge_id: p for p in domain.progress(s.rnd)}
    assert (prog[busy.user_id].assigned, prog[busy.user_id].draft, prog[busy.user_id].submitted) == (1, 1, 0)
    assert (prog[s.judges[0].user_id].assigned, prog[s.judges[0].user_id].submitted) == (4, 4)
    assert prog[lazy.user_id].last_activity is None


def test_trace_collects_scores_steps_decision_and_events():
    s = Scored()
    w = s.w
    ReviewSetup.objects.update_or_create(track=w.track, defaults={"normalise": True})
    e0 = s.entries[0]
    domain.decide(w.host_staff, w.track, [domain.Decision(e0.pk, None, "备注")])
    domain.freeze(w.host_staff, w.track)
    domain.reopen(w.host_staff, w.track, "复核")
    t = domain.entry_trace(w.track, e0)
    (rt,) = t.rounds
    assert [j.total for j in rt.judges] == [Decimal("80"), Decimal("84"), Decimal("90")]
    assert all(j.norm is not None and j.stats is not None for j in rt.judges)
    norm = rt.computed.normalisation
    for j in rt.judges:
        z = (float(j.total) - j.stats.mean) / j.stats.sd
        assert j.norm.value == pytest.approx(norm.round_mean + z * norm.round_sd)
    # With normalisation on, e0 (judged above each judge's own mean) overtakes e1.
    assert rt.result.ranked.rank == t.line.rank == 1 and rt.is_ranking_round
    assert t.line.note == "备注"
    assert {ev.action for ev in t.events} >= {"review.decide", "review.freeze", "review.reopen"}
    assert t.snapshots[0].reopen_reason == "复核"
