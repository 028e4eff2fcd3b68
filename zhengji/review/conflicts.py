"""Conflicts of interest: which entries a judge must never see or score.

A judge is in conflict with an entry when
- the entry's unit lies in the judge's organisation subtree (the panel seat's organisation, or any
  organisation the judge administers), or
- the judge is the entry's submitter or one of its named authors, or a member of the entry's unit
  (shares a unit with its author), or
- the judge declared a conflict, or staff set one (`Conflict` rows).

The same rule serves the assignment (pairs for a whole track at once), the judge gate
(`entries.queries` View.JUDGE, registered by this app) and every staff view and export
(`is_conflicted`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from zhengji.accounts.models import RoleAssignment
from zhengji.accounts.scopes import UNIT_ADMIN, scopes_for
from zhengji.entries.models import Entry, EntryAuthor
from zhengji.orgs.models import Membership, MembershipStatus, Organization

from .models import Conflict, PanelMember

_UNKNOWN: Any = object()


def _judge_paths(user: Any, seat: PanelMember | None, admin_paths: Any = _UNKNOWN) -> list[str]:
    paths = list(scopes_for(user).admin_org_paths if admin_paths is _UNKNOWN else admin_paths)
    if seat is not None and seat.org is not None:
        paths.append(seat.org.path)
    return paths


def _member_org_id(user: Any) -> int | None:
    # A pending member has said they belong to the unit: that is enough for a conflict.
    return (Membership.objects.filter(user_id=user.pk).exclude(status=MembershipStatus.REJECTED)
            .values_list("org_id", flat=True).first())


def auto_q(user: Any, seat: PanelMember | None = None, *, prefix: str = "", admin_paths: Any = _UNKNOWN,
           member_org: Any = _UNKNOWN) -> Q:
    """Entries (or rows reaching an entry through `prefix`, e.g. "entry__") in automatic conflict
    with `user`. `admin_paths` / `member_org`, when given, are what this function would otherwise
    look up for the user (a whole panel's, read at once by `conflict_pairs`)."""
    q = Q(**{f"{prefix}submitter_id": user.pk})
    for path in _judge_paths(user, seat, admin_paths):
        q |= Q(**{f"{prefix}unit__path__startswith": path})
    org_id = _member_org_id(user) if member_org is _UNKNOWN else member_org
    if org_id is not None:
        q |= Q(**{f"{prefix}unit_id": org_id})
    name = (getattr(user, "real_name", "") or "").strip()
    if name:
        q |= Q(**{f"{prefix}pk__in": EntryAuthor.objects.filter(name=name).values("entry_id")})
    return q


def conflict_q(user: Any, seat: PanelMember | None = None, *, prefix: str = "", admin_paths: Any = _UNKNOWN,
               member_org: Any = _UNKNOWN) -> Q:
    """Automatic and recorded conflicts of `user`, as a filter on entries (through `prefix`)."""
    recorded = Conflict.objects.filter(judge_id=user.pk).values("entry_id")
    return (auto_q(user, seat, prefix=prefix, admin_paths=admin_paths, member_org=member_org)
            | Q(**{f"{prefix}pk__in": recorded}))


def seat_of(user: Any, track_id: int) -> PanelMember | None:
    return PanelMember.objects.select_related("org").filter(track_id=track_id, user_id=user.pk).first()


def is_conflicted(user: Any, entry: Entry) -> bool:
    seat = seat_of(user, entry.track_id)
    return Entry.objects.filter(pk=entry.pk).filter(conflict_q(user, seat)).exists()


def conflict_pairs(track_id: int, seats: Iterable[PanelMember], entry_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(judge user id, entry id) pairs in conflict, for the assignment of a track: one query per
    judge, whatever the number of entries."""
    ids = set(entry_ids)
    pairs: set[tuple[int, int]] = set()
    if not ids:
        return pairs
    seats = list(seats)
    users = [seat.user_id for seat in seats]
    # The panel's memberships and administered subtrees in three queries, not three per judge.
    members = dict(Membership.objects.filter(user_id__in=users).exclude(status=MembershipStatus.REJECTED)
                   .values_list("user_id", "org_id"))
    admin_rows = list(RoleAssignment.objects.filter(user_id__in=users, role=UNIT_ADMIN, scope_type="orgs.organization")
                      .values_list("user_id", "scope_id"))
    org_paths = dict(Organization.objects.filter(pk__in={o for _u, o in admin_rows}).values_list("pk", "path"))
    admin: dict[int, list[str]] = {}
    for user_id, org_id in admin_rows:
        if org_id in org_paths:
            admin.setdefault(user_id, []).append(org_paths[org_id])
    for seat in seats:
        # Filtered by track in the database and by the given ids here (no huge IN list).
        q = conflict_q(seat.user, seat, admin_paths=admin.get(seat.user_id, []),
                       member_org=members.get(seat.user_id))
        hits = Entry.objects.filter(track_id=track_id).filter(q)
        pairs.update((seat.user_id, pk) for pk in hits.values_list("pk", flat=True) if pk in ids)
    return pairs
