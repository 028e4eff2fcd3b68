"""Entries on behalf of workers (代报) and their claim.

A unit admin (of a unit or an ancestor) enters a work for a named worker who may never register:
the entry's unit is a unit of the admin's subtree, the admin is its submitter (so the track's
same entry form, uploads and pledge apply unchanged) and an `OnBehalf` row names the worker
(name, mobile number). When the admin submits, the pledge is recorded as made by the admin on the
worker's behalf. The worker who later logs in with that number and verifies it with an SMS code
claims the entry (the workflow step `claim`): the entry and its files become theirs, the change
is audited, and the unit admins above keep seeing it through the unit view.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import PhoneCode
from zhengji.accounts.scopes import scopes_for
from zhengji.accounts.services import SentCode, check_phone, send_code, verify_code
from zhengji.campaigns.models import EntrantType, Track
from zhengji.campaigns.policy import entrant_types_of
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.i18n import mask_phone
from zhengji.entries import services as entry_services
from zhengji.entries import workflow
from zhengji.entries.files import files_of
from zhengji.entries.models import Entry, EntryEvent, EntryStatus
from zhengji.entries.services import Changes
from zhengji.media.models import MediaFile
from zhengji.orgs.models import Organization

from .models import OnBehalf

# The SMS code that proves a logged-in user holds a number (nothing else uses this purpose).
CLAIM_PURPOSE = PhoneCode.Purpose.LOGIN
MAX_NAME = 60


def may_enter(user: Any) -> bool:
    """Unit admins (and superusers) enter on behalf of the workers of their subtree."""
    return bool(user is not None and user.is_authenticated
                and (user.is_superuser or scopes_for(user).admin_org_paths))


def clean_worker(name: str, phone: str) -> tuple[str, str]:
    """The worker's name and normalised mobile number, or DomainError naming the field."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the worker's name."), code="worker_name_required", field="worker_name")
    if len(name) > MAX_NAME:
        raise DomainError(_("The worker's name is at most %(n)d characters.") % {"n": MAX_NAME},
                          code="worker_name_too_long", field="worker_name")
    return name, check_phone(phone)


def entrant_type_for(track: Track, authors: int = 1) -> str:
    """An individual entry (a team entry when several authors are named and the track takes
    teams); DomainError when the track takes only unit entries."""
    allowed = entrant_types_of(track)
    if authors > 1 and EntrantType.TEAM in allowed:
        return EntrantType.TEAM
    for kind in (EntrantType.INDIVIDUAL, EntrantType.TEAM):
        if kind in allowed:
            return kind
    raise DomainError(_("This track takes only unit entries; enter them in the unit's name instead."),
                      code="entrant_type_not_allowed", field="track")


def unit_in_subtree(actor: Any, unit: Organization | None) -> Organization:
    if unit is None:
        raise DomainError(_("Choose the worker's unit."), code="unit_required", field="unit")
    if not (actor.is_superuser or scopes_for(actor).administers_path(unit.path)):
        raise NotPermitted(_("This unit is outside the units you administer."))
    return unit


def start(actor: Any, track: Track, *, unit: Organization | None, worker_name: str, phone: str,
          changes: Changes | None = None, source: Any = None, source_row: int | None = None,
          at: dt.datetime | None = None) -> Entry:
    """Start a draft for a named worker of `unit` (in the admin's subtree): the admin is the
    submitter, the worker's number is the entry's contact phone and the worker its first author
    unless `changes` names the authors. Audited as `entry.on_behalf`."""
    if not may_enter(actor):
        raise NotPermitted(_("Only unit admins enter works on behalf of workers."))
    name, number = clean_worker(worker_name, phone)
    unit = unit_in_subtree(actor, unit)
    ch = changes or Changes()
    authors = ch.authors if ch.authors else [{"name": name, "unit_name": unit.name, "role": ""}]
    ch.authors = authors
    ch.contact_phone = number
    kind = entrant_type_for(track, len([a for a in authors if str(a.get("name") or "").strip()]))
    when = at or timezone.now()
    with transaction.atomic():
        entry = entry_services.create_draft(actor, track, entrant_type=kind, entrant_unit=unit, changes=ch, at=at)
        OnBehalf.objects.create(entry=entry, worker_name=name, phone=number, entered_by=actor, entered_at=when,
                                source=source, source_row=source_row)
        audit.record("entry.on_behalf", entry, actor=actor, before=None,
                     after={"worker_name": name, "phone": mask_phone(number), "unit": unit.pk,
                            "import": getattr(source, "pk", None), "row": source_row}, at=at)
    return entry


def record_pledge(entry: Entry, event: EntryEvent) -> None:
    """Workflow hook of `submit`/`resubmit` (inside the step's transaction): while the worker has
    not claimed the entry, the pledge was made by the admin on the worker's behalf."""
    OnBehalf.objects.filter(entry_id=entry.pk, claimed_at__isnull=True).update(
        pledged_by_id=event.actor_id, pledged_at=event.at)


def connect() -> None:
    """Workflow hooks (called once from ReportingConfig.ready)."""
    workflow.on_applied("submit", record_pledge)
    workflow.on_applied("resubmit", record_pledge)


# --- who sees what ---------------------------------------------------------------------------------

def entered_for(user: Any) -> QuerySet[OnBehalf]:
    """On-behalf entries an admin may list: of units in their subtree, once submitted, plus the
    drafts they started themselves (drafts stay private to whoever holds them)."""
    qs = OnBehalf.objects.select_related("entry__track__campaign", "entry__unit", "entered_by", "claimed_by")
    if not may_enter(user):
        return qs.none()
    if user.is_superuser:
        return qs.filter(Q(entry__submitted_at__isnull=False) | Q(entered_by=user))
    scope = scopes_for(user).subtree_q("entry__unit__")
    return qs.filter(scope & (Q(entry__submitted_at__isnull=False) | Q(entry__submitter=user)))


def shown_phone(viewer: Any, ob: OnBehalf) -> str:
    """The worker's number in full for the admins of the entry's unit subtree and the worker."""
    if viewer is not None and viewer.is_authenticated and (
            viewer.is_superuser or (viewer.phone and viewer.phone == ob.phone)
            or scopes_for(viewer).administers_path(ob.entry.unit.path)):
        return ob.phone
    return mask_phone(ob.phone)


# --- the claim -------------------------------------------------------------------------------------

def claimable(user: Any) -> QuerySet[OnBehalf]:
    """Entries entered for this user's number and not claimed yet (submitted ones only: a draft
    is still in the admin's hands)."""
    if user is None or not user.is_authenticated or not getattr(user, "phone", None):
        return OnBehalf.objects.none()
    return (OnBehalf.objects.filter(phone=user.phone, claimed_at__isnull=True, entry__submitted_at__isnull=False)
            .exclude(entry__status=EntryStatus.WITHDRAWN)
            .select_related("entry__track", "entry__unit").order_by("entry_id"))


def send_claim_code(user: Any, *, ip: str | None = None) -> SentCode:
    """Send an SMS code to the user's own number, when entries wait to be claimed for it."""
    if user is None or not user.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not claimable(user).exists():
        raise DomainError(_("No entries were entered for your mobile number."), code="nothing_to_claim",
                          status=404)
    return send_code(user.phone, CLAIM_PURPOSE, ip=ip)


def claim(user: Any, code: str, *, entries: list[int] | None = None, at: dt.datetime | None = None) -> list[Entry]:
    """Verify the SMS code sent to the user's number, then take over the entries entered for it
    (all, or those of `entries`): the user becomes the submitter and the owner of the files.
    A wrong code changes nothing (and counts as an attempt)."""
    if user is None or not user.is_authenticated:
        raise NotPermitted(_("Please log in."))
    waiting = claimable(user)
    if entries is not None:
        waiting = waiting.filter(entry_id__in=entries)
    if not waiting.exists():
        raise DomainError(_("No entries were entered for your mobile number."), code="nothing_to_claim",
                          status=404)
    verify_code(user.phone, CLAIM_PURPOSE, code)
    when = at or timezone.now()
    done: list[Entry] = []
    with transaction.atomic():
        for ob_id in list(waiting.values_list("entry_id", flat=True)):
            def prepare(locked: Entry) -> dict[str, Any]:
                ob = OnBehalf.objects.select_for_update().get(entry_id=locked.pk)
                if ob.claimed_at is not None or ob.phone != user.phone:
                    raise DomainError(_("This entry has already been claimed."), code="already_claimed",
                                      status=409)
                previous = locked.submitter_id
                media_ids = list(files_of(locked).values_list("pk", flat=True))
                MediaFile.objects.filter(pk__in=media_ids).update(owner=user)
                locked.submitter = user
                ob.claimed_by, ob.claimed_at = user, when
                ob.save(update_fields=["claimed_by", "claimed_at"])
                return {"submitter": user.pk, "previous_submitter": previous, "files": media_ids}

            done.append(workflow.apply(user, ob_id, "claim", at=when, prepare=prepare).entry)
    return done
