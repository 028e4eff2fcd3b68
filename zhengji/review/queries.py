"""Read-only answers of judging: the judge gate (registered as `entries.queries` View.JUDGE),
rounds and set-up of a track.

A judge sees an entry only while they hold an active assignment to it in an open round, the
entry is under review, and no conflict (automatic or recorded) lies between them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.entries.models import EntryStatus

from .conflicts import conflict_q
from .models import Assignment, AssignmentStatus, PanelMember, ResultSnapshot, ReviewSetup, Round, RoundStatus

S = EntryStatus
# An entry a judge may open: under review (vetted, or scored while a later round is open).
JUDGEABLE = frozenset({S.ELIGIBLE, S.SCORED})


def open_assignments(user: Any, at: Any = None) -> Any:
    """The user's active assignments in rounds open now."""
    at = at or timezone.now()
    return Assignment.objects.filter(judge_id=user.pk, status=AssignmentStatus.ACTIVE,
                                     round__status=RoundStatus.OPEN, round__opens__lte=at, round__closes__gt=at)


def judge_filter(user: Any) -> Q:
    """View.JUDGE: the entries assigned to `user` in an open round, without conflicts. No query
    for someone who judges nothing."""
    if not user.is_authenticated or not scopes_for(user).judge_tracks:
        return Q(pk__in=[])
    assigned = open_assignments(user).filter(entry_id=OuterRef("pk"))
    q = Q(Exists(assigned), status__in=JUDGEABLE, track_id__in=scopes_for(user).judge_tracks)
    # The seat's organisation widens the conflicts; a judge may sit on several panels.
    for seat in PanelMember.objects.select_related("org").filter(user_id=user.pk, active=True):
        q &= ~(Q(track_id=seat.track_id) & conflict_q(user, seat))
    return q & ~conflict_q(user)


def setup_for(track: Track) -> ReviewSetup:
    """The track's review set-up, created with the defaults on first use."""
    setup, _created = ReviewSetup.objects.get_or_create(track=track)
    return setup


def rounds_of(track: Track) -> list[Round]:
    return list(Round.objects.filter(track=track).order_by("position"))


def frozen_snapshot(track: Track) -> ResultSnapshot | None:
    """The track's frozen results: the newest snapshot not reopened since (None: not frozen)."""
    # The data (megabytes for a large track) loads only if a caller reads it.
    snap = ResultSnapshot.objects.filter(track=track).defer("data").order_by("-version").first()
    return snap if snap is not None and snap.reopened_at is None else None


def open_credits(entry: Any) -> dict[str, Any] | None:
    """Who made the entry, for a track whose review is not blind (ReviewSetup.blind off): the
    authors' names and the unit, never a phone. None in blind review (the default)."""
    setup = ReviewSetup.objects.filter(track_id=entry.track_id).only("blind").first()
    if setup is None or setup.blind:
        return None
    return {"authors": [a.name for a in entry.authors.all() if a.name], "unit": entry.unit.name}
