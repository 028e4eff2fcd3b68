"""Permission predicates for activities, brand projects and volunteers.

- a unit admin records, edits and deletes them for its own unit or any unit of its subtree, and
  sees those of its subtree (and nothing of a sibling's subtree);
- a campaign admin sees everything of their campaign (read only: the units record);
- a superuser sees and changes everything;
- a volunteer's whole phone number is for superusers and the admins of the volunteer's unit
  subtree; everyone else (campaign admins included) sees it masked (138****1234);
- nothing here is public: activities are staff records for coverage and the dashboard.
"""

from __future__ import annotations

from typing import Any

import rules

from zhengji.accounts.rules import is_superuser, is_unit_admin
from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import mask_phone


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


@rules.predicate
def administers_org(user: Any, org: Any) -> bool:
    """Unit admin of this organisation or of an ancestor."""
    return org is not None and _authenticated(user) and scopes_for(user).administers_path(org.path)


@rules.predicate
def administers_record_org(user: Any, obj: Any) -> bool:
    """Unit admin of the unit that recorded the activity / project / volunteer (or above it)."""
    return obj is not None and _authenticated(user) and scopes_for(user).administers_path(obj.org.path)


@rules.predicate
def administers_record_campaign(user: Any, obj: Any) -> bool:
    return obj is not None and _authenticated(user) and obj.campaign_id in scopes_for(user).campaign_admin


@rules.predicate
def administers_campaign(user: Any, campaign: Any) -> bool:
    return campaign is not None and _authenticated(user) and campaign.pk in scopes_for(user).campaign_admin


@rules.predicate
def is_campaign_admin_anywhere(user: Any) -> bool:
    return _authenticated(user) and bool(scopes_for(user).campaign_admin)


can_change = is_superuser | administers_record_org
can_view = can_change | administers_record_campaign

# The pages at all (lists may still be empty): unit admins, campaign admins, superusers.
rules.add_perm("activities.access", is_superuser | is_unit_admin | is_campaign_admin_anywhere)
# A campaign's lists: superusers, its campaign admins, and unit admins (filtered to their subtree).
rules.add_perm("activities.view_campaign", is_superuser | administers_campaign | is_unit_admin)
# Record something for a unit (the object is the organisation).
rules.add_perm("activities.record_for_org", is_superuser | administers_org)
rules.add_perm("activities.view_record", can_view)
rules.add_perm("activities.change_record", can_change)
rules.add_perm("activities.see_volunteer_phone", can_change)


def may_record(user: Any) -> bool:
    """Whether the user may record anything at all (shows the "New" buttons)."""
    return bool(is_superuser(user) or is_unit_admin(user))


def shown_phone(user: Any, volunteer: Any) -> str:
    """The volunteer's phone as `user` may see it: whole for the admins of the volunteer's unit
    subtree and superusers, masked for everyone else."""
    phone = str(getattr(volunteer, "phone", "") or "")
    return phone if can_change(user, volunteer) else mask_phone(phone)
