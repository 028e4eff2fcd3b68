"""Permission predicates for entries, state-aware: a permission to take a step holds only where
the step is open from the entry's state (`entries.transitions`), so templates and the API ask a
permission and never list states.

- the submitter owns an entry: edits it and submits it while it is in their hands, withdraws it
  before any level has decided;
- unit admins see the submitted entries whose unit lies in their subtree (drafts stay private to
  the entrant) and return them for changes;
- nobody else sees an entry at all (host staff, judges and the public get theirs through
  `entries.queries` and their own projections).
"""

from __future__ import annotations

from typing import Any

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for

from . import transitions


@rules.predicate
def is_submitter(user, entry) -> bool:
    return entry is not None and user.is_authenticated and entry.submitter_id == user.pk


@rules.predicate
def administers_entry_unit(user, entry) -> bool:
    """Unit admin of the entry's unit or one of its ancestors (no query beyond the scopes)."""
    return entry is not None and scopes_for(user).administers_path(entry.unit.path)


@rules.predicate
def is_submitted_once(user, entry) -> bool:
    """The entry left the entrant's hands at least once (a draft never did)."""
    return entry is not None and entry.submitted_at is not None


def step_open(name: str):
    """A predicate: the workflow step `name` is open from the entry's current state."""

    @rules.predicate(name=f"step_open_{name}")
    def predicate(user, entry) -> bool:
        t = transitions.TRANSITIONS.get(name)
        return entry is not None and t is not None and t.allows(entry.status)

    return predicate


# Who decides about a submitted entry (returns it): by default the unit admins above its unit; the
# reporting chain narrows it to the level where the entry waits (`set_decider`, at start-up).
_decider: list[Any] = [administers_entry_unit]


def set_decider(predicate: Any) -> None:
    """Plug-in point: a later app says who decides about an entry (one rule, replaced whole)."""
    _decider[0] = predicate


@rules.predicate
def decides_for_entry(user: Any, entry: Any) -> bool:
    return bool(_decider[0](user, entry))


is_editable = step_open("save") | step_open("edit")
is_submittable = step_open("submit") | step_open("resubmit")
is_withdrawable = step_open("withdraw")
is_returnable = step_open("return")

@rules.predicate
def is_unsubmitted_draft(user, entry) -> bool:
    return entry is not None and entry.status == "draft" and entry.submitted_at is None and not entry.number


can_view_entry = is_superuser | is_submitter | (administers_entry_unit & is_submitted_once)

rules.add_perm("entries.view_entry", can_view_entry)
rules.add_perm("entries.change_entry", is_submitter & is_editable)
rules.add_perm("entries.submit_entry", is_submitter & is_submittable)
rules.add_perm("entries.delete_entry", is_submitter & is_unsubmitted_draft)
rules.add_perm("entries.withdraw_entry", is_submitter & is_withdrawable)
rules.add_perm("entries.return_entry", (is_superuser | decides_for_entry) & is_returnable)
# Who may read the staff history (decisions, reasons, actors) of an entry.
rules.add_perm("entries.view_history", is_superuser | (administers_entry_unit & is_submitted_once))

