"""Read-only answers: the flags of entries (batched, for list pages), one flag for a viewer, and
the media viewer rule of the comparison view."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from zhengji.entries.models import Entry, EntryFile
from zhengji.media.models import MediaFile

from .models import Flag, FlagStatus
from .rules import may_see_any

FLAG_RELATED = ("matched_entry__track__campaign", "matched_entry__unit", "reference", "decided_by")


def flags_by_entry(entry_ids: Iterable[int], *, open_only: bool = False) -> dict[int, list[Flag]]:
    """{entry_id: [flags, best first]} in one query, whatever the number of entries. The caller
    has checked that the viewer may see the flags of these entries."""
    ids = sorted({int(i) for i in entry_ids})
    out: dict[int, list[Flag]] = {i: [] for i in ids}
    if not ids:
        return out
    qs = Flag.objects.filter(entry_id__in=ids).select_related(*FLAG_RELATED).order_by("entry_id", "-score", "id")
    if open_only:
        qs = qs.filter(status=FlagStatus.OPEN)
    for f in qs:
        out[f.entry_id].append(f)
    return out


def flag_for(user: Any, pk: int) -> Flag:
    """One flag, for someone who may see its entry's flags (404 when missing, 403 otherwise)."""
    flag = (Flag.objects.select_related("entry__track__campaign", "entry__unit", "entry__submitter", *FLAG_RELATED)
            .filter(pk=pk).first())
    if flag is None:
        raise Http404
    if not user.has_perm("originality.view_flags", flag.entry):
        raise PermissionDenied
    return flag


def staff_sees_compared_file(user: Any, media: MediaFile) -> bool:
    """A file of a matched entry or reference work, for someone who may see a flag pointing at it."""
    if not may_see_any(user):
        return False
    entry_id = EntryFile.objects.filter(media_id=media.pk).values_list("entry_id", flat=True).first()
    q = Q(reference__media_id=media.pk)
    if entry_id is not None:
        q |= Q(matched_entry_id=entry_id)
    for flag in Flag.objects.filter(q).select_related("entry__unit", "entry__track")[:50]:
        if user.has_perm("originality.view_flags", flag.entry):
            return True
    return False


def entry_of_flag(flag: Flag) -> Entry:
    return flag.entry
