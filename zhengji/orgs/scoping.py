"""Which organisations a user may see: the union of the subtrees they administer (superusers: all).
Objects outside the scope are answered with 404 so their existence is not revealed."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhengji.accounts.scopes import scopes_for

from .models import Organization


def scope_q(user, prefix: str = "") -> Q | None:
    """A Q matching the user's subtrees (None = everything, for superusers). `prefix` is the lookup
    path to the organisation (e.g. "org__")."""
    if user.is_superuser:
        return None
    return scopes_for(user).subtree_q(prefix)


def visible_orgs(user) -> QuerySet[Organization]:
    q = scope_q(user)
    qs = Organization.objects.all()
    return qs if q is None else qs.filter(q)


def admin_roots(user) -> QuerySet[Organization]:
    """The tops of the user's subtrees: the roots of the tree for superusers."""
    if user.is_superuser:
        return Organization.objects.get_root_nodes()
    paths = scopes_for(user).admin_org_paths
    # Drop paths nested inside another administered path: the outer one already shows them.
    tops = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    return Organization.objects.filter(path__in=tops).order_by("path")


def in_scope(user, org: Organization) -> bool:
    return user.is_superuser or scopes_for(user).administers_path(org.path)


MAX_ID = 2**63 - 1


def get_org_or_404(user, pk) -> Organization:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404
    if not 0 < pk <= MAX_ID:  # out-of-range ids would overflow the database driver
        raise Http404
    org = Organization.objects.filter(pk=pk).first()
    if org is None or not in_scope(user, org):
        raise Http404
    return org


def clean_query(q: str | None, limit: int = 100) -> str:
    """A search string safe for every backend (PostgreSQL refuses NUL characters)."""
    return (q or "").replace("\x00", "").strip()[:limit]


def path_names(orgs: list[Organization]) -> dict[int, list[str]]:
    """For each org, the names of its ancestors (root first), in one query for the whole list."""
    step = Organization.steplen
    wanted = {o.path[:i] for o in orgs for i in range(step, len(o.path), step)}
    names = dict(Organization.objects.filter(path__in=wanted).values_list("path", "name")) if wanted else {}
    return {o.pk: [names.get(o.path[:i], "") for i in range(step, len(o.path), step)] for o in orgs}
