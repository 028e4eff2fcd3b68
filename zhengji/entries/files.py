"""Which files belong to which entry and slot, in order: the one place that records and reads
the link between entries and the generic media file service."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhengji.campaigns.schema import FieldDef
from zhengji.media.models import MediaFile, MediaStatus

from .models import Entry


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
    """The entry's files in slot and credit order."""
    return MediaFile.objects.filter(entry=entry).order_by("slot", "position", "id")


def files_by_slot(entry: Entry) -> dict[str, list[MediaFile]]:
    by_slot: dict[str, list[MediaFile]] = {}
    for m in files_of(entry):
        by_slot.setdefault(m.slot, []).append(m)
    return by_slot


def attachable(entry: Entry, ids: list[int]) -> dict[int, MediaFile]:
    """The submitter's own files among `ids` that are free or already this entry's."""
    return {m.pk: m for m in MediaFile.objects.filter(pk__in=ids, owner_id=entry.submitter_id)
            .filter(Q(entry__isnull=True) | Q(entry=entry))}


def entry_id_of(media: MediaFile) -> int | None:
    return media.entry_id


def attach(entry: Entry, fields: list[FieldDef], files: dict[str, list[int]], *, strict: bool) -> dict:
    """Attach the slot's MediaFiles (the list is the slot's whole content, in order); detach the
    ones no longer listed. Only the submitter's own files that are free or already this entry's,
    uploaded for this slot, are taken; with strict=True anything else is an error."""
    errors: dict[str, list[str]] = {}
    slots = {f.key: f for f in fields if f.type == "file"}
    for key, raw_ids in (files or {}).items():
        if key not in slots:
            continue
        ids = parse_ids(raw_ids)
        found = {m.pk: m for m in MediaFile.objects.select_for_update().filter(pk__in=ids).order_by()}
        take: list[MediaFile] = []
        for pk in ids:
            m = found.get(pk)
            ok = (m is not None and m.owner_id == entry.submitter_id
                  and (m.entry_id is None or m.entry_id == entry.pk) and (not m.slot or m.slot == key))
            if not ok:
                if strict:
                    errors.setdefault(key, []).append(_("File %(id)s cannot be used here.") % {"id": pk})
                continue
            if strict and m.status == MediaStatus.FAILED:
                errors.setdefault(key, []).append(_("“%(name)s” could not be processed; remove it and upload "
                                                    "again.") % {"name": m.filename})
            take.append(m)
        MediaFile.objects.filter(entry=entry, slot=key).exclude(pk__in=[m.pk for m in take]).update(
            entry=None, position=0)
        for pos, m in enumerate(take):
            if m.entry_id != entry.pk or m.slot != key or m.position != pos:
                MediaFile.objects.filter(pk=m.pk).update(entry=entry, slot=key, position=pos)
    return errors


def slot_errors(entry: Entry, fields: list[FieldDef]) -> dict[str, list[str]]:
    """Per-slot errors for a submission: too few or too many files, failed processing."""
    errors: dict[str, list[str]] = {}
    media = list(MediaFile.objects.filter(entry=entry).only("id", "slot", "status", "filename"))
    for f in fields:
        if f.type != "file" or f.file is None:
            continue
        mine = [m for m in media if m.slot == f.key]
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
