"""Which files belong to which entry and slot, in order: the one place that records and reads
the link between entries and the generic media file service (`EntryFile` rows)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from zhengji.campaigns.schema import FieldDef
from zhengji.common.errors import DomainError
from zhengji.media.models import MediaFile, MediaStatus

from .models import Entry, EntryFile


def parse_ids(value: Any) -> list[int]:
    """The uploader's hidden input: comma-separated MediaFile ids (or a list from the API)."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    ids: list[int] = []
    for item in items:
        try:
            n = int(str(item).strip())
        except ValueError:
            continue
        if 0 < n < 2**63 and n not in ids:
            ids.append(n)
    return ids


def files_of(entry: Entry) -> QuerySet[MediaFile]:
    """The entry's files in slot and credit order; each carries `slot` and `position` (annotated
    from its EntryFile)."""
    return (MediaFile.objects.filter(entry_link__entry=entry)
            .annotate(slot=F("entry_link__slot"), position=F("entry_link__position"))
            .order_by("slot", "position", "id"))


def files_by_slot(entry: Entry) -> dict[str, list[MediaFile]]:
    by_slot: dict[str, list[MediaFile]] = {}
    for m in files_of(entry):
        slot: str = m.slot  # type: ignore[attr-defined]  # annotated by files_of
        by_slot.setdefault(slot, []).append(m)
    return by_slot


def attachable(entry: Entry, ids: list[int]) -> dict[int, MediaFile]:
    """The submitter's own files among `ids` that are free or already this entry's."""
    return {m.pk: m for m in MediaFile.objects.filter(pk__in=ids, owner_id=entry.submitter_id)
            .filter(Q(entry_link__isnull=True) | Q(entry_link__entry=entry))}


def entry_id_of(media: MediaFile) -> int | None:
    """The entry a file is attached to, if any."""
    entry_id: int | None = (EntryFile.objects.filter(media_id=media.pk)
                            .values_list("entry_id", flat=True).first())
    return entry_id


def attach(entry: Entry, fields: list[FieldDef], files: dict[str, Any], *, strict: bool) -> dict[str, list[str]]:
    """Attach the slot's MediaFiles (the list is the slot's whole content, in order); detach the
    ones no longer listed. Only the submitter's own files that are free or already this entry's,
    uploaded for this slot, are taken; with strict=True anything else is an error. Call inside
    the entry's transaction: the files are locked while their links are written."""
    errors: dict[str, list[str]] = {}
    slots = {f.key: f for f in fields if f.type == "file"}
    for key, raw_ids in (files or {}).items():
        if key not in slots:
            continue
        ids = parse_ids(raw_ids)
        found = {m.pk: m for m in MediaFile.objects.select_for_update().filter(pk__in=ids).order_by()}
        linked = dict(EntryFile.objects.filter(media_id__in=list(found)).values_list("media_id", "entry_id"))
        take: list[MediaFile] = []
        for pk in ids:
            m = found.get(pk)
            ok = (m is not None and m.owner_id == entry.submitter_id
                  and linked.get(pk, entry.pk) == entry.pk and (not m.purpose or m.purpose == key))
            if not ok:
                if strict:
                    errors.setdefault(key, []).append(_("File %(id)s cannot be used here.") % {"id": pk})
                continue
            assert m is not None
            if strict and m.status == MediaStatus.FAILED:
                errors.setdefault(key, []).append(_("“%(name)s” could not be processed; remove it and upload "
                                                    "again.") % {"name": m.filename})
            take.append(m)
        _place(entry, key, [m.pk for m in take])
    return errors


def _place(entry: Entry, key: str, media_ids: list[int]) -> None:
    """Make the links of slot `key` exactly `media_ids`, in that order (rows rewritten only when
    something changed; a file listed here moves out of another slot of the entry)."""
    current = list(EntryFile.objects.filter(entry=entry, slot=key).order_by("position", "id")
                   .values_list("media_id", flat=True))
    if current == media_ids:
        return
    # Delete, then insert in order: the unique (entry, slot, position) never sees a half-moved slot.
    EntryFile.objects.filter(entry=entry).filter(Q(slot=key) | Q(media_id__in=media_ids)).delete()
    EntryFile.objects.bulk_create([EntryFile(entry=entry, media_id=pk, slot=key, position=pos)
                                   for pos, pk in enumerate(media_ids)])


def slot_ids(entry: Entry, key: str) -> list[int]:
    """The MediaFile ids of slot `key`, in credit order."""
    return list(EntryFile.objects.filter(entry=entry, slot=key).order_by("position", "id")
                .values_list("media_id", flat=True))


def reorder(entry: Entry, key: str, media_ids: list[int]) -> list[int]:
    """Put the slot's files in the order of `media_ids`, which must list exactly the slot's files;
    return the order before. Call inside the entry's transaction."""
    current = slot_ids(entry, key)
    if len(media_ids) != len(current) or set(media_ids) != set(current):
        raise DomainError(_("List every file of the field exactly once to reorder it."), code="invalid_order",
                          field=key)
    _place(entry, key, media_ids)
    return current


def slot_errors(entry: Entry, fields: list[FieldDef]) -> dict[str, list[str]]:
    """Per-slot errors for a submission: too few or too many files, failed processing."""
    errors: dict[str, list[str]] = {}
    links = list(EntryFile.objects.filter(entry=entry).select_related("media")
                 .only("slot", "media__id", "media__status", "media__filename"))
    for f in fields:
        if f.type != "file" or f.file is None:
            continue
        mine = [link.media for link in links if link.slot == f.key]
        least = max(f.file.min_count, 1 if f.required else 0)
        if len(mine) < least:
            errors[f.key] = [_("Upload at least %(n)d file(s).") % {"n": least}]
        elif len(mine) > f.file.max_count:
            errors[f.key] = [_("Upload at most %(n)d file(s).") % {"n": f.file.max_count}]
        failed = [m.filename for m in mine if m.status == MediaStatus.FAILED]
        if failed:
            errors.setdefault(f.key, []).append(_("“%(name)s” could not be processed; remove it and upload again.")
                                                % {"name": failed[0]})
    return errors


def covers(entry_ids: list[int]) -> dict[int, MediaFile]:
    """{entry id: its first processed file that has a thumbnail} (slot and credit order), in one
    query for a whole page of cards (the public gallery)."""
    out: dict[int, MediaFile] = {}
    links = (EntryFile.objects.filter(entry_id__in=list(entry_ids), media__status=MediaStatus.READY)
             .exclude(media__thumbnail="").select_related("media").order_by("entry_id", "slot", "position", "id"))
    for link in links:
        out.setdefault(link.entry_id, link.media)
    return out
