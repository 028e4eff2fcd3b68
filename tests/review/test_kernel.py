"""The review kernel: the judge gate (assigned, open round, no conflicts) and the steps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.review.builders import ReviewWorld
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries import workflow
from zhengji.entries.models import EntryAuthor, EntryStatus
from zhengji.entries.queries import View, entries_for
from zhengji.review.conflicts import conflict_pairs, is_conflicted
from zhengji.review.domain import scoring
from zhengji.review.domain.results import Frozen, load_round
from zhengji.review.models import (
    Assignment,
    AssignmentStatus,
    Conflict,
    ConflictSource,
    ResultSnapshot,
    ReviewSetup,
    RoundStatus,
    Score,
    ScoreStatus,
)

pytestmark = pytest.mark.django_db


def test_judge_sees_only_assigned_entries_in_open_round_without_conflicts():
    w = ReviewWorld()
    entries = w.reported(4, status=EntryStatus.ELIGIBLE)
    outsider, ya2_judge = w.judge(None), w.judge("ya2")
    r = w.scoring_round()
    for e in entries:
        Assignment.objects.create(round=r, entry=e, judge=outsider.user)
    assert set(entries_for(outsider.user, View.JUDGE)) == set(entries)
    # Automatic conflict: the judge's organisation is the unit of entries[1] (units cycle ya1, ya2, …).
    assert entries[1].unit.code == "AH-TL-YA-02"
    Assignment.objects.create(round=r, entry=entries[1], judge=ya2_judge.user)
    assert is_conflicted(ya2_judge.user, entries[1])
    assert list(entries_for(ya2_judge.user, View.JUDGE)) == []
    # A declared conflict hides the entry too.
    Conflict.objects.create(track=w.track, judge=outsider.user, entry=entries[0], source=ConflictSource.DECLARED,
                            reason="亲属")
    assert entries[0] not in set(entries_for(outsider.user, View.JUDGE))
    # Closing the round ends the access.
    r.status = RoundStatus.CLOSED
    r.save()
    assert list(entries_for(outsider.user, View.JUDGE)) == []
    pairs = conflict_pairs(w.track.pk, [outsider, ya2_judge], [e.pk for e in entries])
    assert pairs == {(outsider.user_id, entries[0].pk), (ya2_judge.user_id, entries[1].pk)}


def test_vetting_steps_need_host_staff_and_a_reason_to_disqualify():
    w = ReviewWorld()
    a, b = w.reported(2)
    with pytest.raises(NotPermitted):
        workflow.apply(w.ya1_admin, a, "vet_eligible")
    assert workflow.apply(w.host_staff, a, "vet_eligible").entry.status == EntryStatus.ELIGIBLE
    with pytest.raises(DomainError):
        workflow.apply(w.host_staff, b, "vet_disqualify")
    assert workflow.apply(w.host_staff, b, "vet_disqualify", reason="格式不符").entry.status == EntryStatus.DISQUALIFIED


def test_a_score_on_a_removed_assignment_never_counts():
    w = ReviewWorld()
    (entry,) = w.reported(1, status=EntryStatus.ELIGIBLE)
    a, b = w.judge(None), w.judge(None)
    r = w.scoring_round(k=2)
    for seat, total in ((a, "80"), (b, "20")):
        asg = Assignment.objects.create(round=r, entry=entry, judge=seat.user)
        Score.objects.create(assignment=asg, round=r, entry=entry, judge=seat.user, values={}, total=Decimal(total),
                             status=ScoreStatus.SUBMITTED)
    assert sorted(s.total for s in load_round(r).scores) == [20.0, 80.0]
    # b's conflict came to light after scoring: the assignment is removed, the score stays stored.
    Assignment.objects.filter(judge=b.user).update(status=AssignmentStatus.REMOVED)
    assert [s.total for s in load_round(r).scores] == [80.0]
    assert Score.objects.filter(judge=b.user).exists()


def test_frozen_results_refuse_scores_and_conflicts_until_reopened():
    w = ReviewWorld()
    (entry,) = w.reported(1, status=EntryStatus.ELIGIBLE)
    seat = w.judge(None)
    r = w.scoring_round(k=1)
    asg = Assignment.objects.create(round=r, entry=entry, judge=seat.user)
    c1, c2 = r.criteria.order_by("position")
    snap = ResultSnapshot.objects.create(track=w.track, version=1, data={}, sha256="0" * 64)
    with pytest.raises(Frozen):
        scoring.save_score(seat.user, asg, {c1.pk: 30, c2.pk: 50}, submit=True)
    with pytest.raises(Frozen):
        scoring.declare_conflict(seat.user, asg, "亲属")
    snap.reopened_at = timezone.now()
    snap.save()
    assert scoring.save_score(seat.user, asg, {c1.pk: 30, c2.pk: 50}, submit=True)


def test_open_review_shows_the_judge_authors_and_unit_never_the_phone(client):
    w = ReviewWorld()
    (entry,) = w.reported(1, status=EntryStatus.ELIGIBLE)
    EntryAuthor.objects.filter(entry=entry).delete()
    EntryAuthor.objects.create(entry=entry, position=0, name="张作者", unit_name="某厂工会")
    seat = w.judge(None)
    asg = Assignment.objects.create(round=w.scoring_round(k=1), entry=entry, judge=seat.user)
    client.force_login(seat.user)
    page, api = reverse("review:judge_entry", args=[asg.pk]), f"/api/review/judge/assignments/{asg.pk}"
    # Blind by default: neither the author nor the unit.
    assert "张作者" not in client.get(page).content.decode() and client.get(api).json()["credits"] is None
    ReviewSetup.objects.create(track=w.track, blind=False)
    html = client.get(page).content.decode()
    assert "张作者" in html and entry.unit.name in html and entry.submitter.phone not in html
    assert client.get(api).json()["credits"] == {"authors": ["张作者"], "unit": entry.unit.name}


def test_conflict_pairs_read_the_panel_at_once(django_assert_max_num_queries):
    w = ReviewWorld()
    entries = w.reported(4, status=EntryStatus.ELIGIBLE)
    few = [w.judge("ya2"), w.judge(None)]
    with django_assert_max_num_queries(3 + 2 * len(few)) as ctx:
        small = conflict_pairs(w.track.pk, few, [e.pk for e in entries])
    many = few + [w.judge(k) for k in ("jq1", "city", "yian")]
    # Three queries for the whole panel, then one per judge (the entries it conflicts with).
    with django_assert_max_num_queries(len(ctx.captured_queries) + 3):
        pairs = conflict_pairs(w.track.pk, many, [e.pk for e in entries])
    assert small <= pairs and (few[0].user_id, entries[1].pk) in small
