"""The reporting chain's rows in the entry lifecycle table (`entries.transitions`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengji.entries.models import EntryStatus, LevelDecision
from zhengji.entries.transitions import Transition, register

S = EntryStatus
WAITING = frozenset({S.SUBMITTED, S.RECOMMENDED})

RECOMMEND = Transition(
    name="recommend", sources=WAITING, target=S.RECOMMENDED, permission="reporting.recommend_entry",
    audit_action="entry.recommend", decision=LevelDecision.RECOMMENDED,
    refusal=_("Only an entry waiting for a decision can be recommended."), refusal_code="not_recommendable")
REJECT = Transition(
    name="reject", sources=WAITING, target=S.REJECTED, permission="reporting.reject_entry",
    audit_action="entry.reject", needs_reason=True, decision=LevelDecision.REJECTED,
    refusal=_("Only an entry waiting for a decision can be rejected."), refusal_code="not_rejectable")
# The kernel's "return" covers a submitted entry; an entry that a lower level recommended and
# that now waits at a higher level is returned by this row (same decision, same audit action).
RETURN_AT_LEVEL = Transition(
    name="return_at_level", sources=frozenset({S.RECOMMENDED}), target=S.RETURNED,
    permission="reporting.return_entry", audit_action="entry.return", needs_reason=True,
    decision=LevelDecision.RETURNED,
    refusal=_("Only an entry waiting for a decision can be returned."), refusal_code="not_returnable")
# Sending a batch: the entry moves to the next level (status unchanged) or reaches the host.
REPORT_UP = Transition(
    name="report_up", sources=frozenset({S.RECOMMENDED}), target=None, permission="reporting.report_entry",
    audit_action="entry.report_up", refusal=_("Only a recommended entry can be reported."),
    refusal_code="not_reportable")
REPORT_TO_HOST = Transition(
    name="report_to_host", sources=frozenset({S.RECOMMENDED}), target=S.REPORTED,
    permission="reporting.report_entry", audit_action="entry.report_to_host",
    refusal=_("Only a recommended entry can be reported."), refusal_code="not_reportable")
OPINION = Transition(
    name="unit_opinion", sources=frozenset({S.SUBMITTED, S.RECOMMENDED, S.RETURNED, S.REJECTED}), target=None,
    permission="reporting.comment_entry", audit_action="entry.unit_opinion", entrant_visible=False,
    refusal=_("The entry is not waiting at a level now."), refusal_code="not_waiting")

# A worker takes over an entry a unit admin entered for their mobile number (代报), once they
# have verified that number; the status stays. Open from every state: whether an entry may be
# claimed is the permission's question (entered for this number, not claimed, submitted once).
CLAIM = Transition(
    name="claim", sources=frozenset(S.values), target=None,
    permission="reporting.claim_entry", audit_action="entry.claim",
    refusal=_("This entry cannot be claimed now."), refusal_code="not_claimable")

ALL = (RECOMMEND, REJECT, RETURN_AT_LEVEL, REPORT_UP, REPORT_TO_HOST, OPINION, CLAIM)


def register_all() -> None:
    for t in ALL:
        register(t)
