"""Display approval and the entrant's credit: every change of a `Showcase` row.

- `set_display(actor, track, entry_ids, approved=..., reason=...)`: host-unit staff of the track
  or its campaign admins approve entries for display, or withdraw them (a reason is required), in
  bulk; locked rows, one audit record per changed entry, the cached pages invalidated on commit.
- `choose_credit(actor, entry, credit)`: the entrant chooses how the makers are named in public.
- `sync_entries(entry_ids)`: keeps `listed` and the search document in step with the entry after
  any save (a decision, an edit, publication); derived data, so not audited.

A row is made the first time it is needed, with the entry unit's city (its nearest ancestor of
kind "city") for the gallery's city filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Track
from zhengji.common import audit
from zhengji.common.audit import AuditRecord, AuditScope
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import Entry, EntryAuthor, EntryStatus
from zhengji.orgs.models import Organization, OrgKind

from .. import search
from ..cache import bump
from ..gate import SHOWABLE_STATES
from ..models import Credit, Showcase
from ..projection import credit as credit_of

MAX_BULK = 200
AUDITED = ["approved", "reason", "listed", "credit"]


def gallery_tag(track_id: int) -> str:
    """The cache tag of a track's gallery pages (bumped when its listing changes)."""
    return f"gallery:{track_id}"


def is_listed(status: str, approved: bool) -> bool:
    """The public gate (gate.public_q) for one entry of a published campaign."""
    return status == EntryStatus.PUBLISHED or (approved and status in SHOWABLE_STATES)


def cities_of(units: Iterable[Organization]) -> dict[int, int | None]:
    """{unit id: id of its nearest ancestor (or itself) of kind city}, in one query."""
    units = list(units)
    step = Organization.steplen
    prefixes = {u.path[:i] for u in units for i in range(step, len(u.path) + 1, step)}
    cities = dict(Organization.objects.filter(path__in=prefixes, kind=OrgKind.CITY).values_list("path", "pk"))
    out: dict[int, int | None] = {}
    for u in units:
        found = None
        for i in range(len(u.path), 0, -step):
            found = cities.get(u.path[:i])
            if found is not None:
                break
        out[u.pk] = found
    return out


def _new_rows(entries: list[Entry]) -> None:
    """Make the missing rows of these entries (a concurrent maker wins; nothing is overwritten)."""
    have = set(Showcase.objects.filter(entry_id__in=[e.pk for e in entries]).values_list("entry_id", flat=True))
    missing = [e for e in entries if e.pk not in have]
    if not missing:
        return
    cities = cities_of(e.unit for e in missing)
    now = timezone.now()
    Showcase.objects.bulk_create([
        Showcase(entry=e, track_id=e.track_id, city_id=cities.get(e.unit_id), listed=is_listed(e.status, False),
                 listed_at=now if is_listed(e.status, False) else None)
        for e in missing], ignore_conflicts=True)


def _locked_rows(entries: list[Entry]) -> dict[int, Showcase]:
    _new_rows(entries)
    rows = Showcase.objects.select_for_update().filter(entry_id__in=[e.pk for e in entries]).order_by("entry_id")
    return {r.entry_id: r for r in rows}


def _docs(entries: list[Entry], rows: dict[int, Showcase]) -> list[search.Doc]:
    """The search documents of these entries: the makers as each entrant chose to be credited."""
    names: dict[int, list[str]] = {}
    for entry_id, name in (EntryAuthor.objects.filter(entry_id__in=[e.pk for e in entries])
                           .order_by("entry_id", "position", "id").values_list("entry_id", "name")):
        if name:
            names.setdefault(entry_id, []).append(name)
    docs = []
    for e in entries:
        row = rows.get(e.pk)
        authors, unit = credit_of(e, row.credit if row else None, names.get(e.pk, []))
        docs.append(search.Doc(e.pk, e.track_id, search.document(e.title, e.summary, e.number, *authors, unit)))
    return docs


def _bump_later(entries: list[Entry], track: Track | None = None) -> None:
    tags = {f"entry:{e.pk}" for e in entries}
    for e in entries:
        tags |= {f"track:{e.track_id}", gallery_tag(e.track_id), f"campaign:{(track or e.track).campaign_id}"}
    transaction.on_commit(lambda: bump(*sorted(tags)))


def _scope(entry: Entry, audience: str = audit.STAFF) -> AuditScope:
    return AuditScope(org_path=entry.unit.path, campaign_id=entry.track.campaign_id, audience=audience)


@transaction.atomic
def set_display(actor: Any, track: Track, entry_ids: Iterable[int], *, approved: bool, reason: str = "") -> int:
    """Approve the entries for display (approved=True) or withdraw them (False, with a reason).
    Entries already in the asked state are left alone; returns how many changed. Every id must be
    an entry of this track that may be shown (reported to the host and not disqualified)."""
    if not actor.has_perm("public.manage_showcase", track):
        raise NotPermitted(_("Only the host unit's staff of this track and the campaign's admins may decide "
                             "what the gallery shows."))
    reason = (reason or "").strip()
    if not approved and not reason:
        raise DomainError(_("Give a reason for withdrawing the entries from display."), code="reason_required",
                          field="reason")
    ids = sorted({int(i) for i in entry_ids})
    if not ids:
        raise DomainError(_("Choose at least one entry."), code="nothing_chosen", field="entries")
    if len(ids) > MAX_BULK:
        raise DomainError(_("Choose at most %(n)d entries at a time.") % {"n": MAX_BULK}, code="too_many",
                          field="entries")
    entries = list(Entry.objects.select_related("unit", "track").filter(pk__in=ids, track=track))
    if len(entries) != len(ids) or any(e.status not in SHOWABLE_STATES for e in entries):
        raise DomainError(_("Only entries of this track that reached the host unit and were not disqualified "
                            "can be shown."), code="not_showable", field="entries")
    rows = _locked_rows(entries)
    now = timezone.now()
    by_id = {e.pk: e for e in entries}
    changed: list[Showcase] = []
    records: list[AuditRecord] = []
    for entry_id, row in rows.items():
        if row.approved == approved:
            continue
        e = by_id[entry_id]
        before = audit.snapshot(row, AUDITED)
        row.approved = approved
        row.approved_at = now
        row.approved_by = actor
        row.reason = "" if approved else reason
        listed = is_listed(e.status, approved)
        if listed and not row.listed:
            row.listed_at = now
        row.listed = listed
        row.updated = now
        changed.append(row)
        records.append(AuditRecord("showcase.approve" if approved else "showcase.withdraw", e, before=before,
                                   after=audit.snapshot(row, AUDITED), reason=row.reason, scope=_scope(e)))
    if changed:
        Showcase.objects.bulk_update(changed, ["approved", "approved_at", "approved_by", "reason", "listed",
                                               "listed_at", "updated"])
        audit.record_many(records, actor=actor)
        touched = [by_id[r.entry_id] for r in changed]
        search.index(_docs(touched, rows))
        _bump_later(touched, track)
    return len(changed)


def approve(actor: Any, track: Track, entry_ids: Iterable[int]) -> int:
    return set_display(actor, track, entry_ids, approved=True)


def withdraw(actor: Any, track: Track, entry_ids: Iterable[int], reason: str) -> int:
    return set_display(actor, track, entry_ids, approved=False, reason=reason)


@transaction.atomic
def choose_credit(actor: Any, entry: Entry, credit: str) -> Showcase:
    """The entrant chooses how the makers are named on the public site (audited; the entrant reads
    the record on the entry's timeline)."""
    if credit not in Credit.values:
        raise DomainError(_("Choose how the entry is credited."), code="invalid_credit", field="credit")
    locked = Entry.objects.select_for_update().select_related("unit", "track").filter(pk=entry.pk).first()
    if locked is None or not actor.has_perm("public.choose_credit", locked):
        raise NotPermitted(_("Only the entrant may choose how the entry is credited."))
    row = _locked_rows([locked])[locked.pk]
    if row.credit == credit:
        return row
    before = audit.snapshot(row, AUDITED)
    row.credit = credit
    row.updated = timezone.now()
    row.save(update_fields=["credit", "updated"])
    audit.record("showcase.credit", locked, actor=actor, before=before, after=audit.snapshot(row, AUDITED),
                 scope=_scope(locked, audit.ENTRANT))
    search.index(_docs([locked], {locked.pk: row}))
    _bump_later([locked])
    return row


@transaction.atomic
def sync_entries(entry_ids: Iterable[int]) -> None:
    """Bring the rows and search documents of these entries in step with the entries (after an
    edit, a decision or publication). Entries that may be shown get a row; an entry that may no
    longer be shown leaves the gallery."""
    ids = sorted(set(entry_ids))
    entries = list(Entry.objects.select_related("unit", "track").filter(pk__in=ids))
    showable = [e for e in entries if e.status in SHOWABLE_STATES]
    others = [e.pk for e in entries if e.status not in SHOWABLE_STATES]
    if others and Showcase.objects.filter(entry_id__in=others, listed=True).update(listed=False):
        _bump_later([e for e in entries if e.pk in others])
    if not showable:
        return
    rows = _locked_rows(showable)
    now = timezone.now()
    moved: list[Showcase] = []
    for e in showable:
        row = rows[e.pk]
        listed = is_listed(e.status, row.approved)
        if listed != row.listed:
            row.listed = listed
            row.listed_at = now if listed else row.listed_at
            moved.append(row)
    if moved:
        Showcase.objects.bulk_update(moved, ["listed", "listed_at"])
    search.index(_docs(showable, rows))
    _bump_later(showable)
