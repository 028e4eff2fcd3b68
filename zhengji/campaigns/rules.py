"""Permission predicates for campaigns, tracks and announcements.

- superusers: everything;
- a campaign admin: everything of that campaign (and nothing of another campaign);
- host-unit staff: the rules, descriptions and entry form of their own track, read-only view of
  the campaign's management pages that lead there; not the campaign, other tracks, quotas,
  announcements or people;
- a unit admin may create a campaign owned by an organisation of their subtree (and becomes its
  campaign admin).
"""

from __future__ import annotations

import rules

from zhengji.accounts.rules import is_superuser, is_unit_admin
from zhengji.accounts.scopes import scopes_for

from .models import Track


@rules.predicate
def is_campaign_admin(user, campaign) -> bool:
    return campaign is not None and campaign.pk in scopes_for(user).campaign_admin


@rules.predicate
def is_track_campaign_admin(user, track) -> bool:
    return track is not None and track.campaign_id in scopes_for(user).campaign_admin


@rules.predicate
def is_host_staff(user, track) -> bool:
    return track is not None and track.pk in scopes_for(user).host_tracks


@rules.predicate
def is_host_staff_in_campaign(user, campaign) -> bool:
    """Host staff of some track of this campaign (one query, only for host staff)."""
    host_tracks = scopes_for(user).host_tracks
    if campaign is None or not host_tracks:
        return False
    return Track.objects.filter(campaign=campaign, pk__in=host_tracks).exists()


@rules.predicate
def administers_owner_org(user, org) -> bool:
    return org is not None and scopes_for(user).administers_path(org.path)


can_manage_campaign = is_superuser | is_campaign_admin
can_configure_track = is_superuser | is_track_campaign_admin

# Creating a campaign: the page (no object) and for a given owner organisation.
rules.add_perm("campaigns.add_campaign", is_superuser | is_unit_admin)
rules.add_perm("campaigns.add_campaign_for_org", is_superuser | administers_owner_org)
rules.add_perm("campaigns.view_manage", can_manage_campaign | is_host_staff_in_campaign)
rules.add_perm("campaigns.change_campaign", can_manage_campaign)
rules.add_perm("campaigns.publish_campaign", can_manage_campaign)
rules.add_perm("campaigns.manage_roles", can_manage_campaign)
rules.add_perm("campaigns.add_track", can_manage_campaign)
rules.add_perm("campaigns.manage_level_rules", can_manage_campaign)
rules.add_perm("campaigns.manage_announcements", can_manage_campaign)
# Rules, descriptions and the entry form of a track: its host staff too.
rules.add_perm("campaigns.change_track", is_superuser | is_track_campaign_admin | is_host_staff)
# Number, slug, names, host unit, kind, entrants, open/closed, order, overrides: campaign admins.
rules.add_perm("campaigns.configure_track", can_configure_track)
