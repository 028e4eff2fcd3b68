"""Permission predicates for campaigns, tracks and announcements."""

from __future__ import annotations

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for


@rules.predicate
def is_campaign_admin(user, campaign) -> bool:
    return campaign is not None and campaign.pk in scopes_for(user).campaign_admin


@rules.predicate
def is_track_campaign_admin(user, track) -> bool:
    return track is not None and track.campaign_id in scopes_for(user).campaign_admin


@rules.predicate
def is_host_staff(user, track) -> bool:
    return track is not None and track.pk in scopes_for(user).host_tracks


can_manage_campaign = is_superuser | is_campaign_admin
rules.add_perm("campaigns.add_campaign", is_superuser)
rules.add_perm("campaigns.change_campaign", can_manage_campaign)
rules.add_perm("campaigns.manage_roles", can_manage_campaign)
rules.add_perm("campaigns.change_track", is_superuser | is_track_campaign_admin | is_host_staff)
rules.add_perm("campaigns.manage_announcements", can_manage_campaign)
