"""The chain an entry climbs: its own unit, each ancestor below the campaign's owner, then the
track's host unit. Also the hooks that put an entry in its first queue on submission, back in
the queue of the level that returned it on resubmission, and out of every queue on withdrawal
(they run inside the workflow's transaction, `entries.workflow.on_applied`)."""

from __future__ import annotations

from typing import Any

from zhengji.campaigns.models import Track
from zhengji.entries import notifications, workflow
from zhengji.entries.models import Entry, EntryEvent
from zhengji.orgs.models import Organization

from .models import ChainPosition


def levels_of(entry: Entry) -> list[Organization]:
    """The levels that decide on the entry, bottom first (the host unit is not one of them)."""
    owner: Organization = entry.track.campaign.org
    unit: Organization = entry.unit
    if not unit.is_within(owner) or unit.pk == owner.pk:
        return [unit]
    # Ancestors are the path's prefixes (treebeard's steplen); one query for all of them.
    steplen = Organization.steplen
    prefixes = [unit.path[:n] for n in range(len(owner.path) + steplen, len(unit.path) + 1, steplen)]
    by_path = {o.path: o for o in Organization.objects.filter(path__in=prefixes)}
    found = [by_path[p] for p in reversed(prefixes) if p in by_path]
    return found or [unit]


def next_level(level: Organization, track: Track) -> tuple[Organization, bool]:
    """Where a level reports a track's entries: its parent, or the host unit (True) from the
    top level (the child of the campaign's owner) or from outside the owner's tree."""
    owner: Organization = track.campaign.org
    if level.depth > owner.depth + 1 and level.is_within(owner):
        parent: Organization = Organization.objects.get(path=level.path[:-Organization.steplen])
        return parent, False
    return track.host_unit, True


def place(entry: Entry, level: Organization, at: Any) -> ChainPosition:
    pos, _created = ChainPosition.objects.update_or_create(
        entry=entry, defaults={"track_id": entry.track_id, "level": level, "arrived_at": at, "recommended": False,
                               "recommended_at": None, "rank": None})
    return pos


def _on_submit(entry: Entry, event: EntryEvent) -> None:
    place(entry, levels_of(entry)[0], event.at)


def _on_resubmit(entry: Entry, event: EntryEvent) -> None:
    """A resubmitted entry waits again at the level that returned it (its position stayed)."""
    pos = ChainPosition.objects.select_for_update(of=("self",)).filter(entry=entry).select_related("level").first()
    place(entry, pos.level if pos is not None else levels_of(entry)[0], event.at)


def _on_withdraw(entry: Entry, event: EntryEvent) -> None:
    ChainPosition.objects.filter(entry=entry).delete()


def _on_return(entry: Entry, event: EntryEvent) -> None:
    ChainPosition.objects.filter(entry=entry).update(recommended=False, recommended_at=None, rank=None)


def connect() -> None:
    workflow.on_applied("submit", _on_submit)
    workflow.on_applied("resubmit", _on_resubmit)
    workflow.on_applied("withdraw", _on_withdraw)
    workflow.on_applied("return", _on_return)
    # The kernel notifies the entrant of its own "return" step; the chain's return is the same news.
    workflow.on_applied("return_at_level", lambda entry, event: notifications.entry_returned(entry, event.reason))
