"""Permission predicates of the reporting chain, state-aware like the kernel's: a step's
permission holds only where the step is open from the entry's state (`entries.rules.step_open`).

- an entry's decisions belong to the level where it waits: a unit admin of that organisation or
  of an ancestor (and a superuser) recommends, returns, rejects, writes the opinion, reports it;
- a batch is seen by the sending level (its admins and those above) and the receiving level (the
  admins of the next level; at the top, the track's host-unit staff and campaign admins).
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import ObjectDoesNotExist

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for
from zhengji.entries import rules as entries_rules
from zhengji.entries.rules import administers_entry_unit, is_submitted_once, step_open

from .models import Batch, ChainPosition, OnBehalf


def position_of(entry: Any) -> ChainPosition | None:
    if entry is None:
        return None
    try:
        pos: ChainPosition = entry.chain_position
    except ObjectDoesNotExist:
        return None
    return pos


@rules.predicate
def administers_waiting_level(user: Any, entry: Any) -> bool:
    """Unit admin of the level where the entry waits, or of one of its ancestors."""
    pos = position_of(entry)
    return pos is not None and scopes_for(user).administers_path(pos.level.path)


def administers_level(user: Any, level: Any) -> bool:
    return bool(user is not None and user.is_authenticated
                and (user.is_superuser or scopes_for(user).administers_path(level.path)))


@rules.predicate
def sends_batch(user: Any, batch: Batch | None) -> bool:
    return batch is not None and scopes_for(user).administers_path(batch.level.path)


@rules.predicate
def receives_batch(user: Any, batch: Batch | None) -> bool:
    if batch is None:
        return False
    scopes = scopes_for(user)
    if batch.to_host:
        return batch.track_id in scopes.host_tracks or batch.track.campaign_id in scopes.campaign_admin
    return scopes.administers_path(batch.target.path)


@rules.predicate
def is_draft(user: Any, batch: Batch | None) -> bool:
    return batch is not None and batch.status == "draft"


@rules.predicate
def decides_where_it_waits(user: Any, entry: Any) -> bool:
    """An entry in the chain is decided by the level where it waits (or above); one that never
    entered it (submitted before the chain existed) by the admins above its unit, as before."""
    if position_of(entry) is None:
        return bool(administers_entry_unit(user, entry))
    return bool(administers_waiting_level(user, entry))


@rules.predicate
def is_named_worker(user: Any, entry: Any) -> bool:
    """The entry was entered on behalf of a worker with this user's mobile number, and nobody
    has claimed it yet."""
    phone = getattr(user, "phone", None)
    return bool(entry is not None and phone and OnBehalf.objects.filter(
        entry_id=entry.pk, phone=phone, claimed_at__isnull=True).exists())


deciders = is_superuser | administers_waiting_level

rules.add_perm("reporting.recommend_entry", deciders & step_open("recommend"))
rules.add_perm("reporting.reject_entry", deciders & step_open("reject"))
rules.add_perm("reporting.return_entry", deciders & (step_open("return") | step_open("return_at_level")))
rules.add_perm("reporting.report_entry", deciders & (step_open("report_up") | step_open("report_to_host")))
rules.add_perm("reporting.comment_entry", deciders & step_open("unit_opinion"))
# The kernel's own return step follows the chain too: the admin of a level the entry has
# already left (e.g. its grassroots union, once it waits at the county) no longer returns it.
entries_rules.set_decider(decides_where_it_waits)
rules.add_perm("reporting.claim_entry", is_named_worker & is_submitted_once & step_open("claim"))
rules.add_perm("reporting.view_batch", is_superuser | sends_batch | receives_batch)
rules.add_perm("reporting.send_batch", (is_superuser | sends_batch) & is_draft)


@rules.predicate
def hosts_track(user: Any, track: Any) -> bool:
    """The top of the chain for a track: its host-unit staff (the `host_staff` role on the track)
    and the admins of its campaign, as `entries.queries` (View.HOST) and `receives_batch` say."""
    if track is None:
        return False
    scopes = scopes_for(user)
    return track.pk in scopes.host_tracks or track.campaign_id in scopes.campaign_admin


rules.add_perm("reporting.host_track", is_superuser | hosts_track)
