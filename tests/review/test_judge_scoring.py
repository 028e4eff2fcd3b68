"""Scoring rules of the judge area: bounds, two decimal places, partial drafts, complete
submissions, changes until the round closes, refusals (another judge, a removed assignment, a
conflict, a closed round), and the declaration of a conflict of interest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.review import builders_judge as bj
from tests.review.builders import ReviewWorld
from zhengji.accounts.models import RoleAssignment
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.entries.models import EntryStatus
from zhengji.entries.queries import View, entries_for
from zhengji.review.domain import scoring
from zhengji.review.domain.scoring import ScoreInvalid, declare_conflict, save_score
from zhengji.review.models import (
    AssignmentStatus,
    Conflict,
    ConflictSource,
    Criterion,
    RoundKind,
    RoundStatus,
    Score,
    ScoreStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():
    """A world with a scoring round (思想性 0–40, 艺术性 0–60), two eligible entries assigned to an
    outside expert."""
    w = ReviewWorld()
    w.entries = w.reported(2, status=EntryStatus.ELIGIBLE)
    w.seat = w.judge(None)
    w.other_seat = w.judge(None)
    w.round = w.scoring_round()
    w.c1, w.c2 = list(w.round.criteria.all())
    w.asg = bj.assign(w, w.round, w.entries, w.seat.user)
    w.other_asg = bj.assign(w, w.round, w.entries[:1], w.other_seat.user)
    return w


def vals(w, a=None, b=None):
    out = {}
    if a is not None:
        out[w.c1.pk] = a
    if b is not None:
        out[w.c2.pk] = b
    return out


def test_a_draft_may_be_partial_and_a_submission_needs_every_criterion(ws):
    judge = ws.seat.user
    s = save_score(judge, ws.asg[0], vals(ws, "12.5"), "还需再看")
    assert s.status == ScoreStatus.DRAFT and s.values == {str(ws.c1.pk): 12.5} and s.total == Decimal("12.5")
    with pytest.raises(ScoreInvalid) as exc:
        save_score(judge, ws.asg[0], vals(ws, "12.5"), submit=True)
    assert exc.value.code == "incomplete_score" and list(exc.value.errors) == [f"values.{ws.c2.pk}"]
    assert "艺术性" in exc.value.message
    s = save_score(judge, ws.asg[0], vals(ws, 12.5, "50"), "好", submit=True)
    assert s.status == ScoreStatus.SUBMITTED and s.total == Decimal("62.5") and s.submitted_at is not None
    codes = list(AuditLog.objects.filter(object_type="review.score").order_by("id").values_list("action", flat=True))
    assert codes == ["review.score_save", "review.score_submit"]
    # The record belongs to the track's staff, never to the entry's unit.
    rec = AuditLog.objects.filter(action="review.score_submit").get()
    assert rec.org_path == ws.track.host_unit.path and rec.audience == "staff"


def test_weights_count_in_the_total(ws):
    Criterion.objects.filter(pk=ws.c2.pk).update(weight=Decimal("0.5"))
    s = save_score(ws.seat.user, ws.asg[0], vals(ws, "10", "20"), submit=True)
    assert s.total == Decimal("20")


@pytest.mark.parametrize("value, fragment", [
    ("-1", "0 到 40"), ("40.01", "0 到 40"), ("abc", "请输入数字"), ("1.234", "两位小数"),
    (True, "请输入数字"), ("NaN", "请输入数字"), ("Infinity", "请输入数字"), ("1e400", "0 到 40"),
])
def test_values_out_of_bounds_or_not_numbers_are_refused_with_the_criterion_named(ws, value, fragment):
    with pytest.raises(ScoreInvalid) as exc:
        save_score(ws.seat.user, ws.asg[0], vals(ws, value))
    msg = exc.value.message
    assert exc.value.status == 422 and "思想性" in msg and fragment in msg, msg
    assert not Score.objects.exists()


def test_bounds_are_inclusive_and_commas_read_as_points(ws):
    s = save_score(ws.seat.user, ws.asg[0], vals(ws, "0", "60"))
    assert s.values == {str(ws.c1.pk): 0.0, str(ws.c2.pk): 60.0}
    s = save_score(ws.seat.user, ws.asg[0], vals(ws, "39,99", "  "))
    assert s.values == {str(ws.c1.pk): 39.99}


def test_an_unknown_criterion_is_refused(ws):
    other = ReviewWorld.scoring_round(ws, position=3)
    with pytest.raises(ScoreInvalid) as exc:
        save_score(ws.seat.user, ws.asg[0], {other.criteria.first().pk: 1})
    assert "values" in exc.value.errors


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(a=st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False),
       b=st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_property_a_value_is_kept_exactly_when_in_bounds_with_two_places(ws, a, b):
    ok_a = 0 <= a <= 40 and a == a.quantize(Decimal("0.01"))
    ok_b = 0 <= b <= 60
    try:
        s = save_score(ws.seat.user, ws.asg[1], vals(ws, str(a), str(b)))
    except ScoreInvalid as exc:
        assert not (ok_a and ok_b)
        assert (f"values.{ws.c1.pk}" in exc.errors) == (not ok_a)
        assert (f"values.{ws.c2.pk}" in exc.errors) == (not ok_b)
    else:
        assert ok_a and ok_b
        assert Decimal(str(s.values[str(ws.c1.pk)])) == a and Decimal(str(s.values[str(ws.c2.pk)])) == b
        assert s.total == a + b


def test_a_submitted_score_can_change_until_the_round_closes(ws):
    judge = ws.seat.user
    save_score(judge, ws.asg[0], vals(ws, 10, 10), submit=True)
    # A later save stays submitted (and so needs every criterion), and is audited as a change.
    s = save_score(judge, ws.asg[0], vals(ws, 20, 10), "改了")
    assert s.status == ScoreStatus.SUBMITTED and s.total == 30
    rec = AuditLog.objects.filter(action="review.score_submit").order_by("-id").first()
    assert rec.before["total"] == "20.0000" and rec.after["total"] == "30.0000" and rec.reason
    with pytest.raises(ScoreInvalid):
        save_score(judge, ws.asg[0], vals(ws, 20))
    # Saving the same again writes nothing (autosave on blur).
    n = AuditLog.objects.count()
    save_score(judge, ws.asg[0], vals(ws, "20.00", 10), "改了")
    assert AuditLog.objects.count() == n
    # Closed: no change any more.
    ws.round.closes = timezone.now() - dt.timedelta(minutes=1)
    ws.round.opens = timezone.now() - dt.timedelta(days=2)
    ws.round.save()
    with pytest.raises(scoring.RoundClosed):
        save_score(judge, ws.asg[0], vals(ws, 1, 1))
    ws.round.closes = timezone.now() + dt.timedelta(days=1)
    ws.round.status = RoundStatus.CLOSED
    ws.round.save()
    with pytest.raises(scoring.RoundClosed) as exc:
        save_score(judge, ws.asg[0], vals(ws, 1, 1))
    assert exc.value.status == 409
    assert Score.objects.get().total == 30


def test_a_round_not_open_yet_is_refused(ws):
    ws.round.opens = timezone.now() + dt.timedelta(hours=1)
    ws.round.save()
    with pytest.raises(scoring.RoundClosed):
        save_score(ws.seat.user, ws.asg[0], vals(ws, 1))


def test_who_may_not_score(ws):
    # Another judge (on the same panel, even assigned to the same entry), host staff, anonymous.
    for actor in (ws.other_seat.user, ws.host_staff, ws.campaign_admin):
        with pytest.raises(NotPermitted):
            save_score(actor, ws.asg[0], vals(ws, 1))
    with pytest.raises(NotPermitted):
        save_score(AnonymousUser(), ws.asg[0], vals(ws, 1))
    # A judge who left the panel (role gone).
    RoleAssignment.objects.filter(user=ws.other_seat.user).delete()
    with pytest.raises(NotPermitted):
        save_score(ws.other_seat.user, ws.other_asg[0], vals(ws, 1))
    assert not Score.objects.exists()


def test_a_removed_assignment_or_a_conflict_is_refused(ws):
    judge = ws.seat.user
    a0, a1 = ws.asg
    a0.status = AssignmentStatus.REMOVED
    a0.save()
    with pytest.raises(scoring.AssignmentRemoved):
        save_score(judge, a0, vals(ws, 1))
    Conflict.objects.create(track=ws.track, judge=judge, entry=a1.entry, source=ConflictSource.STAFF, reason="同事")
    with pytest.raises(NotPermitted):
        save_score(judge, a1, vals(ws, 1))
    assert not Score.objects.exists()


def test_declaring_a_conflict_removes_the_assignment_keeps_the_draft_and_tells_staff(
        ws, django_capture_on_commit_callbacks):
    judge = ws.seat.user
    save_score(judge, ws.asg[0], vals(ws, 5), "草稿")
    with pytest.raises(DomainError) as exc:
        declare_conflict(judge, ws.asg[0], "  ")
    assert exc.value.code == "reason_required"
    with pytest.raises(NotPermitted):
        declare_conflict(ws.other_seat.user, ws.asg[0], "不是我的")
    with django_capture_on_commit_callbacks(execute=True):
        c = declare_conflict(judge, ws.asg[0], "作者是我的亲属")
    assert c.source == ConflictSource.DECLARED and c.created_by == judge and c.entry == ws.entries[0]
    ws.asg[0].refresh_from_db()
    assert ws.asg[0].status == AssignmentStatus.REMOVED and ws.asg[0].removed_at is not None
    assert Score.objects.get(assignment=ws.asg[0]).values == {str(ws.c1.pk): 5.0}  # the draft is kept
    assert ws.entries[0] not in set(entries_for(judge, View.JUDGE))
    rec = AuditLog.objects.get(action="review.conflict_declare")
    assert rec.reason == "作者是我的亲属" and rec.actor == judge and rec.org_path == ws.track.host_unit.path
    notes = Notification.objects.filter(title__contains="利益冲突")
    assert {n.user_id for n in notes} == {ws.host_staff.pk, ws.campaign_admin.pk}
    assert ws.entries[0].number in notes[0].body and "作者是我的亲属" in notes[0].body
    # Not twice: the assignment is gone.
    with pytest.raises(scoring.AssignmentRemoved):
        declare_conflict(judge, ws.asg[0], "again")


def test_a_round_without_a_rubric_cannot_be_scored(ws):
    ws.round.criteria.all().delete()
    with pytest.raises(DomainError) as exc:
        save_score(ws.seat.user, ws.asg[0], {})
    assert exc.value.code == "no_rubric"


def test_a_vetting_round_is_not_scored_by_judges(ws):
    ws.round.kind = RoundKind.VETTING
    ws.round.save()
    with pytest.raises(DomainError) as exc:
        save_score(ws.seat.user, ws.asg[0], vals(ws, 1))
    assert exc.value.code == "not_a_scoring_round"
