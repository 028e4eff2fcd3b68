"""Who may run a track's public vote: set its window and review its flagged votes. Host staff of
the track, the campaign's admins, superusers."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from zhengji.accounts.scopes import scopes_for


@rules.predicate
def can_manage_votes(user: Any, track: Any) -> bool:
    if user is None or not user.is_authenticated or track is None:
        return False
    if user.is_superuser:
        return True
    s = scopes_for(user)
    return track.campaign_id in s.campaign_admin or track.pk in s.host_tracks


def managed_tracks_q(user: Any, prefix: str = "") -> Q:
    """The tracks whose vote `user` manages, as a filter (`prefix` e.g. "track__")."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    s = scopes_for(user)
    return Q(**{f"{prefix}campaign_id__in": sorted(s.campaign_admin)}) | Q(**{f"{prefix}pk__in": sorted(s.host_tracks)})


def manages_any(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    s = scopes_for(user)
    return bool(s.campaign_admin or s.host_tracks)


rules.add_perm("public.manage_votes", can_manage_votes)
