"""What a user administers, computed once per user object (one query) and reused by every
permission predicate in the request. Predicates live in each app's rules.py and use these."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Role


@dataclass
class Scopes:
    admin_org_paths: list[str] = field(default_factory=list)  # unit admin subtrees
    admin_org_ids: list[int] = field(default_factory=list)
    campaign_admin: set[int] = field(default_factory=set)
    moderator: set[int] = field(default_factory=set)
    host_tracks: set[int] = field(default_factory=set)
    judge_tracks: set[int] = field(default_factory=set)

    def subtree_q(self, prefix: str = "") -> Q:
        """A Q matching the organisations in the administered subtrees (`prefix` is the lookup
        path to the organisation, e.g. "unit__"); it matches nothing without a unit-admin role."""
        q = Q(pk__in=[])
        for p in self.admin_org_paths:
            q |= Q(**{f"{prefix}path__startswith": p})
        return q

    def administers_path(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.admin_org_paths)

    @property
    def is_staff_of_anything(self) -> bool:
        return bool(self.admin_org_paths or self.campaign_admin or self.moderator or self.host_tracks
                    or self.judge_tracks)


def scopes_for(user) -> Scopes:
    if user is None or not user.is_authenticated:
        return Scopes()
    cached = getattr(user, "_zj_scopes", None)
    if cached is not None:
        return cached
    s = Scopes()
    # user_id is loaded too: the related manager reads it on every row (a query each if deferred).
    rows = user.roles.select_related("org").only("role", "user_id", "org__path", "org_id", "campaign_id", "track_id")
    for r in rows:
        if r.role == Role.UNIT_ADMIN and r.org is not None:
            s.admin_org_paths.append(r.org.path)
            s.admin_org_ids.append(r.org_id)
        elif r.role == Role.CAMPAIGN_ADMIN and r.campaign_id:
            s.campaign_admin.add(r.campaign_id)
        elif r.role == Role.MODERATOR and r.campaign_id:
            s.moderator.add(r.campaign_id)
        elif r.role == Role.HOST_STAFF and r.track_id:
            s.host_tracks.add(r.track_id)
        elif r.role == Role.JUDGE and r.track_id:
            s.judge_tracks.add(r.track_id)
    user._zj_scopes = s
    return s


def forget_scopes(user) -> None:
    """Call after granting or revoking a role of this user object."""
    if hasattr(user, "_zj_scopes"):
        del user._zj_scopes
