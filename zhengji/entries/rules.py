"""Permission predicates for entries: the submitter owns an entry; unit admins see (read only,
for now) the entries whose unit lies in their subtree, with their files' renditions; nobody else
sees it at all."""

from __future__ import annotations

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for
from zhengji.media import rules as media_rules


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


@rules.predicate
def administers_media_entry_unit(user, media) -> bool:
    """A unit admin sees the renditions (thumbnail, web size, preview) of the files of the entries
    they may see; originals stay with the owner. No query for someone who administers nothing."""
    if media is None or not media.entry_id or not user.is_authenticated:
        return False
    if not scopes_for(user).admin_org_paths:
        return False
    from .models import Entry

    path = Entry.objects.filter(pk=media.entry_id).values_list("unit__path", flat=True).first()
    return path is not None and scopes_for(user).administers_path(path)


# The entry page shows its files to everyone who may see the entry.
rules.set_perm("media.view_media", media_rules.can_view_media | administers_media_entry_unit)
