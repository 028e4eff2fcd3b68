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


is_editable = step_open("save") | step_open("edit")
is_submittable = step_open("submit") | step_open("resubmit")
is_withdrawable = step_open("withdraw")
is_returnable = step_open("return")

can_view_entry = is_superuser | is_submitter | (administers_entry_unit & is_submitted_once)

rules.add_perm("entries.view_entry", can_view_entry)
rules.add_perm("entries.change_entry", is_submitter & is_editable)
rules.add_perm("entries.submit_entry", is_submitter & is_submittable)
rules.add_perm("entries.withdraw_entry", is_submitter & is_withdrawable)
rules.add_perm("entries.return_entry", (is_superuser | administers_entry_unit) & is_returnable)
# Who may read the staff history (decisions, reasons, actors) of an entry.
rules.add_perm("entries.view_history", is_superuser | (administers_entry_unit & is_submitted_once))


@rules.predicate
def administers_media_entry_unit(user, media) -> bool:
    """A unit admin sees the renditions (thumbnail, web size, preview) of the files of the entries
    they may see (submitted at least once); originals stay with the owner."""
    from zhengji.media import rules as media_rules  # noqa: F401,PLC0415 (TODO kernel: media.access registry)

    if media is None or not media.entry_id or not user.is_authenticated:
        return False
    if not scopes_for(user).admin_org_paths:
        return False
    from .models import Entry  # noqa: PLC0415 (TODO kernel: media.access registry)

    row = Entry.objects.filter(pk=media.entry_id).values_list("unit__path", "submitted_at").first()
    return row is not None and row[1] is not None and scopes_for(user).administers_path(row[0])


def _extend_media_view() -> None:
    from zhengji.media import rules as media_rules  # noqa: PLC0415 (TODO kernel: media.access registry)

    rules.set_perm("media.view_media", media_rules.can_view_media | administers_media_entry_unit)


_extend_media_view()
