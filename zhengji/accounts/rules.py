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


def can_see_phone(user, other_user) -> bool:
    """Full phone numbers are for the owner, superusers, and unit admins whose subtree holds the
    other user's membership organisation. Everyone else sees 138****1234."""
    if user is None or other_user is None or not user.is_authenticated:
        return False
    if user.pk == other_user.pk or user.is_superuser:
        return True
    paths = scopes_for(user).admin_org_paths
    if not paths:
        return False
    from zhengji.orgs.models import Membership

    # Use a prefetched membership when the caller has one (lists), else one query.
    try:
        membership = other_user.membership
    except Membership.DoesNotExist:
        return False
    org_path = membership.org.path if membership is not None else ""
    return bool(org_path) and any(org_path.startswith(p) for p in paths)


rules.add_perm("accounts.see_phone", rules.predicate(can_see_phone))


def shown_phone(user, other_user) -> str:
    """The phone of `other_user` as `user` may see it."""
    from zhengji.common.i18n import mask_phone

    phone = getattr(other_user, "phone", "") or ""
    return phone if can_see_phone(user, other_user) else mask_phone(phone)
