"""Which matched subjects count, and as what: the scope rule of originality.

A match found by the fingerprint engines is between two *subjects*: `("media", pk)` (a stored
file: an entry's, or a reference work's), `("entrytext", entry pk)` (an entry's typed answers),
`("ref", pk)` (a reference text). Each subject maps to its owner: an entry or a reference item.

For an entry E and a matched entry O:

- the same campaign (every track, every unit): O counts when it has been submitted at least once
  and is not withdrawn, and O is not E. The same submitter's other entry counts too (one work
  entered twice, in two tracks, is what staff must see); the flag says so (`same_submitter`);
- another campaign: O counts only when it was AWARDED or PUBLISHED there ("previously awarded");
  a work that won nothing may be entered again;
- the reference set: reference works of E's campaign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zhengji.entries.models import Entry, EntryFile, EntryStatus

from .models import FlagScope, ReferenceItem

Subject = tuple[str, int]

ARCHIVE_STATUSES = frozenset({EntryStatus.AWARDED, EntryStatus.PUBLISHED})


@dataclass(frozen=True)
class Owner:
    entry_id: int | None = None
    reference_id: int | None = None


def owners(subjects: Iterable[Subject]) -> dict[Subject, Owner]:
    """Batched: at most three queries for any number of subjects."""
    subjects = list(subjects)
    media_ids = [i for t, i in subjects if t == "media"]
    out: dict[Subject, Owner] = {}
    if media_ids:
        for media_id, entry_id in EntryFile.objects.filter(media_id__in=media_ids).values_list("media_id", "entry_id"):
            out[("media", media_id)] = Owner(entry_id=entry_id)
        for media_id, ref_id in ReferenceItem.objects.filter(media_id__in=media_ids).values_list("media_id", "pk"):
            out[("media", media_id)] = Owner(reference_id=ref_id)
    for t, i in subjects:
        if t == "entrytext":
            out[(t, i)] = Owner(entry_id=i)
        elif t == "ref":
            out[(t, i)] = Owner(reference_id=i)
    return out


def counts(entry: Entry) -> bool:
    """An entry takes part in matching (as either side) once submitted, unless withdrawn."""
    return entry.submitted_at is not None and entry.status not in (EntryStatus.WITHDRAWN, EntryStatus.DRAFT)


def entry_scope(entry: Entry, other: Entry) -> str | None:
    """The scope in which `other` is a match for `entry`, or None when it does not count."""
    if other.pk == entry.pk or not counts(other):
        return None
    if other.track.campaign_id == entry.track.campaign_id:
        return FlagScope.CAMPAIGN
    if other.status in ARCHIVE_STATUSES:
        return FlagScope.ARCHIVE
    return None


def reference_in_scope(entry: Entry, ref: ReferenceItem) -> bool:
    return ref.campaign_id == entry.track.campaign_id
