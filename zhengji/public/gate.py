"""Who sees which entries on the public site: the `public` view of the kernel's gate, widened.

An entry is public when its campaign is published and either its results are published
(PUBLISHED) or host staff / a campaign admin approved it for display while it is still in the
running (reported and after, never disqualified or withdrawn). Registered as `View.PUBLIC` in
`entries.queries`, so every page, API and export of the public site asks `entries_for(user,
View.PUBLIC)` / `entry_for(..., view=View.PUBLIC)` and nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from zhengji.campaigns.schema import parse_schema
from zhengji.entries.models import Entry, EntryFile
from zhengji.entries.models import EntryStatus as S
from zhengji.entries.queries import View, register_view
from zhengji.media import access

# Where an approved entry may be shown: with the host unit, not disqualified.
SHOWABLE_STATES = frozenset({S.REPORTED, S.ELIGIBLE, S.SCORED, S.AWARDED, S.NOT_AWARDED, S.PUBLISHED})


def public_q(user: Any = None) -> Q:
    return Q(track__campaign__is_published=True) & (
        Q(status=S.PUBLISHED) | Q(showcase__approved=True, status__in=SHOWABLE_STATES))


def file_is_public(media: Any) -> bool:
    """A file's renditions are public when it belongs to a public entry, in a file field that is
    not marked identifying (an ID photo or an authorisation letter never is); never its original."""
    link = (EntryFile.objects.filter(media_id=media.pk).filter(entry__in=Entry.objects.filter(public_q()))
            .select_related("entry__track").first())
    if link is None:
        return False
    try:
        fields = parse_schema(link.entry.track.form_schema)
    except Exception:  # a broken schema shows nothing rather than too much
        return False
    return any(f.key == link.slot and f.type == "file" and not f.identifying for f in fields)


def register() -> None:
    register_view(View.PUBLIC, public_q)
    access.register_public("public.entry_files", file_is_public)
    from .entry_page import labelled_file  # noqa: PLC0415 (the page's projection imports the gate's app)

    access.register_public_file("public.ai_label", labelled_file)
