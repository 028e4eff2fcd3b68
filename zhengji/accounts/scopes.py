"""What a user administers, computed once per user object and reused by every permission predicate
in the request. Predicates live in each app's rules.py and use these.

The roles themselves are registered by the apps that own their scopes (`accounts.roles`); this
module reads them generically: one query for the user's assignments, then one query per held kind
that needs more than ids (e.g. the organisation paths of unit admins)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Q

from . import roles
from .models import RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The role names behind the fixed attribute API below (registered by orgs and campaigns).
UNIT_ADMIN = "unit_admin"
CAMPAIGN_ADMIN = "campaign_admin"
MODERATOR = "moderator"
HOST_STAFF = "host_staff"
JUDGE = "judge"


@dataclass
class Scopes:
    """The scope ids a user holds per role name, and what each kind's loader made of them."""

    _ids: dict[str, set[int]] = field(default_factory=dict)
    _data: dict[str, object] = field(default_factory=dict)

    def ids(self, role: str) -> set[int]:
        """The scope ids held for this role (the set itself: adding to it updates these scopes)."""
        return self._ids.setdefault(str(role), set())

    def data(self, role: str) -> object:
        """What the role kind's loader returned for the held ids (None without a loader or role)."""
        return self._data.get(str(role))

    def holds(self, role: str) -> bool:
        return bool(self._ids.get(str(role)))

    @property
    def roles(self) -> set[str]:
        return {r for r, ids in self._ids.items() if ids}

    # --- the attribute API every rules.py uses ------------------------------------------------

    @property
    def admin_org_paths(self) -> list[str]:
        """Unit admin subtrees (materialised paths)."""
        paths = self.data(UNIT_ADMIN)
        if paths is None:
            paths = self._data[UNIT_ADMIN] = []
        return cast(list[str], paths)

    @property
    def admin_org_ids(self) -> list[int]:
        return sorted(self.ids(UNIT_ADMIN))

    @property
    def campaign_admin(self) -> set[int]:
        return self.ids(CAMPAIGN_ADMIN)

    @property
    def moderator(self) -> set[int]:
        return self.ids(MODERATOR)

    @property
    def host_tracks(self) -> set[int]:
        return self.ids(HOST_STAFF)

    @property
    def judge_tracks(self) -> set[int]:
        return self.ids(JUDGE)

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
        """Holds any registered role at all."""
        return any(ids and roles.is_registered(r) for r, ids in self._ids.items())


def load_scopes(user_id: int) -> Scopes:
    """Compute the scopes of one user: one query, plus one per held kind with a loader."""
    s = Scopes()
    rows = RoleAssignment.objects.filter(user_id=user_id).values_list("role", "scope_type", "scope_id")
    for role, scope_type, scope_id in rows:
        if not roles.is_registered(role) or roles.get(role).scope_model != scope_type:
            continue  # a role whose app is gone, or a row of the wrong kind: grants nothing
        s.ids(role).add(scope_id)
    for role in sorted(s.roles):
        kind = roles.get(role)
        if kind.load is not None:
            s._data[role] = kind.load(frozenset(s.ids(role)))
    return s


def scopes_for(user: AbstractBaseUser | AnonymousUser | None) -> Scopes:
    if user is None or not user.is_authenticated:
        return Scopes()
    cached = getattr(user, "_zj_scopes", None)  # getattr: request.user is a lazy wrapper
    if cached is not None:
        return cast(Scopes, cached)
    s = load_scopes(cast(int, user.pk))
    cast(Any, user)._zj_scopes = s
    return s


def forget_scopes(user: AbstractBaseUser | AnonymousUser) -> None:
    """Call after granting or revoking a role of this user object."""
    if hasattr(user, "_zj_scopes"):
        delattr(user, "_zj_scopes")
