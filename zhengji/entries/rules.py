"""Permission predicates for entries: the submitter owns an entry; unit admins see (read only,
for now) the entries whose unit lies in their subtree; nobody else sees it at all. Who may view an
entry's files is registered with media (entries.file_targets), not overridden here."""

from __future__ import annotations

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for


@rules.predicate
def is_submitter(user, entry) -> bool:
    return entry is not None and user.is_authenticated and entry.submitter_id == user.pk


@rules.predicate
def administers_entry_unit(user, entry) -> bool:
    """Unit admin of the entry's unit or one of its ancestors (no query beyond the scopes)."""
    return entry is not None and scopes_for(user).administers_path(entry.unit.path)


rules.add_perm("entries.view_entry", is_superuser | is_submitter | administers_entry_unit)
rules.add_perm("entries.change_entry", is_submitter)
rules.add_perm("entries.submit_entry", is_submitter)
rules.add_perm("entries.withdraw_entry", is_submitter)
rules.add_perm("entries.return_entry", is_superuser | administers_entry_unit)

