"""Permission predicates of the comments area (imported by hooks_comments.connect()).

- `public.comment`: a logged-in, active account with a verified phone (real name behind);
- `public.moderate_comments` (a campaign): superusers, the campaign's admins and moderators;
- `public.moderate_comment` (a comment): as above for its campaign, and host staff of the
  track of the entry it is on;
- `public.manage_comment_settings` / `public.manage_sensitive_words` (a campaign): superusers
  and the campaign's admins; the global word list (no campaign): superusers only.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for


def _campaign_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if hasattr(obj, "campaign_id"):
        return obj.campaign_id
    return obj.pk


@rules.predicate
def may_comment(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.phone_verified)


@rules.predicate
def moderates_campaign(user: Any, obj: Any) -> bool:
    """A campaign admin or moderator of the campaign (of a campaign, or of a comment)."""
    cid = _campaign_id(obj)
    if cid is None or user is None or not user.is_authenticated:
        return False
    s = scopes_for(user)
    return cid in s.campaign_admin or cid in s.moderator


@rules.predicate
def hosts_comment_track(user: Any, comment: Any) -> bool:
    track_id = getattr(comment, "track_id", None)
    return (track_id is not None and user is not None and user.is_authenticated
            and track_id in scopes_for(user).host_tracks)


@rules.predicate
def administers_campaign(user: Any, obj: Any) -> bool:
    cid = _campaign_id(obj)
    return cid is not None and user is not None and user.is_authenticated and cid in scopes_for(user).campaign_admin


def may_moderate_any(user: Any) -> bool:
    """Whether the user has a moderation queue at all."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    s = scopes_for(user)
    return bool(s.campaign_admin or s.moderator or s.host_tracks)


def queue_q(user: Any) -> Q:
    """The comments this user moderates, as a filter on Comment."""
    if user.is_superuser:
        return Q()
    s = scopes_for(user)
    campaigns = set(s.campaign_admin) | set(s.moderator)
    return Q(campaign_id__in=sorted(campaigns)) | Q(track_id__in=sorted(s.host_tracks))


rules.add_perm("public.comment", may_comment)
rules.add_perm("public.moderate_comments", is_superuser | moderates_campaign)
rules.add_perm("public.moderate_comment", is_superuser | moderates_campaign | hosts_comment_track)
rules.add_perm("public.manage_comment_settings", is_superuser | administers_campaign)
rules.add_perm("public.manage_sensitive_words", is_superuser | administers_campaign)
