"""Permission predicates for accounts and roles."""

from __future__ import annotations

import rules

from .scopes import scopes_for


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_staff_of_anything(user) -> bool:
    return is_superuser(user) or scopes_for(user).is_staff_of_anything


@rules.predicate
def is_unit_admin(user) -> bool:
    return bool(scopes_for(user).admin_org_paths)


rules.add_perm("accounts.access_manage", is_staff_of_anything)


def can_grant(actor, role: str, *, org=None, track=None, campaign=None) -> bool:
    """Who may grant (or revoke) which role in which scope:
    - unit admins appoint unit admins within their subtree;
    - campaign admins grant campaign admin and moderator for their campaign, host staff and
      judges for its tracks;
    - host-unit staff appoint judges for their track."""
    from .models import Role

    if is_superuser(actor):
        return True
    s = scopes_for(actor)
    if role == Role.UNIT_ADMIN:
        return org is not None and s.administers_path(org.path)
    if role in (Role.CAMPAIGN_ADMIN, Role.MODERATOR):
        return campaign is not None and campaign.pk in s.campaign_admin
    if role in (Role.HOST_STAFF, Role.JUDGE):
        if track is None:
            return False
        if track.campaign_id in s.campaign_admin:
            return True
        return role == Role.JUDGE and track.pk in s.host_tracks
    return False
