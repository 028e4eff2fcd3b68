"""Who sees which statistics (one place; pages and the API ask these).

- superusers: every campaign, every subtree;
- a campaign admin: their campaigns, any subtree of the campaign's organisation;
- a unit admin: published campaigns whose organisation's subtree meets theirs, and only
  subtrees inside what they administer (义安区's admin never gets 郊区's figures);
- picking outstanding units and individuals: superusers and the campaign's admins.
"""

from __future__ import annotations

from typing import Any

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign
from zhengji.campaigns.rules import is_campaign_admin
from zhengji.orgs.models import Organization


def is_stats_user(user: Any) -> bool:
    """May open the statistics at all (a unit admin, a campaign admin or a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    s = scopes_for(user)
    return bool(user.is_superuser or s.admin_org_paths or s.campaign_admin)


def sees_whole_campaign(user: Any, campaign: Campaign) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or campaign.pk in scopes_for(user).campaign_admin))


def can_view(user: Any, campaign: Campaign, org: Organization) -> bool:
    """The statistics of `org`'s subtree in `campaign`."""
    if not org.path.startswith(campaign.org.path) or not user.is_authenticated:
        return False
    if sees_whole_campaign(user, campaign):
        return True
    return campaign.is_published and scopes_for(user).administers_path(org.path)


@rules.predicate
def is_campaign_admin_of(user: Any, campaign: Campaign | None) -> bool:
    return campaign is not None and bool(is_campaign_admin(user, campaign))


rules.add_perm("stats.pick_outstanding", is_superuser | is_campaign_admin_of)
