"""Who sees originality flags and who decides them (django-rules predicates).

- flags are staff-only: the unit admins above the entry's unit (once it was submitted), the host
  staff of its track and its campaign's admins see them; the entrant never does;
- a flag is decided (cleared / disqualified) by whoever decides about the entry where it waits
  (`entries.rules.decides_for_entry`: the reporting chain's level) and by the track's host staff
  and campaign admins;
- an entry is marked as suspected AI-generated (or the mark withdrawn) by the same people who
  decide its flags;
- the reference set belongs to a campaign's admins; a track's AI policy to its host staff and
  the campaign's admins.
"""

from __future__ import annotations

from typing import Any

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for
from zhengji.entries.rules import administers_entry_unit, decides_for_entry, is_submitted_once


@rules.predicate
def hosts_entry_track(user: Any, entry: Any) -> bool:
    if entry is None:
        return False
    scopes = scopes_for(user)
    return entry.track_id in scopes.host_tracks or entry.track.campaign_id in scopes.campaign_admin


@rules.predicate
def administers_campaign(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.pk in scopes_for(user).campaign_admin


@rules.predicate
def hosts_track(user: Any, track: Any) -> bool:
    if track is None:
        return False
    scopes = scopes_for(user)
    return track.pk in scopes.host_tracks or track.campaign_id in scopes.campaign_admin


can_view_flags = is_superuser | (is_submitted_once & (administers_entry_unit | hosts_entry_track))
can_decide = is_superuser | (is_submitted_once & (decides_for_entry | hosts_entry_track))

rules.add_perm("originality.view_flags", can_view_flags)
rules.add_perm("originality.decide_flag", can_decide)
# Marking an entry as suspected AI-generated (and withdrawing the mark): the same people.
rules.add_perm("originality.mark_suspected", can_decide)
rules.add_perm("originality.manage_references", is_superuser | administers_campaign)
rules.add_perm("originality.set_track_policy", is_superuser | hosts_track)


def may_see_any(user: Any) -> bool:
    """Cheap: the user could see some flag (no query for someone who administers nothing)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    s = scopes_for(user)
    return bool(s.admin_org_paths or s.host_tracks or s.campaign_admin)
