"""Domain functions for an entry's life before review: create, save (autosave), submit, edit
until the deadline, withdraw, return for changes and resubmit.

Every function is one transaction, locks the entry row, checks permission, enforces the
collection window and the deadline itself (not only the form), writes an audit record with the
status before and after, and notifies the entrant.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import LevelRule, Phase, Track
from zhengji.campaigns.schema import FieldDef, count_words, parse_schema
from zhengji.common import audit
from zhengji.common.context import current_ip
from zhengji.common.errors import DeadlinePassed, DomainError, NotPermitted
from zhengji.orgs.models import Membership, MembershipStatus, Organization

from . import files, notifications
from .answers import clean_answers
from .files import parse_ids  # noqa: F401  (re-exported for views and the API)
from .models import EntrantType, Entry, EntryAuthor, EntryStatus, TrackCounter
from .pledge import PLEDGE_VERSION

SHANGHAI = ZoneInfo("Asia/Shanghai")
EDITABLE = {EntryStatus.DRAFT, EntryStatus.SUBMITTED, EntryStatus.RETURNED}
# In the entrant's hands: saved leniently (autosave keeps whatever was typed).
DRAFTLIKE = {EntryStatus.DRAFT, EntryStatus.RETURNED}
# Before review starts; later states belong to the reporting chain and review.
WITHDRAWABLE = {EntryStatus.DRAFT, EntryStatus.SUBMITTED, EntryStatus.RETURNED}
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- the track, its form and its dates ----------------------------------------------------------

def track_fields(track: Track) -> list[FieldDef]:
    try:
        return parse_schema(track.form_schema)
    except ValidationError:
        raise DomainError(_("The entry form of this track is not set up correctly; please contact the organisers."),
                          code="form_misconfigured")


def is_collecting(track: Track) -> bool:
    return bool(track.is_open and track.campaign.phase == Phase.COLLECTING)


def _check_collecting(track: Track) -> None:
    if not is_collecting(track):
        raise DomainError(_("“%(track)s” is not accepting entries now.") % {"track": track.name},
                          code="collection_closed", status=409)


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def _deadline(track: Track, org_kind: str) -> dt.datetime:
    """The report deadline of a level: the track's rule, else the campaign's, else the end of the
    collection period (end of day, Asia/Shanghai)."""
    rules = list(LevelRule.objects.filter(Q(track=track) | Q(track__isnull=True),
                                          campaign_id=track.campaign_id, org_kind=org_kind))
    for r in rules:
        if r.track_id == track.pk:
            return r.deadline
    if rules:
        return rules[0].deadline
    return _end_of_day(track.campaign.collect_end)


def deadline(track: Track, org_kind: str) -> dt.datetime:
    """The campaigns app's deadline_for when it exists, else our own reading of LevelRule."""
    try:
        from zhengji.campaigns.services import deadline_for  # type: ignore[attr-defined]
    except ImportError:
        return _deadline(track, org_kind)
    value = deadline_for(track, org_kind)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return _end_of_day(value)
    return value or _deadline(track, org_kind)


def deadline_for_entry(entry: Entry) -> dt.datetime:
    return deadline(entry.track, entry.unit.kind)


def format_deadline(when: dt.datetime) -> str:
    return timezone.localtime(when, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _check_deadline(track: Track, unit: Organization) -> None:
    when = deadline(track, unit.kind)
    if timezone.now() > when:
        raise DeadlinePassed(_("The deadline (%(deadline)s) has passed; the entry can no longer be changed.")
                             % {"deadline": format_deadline(when)})


def can_edit_now(entry: Entry) -> bool:
    return entry.status in EDITABLE and timezone.now() <= deadline_for_entry(entry)


# --- who enters for which unit ------------------------------------------------------------------

def worker_unit(user) -> Organization | None:
    """The worker's confirmed grassroots union, if any."""
    m = (Membership.objects.select_related("org")
         .filter(user=user, status=MembershipStatus.CONFIRMED, org__is_active=True).first())
    return m.org if m else None


def unit_choices(user):
    """Organisations a unit admin may enter in the name of: their subtrees."""
    return Organization.objects.filter(scopes_for(user).subtree_q(), is_active=True).order_by("path")


def entrant_types_for(track: Track) -> list[str]:
    valid = [t for t in (track.entrant_types or []) if t in EntrantType.values]
    return valid or [EntrantType.INDIVIDUAL]


def open_tracks():
    """Tracks accepting entries today (published campaign in its collection phase)."""
    today = timezone.localdate()
    return (Track.objects.select_related("campaign")
            .filter(is_open=True, campaign__is_published=True, campaign__collect_start__lte=today,
                    campaign__review_start__gt=today)
            .order_by("-campaign__year", "campaign_id", "number"))


# --- changes --------------------------------------------------------------------------------------

@dataclass
class Changes:
    """What an edit brings; None means "leave as it is"."""

    title: str | None = None
    summary: str | None = None
    contact_phone: str | None = None
    data: dict | None = None  # raw answers by schema key (only the keys present are changed)
    authors: list[dict] | None = None  # [{"name", "unit_name", "role"}] in credit order
    files: dict[str, list[int]] = field(default_factory=dict)  # slot key -> MediaFile ids in order

    @classmethod
    def from_dict(cls, d: dict) -> Changes:
        return cls(**{k: d[k] for k in ("title", "summary", "contact_phone", "data", "authors", "files")
                      if k in d and d[k] is not None})


def _apply(entry: Entry, fields: list[FieldDef], ch: Changes, *, strict: bool) -> tuple[list[str], dict]:
    """Write the changes on the locked entry; return (changed names, per-field media errors)."""
    changed: list[str] = []
    if ch.title is not None:
        title = str(ch.title).strip()[:200]
        if title != entry.title:
            entry.title = title
            changed.append("title")
    if ch.summary is not None:
        summary = str(ch.summary).strip()[:20000]
        if summary != entry.summary:
            entry.summary = summary
            changed.append("summary")
    if ch.contact_phone is not None:
        phone = re.sub(r"[\s-]", "", str(ch.contact_phone))[:20]
        if phone != entry.contact_phone:
            entry.contact_phone = phone
            changed.append("contact_phone")
    if ch.data is not None:
        keys = {f.key for f in fields if f.type != "file"}
        merged = dict(entry.data or {})
        merged.update({k: v for k, v in ch.data.items() if k in keys})
        data, _errors = clean_answers(fields, merged, strict=False)
        if data != (entry.data or {}):
            entry.data = data
            changed.append("data")
    if ch.authors is not None:
        rows = []
        for a in ch.authors[: _setting("ENTRIES_MAX_AUTHORS", 20) + 5]:
            name = str(a.get("name") or "").strip()[:60]
            unit_name = str(a.get("unit_name") or "").strip()[:200]
            role = str(a.get("role") or "").strip()[:60]
            if name or unit_name or role:
                rows.append((name, unit_name, role))
        current = [(a.name, a.unit_name, a.role) for a in entry.authors.all()]
        if rows != current:
            entry.authors.all().delete()
            EntryAuthor.objects.bulk_create([EntryAuthor(entry=entry, position=i, name=n, unit_name=u, role=r)
                                             for i, (n, u, r) in enumerate(rows)])
            changed.append("authors")
    media_errors = files.attach(entry, fields, ch.files, strict=strict)
    if ch.files:
        changed.append("files")
    return changed, media_errors


def validate(entry: Entry, fields: list[FieldDef]) -> dict[str, list[str]]:
    """Everything a submission needs, as per-field errors (empty when complete)."""
    errors: dict[str, list[str]] = {}
    if not entry.title.strip():
        errors["title"] = [_("Give the entry a title.")]
    max_words = _setting("ENTRIES_SUMMARY_MAX_WORDS", 1000)
    if entry.summary and count_words(entry.summary) > max_words:
        errors["summary"] = [_("At most %(max)d characters or words (now %(n)d).")
                             % {"max": max_words, "n": count_words(entry.summary)}]
    if not PHONE_RE.match(entry.contact_phone or ""):
        errors["contact_phone"] = [_("Enter a valid mainland mobile number (11 digits).")]
    authors = list(entry.authors.all())
    if entry.entrant_type != EntrantType.UNIT and not authors:
        errors["authors"] = [_("Name at least one author.")]
    elif any(not a.name for a in authors):
        errors["authors"] = [_("Every author needs a name.")]
    elif entry.entrant_type == EntrantType.INDIVIDUAL and len(authors) > 1:
        errors["authors"] = [_("An individual entry has one author; choose a team entry for several.")]
    elif len(authors) > _setting("ENTRIES_MAX_AUTHORS", 20):
        errors["authors"] = [_("At most %(n)d authors.") % {"n": _setting("ENTRIES_MAX_AUTHORS", 20)}]
    _data, answer_errors = clean_answers(fields, entry.data or {}, strict=True)
    errors.update(answer_errors)
    for key, messages in files.slot_errors(entry, fields).items():
        errors.setdefault(key, []).extend(messages)
    return errors


def _lock(entry: Entry) -> Entry:
    return (Entry.objects.select_for_update(of=("self",)).select_related("track__campaign", "unit", "submitter")
            .get(pk=entry.pk))


def _require(actor, perm: str, entry: Entry) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm, entry):
        raise NotPermitted(_("You may not do this with this entry."))


# --- the lifecycle --------------------------------------------------------------------------------

@transaction.atomic
def create_draft(actor, track: Track, *, entrant_type: str | None = None, unit: Organization | None = None,
                 changes: Changes | None = None) -> Entry:
    """Start an entry in a track that is collecting, for the worker's own union or, for a unit
    entry, for an organisation in the unit admin's subtree."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    track = Track.objects.select_related("campaign").get(pk=track.pk)
    _check_collecting(track)
    allowed = entrant_types_for(track)
    if entrant_type is None:
        entrant_type = next((t for t in allowed if t != EntrantType.UNIT), allowed[0])
    if entrant_type not in allowed:
        raise DomainError(_("This track does not accept this kind of entrant."), code="entrant_type_not_allowed",
                          field="entrant_type")
    if entrant_type == EntrantType.UNIT:
        if unit is None or not (actor.is_superuser or scopes_for(actor).administers_path(unit.path)):
            raise NotPermitted(_("Only an admin of the unit can enter in its name."))
    else:
        unit = worker_unit(actor)
        if unit is None:
            raise DomainError(_("Join your grassroots union (and wait for its confirmation) before entering."),
                              code="membership_required")
    _check_deadline(track, unit)
    fields = track_fields(track)
    entry = Entry.objects.create(track=track, submitter=actor, unit=unit, entrant_type=entrant_type,
                                 contact_phone=actor.phone or "")
    ch = changes or Changes()
    if ch.authors is None and entrant_type != EntrantType.UNIT and actor.real_name:
        ch.authors = [{"name": actor.real_name, "unit_name": unit.name, "role": ""}]
    _apply(entry, fields, ch, strict=False)
    entry.save()
    audit.record("entry.create", entry, actor=actor, before=None,
                 after={"status": entry.status, "track": track.pk, "unit": unit.pk, "entrant_type": entrant_type})
    return entry


@transaction.atomic
def save_draft(actor, entry: Entry, changes: Changes) -> Entry:
    """Save an edit. A draft (or a returned entry) keeps whatever was typed, valid or not, so
    autosave never loses input. A submitted entry stays valid: the edit is checked in full and
    refused as a whole with per-field errors (ValidationError)."""
    entry = _lock(entry)
    _require(actor, "entries.change_entry", entry)
    if entry.status not in EDITABLE:
        raise DomainError(_("This entry can no longer be changed."), code="not_editable", status=409)
    _check_deadline(entry.track, entry.unit)
    fields = track_fields(entry.track)
    strict = entry.status == EntryStatus.SUBMITTED
    changed, media_errors = _apply(entry, fields, changes, strict=strict)
    if strict:
        errors = {**validate(entry, fields)}
        for k, v in media_errors.items():
            errors.setdefault(k, []).extend(v)
        if errors:
            raise ValidationError(errors)
        # A submitted entry keeps its answers normalised, as on submission.
        entry.data, _e = clean_answers(fields, entry.data or {}, strict=True)
    entry.save()
    if changed:
        audit.record("entry.edit" if strict else "entry.save", entry, actor=actor,
                     before={"status": entry.status}, after={"status": entry.status, "changed": changed})
    return entry


@transaction.atomic
def submit(actor, entry: Entry, *, pledge: bool) -> Entry:
    """Submit (or resubmit after a return): everything valid, the pledge accepted, within the
    collection period and the deadline. The entry number is given on the first submission."""
    entry = _lock(entry)
    _require(actor, "entries.submit_entry", entry)
    if entry.status == EntryStatus.SUBMITTED:
        raise DomainError(_("This entry has already been submitted."), code="already_submitted", status=409)
    if entry.status not in DRAFTLIKE:
        raise DomainError(_("This entry can no longer be submitted."), code="not_submittable", status=409)
    _check_collecting(entry.track)
    _check_deadline(entry.track, entry.unit)
    fields = track_fields(entry.track)
    errors = validate(entry, fields)
    pledge_message = _("Accept the originality pledge and licence grant to submit.")
    if errors:
        # Everything that is missing at once, the pledge included.
        if not pledge:
            errors["pledge"] = [pledge_message]
        raise ValidationError(errors)
    if not pledge:
        raise DomainError(pledge_message, code="pledge_required", field="pledge")
    before = entry.status
    entry.data, _e = clean_answers(fields, entry.data or {}, strict=True)
    if not entry.number:
        entry.number = _next_number(entry.track)
    now = timezone.now()
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_at = now
    entry.pledge_version = PLEDGE_VERSION
    entry.pledged_at = now
    entry.pledge_ip = current_ip()
    entry.return_reason = ""
    entry.save()
    resubmitted = before == EntryStatus.RETURNED
    audit.record("entry.resubmit" if resubmitted else "entry.submit", entry, actor=actor,
                 before={"status": before}, after={"status": entry.status, "number": entry.number,
                                                   "pledge_version": PLEDGE_VERSION})
    notifications.entry_submitted(entry, resubmitted=resubmitted)
    return entry


def _next_number(track: Track) -> str:
    """`{year}-{track:02d}-{seq:06d}`. The per-track counter row is locked for the rest of the
    transaction, so concurrent submissions queue here and each gets the next number; the unique
    constraint on Entry.number is the backstop."""
    TrackCounter.objects.get_or_create(track=track)
    counter = TrackCounter.objects.select_for_update().get(track=track)
    while True:
        counter.last += 1
        number = f"{track.campaign.year}-{track.number:02d}-{counter.last:06d}"
        if not Entry.objects.filter(number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number


@transaction.atomic
def withdraw(actor, entry: Entry, reason: str = "") -> Entry:
    entry = _lock(entry)
    _require(actor, "entries.withdraw_entry", entry)
    if entry.status not in WITHDRAWABLE:
        raise DomainError(_("The entry is already under review and can no longer be withdrawn."),
                          code="not_withdrawable", status=409)
    before = entry.status
    entry.status = EntryStatus.WITHDRAWN
    entry.save()
    audit.record("entry.withdraw", entry, actor=actor, before={"status": before},
                 after={"status": entry.status}, reason=str(reason or "")[:2000])
    notifications.entry_withdrawn(entry)
    return entry


@transaction.atomic
def return_entry(actor, entry: Entry, reason: str) -> Entry:
    """A unit admin of the entry's subtree sends a submitted entry back to the entrant for changes.
    (Minimal for now; the reporting chain builds on it.)"""
    entry = _lock(entry)
    _require(actor, "entries.return_entry", entry)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the entry is returned."), code="reason_required", field="reason")
    if entry.status != EntryStatus.SUBMITTED:
        raise DomainError(_("Only a submitted entry can be returned."), code="not_returnable", status=409)
    before = entry.status
    entry.status = EntryStatus.RETURNED
    entry.return_reason = reason[:2000]
    entry.save()
    audit.record("entry.return", entry, actor=actor, before={"status": before}, after={"status": entry.status},
                 reason=entry.return_reason)
    notifications.entry_returned(entry, entry.return_reason)
    return entry


def history(entry: Entry):
    """The entry's audit records, oldest first (the status timeline)."""
    from zhengji.common.models import AuditLog

    return (AuditLog.objects.filter(object_type="entries.entry", object_id=str(entry.pk))
            .select_related("actor").order_by("at", "id"))


def format_local(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return formats.date_format(timezone.localtime(when, SHANGHAI), "Y-m-d H:i")
