"""Conflicts of interest recorded by staff (declared ones come from the judge's workspace):
set one — which also takes the judge off the entry in every round still running — or remove one.
Automatic conflicts (`review.conflicts`) are computed, never stored, and cannot be removed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Track
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import Entry

from ..models import Assignment, AssignmentStatus, Conflict, ConflictSource, PanelMember, RoundStatus
from .results import ensure_not_frozen

__all__ = ["remove_conflict", "set_conflict"]


def _check(actor: Any, track: Track) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm("review.run_review", track):
        raise NotPermitted(_("You may not manage the conflicts of interest of this track."))


def set_conflict(actor: Any, track: Track, judge_user: Any, entry: Entry, reason: str) -> Conflict:
    """Record that `judge_user` must not judge `entry`; their active assignments to it in rounds
    not closed are removed (any score stays on the removed row)."""
    _check(actor, track)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the conflict of interest."), code="reason_required", field="reason")
    if entry.track_id != track.pk:
        raise DomainError(_("This entry is not in this track."), code="wrong_track", field="entry")
    if not PanelMember.objects.filter(track=track, user_id=judge_user.pk).exists():
        raise DomainError(_("This person is not on the track's panel."), code="not_on_panel", field="judge")
    with transaction.atomic():
        ensure_not_frozen(track)  # locks the track row (one lock order with freezing)
        if Conflict.objects.filter(judge_id=judge_user.pk, entry=entry).exists():
            raise DomainError(_("A conflict of interest between this judge and this entry is already recorded."),
                              code="already_recorded", status=409)
        try:
            with transaction.atomic():
                c = Conflict.objects.create(track=track, judge_id=judge_user.pk, entry=entry,
                                            source=ConflictSource.STAFF, reason=reason, created_by=actor)
        except IntegrityError:
            raise DomainError(_("A conflict of interest between this judge and this entry is already recorded."),
                              code="already_recorded", status=409) from None
        audit.record("review.conflict_set", c, actor=actor, reason=reason,
                     after={"judge": judge_user.pk, "entry": entry.pk, "source": c.source})
        now = timezone.now()
        hits = list(Assignment.objects.select_for_update(of=("self",))
                    .filter(entry=entry, judge_id=judge_user.pk, status=AssignmentStatus.ACTIVE)
                    .exclude(round__status=RoundStatus.CLOSED).select_related("round", "round__track__host_unit"))
        for a in hits:
            a.status = AssignmentStatus.REMOVED
            a.removed_at = now
            a.save(update_fields=["status", "removed_at"])
            audit.record("review.assign_remove", a, actor=actor, scope=a.round.audit_scope(), reason=reason,
                         before={"status": AssignmentStatus.ACTIVE},
                         after={"status": AssignmentStatus.REMOVED, "entry": entry.pk, "judge": judge_user.pk})
        c.removed_assignments = len(hits)  # type: ignore[attr-defined]  # for the caller's message
    return c


def remove_conflict(actor: Any, conflict: Conflict) -> None:
    """Delete a recorded conflict (declared or set by staff). The judge is not put back on the
    entry: assign them again if that is wanted."""
    _check(actor, conflict.track)
    with transaction.atomic():
        ensure_not_frozen(conflict.track_id)
        c = (Conflict.objects.select_for_update(of=("self",)).select_related("track__host_unit")
             .filter(pk=conflict.pk).first())
        if c is None:
            raise DomainError(_("This conflict of interest was already removed."), code="already_removed", status=409)
        audit.record("review.conflict_remove", c, actor=actor,
                     before={"judge": c.judge_id, "entry": c.entry_id, "source": c.source, "reason": c.reason})
        c.delete()
