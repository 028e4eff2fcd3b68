"""Review's rows in the entry lifecycle table (`entries.transitions`): vetting, the end of
scoring, the final award decision and its reopening. Review steps are staff-only in the
entrant's timeline until the results are public (the entry's status is what the entrant sees)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengji.entries.models import EntryStatus
from zhengji.entries.transitions import Transition, register

S = EntryStatus

VET_ELIGIBLE = Transition(
    name="vet_eligible", sources=frozenset({S.REPORTED}), target=S.ELIGIBLE, permission="review.vet_entry",
    audit_action="entry.vet_eligible", entrant_visible=False,
    refusal=_("Only an entry reported to the host unit can be vetted."), refusal_code="not_vettable")
VET_DISQUALIFY = Transition(
    name="vet_disqualify", sources=frozenset({S.REPORTED, S.ELIGIBLE, S.SCORED}), target=S.DISQUALIFIED,
    permission="review.vet_entry", audit_action="entry.disqualify", needs_reason=True, entrant_visible=False,
    refusal=_("This entry can no longer be disqualified."), refusal_code="not_disqualifiable")
# A disqualification found wrong (e.g. an objection upheld in the entrant's favour).
REQUALIFY = Transition(
    name="requalify", sources=frozenset({S.DISQUALIFIED}), target=S.ELIGIBLE, permission="review.requalify_entry",
    audit_action="entry.requalify", needs_reason=True, entrant_visible=False,
    refusal=_("Only a disqualified entry can be made eligible again."), refusal_code="not_requalifiable")
# Scoring finished for the entry (its round closed with its scores in).
MARK_SCORED = Transition(
    name="mark_scored", sources=frozenset({S.ELIGIBLE}), target=S.SCORED, permission="review.score_entry",
    audit_action="entry.scored", entrant_visible=False,
    refusal=_("Only an eligible entry can be marked as scored."), refusal_code="not_scorable")
# Final results after publicity.
AWARD = Transition(
    name="award", sources=frozenset({S.SCORED}), target=S.AWARDED, permission="review.decide_entry",
    audit_action="entry.award", refusal=_("Only a scored entry can be awarded."), refusal_code="not_awardable")
NOT_AWARD = Transition(
    name="not_award", sources=frozenset({S.SCORED}), target=S.NOT_AWARDED, permission="review.decide_entry",
    audit_action="entry.not_award", refusal=_("Only a scored entry can be decided."), refusal_code="not_awardable")
REOPEN_RESULT = Transition(
    name="reopen_result", sources=frozenset({S.AWARDED, S.NOT_AWARDED}), target=S.SCORED,
    permission="review.reopen_entry", audit_action="entry.reopen_result", needs_reason=True,
    refusal=_("Only a finalised result can be reopened."), refusal_code="not_reopenable")

ALL = (VET_ELIGIBLE, VET_DISQUALIFY, REQUALIFY, MARK_SCORED, AWARD, NOT_AWARD, REOPEN_RESULT)


def register_all() -> None:
    for t in ALL:
        register(t)
