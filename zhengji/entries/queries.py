"""The visibility gate: which entries a person may see, in which capacity.

`entries_for(user, view)` is the only way a page, the API, an export or a receipt gets a list of
entries, and `entry_for(user, pk, ...)` the only way it gets one. A view names the capacity the
reader acts in, and with it the projection (`entries.projections`) they get:

| view   | who                          | which entries                                           |
|--------|------------------------------|---------------------------------------------------------|
| mine   | any logged-in user           | the ones they submitted, drafts included                |
| unit   | unit admins                  | entries of units in their subtree, once submitted       |
| host   | host-unit staff of a track   | entries of their track reported to the host unit        |
| judge  | judges of a track            | entries of their track under review (blind)             |
| public | everyone                     | published entries of published campaigns                |

A later app narrows or widens a view with `register_view` (e.g. the review app replaces "judges
of a track" by "judges assigned to the entry in an open round").
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhengji.accounts.scopes import scopes_for

from .models import Entry, EntryStatus

S = EntryStatus


class View(StrEnum):
    MINE = "mine"
    UNIT = "unit"
    HOST = "host"
    JUDGE = "judge"
    PUBLIC = "public"


# Where an entry stands once a host unit has it.
HOST_STATES = frozenset({S.REPORTED, S.ELIGIBLE, S.DISQUALIFIED, S.SCORED, S.AWARDED, S.NOT_AWARDED, S.PUBLISHED})
JUDGE_STATES = frozenset({S.ELIGIBLE, S.SCORED})
PUBLIC_STATES = frozenset({S.PUBLISHED})
RELATED = ("track__campaign", "unit", "submitter")

Filter = Callable[[Any], Q]
_filters: dict[str, Filter] = {}


def register_view(view: str, build: Filter) -> None:
    """Replace how view `view` filters entries for a user: `build(user) -> Q`."""
    _filters[view] = build


def _nothing() -> Q:
    return Q(pk__in=[])


def _mine(user: Any) -> Q:
    return Q(submitter_id=user.pk) if user.is_authenticated else _nothing()


def _unit(user: Any) -> Q:
    if not user.is_authenticated:
        return _nothing()
    # Drafts are the entrant's own: a unit sees an entry once it was submitted.
    submitted = Q(submitted_at__isnull=False)
    if user.is_superuser:
        return submitted
    scopes = scopes_for(user)
    if not scopes.admin_org_paths:
        return _nothing()
    return scopes.subtree_q("unit__") & submitted


def _host(user: Any) -> Q:
    if not user.is_authenticated:
        return _nothing()
    states = Q(status__in=HOST_STATES)
    if user.is_superuser:
        return states
    scopes = scopes_for(user)
    scope = Q(track_id__in=scopes.host_tracks) | Q(track__campaign_id__in=scopes.campaign_admin)
    return scope & states if (scopes.host_tracks or scopes.campaign_admin) else _nothing()


def _judge(user: Any) -> Q:
    if not user.is_authenticated:
        return _nothing()
    tracks = scopes_for(user).judge_tracks
    if not tracks:
        return _nothing()
    # Never their own organisation's work (conflict of interest): no entry of a unit in a
    # subtree they administer, and never their own.
    own = scopes_for(user).subtree_q("unit__") | Q(submitter_id=user.pk)
    return Q(track_id__in=tracks, status__in=JUDGE_STATES) & ~own


def _public(user: Any) -> Q:
    return Q(status__in=PUBLIC_STATES, track__campaign__is_published=True)


_filters.update({View.MINE: _mine, View.UNIT: _unit, View.HOST: _host, View.JUDGE: _judge, View.PUBLIC: _public})


def entries_for(user: Any, view: str) -> QuerySet[Entry]:
    """The entries `user` may see in capacity `view` (unordered; callers order and paginate)."""
    build = _filters.get(view)
    if build is None:
        raise ValueError(f"unknown view {view!r}")
    return Entry.objects.filter(build(user)).select_related(*RELATED)


def entry_for(user: Any, pk: int, permission: str | None = "entries.view_entry", *,
              view: str | None = None) -> Entry:
    """One entry for `user`, or 404 when they may not see it (its existence is not revealed).

    Without `view`, "see" means the entry's own permission (`entries.view_entry`: the entrant and
    the unit admins above it). With `view`, the entry must be in `entries_for(user, view)`.
    A `permission` the reader lacks on an entry they can see is 403."""
    qs = entries_for(user, view) if view is not None else Entry.objects.select_related(*RELATED)
    entry = qs.filter(pk=pk).first()
    if entry is None:
        raise Http404
    if view is None and not user.has_perm("entries.view_entry", entry):
        raise Http404
    if permission and permission != "entries.view_entry" and not user.has_perm(permission, entry):
        raise PermissionDenied
    return entry


def audience_of(user: Any, entry: Entry) -> str:
    """The capacity in which someone who may view an entry (`entries.view_entry`) sees it."""
    if user.is_authenticated and entry.submitter_id == user.pk:
        return View.MINE
    return View.UNIT
