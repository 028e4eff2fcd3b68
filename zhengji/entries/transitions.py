"""The entry's lifecycle as data: every step an entry may take, from which states, to which
state, under which permission, with which audit action, and whether the entrant sees it.

`entries.workflow.apply` is the only code that applies a row; permission predicates
(`entries.rules`) ask this table whether a step is open in the entry's state, so pages and the
API never list states themselves. A later app (the reporting chain, review) adds its own rows
with `register()` from its `AppConfig.ready()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import EntryStatus, LevelDecision

S = EntryStatus


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    # None: the status stays (an edit); otherwise the state the entry moves to.
    target: str | None
    permission: str
    audit_action: str
    # What the refusal says when the entry is in another state, and its error code.
    refusal: str | Promise = _("This cannot be done with the entry in its current state.")
    refusal_code: str = "invalid_transition"
    needs_reason: bool = False
    # A decision of a level of the hierarchy: recorded as an EntryDecision of that level.
    decision: str | None = None
    # False: a staff-only step, left out of the entrant's timeline.
    entrant_visible: bool = True
    # Per-state refusals that say more than the general one (e.g. "already submitted").
    refusals: dict[str, tuple[str | Promise, str]] = field(default_factory=dict)

    def allows(self, status: str) -> bool:
        return status in self.sources


EDITABLE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED})
# In the entrant's hands: saved leniently (autosave keeps whatever was typed).
DRAFTLIKE = frozenset({S.DRAFT, S.RETURNED})
# Before any level has decided; later states belong to the reporting chain and review.
WITHDRAWABLE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED})

TRANSITIONS: dict[str, Transition] = {}


def register(t: Transition) -> Transition:
    """Add a step to the table (a later app's own steps). Names are unique."""
    if t.name in TRANSITIONS and TRANSITIONS[t.name] != t:
        raise ValueError(f"transition {t.name!r} is already registered")
    TRANSITIONS[t.name] = t
    return t


def get(name: str) -> Transition:
    return TRANSITIONS[name]


not_editable = (_("This entry can no longer be changed."), "not_editable")

register(Transition(
    name="save", sources=DRAFTLIKE, target=None, permission="entries.change_entry", audit_action="entry.save",
    refusal=not_editable[0], refusal_code=not_editable[1]))
register(Transition(
    name="edit", sources=frozenset({S.SUBMITTED}), target=None, permission="entries.change_entry",
    audit_action="entry.edit", refusal=not_editable[0], refusal_code=not_editable[1]))
register(Transition(
    name="submit", sources=frozenset({S.DRAFT}), target=S.SUBMITTED, permission="entries.submit_entry",
    audit_action="entry.submit", refusal=_("This entry can no longer be submitted."), refusal_code="not_submittable",
    refusals={S.SUBMITTED: (_("This entry has already been submitted."), "already_submitted")}))
register(Transition(
    name="resubmit", sources=frozenset({S.RETURNED}), target=S.SUBMITTED, permission="entries.submit_entry",
    audit_action="entry.resubmit", refusal=_("This entry can no longer be submitted."),
    refusal_code="not_submittable",
    refusals={S.SUBMITTED: (_("This entry has already been submitted."), "already_submitted")}))
register(Transition(
    name="withdraw", sources=WITHDRAWABLE, target=S.WITHDRAWN, permission="entries.withdraw_entry",
    audit_action="entry.withdraw",
    refusal=_("The entry is already under review and can no longer be withdrawn."), refusal_code="not_withdrawable",
    refusals={S.WITHDRAWN: (_("The entry has already been withdrawn."), "not_withdrawable")}))
register(Transition(
    name="return", sources=frozenset({S.SUBMITTED}), target=S.RETURNED, permission="entries.return_entry",
    audit_action="entry.return", refusal=_("Only a submitted entry can be returned."), refusal_code="not_returnable",
    needs_reason=True, decision=LevelDecision.RETURNED))
