"""Domain functions of the reporting chain. Each is one transaction; every change to an entry
goes through `entries.workflow.apply` (locked row, state check, permission, event, decision,
audit); batch and ordering changes are audited here.

Lock order, everywhere: the level's quota counter for the track, then entry rows (by id), then
their chain positions. Every step of one level in one track takes the counter first, so two
admins of a unit acting at once queue on that row and the quota holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Track
from zhengji.campaigns.policy import CampaignPolicy, format_when, policy_for
from zhengji.common import audit
from zhengji.common.errors import DeadlinePassed, DomainError, NotPermitted, QuotaExceeded
from zhengji.entries import services as entry_services
from zhengji.entries import workflow
from zhengji.entries.models import Entry, EntryStatus
from zhengji.orgs.models import Organization

from .chain import next_level
from .models import Batch, BatchItem, BatchStatus, ChainPosition, QuotaCounter, UnitOpinion
from .rules import administers_level

MAX_BULK = 200
STAMP_MAX_BYTES = 20 * 1024 * 1024
STAMP_TYPES = {"pdf", "jpg", "jpeg", "png"}


@dataclass(frozen=True)
class QuotaStatus:
    quota: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


# --- helpers ---------------------------------------------------------------------------------------

def _now(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else timezone.now()


def require_level(actor: Any, level: Organization) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not administers_level(actor, level):
        raise NotPermitted(_("You do not administer this level."))


def check_level_deadline(policy: CampaignPolicy, track: Track, level: Organization) -> None:
    """The level acts in the track until its deadline (with an extension granted to it)."""
    if not policy.before_deadline(track, level):
        raise DeadlinePassed(
            _("The deadline of %(level)s for “%(track)s” (%(deadline)s) has passed.")
            % {"level": level.name, "track": track.name, "deadline": format_when(policy.deadline(track, level))})


def lock_counter(level: Organization, track: Track) -> QuotaCounter:
    QuotaCounter.objects.get_or_create(org=level, track=track)
    counter: QuotaCounter = QuotaCounter.objects.select_for_update().get(org=level, track=track)
    return counter


def quota_status(level: Organization, track: Track, policy: CampaignPolicy | None = None,
                 used: int | None = None) -> QuotaStatus:
    policy = policy or policy_for(track.campaign)
    if used is None:
        used = QuotaCounter.objects.filter(org=level, track=track).values_list("used", flat=True).first() or 0
    return QuotaStatus(policy.quota(track, level.kind), used)


def _ids(entries: Iterable[Entry | int]) -> list[int]:
    ids = sorted({e if isinstance(e, int) else e.pk for e in entries})
    if not ids:
        raise DomainError(_("Choose at least one entry."), code="nothing_chosen")
    if len(ids) > MAX_BULK:
        raise DomainError(_("At most %(n)d entries at once.") % {"n": MAX_BULK}, code="too_many")
    return ids


def _track_of(ids: Sequence[int]) -> Track:
    tracks = set(Entry.objects.filter(pk__in=ids).values_list("track_id", flat=True))
    if len(tracks) != 1 or Entry.objects.filter(pk__in=ids).count() != len(ids):
        if len(tracks) > 1:
            raise DomainError(_("Choose entries of one track at a time."), code="mixed_tracks")
        raise DomainError(_("Not found."), code="not_found", status=404)
    track: Track = Track.objects.select_related("campaign__org", "host_unit").get(pk=tracks.pop())
    return track


def _position(entry: Entry, level: Organization) -> ChainPosition:
    """The entry's chain position, locked, which must be at `level`."""
    pos = ChainPosition.objects.select_for_update().filter(entry_id=entry.pk).first()
    if pos is None or pos.level_id != level.pk:
        raise DomainError(_("Entry %(number)s is not waiting at %(level)s.")
                          % {"number": entry.number or entry.pk, "level": level.name}, code="not_at_level",
                          status=409)
    return pos


def _start(actor: Any, ids: Sequence[int], level: Organization,
           at: dt.datetime | None) -> tuple[Track, CampaignPolicy, QuotaCounter]:
    require_level(actor, level)
    track = _track_of(ids)
    policy = policy_for(track.campaign, at)
    check_level_deadline(policy, track, level)
    return track, policy, lock_counter(level, track)


# --- decisions -------------------------------------------------------------------------------------

def recommend(actor: Any, entries: Iterable[Entry | int], level: Organization, *,
              at: dt.datetime | None = None) -> list[Entry]:
    """Recommend entries of one track waiting at `level` upward, all or nothing, within the
    level's quota for the track (checked under the counter's lock)."""
    ids = _ids(entries)
    when = _now(at)
    with transaction.atomic():
        track, policy, counter = _start(actor, ids, level, at)
        quota = policy.quota(track, level.kind)
        if quota is not None and counter.used + len(ids) > quota:
            raise QuotaExceeded(
                _("Quota full: %(level)s may recommend %(quota)d entries in “%(track)s”; %(used)d recommended, "
                  "%(left)d left, %(n)d chosen.")
                % {"level": level.name, "track": track.name, "quota": quota, "used": counter.used,
                   "left": max(quota - counter.used, 0), "n": len(ids)})
        rank = (ChainPosition.objects.filter(level=level, track=track, recommended=True)
                .aggregate(m=Max("rank"))["m"] or 0)
        done = []
        for pk in ids:
            rank += 1

            def prepare(locked: Entry, rank: int = rank) -> dict[str, Any]:
                pos = _position(locked, level)
                if pos.recommended:
                    raise DomainError(_("Entry %(number)s is already recommended.") % {"number": locked.number},
                                      code="already_recommended", status=409)
                pos.recommended, pos.recommended_at, pos.rank = True, when, rank
                pos.save(update_fields=["recommended", "recommended_at", "rank"])
                return {"rank": rank}

            done.append(workflow.apply(actor, pk, "recommend", level=level, at=when, prepare=prepare).entry)
        counter.used += len(ids)
        counter.save(update_fields=["used"])
    return done


def _undecide(pos: ChainPosition, counter: QuotaCounter) -> None:
    """The level takes back its recommendation (the entry is returned or rejected): its slot is free."""
    if pos.recommended:
        counter.used = max(counter.used - 1, 0)
    pos.recommended, pos.recommended_at, pos.rank = False, None, None
    pos.save(update_fields=["recommended", "recommended_at", "rank"])


def reject(actor: Any, entries: Iterable[Entry | int], level: Organization, reason: str, *,
           at: dt.datetime | None = None) -> list[Entry]:
    """Do not recommend (with the reason): the entry stays at the level, rejected."""
    ids = _ids(entries)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why."), code="reason_required", field="reason")
    when = _now(at)
    with transaction.atomic():
        _track, _policy, counter = _start(actor, ids, level, at)
        done = []
        for pk in ids:
            def prepare(locked: Entry) -> dict[str, Any]:
                _undecide(_position(locked, level), counter)
                return {}

            done.append(workflow.apply(actor, pk, "reject", reason=reason, level=level, at=when,
                                       prepare=prepare).entry)
        counter.save(update_fields=["used"])
    return done


def return_for_revision(actor: Any, entries: Iterable[Entry | int], level: Organization, reason: str, *,
                        at: dt.datetime | None = None) -> list[Entry]:
    """Send entries back to their entrants for changes (with the reason). A resubmitted entry
    waits again at this level. A submitted entry takes the kernel's return step; one that a lower
    level recommended takes `return_at_level` (same decision, same audit action)."""
    ids = _ids(entries)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the entry is returned."), code="reason_required", field="reason")
    when = _now(at)
    with transaction.atomic():
        _track, _policy, counter = _start(actor, ids, level, at)
        done = []
        for pk in ids:
            locked = workflow.lock(pk)
            _undecide(_position(locked, level), counter)
            if locked.status == EntryStatus.SUBMITTED:
                done.append(entry_services.return_entry(actor, locked, reason, level=level, at=when))
            else:
                done.append(workflow.apply(actor, locked, "return_at_level", reason=reason, level=level,
                                           at=when).entry)
        counter.save(update_fields=["used"])
    return done


def set_opinion(actor: Any, entry: Entry | int, level: Organization, text: str, *,
                at: dt.datetime | None = None) -> UnitOpinion:
    """The level's opinion on an entry waiting there (shown on the forms it reports)."""
    text = (text or "").strip()
    if len(text) > 2000:
        raise DomainError(_("At most %(n)d characters.") % {"n": 2000}, code="too_long", field="text")
    ids = _ids([entry])
    when = _now(at)
    saved: list[UnitOpinion] = []
    with transaction.atomic():
        _start(actor, ids, level, at)

        def prepare(locked: Entry) -> dict[str, Any]:
            _position(locked, level)
            op, _c = UnitOpinion.objects.update_or_create(entry=locked, level=level,
                                                          defaults={"text": text, "author": actor, "updated": when})
            saved.append(op)
            return {"opinion": text[:200]}

        workflow.apply(actor, ids[0], "unit_opinion", level=level, at=when, prepare=prepare)
    return saved[0]


def reorder_recommended(actor: Any, level: Organization, track: Track, ordered: Sequence[Entry | int], *,
                        at: dt.datetime | None = None) -> list[int]:
    """Put the level's recommended entries of a track in this order (every one of them, once)."""
    ids = [e if isinstance(e, int) else e.pk for e in ordered]
    with transaction.atomic():
        require_level(actor, level)
        policy = policy_for(track.campaign, at)
        check_level_deadline(policy, track, level)
        lock_counter(level, track)
        positions = {p.entry_id: p for p in ChainPosition.objects.select_for_update()
                     .filter(level=level, track=track, recommended=True)}
        if len(ids) != len(set(ids)) or set(ids) != set(positions):
            raise DomainError(_("List every recommended entry of this track exactly once."), code="invalid_order")
        before = sorted(positions, key=lambda pk: (positions[pk].rank or 0, pk))
        for n, pk in enumerate(ids, start=1):
            if positions[pk].rank != n:
                positions[pk].rank = n
                positions[pk].save(update_fields=["rank"])
        audit.record("reporting.reorder", level, actor=actor, before={"order": before}, after={"order": ids},
                     scope=audit.AuditScope(org_path=level.path, campaign_id=track.campaign_id))
    return ids


# --- batches ---------------------------------------------------------------------------------------

def _recommended_here(level: Organization, track: Track) -> list[ChainPosition]:
    return list(ChainPosition.objects.filter(level=level, track=track, recommended=True)
                .select_related("entry").order_by("rank", "entry_id"))


def create_batch(actor: Any, level: Organization, track: Track, *, note: str = "",
                 at: dt.datetime | None = None) -> Batch:
    """The level's draft batch of its recommended entries of the track, in their order. One draft
    per level and track: calling again refreshes it with the entries recommended since."""
    when = _now(at)
    with transaction.atomic():
        require_level(actor, level)
        track = Track.objects.select_related("campaign__org", "host_unit").get(pk=track.pk)
        policy = policy_for(track.campaign, at)
        check_level_deadline(policy, track, level)
        counter = lock_counter(level, track)
        positions = _recommended_here(level, track)
        if not positions:
            raise DomainError(_("No recommended entries of this track to report."), code="nothing_to_report")
        batch = Batch.objects.select_for_update().filter(level=level, track=track, status=BatchStatus.DRAFT).first()
        created = batch is None
        if batch is None:
            target, to_host = next_level(level, track)
            counter.batches += 1
            counter.save(update_fields=["batches"])
            number = f"{track.campaign.year}-{track.number:02d}-{level.code}-{counter.batches:03d}"
            batch = Batch.objects.create(level=level, track=track, target=target, to_host=to_host, number=number,
                                         note=(note or "").strip()[:2000], created_by=actor, created_at=when)
        elif note:
            batch.note = note.strip()[:2000]
            batch.save(update_fields=["note"])
        batch.items.all().delete()
        BatchItem.objects.bulk_create([BatchItem(batch=batch, entry=p.entry, position=n)
                                       for n, p in enumerate(positions, start=1)])
        audit.record("batch.create" if created else "batch.refresh", batch, actor=actor, before=None,
                     after={"number": batch.number, "entries": [p.entry_id for p in positions],
                            "target": batch.target_id},
                     scope=audit.AuditScope(org_path=level.path, campaign_id=track.campaign_id))
    return batch


def send_batch(actor: Any, batch: Batch, *, at: dt.datetime | None = None) -> Batch:
    """Report the batch: each entry moves up to the next level (or reaches the host unit,
    status reported). Entries no longer recommended at the level drop out of the batch."""
    when = _now(at)
    with transaction.atomic():
        locked: Batch = (Batch.objects.select_for_update(of=("self",))
                         .select_related("level", "target", "track__campaign__org", "track__host_unit")
                         .get(pk=batch.pk))
        if not actor.is_authenticated or not actor.has_perm("reporting.view_batch", locked):
            raise NotPermitted(_("You may not do this with this batch."))
        if locked.status != BatchStatus.DRAFT:
            raise DomainError(_("This batch has already been sent."), code="already_sent", status=409)
        if not actor.has_perm("reporting.send_batch", locked):
            raise NotPermitted(_("Only the reporting level sends its batch."))
        level, track = locked.level, locked.track
        policy = policy_for(track.campaign, at)
        check_level_deadline(policy, track, level)
        lock_counter(level, track)
        here = {p.entry_id: p for p in _recommended_here(level, track)}
        items = list(locked.items.order_by("position", "id"))
        gone = [i.pk for i in items if i.entry_id not in here]
        BatchItem.objects.filter(pk__in=gone).delete()
        items = [i for i in items if i.entry_id in here]
        if not items:
            raise DomainError(_("No recommended entries of this track to report."), code="nothing_to_report")
        step = "report_to_host" if locked.to_host else "report_up"
        for item in sorted(items, key=lambda i: i.entry_id):
            def prepare(entry: Entry) -> dict[str, Any]:
                pos = _position(entry, level)
                pos.level, pos.arrived_at = locked.target, when
                pos.recommended, pos.recommended_at, pos.rank = False, None, None
                pos.save()
                return {"batch": locked.number, "to": locked.target_id}

            workflow.apply(actor, item.entry_id, step, level=level, at=when, prepare=prepare)
        locked.status, locked.sent_by, locked.sent_at = BatchStatus.SENT, actor, when
        locked.save(update_fields=["status", "sent_by", "sent_at"])
        audit.record("batch.send", locked, actor=actor, before={"status": BatchStatus.DRAFT},
                     after={"status": BatchStatus.SENT, "entries": [i.entry_id for i in items],
                            "target": locked.target_id, "dropped": len(gone)},
                     scope=audit.AuditScope(org_path=level.path, campaign_id=track.campaign_id))
    return locked


def attach_stamp(actor: Any, batch: Batch, upload: UploadedFile) -> Batch:
    """The scan of the stamped summary table (公章), stored through Django's storage."""
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in STAMP_TYPES:
        raise DomainError(_("Upload the scan as PDF, JPG or PNG."), code="bad_file_type", field="file")
    if (upload.size or 0) > STAMP_MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.") % {"mb": STAMP_MAX_BYTES // (1024 * 1024)},
                          code="file_too_large", field="file")
    with transaction.atomic():
        locked: Batch = Batch.objects.select_for_update(of=("self",)).select_related("level", "track").get(pk=batch.pk)
        if not (actor.is_authenticated and (actor.is_superuser or administers_level(actor, locked.level))):
            raise NotPermitted(_("Only the reporting level sends its batch."))
        old = locked.stamp_scan.name or None
        locked.stamp_scan.save(f"{locked.number}.{ext}", upload, save=True)
        audit.record("batch.stamp", locked, actor=actor, before={"file": old}, after={"file": locked.stamp_scan.name},
                     scope=audit.AuditScope(org_path=locked.level.path,
                                            campaign_id=locked.track.campaign_id))
    return locked
