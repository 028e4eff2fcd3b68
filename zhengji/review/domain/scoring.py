"""A judge's work on one assignment: saving and submitting a score, declaring a conflict of
interest. Each function is one transaction with the assignment row locked; the judge may act only
on their own active assignment, while its round is open and the entry is still theirs to see
through the judge gate (`entries_for(actor, View.JUDGE)`).

Scores: each criterion gets a number from 0 to its maximum with at most two decimal places; a
draft may leave criteria empty, a submission needs every one. The total is the weighted sum of the
points given. A submitted score may be changed until the round closes: it stays submitted and
every change is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import RoleAssignment
from zhengji.accounts.scopes import CAMPAIGN_ADMIN, HOST_STAFF
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.notify import notify_many
from zhengji.entries.queries import View, entries_for

from ..models import (
    Assignment,
    AssignmentStatus,
    Conflict,
    ConflictSource,
    Criterion,
    Round,
    RoundKind,
    Score,
    ScoreStatus,
)
from .results import ensure_not_frozen

TWO_PLACES = Decimal("0.01")
MAX_COMMENT = 4000
MAX_REASON = 2000


class ScoreInvalid(DomainError):
    """One or more values are not acceptable; `errors` maps "values.<criterion id>" (or
    "values") to the messages, in rubric order."""

    code = "invalid_score"
    status = 422

    def __init__(self, errors: dict[str, list[str]], code: str | None = None):
        message = " ".join(m for msgs in errors.values() for m in msgs)
        super().__init__(message, code=code, field=next(iter(errors), None))
        self.errors = errors


class RoundClosed(DomainError):
    code = "round_closed"
    status = 409


class AssignmentRemoved(DomainError):
    code = "assignment_removed"
    status = 409


@dataclass
class Parsed:
    values: dict[str, Decimal]
    total: Decimal
    complete: bool


# --- reading values ------------------------------------------------------------------------------

def _number(raw: Any) -> Decimal | None:
    """A number from JSON or a form field: None when left empty; ValueError when not a number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("boolean")
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().replace("，", ".").replace(",", ".")
        if text == "":
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError("not finite")
    return value


def parse_values(criteria: list[Criterion], values: dict[Any, Any], *, complete: bool) -> Parsed:
    """Check `values` (criterion id → number) against the rubric. With `complete`, every
    criterion needs a value. Raises ScoreInvalid with a message per criterion."""
    by_id = {str(c.pk): c for c in criteria}
    given = {str(k).strip(): v for k, v in (values or {}).items()}
    errors: dict[str, list[str]] = {}
    unknown = [k for k in given if k not in by_id]
    if unknown:
        errors["values"] = [_("This round's rubric has no criterion %(ids)s.") % {"ids": ", ".join(sorted(unknown))}]
    out: dict[str, Decimal] = {}
    missing: set[str] = set()
    total = Decimal(0)
    for c in criteria:
        key = str(c.pk)
        field = f"values.{key}"
        try:
            value = _number(given.get(key))
        except ValueError:
            errors[field] = [_("“%(name)s”: enter a number.") % {"name": c.name}]
            continue
        if value is None:
            if complete:
                errors[field] = [_("“%(name)s”: give a score before submitting.") % {"name": c.name}]
                missing.add(field)
            continue
        if value < 0 or value > c.maximum:
            errors[field] = [_("“%(name)s”: give a score from 0 to %(max)s.")
                             % {"name": c.name, "max": _plain(c.maximum)}]
            continue
        if value != value.quantize(TWO_PLACES):
            errors[field] = [_("“%(name)s”: use at most two decimal places.") % {"name": c.name}]
            continue
        out[key] = value.quantize(TWO_PLACES)
        total += out[key] * c.weight
    if errors:
        raise ScoreInvalid(errors, code="incomplete_score" if set(errors) == missing else None)
    return Parsed(values=out, total=total.quantize(Decimal("0.0001")), complete=len(out) == len(criteria))


def _plain(d: Decimal) -> str:
    """40.00 → "40", 7.50 → "7.5"."""
    text = format(d.normalize(), "f")
    return text


def _stored(values: dict[str, Decimal]) -> dict[str, float]:
    # JSON numbers; two decimal places survive the float round trip (repr is the shortest form).
    return {k: float(v) for k, v in values.items()}


# --- checks shared by both steps ----------------------------------------------------------------

def _not_frozen(assignment: Assignment | int) -> None:
    """The results' freeze guard, first in the transaction (it locks the track row: one lock order)."""
    pk = assignment if isinstance(assignment, int) else assignment.pk
    track_id = Assignment.objects.filter(pk=pk).values_list("round__track_id", flat=True).first()
    if track_id is not None:
        ensure_not_frozen(track_id)


def _lock(assignment: Assignment | int) -> Assignment:
    pk = assignment if isinstance(assignment, int) else assignment.pk
    return (Assignment.objects.select_for_update(of=("self",))
            .select_related("round__track__host_unit", "entry").get(pk=pk))


def _check(actor: Any, assignment: Assignment, at: dt.datetime) -> Round:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if assignment.judge_id != actor.pk:
        raise NotPermitted(_("This entry is not assigned to you."))
    if assignment.status != AssignmentStatus.ACTIVE:
        raise AssignmentRemoved(_("This entry is no longer assigned to you."))
    if not actor.has_perm("review.score_assignment", assignment):
        raise NotPermitted(_("You are no longer on this track's panel."))
    rnd = assignment.round
    if rnd.kind == RoundKind.VETTING:
        raise DomainError(_("Vetting is done by the organisers: there is nothing to score in this round."),
                          code="not_a_scoring_round", status=409)
    if not rnd.is_open_at(at):
        raise RoundClosed(_("The round “%(round)s” is not open: scores can be given and changed only while it is "
                            "open.") % {"round": rnd.name})
    if not entries_for(actor, View.JUDGE).filter(pk=assignment.entry_id).exists():
        raise NotPermitted(_("You can no longer see this entry (a conflict of interest or the review moved on)."))
    return rnd


def _scope(rnd: Round) -> audit.AuditScope:
    # The track's staff only: never the entry's unit (it must not learn who judged it).
    return rnd.audit_scope()


# --- saving and submitting -----------------------------------------------------------------------

def save_score(actor: Any, assignment: Assignment | int, values: dict[Any, Any], comment: str = "",
               submit: bool = False, *, at: dt.datetime | None = None) -> Score:
    """Save the judge's score of the assignment as a draft, or submit it (`submit=True`: every
    criterion needed). A submitted score stays submitted: a later save is a change to it and needs
    every criterion too. Nothing is written when nothing changed (autosave on blur)."""
    when = at or timezone.now()
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(_("The comment is too long (at most %(n)d characters).") % {"n": MAX_COMMENT},
                          code="comment_too_long", field="comment", status=422)
    with transaction.atomic():
        _not_frozen(assignment)
        locked = _lock(assignment)
        rnd = _check(actor, locked, when)
        score, _created = Score.objects.select_for_update().get_or_create(
            assignment=locked, defaults={"round": rnd, "entry_id": locked.entry_id, "judge_id": locked.judge_id})
        was_submitted = score.status == ScoreStatus.SUBMITTED
        submitting = submit or was_submitted
        criteria = list(rnd.criteria.all())
        if not criteria:
            raise DomainError(_("This round has no rubric yet; please wait for the organisers."), code="no_rubric",
                              status=409)
        parsed = parse_values(criteria, values, complete=submitting)
        before = {"values": score.values, "total": _num(score.total), "status": score.status,
                  "comment": score.comment}
        stored = _stored(parsed.values)
        status = ScoreStatus.SUBMITTED if submitting else ScoreStatus.DRAFT
        if (not _created and stored == score.values and comment == score.comment and status == score.status):
            return score
        score.values = stored
        score.total = parsed.total
        score.comment = comment
        score.status = status
        if submitting and score.submitted_at is None:
            score.submitted_at = when
        score.save()
        after = {"values": score.values, "total": _num(score.total), "status": score.status, "comment": score.comment}
        code = "review.score_submit" if submitting else "review.score_save"
        audit.record(code, score, actor=actor, before=None if _created else before, after=after,
                     reason=_("changed after submitting") if was_submitted else "", scope=_scope(rnd))
    return score


def _num(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


# --- declaring a conflict -----------------------------------------------------------------------

def _staff_of(rnd: Round) -> list[Any]:
    track = rnd.track
    ids = set(RoleAssignment.objects.in_scope(track).filter(role=HOST_STAFF).values_list("user_id", flat=True))
    ids |= set(RoleAssignment.objects.in_scope(track.campaign).filter(role=CAMPAIGN_ADMIN)
               .values_list("user_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def _reassign_url(rnd: Round) -> str:
    """The staff page where the entry gets another judge (the assign area's), if it is there."""
    for name, args in (("review:conflicts", [rnd.track_id]), ("review:assign", [rnd.pk]),
                       ("review:track", [rnd.track_id])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def declare_conflict(actor: Any, assignment: Assignment | int, reason: str, *,
                     at: dt.datetime | None = None) -> Conflict:
    """The judge declares a conflict of interest with the entry: a Conflict row (declared), the
    assignment removed (any draft score kept for the record), staff told so they can reassign."""
    when = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you have a conflict of interest."), code="reason_required", field="reason",
                          status=422)
    if len(reason) > MAX_REASON:
        raise DomainError(_("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON},
                          code="reason_too_long", field="reason", status=422)
    with transaction.atomic():
        _not_frozen(assignment)
        locked = _lock(assignment)
        rnd = _check(actor, locked, when)
        conflict, created = Conflict.objects.get_or_create(
            judge_id=locked.judge_id, entry_id=locked.entry_id,
            defaults={"track_id": rnd.track_id, "source": ConflictSource.DECLARED, "reason": reason,
                      "created_by": actor, "created": when})
        locked.status = AssignmentStatus.REMOVED
        locked.removed_at = when
        locked.save(update_fields=["status", "removed_at"])
        audit.record("review.conflict_declare", conflict, actor=actor, before=None,
                     after={"entry": locked.entry_id, "judge": locked.judge_id, "round": rnd.pk,
                            "assignment": locked.pk, "source": conflict.source, "new": created},
                     reason=reason)
        staff = _staff_of(rnd)
        number = locked.entry.number or f"#{locked.entry_id}"
        title = _("A judge declared a conflict of interest in “%(round)s”") % {"round": rnd.name}
        body = _("Entry %(number)s needs another judge. Reason given: %(reason)s") % {
            "number": number, "reason": reason}
        url = _reassign_url(rnd)
        transaction.on_commit(lambda: notify_many(staff, title, body, url), robust=True)
    return conflict


# --- downloads ----------------------------------------------------------------------------------

def record_download(actor: Any, assignment: Assignment, media_id: int, name: str) -> None:
    """Audit a judge's download of a clean copy (the neutral name, never the uploaded one)."""
    audit.record("review.blind_download", assignment, actor=actor, before=None,
                 after={"entry": assignment.entry_id, "media": media_id, "name": name},
                 scope=_scope(assignment.round))
