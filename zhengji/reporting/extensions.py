"""Read-only answers for the deadline-extension page: the child units of a level with their
deadline in a track (the level's rule, an extension granted to them, the one that applies).
Granting and revoking are `campaigns.services.grant_extension` / `revoke_extension`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from zhengji.campaigns.models import DeadlineExtension, Track
from zhengji.campaigns.policy import policy_for
from zhengji.campaigns.services import can_grant_extension
from zhengji.orgs.models import Organization

from .reminders import reminder_campaigns


@dataclass
class DeadlineRow:
    unit: Organization
    level_deadline: dt.datetime
    extension: DeadlineExtension | None
    deadline: dt.datetime
    open: bool

    @property
    def extension_is_general(self) -> bool:
        return self.extension is not None and self.extension.track_id is None


def tracks_for(user: Any) -> list[Track]:
    """Tracks of the published campaigns whose tree overlaps the user's levels."""
    campaigns = reminder_campaigns(user)
    return list(Track.objects.filter(campaign__in=campaigns).select_related("campaign__org")
                .order_by("-campaign__year", "campaign_id", "number"))


def child_units(level: Organization) -> QuerySet[Organization]:
    orgs: QuerySet[Organization] = Organization.objects.all()
    return orgs.filter(path__startswith=level.path, depth=level.depth + 1).order_by("path")


def deadline_rows(track: Track, units: Sequence[Organization], at: dt.datetime | None = None) -> list[DeadlineRow]:
    """Each unit's deadline in the track (two queries for the page, whatever its length)."""
    policy = policy_for(track.campaign, at)
    exts: dict[int, DeadlineExtension] = {}
    for e in (DeadlineExtension.objects.filter(campaign_id=track.campaign_id, org__in=list(units))
              .filter(Q(track=track) | Q(track__isnull=True)).select_related("granted_by")
              .order_by("track_id")):
        if e.org_id not in exts or e.track_id is not None:
            exts[e.org_id] = e
    rows = []
    for unit in units:
        base = policy.level_deadline(track, unit.kind)
        ext = exts.get(unit.pk)
        deadline = ext.until if ext is not None and ext.until > base else base
        rows.append(DeadlineRow(unit, base, ext, deadline, policy.at <= deadline))
    return rows


def extension_for(user: Any, pk: int) -> DeadlineExtension | None:
    """An extension the user may revoke (None when it is gone or not theirs to change)."""
    ext = DeadlineExtension.objects.select_related("campaign__org", "org", "track").filter(pk=pk).first()
    if ext is None or not can_grant_extension(user, ext.campaign, ext.org):
        return None
    return ext
