"""Permission predicates of the public site (django-rules). Each area appends its own.

Gallery: display approval of a track's entries belongs to the host-unit staff of that track and
the campaign's admins (superusers too); a unit admin, a judge or a worker may not approve. The
credit (how the makers are named in public) is the entrant's own choice."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for


@rules.predicate
def hosts_track(user: Any, track: Any) -> bool:
    """Host-unit staff of this track, or an admin of its campaign."""
    if track is None or not user.is_authenticated:
        return False
    s = scopes_for(user)
    return track.pk in s.host_tracks or track.campaign_id in s.campaign_admin


@rules.predicate
def owns_entry(user: Any, entry: Any) -> bool:
    return entry is not None and user.is_authenticated and entry.submitter_id == user.pk


rules.add_perm("public.manage_showcase", is_superuser | hosts_track)
rules.add_perm("public.choose_credit", owns_entry)


def showcase_tracks_q(user: Any) -> Q | None:
    """A Q over tracks whose display this user manages (None: every track, for superusers)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    s = scopes_for(user)
    return Q(pk__in=s.host_tracks) | Q(campaign_id__in=s.campaign_admin)
