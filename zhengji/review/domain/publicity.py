"""Publicity (公示) of a track's proposed results, objections (异议) and the finalisation.

- `publish`: the frozen results of a track go on public notice for the set-up's number of
  working days (`review.workdays`); one current publicity per track;
- `withdraw`: staff take them off notice (with a reason);
- `file_objection`: a logged-in user with a verified phone objects to an entry on the list while
  the notice runs (real name, unit, reason, evidence files; a unit's objection needs the scan of
  its sealed letter); at most `OBJECTIONS_PER_DAY` per user, publicity and day;
- `uphold` / `dismiss`: a moderator (or campaign admin) answers; the objector is told (site and
  SMS), and an upheld objection goes back to the track's staff;
- `finalise`: after the period, with no objection left open, the entries with an award tier are
  awarded and the other scored entries of the track are not (`entries.workflow`).

Each function: one transaction, the row that must not race locked, the permission, the audit
record, notifications after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import RoleAssignment
from zhengji.accounts.scopes import CAMPAIGN_ADMIN, HOST_STAFF, MODERATOR
from zhengji.campaigns.models import Track
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.notify import notify, notify_many
from zhengji.entries import workflow
from zhengji.entries.models import Entry, EntryStatus
from zhengji.media.models import MediaFile, MediaStatus

from .. import objection_files
from ..models import (
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityStatus,
    ResultLine,
    Round,
    RoundKind,
    RoundStatus,
)
from ..publicity_queries import CURRENT, current_publicity
from ..queries import frozen_snapshot, setup_for
from ..workdays import add_working_days, local

OBJECTIONS_PER_DAY = 5
MAX_NAME = 60
MAX_UNIT = 200
MAX_REASON = 5000
MAX_REPLY = 5000


class PeriodNotOver(DomainError):
    code = "period_not_over"
    status = 409


class NotOpen(DomainError):
    code = "not_open"
    status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


def _when(moment: dt.datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def _require(actor: Any, perm: str, obj: Any) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not actor.has_perm(perm, obj):
        raise NotPermitted(_("You do not have permission to do this."))


def _users_with(role: str, scope_type: str, scope_ids: Sequence[int]) -> list[Any]:
    ids = (RoleAssignment.objects.filter(role=role, scope_type=scope_type, scope_id__in=list(scope_ids))
           .values_list("user_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def moderators_of(track: Track) -> list[Any]:
    """Who handles the objections of a track: the moderators and admins of its campaign."""
    users = {u.pk: u for u in _users_with(MODERATOR, "campaigns.campaign", [track.campaign_id])}
    users.update({u.pk: u for u in _users_with(CAMPAIGN_ADMIN, "campaigns.campaign", [track.campaign_id])})
    return list(users.values())


def staff_of(track: Track) -> list[Any]:
    """The host-unit staff who run the track's review."""
    return _users_with(HOST_STAFF, "campaigns.track", [track.pk])


# --- publish, withdraw ------------------------------------------------------------------------------

def publish(actor: Any, track: Track, *, at: dt.datetime | None = None) -> Publicity:
    """Put the track's frozen results on public notice from now for the set-up's number of
    working days."""
    now = at or timezone.now()
    with transaction.atomic():
        locked = Track.objects.select_for_update().select_related("campaign", "host_unit").get(pk=track.pk)
        _require(actor, "review.run_review", locked)
        snapshot = frozen_snapshot(locked)
        if snapshot is None:
            raise DomainError(_("Freeze the results of this track before putting them on public notice."),
                              code="not_frozen", status=409)
        if current_publicity(locked) is not None:
            raise DomainError(_("The results of this track are already on public notice."),
                              code="already_published", status=409)
        # Results go public only once the judging is over: closing the last scoring round marks
        # the entries scored, which finalising the results needs.
        still_open = (Round.objects.filter(track=locked, status=RoundStatus.OPEN)
                      .exclude(kind=RoundKind.VETTING).values_list("name", flat=True).first())
        if still_open is not None:
            raise DomainError(_("Close the round “%(name)s” before putting the results on public notice.")
                              % {"name": still_open}, code="round_open", status=409)
        if Publicity.objects.filter(snapshot=snapshot, status=PublicityStatus.FINALISED).exists():
            raise DomainError(_("These results have been finalised already."), code="already_finalised", status=409)
        days = setup_for(locked).publicity_days
        pub = Publicity.objects.create(track=locked, snapshot=snapshot, starts=now,
                                       ends=add_working_days(locked.campaign, now, days), published_by=actor)
        audit.record("review.publicity_publish", pub, actor=actor,
                     after={"snapshot": snapshot.version, "sha256": snapshot.sha256, "starts": pub.starts.isoformat(),
                            "ends": pub.ends.isoformat(), "working_days": days})
    return pub


def _lock_publicity(publicity: Publicity | int) -> Publicity:
    pk = publicity if isinstance(publicity, int) else publicity.pk
    try:
        return (Publicity.objects.select_for_update(of=("self",))
                .select_related("track__campaign", "track__host_unit", "snapshot").get(pk=pk))
    except Publicity.DoesNotExist:
        raise NotFound(_("These results are not on public notice."))


def withdraw(actor: Any, publicity: Publicity, reason: str) -> Publicity:
    """Take the results off public notice (staff, with a reason). Open objections stay with the
    moderators."""
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        locked = _lock_publicity(publicity)
        _require(actor, "review.run_review", locked.track)
        if locked.status not in CURRENT:
            raise DomainError(_("Only results on public notice can be withdrawn."), code="not_current", status=409)
        if not reason:
            raise DomainError(_("Say why."), code="reason_required", field="reason")
        before = locked.status
        locked.status = PublicityStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        audit.record("review.publicity_withdraw", locked, actor=actor, before={"status": before},
                     after={"status": locked.status}, reason=reason)
    return locked


# --- objections -----------------------------------------------------------------------------------

def on_list(publicity: Publicity, entry_id: int) -> bool:
    """Whether the entry is among the proposed results on notice (a line with an award tier)."""
    return ResultLine.objects.filter(track_id=publicity.track_id, entry_id=entry_id, tier__isnull=False).exists()


def _files(actor: Any, ids: Sequence[int], *, field: str) -> list[MediaFile]:
    """The actor's own objection uploads that no objection holds yet and that did not fail."""
    wanted: list[int] = []
    for pk in ids:
        if pk not in wanted:
            wanted.append(pk)
    found = {m.pk: m for m in MediaFile.objects.filter(pk__in=wanted)}
    through = Objection.evidence.through.objects
    used = set(through.filter(mediafile_id__in=wanted).values_list("mediafile_id", flat=True))
    used |= set(Objection.objects.filter(sealed_letter_id__in=wanted).values_list("sealed_letter_id", flat=True))
    out = []
    for pk in wanted:
        m = found.get(pk)
        if (m is None or m.owner_id != actor.pk or m.purpose != objection_files.PURPOSE or pk in used
                or m.kind not in objection_files.KINDS):
            raise DomainError(_("File %(id)s cannot be used here.") % {"id": pk}, code="invalid_file", field=field)
        if m.status == MediaStatus.FAILED:
            raise DomainError(_("“%(name)s” could not be processed; remove it and upload again.")
                              % {"name": m.filename}, code="invalid_file", field=field)
        out.append(m)
    return out


def _text(value: str, limit: int, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, code="too_long", field=field)
    return value


def start_of_day(moment: dt.datetime) -> dt.datetime:
    return local(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def file_objection(actor: Any, publicity: Publicity, entry: Entry | int, name: str, unit_name: str, reason: str,
                   evidence_media_ids: Sequence[int] = (), on_behalf_of_unit: bool = False,
                   sealed_letter_media_id: int | None = None, *, at: dt.datetime | None = None) -> Objection:
    """A real-name objection to an entry on the publicity's list, while it takes objections."""
    now = at or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in to file an objection."))
    if not (actor.phone_verified and actor.phone):
        raise NotPermitted(_("Verify your mobile number before filing an objection."), code="phone_unverified")
    entry_id = entry if isinstance(entry, int) else entry.pk
    name = _text(name, MAX_NAME, "name", _("Give your real name."))
    unit_name = _text(unit_name, MAX_UNIT, "unit_name", _("Give your work unit."))
    reason = _text(reason, MAX_REASON, "reason", _("Say what you object to and why."))
    ids = list(evidence_media_ids or [])
    if len(ids) > objection_files.MAX_EVIDENCE:
        raise DomainError(_("At most %(n)d evidence files.") % {"n": objection_files.MAX_EVIDENCE},
                          code="too_many_files", field="evidence")
    with transaction.atomic():
        # The publicity row serialises the objections to it (the daily limit) and its closing.
        locked = _lock_publicity(publicity)
        if not objection_files.takes_objections(locked, now):
            if locked.status == PublicityStatus.OPEN and now < locked.starts:
                raise NotOpen(_("Objections are accepted from %(start)s.") % {"start": _when(locked.starts)})
            raise NotOpen(_("Objections to these results are no longer accepted (the notice period ended on "
                            "%(end)s).") % {"end": _when(locked.ends)})
        if not on_list(locked, entry_id):
            raise DomainError(_("This entry is not among the results on public notice."), code="not_on_list",
                              field="entry")
        letter: MediaFile | None = None
        if on_behalf_of_unit:
            if not sealed_letter_media_id:
                raise DomainError(_("An objection on behalf of a unit needs the scan of its letter with the unit's "
                                    "seal."), code="sealed_letter_required", field="sealed_letter")
            (letter,) = _files(actor, [sealed_letter_media_id], field="sealed_letter")
        evidence = _files(actor, ids, field="evidence")
        if letter is not None and letter.pk in {m.pk for m in evidence}:
            raise DomainError(_("File %(id)s cannot be used here.") % {"id": letter.pk}, code="invalid_file",
                              field="evidence")
        today = Objection.objects.filter(publicity=locked, objector_id=actor.pk, created__gte=start_of_day(now)).count()
        if today >= OBJECTIONS_PER_DAY:
            raise RateLimited(_("You can file at most %(n)d objections a day to these results; please try again "
                                "tomorrow.") % {"n": OBJECTIONS_PER_DAY})
        obj = Objection.objects.create(publicity=locked, entry_id=entry_id, objector=actor, name=name,
                                       unit_name=unit_name, phone=actor.phone, on_behalf_of_unit=on_behalf_of_unit,
                                       reason=reason, sealed_letter=letter, created=now)
        if evidence:
            obj.evidence.set(evidence)
        audit.record("review.objection_file", obj, actor=actor,
                     after={"entry": entry_id, "publicity": locked.pk, "name": name, "unit_name": unit_name,
                            "on_behalf_of_unit": on_behalf_of_unit, "evidence": [m.pk for m in evidence],
                            "sealed_letter": letter.pk if letter else None})
        track = locked.track
        transaction.on_commit(lambda: _tell_moderators(obj, track), robust=True)
    return obj


def _tell_moderators(obj: Objection, track: Track) -> None:
    notify_many(moderators_of(track), _("New objection to the results of %(track)s") % {"track": track.name},
                _("An objection to an entry on public notice waits to be handled."),
                reverse("review:objection", args=[obj.pk]))


def _lock_objection(objection: Objection | int) -> Objection:
    pk = objection if isinstance(objection, int) else objection.pk
    try:
        return (Objection.objects.select_for_update(of=("self",))
                .select_related("publicity__track__campaign", "publicity__track__host_unit", "entry", "objector")
                .get(pk=pk))
    except Objection.DoesNotExist:
        raise NotFound(_("No such objection."))


def _handle(actor: Any, objection: Objection, reply: str, status: str, code: str) -> Objection:
    reply = (reply or "").strip()
    if len(reply) > MAX_REPLY:
        raise DomainError(_("At most %(n)d characters.") % {"n": MAX_REPLY}, code="too_long", field="reply")
    with transaction.atomic():
        locked = _lock_objection(objection)
        _require(actor, "review.moderate", locked)
        if locked.status != ObjectionStatus.OPEN:
            raise DomainError(_("This objection has been handled already."), code="already_handled", status=409)
        if status == ObjectionStatus.DISMISSED and not reply:
            raise DomainError(_("Write the reply the objector will read."), code="reply_required", field="reply")
        locked.status = status
        locked.reply = reply
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.save(update_fields=["status", "reply", "handled_by", "handled_at"])
        audit.record(code, locked, actor=actor, before={"status": ObjectionStatus.OPEN},
                     after={"status": status, "entry": locked.entry_id}, reason=reply)
        transaction.on_commit(lambda: _tell_objector(locked), robust=True)
        if status == ObjectionStatus.UPHELD:
            frozen = frozen_snapshot(locked.publicity.track) is not None
            transaction.on_commit(lambda: _tell_staff(locked, frozen), robust=True)
    return locked


def uphold(actor: Any, objection: Objection, reply: str = "") -> Objection:
    """Uphold the objection: the entry goes back to the track's staff (told at once)."""
    return _handle(actor, objection, reply, ObjectionStatus.UPHELD, "review.objection_uphold")


def dismiss(actor: Any, objection: Objection, reply: str) -> Objection:
    """Dismiss the objection with a reply to the objector (required)."""
    return _handle(actor, objection, reply, ObjectionStatus.DISMISSED, "review.objection_dismiss")


def _tell_objector(obj: Objection) -> None:
    track = obj.publicity.track
    entry = obj.entry
    label = entry.number or entry.title
    if obj.status == ObjectionStatus.UPHELD:
        title = _("Your objection to entry %(entry)s was upheld") % {"entry": label}
    else:
        title = _("Your objection to entry %(entry)s was dismissed") % {"entry": label}
    sms = _("Zhengji: your objection to entry %(entry)s (%(track)s) has been answered; see your personal centre.") % {
        "entry": label, "track": track.name}
    notify(obj.objector, title, obj.reply, reverse("results:my_objections"), sms=sms)


def _tell_staff(obj: Objection, frozen: bool) -> None:
    track = obj.publicity.track
    entry = obj.entry
    body = _("A moderator upheld an objection to entry %(entry)s “%(title)s”; the entry goes back to you.") % {
        "entry": entry.number or entry.pk, "title": entry.title}
    if frozen:
        body += " " + _("The results of the track are frozen: reopen them to change this entry's result, then "
                        "freeze and publish them again.")
    if obj.reply:
        body += "\n" + obj.reply
    notify_many(staff_of(track), _("Objection upheld in %(track)s") % {"track": track.name}, body,
                reverse("review:publicity_manage", args=[track.pk]))


# --- finalise ---------------------------------------------------------------------------------------

def finalise(actor: Any, track: Track, *, at: dt.datetime | None = None) -> Publicity:
    """After the notice period, with every objection handled: award the entries with a tier, the
    other scored entries of the track are not awarded; the publicity is finalised."""
    now = at or timezone.now()
    with transaction.atomic():
        _require(actor, "review.run_review", track)
        current = current_publicity(track)
        if current is None:
            raise DomainError(_("The results of this track are not on public notice."), code="not_published",
                              status=409)
        locked = _lock_publicity(current)
        if locked.status not in CURRENT:
            raise DomainError(_("The results of this track are not on public notice."), code="not_published",
                              status=409)
        if now < locked.ends:
            raise PeriodNotOver(_("The notice period ends on %(end)s; the results can be finalised after that.")
                                % {"end": _when(locked.ends)})
        open_count = Objection.objects.filter(publicity=locked, status=ObjectionStatus.OPEN).count()
        if open_count:
            raise DomainError(_("%(n)d objections are still being handled; the results can be finalised once every "
                                "objection is answered.") % {"n": open_count}, code="objections_open", status=409)
        frozen = frozen_snapshot(locked.track)
        if frozen is None or frozen.pk != locked.snapshot_id:
            raise DomainError(_("The results were reopened after they went on public notice; freeze them and "
                                "publish them again."), code="snapshot_changed", status=409)
        tiered = dict(ResultLine.objects.filter(track=locked.track, tier__isnull=False)
                      .values_list("entry_id", "entry__status"))
        wrong = [pk for pk, status in tiered.items() if status not in (EntryStatus.SCORED, EntryStatus.AWARDED)]
        if wrong:
            numbers = list(Entry.objects.filter(pk__in=wrong[:20]).values_list("number", flat=True))
            raise DomainError(_("These entries have an award tier but are not scored: %(list)s.")
                              % {"list": ", ".join(n or "?" for n in numbers)}, code="not_scored", status=409)
        awarded = 0
        for pk in sorted(pk for pk, status in tiered.items() if status == EntryStatus.SCORED):
            workflow.apply(actor, pk, "award", at=now)
            awarded += 1
        others = list(Entry.objects.filter(track=locked.track, status=EntryStatus.SCORED)
                      .exclude(pk__in=list(tiered)).order_by("pk").values_list("pk", flat=True))
        for pk in others:
            workflow.apply(actor, pk, "not_award", at=now)
        before = locked.status
        locked.status = PublicityStatus.FINALISED
        locked.finalised_by = actor
        locked.finalised_at = now
        locked.save(update_fields=["status", "finalised_by", "finalised_at"])
        audit.record("review.publicity_finalise", locked, actor=actor, before={"status": before},
                     after={"status": locked.status, "awarded": awarded, "not_awarded": len(others),
                            "sha256": locked.snapshot.sha256})
    return locked

