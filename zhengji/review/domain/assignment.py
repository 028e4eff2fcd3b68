"""Assignment of judges to the entries of a round: the automatic proposal (preview), applying it
all or nothing, manual additions and removals, and replacing a judge who drops out.

The proposal is `review.assignment.solve` over the round's entries (its `RoundEntry` rows still
under review), the track's active panel with its caps, the conflicts of `review.conflicts` and
the assignments that must stay: active ones with a submitted score, and manual ones (unless now
in conflict). Every other active assignment is planned afresh (kept when the proposal keeps it,
removed otherwise). The preview carries a content hash of everything it was computed from; `apply` recomputes it inside
its transaction and refuses when anything changed since.

Staff only (`review.run_review` on the track); the round must not be closed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.common import audit, notify
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import Entry

from ..assignment import Problem, Solution, Uncovered, org_key, solve
from ..conflicts import conflict_pairs, is_conflicted
from ..models import (
    Assignment,
    AssignmentStatus,
    PanelMember,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
    Score,
    ScoreStatus,
)
from ..queries import JUDGEABLE
from .results import ensure_not_frozen

__all__ = ["Plan", "add", "apply", "plan_for", "preview", "remove", "replace_judge"]

CACHE_SECONDS = 3600
SOLVER_VERSION = "assign-2"


@dataclass
class Plan:
    """A proposal for a round: the solver's solution and what applying it would change."""

    round: Round
    problem: Problem
    solution: Solution
    hash: str
    seats: dict[int, PanelMember]  # judge user id -> active seat
    kept: list[tuple[int, int]]  # (judge, entry) fixed: scored or manual
    keep_ids: list[int] = field(default_factory=list)  # active assignments the proposal keeps
    remove_ids: list[int] = field(default_factory=list)  # active assignments it would remove
    create: list[tuple[int, int]] = field(default_factory=list)  # (judge, entry) to add
    conflicts: int = 0

    @property
    def feasible(self) -> bool:
        return self.solution.feasible

    @property
    def loads(self) -> dict[int, int]:
        return self.solution.loads

    def stats(self) -> dict[str, Any]:
        loads = list(self.solution.loads.values())
        return {
            "entries": len(self.problem.entries), "judges": len(self.problem.judges), "k": self.problem.k,
            "load_min": min(loads, default=0), "load_max": max(loads, default=0),
            "balanced": self.solution.balanced, "repeats": self.solution.repeats,
            "conflicts": self.conflicts, "kept": len(self.kept), "create": len(self.create),
            "keep": len(self.keep_ids), "remove": len(self.remove_ids), "uncovered": len(self.solution.uncovered),
            "cost": self.solution.cost, "seconds": round(self.solution.seconds, 3),
        }


# --- checks ---------------------------------------------------------------------------------------

def _check(actor: Any, rnd: Round) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm("review.run_review", rnd.track):
        raise NotPermitted(_("You may not assign judges in this track."))
    if rnd.status == RoundStatus.CLOSED:
        raise DomainError(_("This round is closed: its assignments can no longer change."), code="round_closed",
                          status=409)
    if rnd.kind == RoundKind.VETTING:
        raise DomainError(_("Vetting is done by staff: judges are assigned to scoring and final rounds only."),
                          code="vetting_round")


def _lock(rnd: Round) -> Round:
    # The results' freeze guard first: it locks the track row (one lock order with freezing).
    ensure_not_frozen(rnd.track_id)
    return Round.objects.select_for_update(of=("self",)).select_related("track", "track__host_unit").get(pk=rnd.pk)


def uncovered_message(uncovered: Sequence[Uncovered]) -> str:
    """One sentence for staff: how many entries cannot get their judges, and why."""
    conflicts = sum(1 for u in uncovered if u.reason == "conflicts")
    capacity = len(uncovered) - conflicts
    parts = []
    if conflicts:
        parts.append(ngettext(
            "%(n)d entry has too few judges without a conflict of interest",
            "%(n)d entries have too few judges without a conflict of interest", conflicts) % {"n": conflicts})
    if capacity:
        parts.append(ngettext(
            "%(n)d entry finds no judge with room left under their caps",
            "%(n)d entries find no judge with room left under their caps", capacity) % {"n": capacity})
    return _("The assignment is not possible: %(why)s. Invite more judges or raise their caps.") % {
        "why": _("; ").join(parts)}


def reason_text(u: Uncovered) -> str:
    if u.reason == "conflicts":
        return _("Needs %(needed)d more judges; only %(available)d are free of conflicts and have room.") % {
            "needed": u.needed, "available": u.available}
    return _("Needs %(needed)d more judges; the judges free of conflicts have no room left under their caps.") % {
        "needed": u.needed}


# --- the problem of a round -------------------------------------------------------------------------

def _entries(rnd: Round) -> list[tuple[int, str]]:
    return list(RoundEntry.objects.filter(round=rnd, entry__status__in=JUDGEABLE)
                .order_by("entry_id").values_list("entry_id", "entry__unit__path"))


def _seats(rnd: Round, exclude: int | None = None) -> dict[int, PanelMember]:
    qs = (PanelMember.objects.filter(track_id=rnd.track_id, active=True)
          .select_related("org", "user").order_by("user_id"))
    return {s.user_id: s for s in qs if s.user_id != exclude}


def _active(rnd: Round) -> list[tuple[int, int, int, bool, bool]]:
    """(id, judge, entry, submitted, manual) of the round's active assignments."""
    submitted = Score.objects.filter(assignment_id=OuterRef("pk"), status=ScoreStatus.SUBMITTED)
    return list(Assignment.objects.filter(round=rnd, status=AssignmentStatus.ACTIVE)
                .annotate(done=Exists(submitted)).order_by("id")
                .values_list("id", "judge_id", "entry_id", "done", "manual"))


def _path(seat: PanelMember) -> str | None:
    return seat.org.path if seat.org is not None else None


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _problem(rnd: Round, entries: list[tuple[int, str]], seats: dict[int, PanelMember],
             fixed: set[tuple[int, int]], fixed_orgs: dict[int, str | None], *,
             drop_conflicted: bool = False) -> tuple[Problem, set[tuple[int, int]]]:
    """The solver's problem; with `drop_conflicted`, a kept pair now in conflict (e.g. the judge
    joined the entry's unit since) is not kept: the plan removes it and finds another judge."""
    ids = [e for e, _p in entries]
    pairs = conflict_pairs(rnd.track_id, seats.values(), ids)
    if drop_conflicted:
        fixed = fixed - pairs
    orgs = {j: org_key(_path(s)) for j, s in seats.items()}
    orgs.update({j: o for j, o in fixed_orgs.items() if j not in orgs})
    problem = Problem(entries=ids, judges=sorted(seats), k=rnd.judges_per_entry,
                      caps={j: s.cap for j, s in seats.items()}, orgs=orgs, conflicts=frozenset(pairs),
                      fixed=frozenset(fixed), entry_paths=dict(entries),
                      judge_paths={j: _path(s) for j, s in seats.items()})
    return problem, pairs


def _fixed_orgs(rnd: Round, judges: set[int]) -> dict[int, str | None]:
    """Organisation keys of judges who hold fixed work but have no active seat any more."""
    if not judges:
        return {}
    seats = PanelMember.objects.filter(track_id=rnd.track_id, user_id__in=judges).select_related("org")
    return {s.user_id: org_key(_path(s)) for s in seats}


def _solve_cached(problem: Problem, key: str) -> Solution:
    cached = cache.get(f"review:assign:{key}")
    if isinstance(cached, Solution):
        return cached
    solution = solve(problem)
    cache.set(f"review:assign:{key}", solution, CACHE_SECONDS)
    return solution


def plan_for(rnd: Round) -> Plan:
    """The proposal for `rnd` as the data stand now (no permission check: `preview` checks)."""
    entries = _entries(rnd)
    in_round = {e for e, _p in entries}
    seats = _seats(rnd)
    active = [a for a in _active(rnd) if a[2] in in_round]
    fixed = {(j, e) for _id, j, e, done, manual in active if done or manual}
    problem, pairs = _problem(rnd, entries, seats, fixed, _fixed_orgs(rnd, {j for j, _e in fixed} - set(seats)),
                              drop_conflicted=True)
    fixed = set(problem.fixed)
    key = _digest(SOLVER_VERSION, rnd.pk, rnd.judges_per_entry, rnd.status, entries,
                  [(j, s.cap, problem.orgs.get(j), _path(s)) for j, s in seats.items()],
                  sorted(pairs), active)
    solution = _solve_cached(problem, key)
    plan = Plan(round=rnd, problem=problem, solution=solution, hash=key, seats=seats, kept=sorted(fixed),
                conflicts=len(pairs))
    if solution.feasible:
        proposed = set(solution.pairs)
        plan.keep_ids = [a[0] for a in active if (a[1], a[2]) in proposed or (a[1], a[2]) in fixed]
        plan.remove_ids = [a[0] for a in active if (a[1], a[2]) not in proposed and (a[1], a[2]) not in fixed]
        current = {(a[1], a[2]) for a in active}
        plan.create = [pair for pair in solution.pairs if pair not in current]
    return plan


def preview(actor: Any, rnd: Round) -> Plan:
    """The proposed assignment of the round, its statistics and content hash (nothing written)."""
    _check(actor, rnd)
    return plan_for(rnd)


# --- changes ------------------------------------------------------------------------------------------

def _notify_judges(judge_ids: Sequence[int], rnd: Round) -> None:
    if not judge_ids:
        return
    users = [s.user for s in PanelMember.objects.filter(track_id=rnd.track_id, user_id__in=set(judge_ids))
             .select_related("user")]
    notify.notify_many(users, _("New entries to judge"),
                       _("You have new entries to score in %(round)s.") % {"round": rnd.name},
                       url=reverse("review:judge_queue"))


def _remove_rows(ids: Sequence[int], now: Any) -> int:
    return Assignment.objects.filter(pk__in=list(ids), status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.REMOVED, removed_at=now)


def apply(actor: Any, rnd: Round, expected_hash: str) -> Plan:
    """Apply the proposal previewed with `expected_hash`, all or nothing: refused (409 "stale")
    when anything it was computed from changed since, and (409 "infeasible") when some entries
    cannot get their judges."""
    _check(actor, rnd)
    with transaction.atomic():
        rnd = _lock(rnd)
        _check(actor, rnd)
        plan = plan_for(rnd)
        if plan.hash != expected_hash:
            raise DomainError(_("The entries, the panel, the conflicts or the assignments changed since this "
                                "preview; look at the new preview and apply again."), code="stale", status=409)
        if not plan.feasible:
            raise DomainError(uncovered_message(plan.solution.uncovered), code="infeasible", status=409)
        now = timezone.now()
        removed = _remove_rows(plan.remove_ids, now)
        Assignment.objects.bulk_create(
            [Assignment(round=rnd, entry_id=e, judge_id=j, created_by=actor, created=now) for j, e in plan.create],
            batch_size=1000)
        audit.record("review.assign_apply", rnd, actor=actor, after={
            "created": len(plan.create), "removed": removed, "kept": len(plan.keep_ids),
            "entries": len(plan.problem.entries), "judges": len(plan.problem.judges),
            "load_min": plan.stats()["load_min"], "load_max": plan.stats()["load_max"],
            "repeats": plan.solution.repeats, "hash": plan.hash})
        judges = sorted({j for j, _e in plan.create})
        transaction.on_commit(lambda: _notify_judges(judges, rnd))
    return plan


def _entry_in_round(rnd: Round, entry: Entry) -> None:
    if entry.track_id != rnd.track_id or not RoundEntry.objects.filter(round=rnd, entry=entry).exists():
        raise DomainError(_("This entry is not in this round."), code="not_in_round", field="entry")


def add(actor: Any, rnd: Round, entry: Entry, judge_user: Any) -> Assignment:
    """Assign one judge to one entry by hand. Refused for a judge in conflict with the entry, a
    judge not on the panel, a judge already assigned, or a judge at their cap."""
    _check(actor, rnd)
    with transaction.atomic():
        rnd = _lock(rnd)
        _check(actor, rnd)
        _entry_in_round(rnd, entry)
        seat = (PanelMember.objects.select_related("org").filter(track_id=rnd.track_id, user_id=judge_user.pk,
                                                                   active=True).first())
        if seat is None:
            raise DomainError(_("This person is not an active judge on the track's panel."), code="not_on_panel",
                              field="judge")
        if is_conflicted(judge_user, entry):
            raise DomainError(_("%(judge)s has a conflict of interest with this entry (their organisation, "
                                "their own work or a recorded conflict) and cannot judge it.")
                              % {"judge": _judge_name(judge_user)}, code="conflict", status=409, field="judge")
        active = Assignment.objects.filter(round=rnd, judge_id=judge_user.pk, status=AssignmentStatus.ACTIVE)
        if active.filter(entry=entry).exists():
            raise DomainError(_("This judge is already assigned to this entry."), code="already_assigned",
                              status=409, field="judge")
        if seat.cap is not None and active.count() >= seat.cap:
            raise DomainError(_("This judge already has %(cap)d entries, their cap for a round.") % {"cap": seat.cap},
                              code="cap_reached", status=409, field="judge")
        a = Assignment.objects.create(round=rnd, entry=entry, judge_id=judge_user.pk, manual=True,
                                      created_by=actor)
        audit.record("review.assign_add", a, actor=actor, scope=rnd.audit_scope(),
                     after={"round": rnd.pk, "entry": entry.pk, "judge": judge_user.pk})
        transaction.on_commit(lambda: _notify_judges([judge_user.pk], rnd))
    return a


def _judge_name(user: Any) -> str:
    return getattr(user, "real_name", "") or getattr(user, "username", "") or str(user.pk)


def remove(actor: Any, assignment: Assignment, reason: str) -> Assignment:
    """Take a judge off one entry (the row stays, REMOVED, with any score it has)."""
    reason = (reason or "").strip()
    rnd = assignment.round
    _check(actor, rnd)
    if not reason:
        raise DomainError(_("Give a reason for removing this judge from the entry."), code="reason_required",
                          field="reason")
    with transaction.atomic():
        _lock(rnd)
        a = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if a.status != AssignmentStatus.ACTIVE:
            raise DomainError(_("This assignment was already removed."), code="already_removed", status=409)
        a.status = AssignmentStatus.REMOVED
        a.removed_at = timezone.now()
        a.save(update_fields=["status", "removed_at"])
        audit.record("review.assign_remove", a, actor=actor, scope=rnd.audit_scope(), reason=reason,
                     before={"status": AssignmentStatus.ACTIVE}, after={"status": AssignmentStatus.REMOVED,
                                                                       "entry": a.entry_id, "judge": a.judge_id})
    return a


@dataclass
class Replacement:
    moved: list[tuple[int, int]]  # (new judge, entry)
    kept: int  # the judge's assignments with a submitted score, still counted
    solution: Solution


def replace_judge(actor: Any, rnd: Round, judge_user: Any, reason: str) -> Replacement:
    """A judge drops out: their open assignments in the round (no submitted score) are removed and
    given to other judges by the solver under the same rules (no conflicts, loads within one as
    far as the work already assigned allows, different organisations), every other assignment
    staying put; their submitted scores stay and keep counting. Their panel seat is made inactive
    so that later assignments pass them over. All or nothing."""
    reason = (reason or "").strip()
    _check(actor, rnd)
    if not reason:
        raise DomainError(_("Give a reason for replacing this judge."), code="reason_required", field="reason")
    with transaction.atomic():
        rnd = _lock(rnd)
        _check(actor, rnd)
        entries = _entries(rnd)
        in_round = {e for e, _p in entries}
        active = [a for a in _active(rnd) if a[2] in in_round]
        theirs = [a for a in active if a[1] == judge_user.pk]
        if not theirs:
            raise DomainError(_("This judge has no assignments in this round."), code="no_assignments", status=409)
        open_ids = [a[0] for a in theirs if not a[3]]
        kept = len(theirs) - len(open_ids)
        fixed = {(a[1], a[2]) for a in active if a[0] not in set(open_ids)}
        seats = _seats(rnd, exclude=judge_user.pk)
        problem, _pairs = _problem(rnd, entries, seats, fixed,
                                   _fixed_orgs(rnd, {j for j, _e in fixed} - set(seats)))
        # Entries the judge no longer holds must not go back to them (they are not on `seats`).
        solution = solve(problem)
        if not solution.feasible:
            raise DomainError(uncovered_message(solution.uncovered), code="infeasible", status=409)
        now = timezone.now()
        _remove_rows(open_ids, now)
        Assignment.objects.bulk_create(
            [Assignment(round=rnd, entry_id=e, judge_id=j, created_by=actor, created=now) for j, e in solution.pairs],
            batch_size=1000)
        seat = PanelMember.objects.select_for_update().filter(track_id=rnd.track_id, user_id=judge_user.pk).first()
        if seat is not None and seat.active:
            seat.active = False
            seat.left_at = now
            seat.save(update_fields=["active", "left_at"])
            audit.record("review.panel_remove", seat, actor=actor, reason=reason,
                         before={"active": True}, after={"active": False})
        audit.record("review.judge_replace", rnd, actor=actor, reason=reason, after={
            "judge": judge_user.pk, "moved": len(solution.pairs), "kept_scored": kept,
            "to": dict(Counter(j for j, _e in solution.pairs))})
        judges = sorted({j for j, _e in solution.pairs})
        transaction.on_commit(lambda: _notify_judges(judges, rnd))
    return Replacement(moved=list(solution.pairs), kept=kept, solution=solution)
