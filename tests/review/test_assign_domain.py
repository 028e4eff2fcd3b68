"""The assign area's domain functions: preview and apply (all or nothing, stale previews refused,
infeasible instances explained), manual add/remove, replacing a judge (scores kept, open work
moved under the same rules), staff conflicts, and who may NOT do any of it."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.review.builders_assign import AssignWorld, active, draft_score, submit_score
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.review.assignment import org_key
from zhengji.review.conflicts import is_conflicted
from zhengji.review.domain import assignment as assign
from zhengji.review.domain import conflicts as conflicts_domain
from zhengji.review.models import (
    Assignment,
    AssignmentStatus,
    Conflict,
    ConflictSource,
    PanelMember,
    RoundStatus,
    Score,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return AssignWorld()


def panel(w) -> list[PanelMember]:
    return [w.judge("ya2"), w.judge("jq1"), w.city_judge(0), w.city_judge(0), w.city_judge(1), w.city_judge(2),
            w.judge(None)]


def check_rules(r, k: int = 3):
    rows = list(active(r).select_related("entry", "judge"))
    per_entry = Counter(a.entry_id for a in rows)
    assert set(per_entry.values()) == {k}
    for a in rows:
        assert not is_conflicted(a.judge, a.entry)
    loads = Counter(a.judge_id for a in rows)
    return rows, loads


def test_preview_then_apply_all_at_once(w, django_capture_on_commit_callbacks):
    seats = panel(w)
    r, entries = w.round_with(8)
    plan = assign.preview(w.host_staff, r)
    assert plan.feasible and plan.solution.balanced and len(plan.hash) == 64
    st = plan.stats()
    assert st["entries"] == 8 and st["judges"] == 7 and st["create"] == 24 and st["remove"] == 0
    assert st["load_max"] - st["load_min"] <= 1 and st["conflicts"] > 0
    assert not Assignment.objects.exists()  # a preview writes nothing
    # The same data: the same hash (deterministic).
    assert assign.preview(w.campaign_admin, r).hash == plan.hash
    with django_capture_on_commit_callbacks(execute=True):
        done = assign.apply(w.host_staff, r, plan.hash)
    assert done.hash == plan.hash
    rows, loads = check_rules(r)
    assert len(rows) == 24 and max(loads.values()) - min(loads.values()) <= 1
    assert set(loads) == {s.user_id for s in seats}
    # Different organisations (city level) on each entry: seven judges from five keys allow it.
    fresh = PanelMember.objects.select_related("org").filter(track=w.track)  # sorted inserts move paths
    orgs = {s.user_id: org_key(s.org.path) if s.org_id else f"~{s.user_id}" for s in fresh}
    for e in entries:
        keys = [orgs[a.judge_id] for a in rows if a.entry_id == e.pk]
        assert len(keys) == len(set(keys))
    log = AuditLog.objects.filter(action="review.assign_apply")
    assert log.count() == 1 and log.get().after["created"] == 24
    assert Notification.objects.filter(user_id__in=loads).count() == len(loads)
    # Applying the same preview again: nothing changes, nothing is duplicated.
    again = assign.preview(w.host_staff, r)
    assert again.stats()["create"] == 0 and again.stats()["remove"] == 0 and again.stats()["keep"] == 24
    assign.apply(w.host_staff, r, again.hash)
    assert active(r).count() == 24


def test_stale_preview_refused_and_nothing_written(w):
    seats = panel(w)
    r, entries = w.round_with(6)
    plan = assign.preview(w.host_staff, r)
    conflicts_domain.set_conflict(w.host_staff, w.track, seats[-1].user, entries[0], "亲属关系")
    with pytest.raises(DomainError) as err:
        assign.apply(w.host_staff, r, plan.hash)
    assert err.value.code == "stale" and err.value.status == 409
    assert not Assignment.objects.exists()
    with pytest.raises(DomainError) as err:
        assign.apply(w.host_staff, r, "0" * 64)
    assert err.value.code == "stale"
    fresh = assign.preview(w.host_staff, r)
    assign.apply(w.host_staff, r, fresh.hash)
    assert not active(r).filter(judge=seats[-1].user, entry=entries[0]).exists()


def test_infeasible_round_says_which_entries_and_writes_nothing(w):
    w.judge("ya2"), w.judge(None), w.city_judge(0)
    r, entries = w.round_with(4, k=3)
    plan = assign.preview(w.host_staff, r)
    # The ya2 judge is in conflict with ya2's entries (units cycle ya1, ya2, jq1, jq2): only two left.
    assert not plan.feasible
    assert [u.entry for u in plan.solution.uncovered] == [entries[1].pk]
    assert plan.solution.uncovered[0].reason == "conflicts" and plan.solution.uncovered[0].available == 2
    assert "冲突" in assign.reason_text(plan.solution.uncovered[0]) or "conflict" in assign.reason_text(
        plan.solution.uncovered[0])
    with pytest.raises(DomainError) as err:
        assign.apply(w.host_staff, r, plan.hash)
    assert err.value.code == "infeasible"
    assert not Assignment.objects.exists() and not AuditLog.objects.filter(action="review.assign_apply").exists()


def test_reapply_keeps_submitted_scores_and_manual_work(w):
    panel(w)
    r, entries = w.round_with(6)
    assign.apply(w.host_staff, r, assign.preview(w.host_staff, r).hash)
    first = list(active(r).order_by("id"))
    scored = submit_score(first[0])
    # A new judge joins: the re-plan spreads work to them but keeps the scored assignment.
    newcomer = w.city_judge(2)
    plan = assign.preview(w.host_staff, r)
    assert (scored.judge_id, scored.entry_id) in plan.kept
    assign.apply(w.host_staff, r, plan.hash)
    rows, loads = check_rules(r)
    assert Assignment.objects.get(pk=first[0].pk).status == AssignmentStatus.ACTIVE
    assert loads[newcomer.user_id] >= 1 and max(loads.values()) - min(loads.values()) <= 1


def test_replace_judge_keeps_scores_and_moves_open_work(w):
    seats = panel(w)
    r, entries = w.round_with(10)
    assign.apply(w.host_staff, r, assign.preview(w.host_staff, r).hash)
    leaving = seats[2]
    theirs = list(active(r).filter(judge=leaving.user).order_by("id"))
    assert len(theirs) >= 3
    done = [submit_score(a) for a in theirs[:2]]
    draft = draft_score(theirs[2])
    loads_before = Counter(active(r).exclude(judge=leaving.user).values_list("judge_id", flat=True))
    with pytest.raises(DomainError):
        assign.replace_judge(w.host_staff, r, leaving.user, "  ")
    result = assign.replace_judge(w.host_staff, r, leaving.user, "生病住院")
    assert result.kept == 2 and len(result.moved) == len(theirs) - 2
    # Every submitted score is kept, on an active assignment, and still counts for its entry.
    for s in done:
        s.refresh_from_db()
        assert s.assignment.status == AssignmentStatus.ACTIVE and s.status == "submitted"
    assert Score.objects.filter(pk=draft.pk).exists()
    assert Assignment.objects.get(pk=theirs[2].pk).status == AssignmentStatus.REMOVED
    rows, loads = check_rules(r)
    assert loads[leaving.user_id] == 2
    others = {j: n for j, n in loads.items() if j != leaving.user_id}
    assert max(others.values()) - min(others.values()) <= 1
    # Only the leaving judge's work moved: everyone else kept what they had, and gained.
    assert all(others[j] >= n for j, n in loads_before.items())
    leaving.refresh_from_db()
    assert not leaving.active and leaving.left_at is not None
    assert AuditLog.objects.filter(action="review.judge_replace", reason="生病住院").count() == 1
    # A later re-plan passes the judge over for new work.
    plan = assign.preview(w.host_staff, r)
    assert leaving.user_id not in plan.problem.judges
    with pytest.raises(DomainError) as err:
        assign.replace_judge(w.host_staff, r, w.worker, "无")
    assert err.value.code == "no_assignments"


def test_replace_judge_infeasible_changes_nothing(w):
    a = w.city_judge(0)
    w.city_judge(1), w.city_judge(2)
    r, _entries = w.round_with(3, k=3)
    assign.apply(w.host_staff, r, assign.preview(w.host_staff, r).hash)
    with pytest.raises(DomainError) as err:
        assign.replace_judge(w.host_staff, r, a.user, "退出")
    assert err.value.code == "infeasible"
    assert active(r).count() == 9
    a.refresh_from_db()
    assert a.active


def test_manual_add_refuses_conflicts_and_remove_keeps_score(w):
    ya2, outsider = w.judge("ya2"), w.judge(None)
    r, entries = w.round_with(4)
    with pytest.raises(DomainError) as err:
        assign.add(w.host_staff, r, entries[1], ya2.user)  # ya2's own unit
    assert err.value.code == "conflict" and "利益冲突" in str(err.value.message)
    Conflict.objects.create(track=w.track, judge=outsider.user, entry=entries[0], source=ConflictSource.DECLARED,
                            reason="认识作者")
    with pytest.raises(DomainError) as err:
        assign.add(w.host_staff, r, entries[0], outsider.user)
    assert err.value.code == "conflict"
    a = assign.add(w.host_staff, r, entries[2], outsider.user)
    assert a.manual and a.status == AssignmentStatus.ACTIVE
    with pytest.raises(DomainError) as err:
        assign.add(w.host_staff, r, entries[2], outsider.user)
    assert err.value.code == "already_assigned"
    with pytest.raises(DomainError) as err:
        assign.add(w.host_staff, r, entries[2], w.worker)
    assert err.value.code == "not_on_panel"
    other_entry = w.reported(1, track=w.other_track)[0]
    with pytest.raises(DomainError) as err:
        assign.add(w.host_staff, r, other_entry, outsider.user)
    assert err.value.code == "not_in_round"
    capped = w.city_judge(1, cap=1)
    assign.add(w.host_staff, r, entries[0], capped.user)
    with pytest.raises(DomainError) as err:
        assign.add(w.host_staff, r, entries[1], capped.user)
    assert err.value.code == "cap_reached"
    score = submit_score(a)
    with pytest.raises(DomainError):
        assign.remove(w.host_staff, a, "")
    assign.remove(w.host_staff, a, "误分配")
    a.refresh_from_db()
    assert a.status == AssignmentStatus.REMOVED and a.removed_at and Score.objects.filter(pk=score.pk).exists()
    with pytest.raises(DomainError) as err:
        assign.remove(w.host_staff, a, "再次")
    assert err.value.code == "already_removed"
    assert AuditLog.objects.filter(action="review.assign_add").count() == 2
    assert AuditLog.objects.filter(action="review.assign_remove", reason="误分配").count() == 1


def test_set_conflict_removes_active_assignment_and_remove_conflict(w):
    outsider = w.judge(None)
    r, entries = w.round_with(2, k=1)
    a = assign.add(w.host_staff, r, entries[0], outsider.user)
    c = conflicts_domain.set_conflict(w.host_staff, w.track, outsider.user, entries[0], "评委是作者的同事")
    assert c.source == ConflictSource.STAFF and c.created_by == w.host_staff
    a.refresh_from_db()
    assert a.status == AssignmentStatus.REMOVED
    with pytest.raises(DomainError) as err:
        conflicts_domain.set_conflict(w.host_staff, w.track, outsider.user, entries[0], "再次")
    assert err.value.code == "already_recorded"
    with pytest.raises(DomainError):
        conflicts_domain.set_conflict(w.host_staff, w.track, outsider.user, entries[1], " ")
    with pytest.raises(DomainError) as err:
        conflicts_domain.set_conflict(w.host_staff, w.track, w.worker, entries[1], "x")
    assert err.value.code == "not_on_panel"
    other_entry = w.reported(1, track=w.other_track)[0]
    with pytest.raises(DomainError) as err:
        conflicts_domain.set_conflict(w.host_staff, w.track, outsider.user, other_entry, "x")
    assert err.value.code == "wrong_track"
    conflicts_domain.remove_conflict(w.host_staff, c)
    assert not Conflict.objects.exists()
    with pytest.raises(DomainError):
        conflicts_domain.remove_conflict(w.host_staff, c)
    assert AuditLog.objects.filter(action__in=["review.conflict_set", "review.conflict_remove"]).count() == 2


def test_closed_and_vetting_rounds_refused(w):
    outsider = w.judge(None)
    r, entries = w.round_with(2, k=1, status=RoundStatus.CLOSED)
    with pytest.raises(DomainError) as err:
        assign.preview(w.host_staff, r)
    assert err.value.code == "round_closed"
    with pytest.raises(DomainError):
        assign.add(w.host_staff, r, entries[0], outsider.user)
    r.status, r.kind = RoundStatus.OPEN, "vetting"
    r.save()
    with pytest.raises(DomainError) as err:
        assign.preview(w.host_staff, r)
    assert err.value.code == "vetting_round"


def test_who_may_not(w):
    seats = panel(w)
    r, entries = w.round_with(3)
    plan = assign.preview(w.host_staff, r)
    a = assign.add(w.host_staff, r, entries[0], seats[-1].user)
    c = conflicts_domain.set_conflict(w.host_staff, w.track, seats[-1].user, entries[1], "亲属")
    for who in (seats[0].user, w.other_host_staff, AnonymousUser(), w.ya1_admin, w.worker, w.moderator):
        with pytest.raises(NotPermitted):
            assign.preview(who, r)
        with pytest.raises(NotPermitted):
            assign.apply(who, r, plan.hash)
        with pytest.raises(NotPermitted):
            assign.add(who, r, entries[2], seats[-1].user)
        with pytest.raises(NotPermitted):
            assign.remove(who, a, "x")
        with pytest.raises(NotPermitted):
            assign.replace_judge(who, r, seats[-1].user, "x")
        with pytest.raises(NotPermitted):
            conflicts_domain.set_conflict(who, w.track, seats[-1].user, entries[2], "x")
        with pytest.raises(NotPermitted):
            conflicts_domain.remove_conflict(who, c)
    assert active(r).count() == 1 and Conflict.objects.count() == 1
    # The campaign admin may (and a superuser).
    assign.preview(w.campaign_admin, r)


_positions = iter(range(100, 10_000))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(n=st.integers(2, 6), k=st.integers(1, 3), leaving=st.integers(0, 5), scored=st.sets(st.integers(0, 20)))
def test_replaced_judge_keeps_every_submitted_score_property(w, n, k, leaving, scored):
    if not PanelMember.objects.filter(track=w.track).exists():
        panel(w)
    PanelMember.objects.filter(track=w.track).update(active=True, left_at=None)
    r, _entries = w.round_with(n, k=k, position=next(_positions))
    plan = assign.preview(w.host_staff, r)
    if not plan.feasible:
        return
    assign.apply(w.host_staff, r, plan.hash)
    judges = sorted({a.judge_id for a in active(r)})
    judge = judges[leaving % len(judges)]
    theirs = list(active(r).filter(judge_id=judge).order_by("id"))
    done = {submit_score(a).pk for i, a in enumerate(theirs) if i in scored}
    before = {(a.judge_id, a.entry_id) for a in active(r).exclude(judge_id=judge)}
    try:
        result = assign.replace_judge(w.host_staff, r, theirs[0].judge, "退出")
    except DomainError as exc:
        assert exc.code == "infeasible"
        assert active(r).filter(judge_id=judge).count() == len(theirs)  # nothing changed
        return
    # Every submitted score kept, on an active assignment; the open work moved to others.
    kept = Score.objects.filter(pk__in=done).select_related("assignment")
    assert all(s.assignment.status == AssignmentStatus.ACTIVE for s in kept) and kept.count() == len(done)
    assert active(r).filter(judge_id=judge).count() == len(done) == result.kept
    assert before <= {(a.judge_id, a.entry_id) for a in active(r)}
    check_rules(r, k)


def test_a_kept_assignment_now_in_conflict_is_replaced_by_the_plan(w):
    seats = panel(w)
    r, entries = w.round_with(4)
    assign.apply(w.host_staff, r, assign.preview(w.host_staff, r).hash)
    a = active(r).filter(judge=seats[-1].user).first()
    submit_score(a)
    # The conflict is recorded behind the domain's back (e.g. a declaration path that does not
    # remove assignments): the next plan must not keep the pair.
    Conflict.objects.create(track=w.track, judge=seats[-1].user, entry=a.entry, source=ConflictSource.DECLARED,
                            reason="后来发现是亲戚")
    plan = assign.preview(w.host_staff, r)
    assert (a.judge_id, a.entry_id) not in plan.kept and a.pk in plan.remove_ids
    assign.apply(w.host_staff, r, plan.hash)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.REMOVED and Score.objects.filter(assignment=a).exists()
    check_rules(r)
