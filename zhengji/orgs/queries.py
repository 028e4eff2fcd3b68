"""Read helpers for pages outside the unit-admin area: organisation labels, the join search, and
a user's membership as the personal centre and `/api/me` show it (set as the provider of
`accounts.profile` in `OrgsConfig.ready()`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from zhengji.accounts.profile import MembershipView

from .models import Membership, Organization

SEARCH_LIMIT = 20


def org_path_labels(orgs: Iterable[Organization]) -> dict[int, str]:
    """{org.pk: "铜陵市总工会 › 义安区总工会 › …"} (the root left out below the second level)
    for the given organisations, in one query
    for all their ancestors (materialised paths: each ancestor's path is a prefix)."""
    orgs = list(orgs)
    step = Organization.steplen
    prefixes = {o.path[:i] for o in orgs for i in range(step, len(o.path), step)}
    names = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    out = {}
    for o in orgs:
        parts = [names[o.path[:i]] for i in range(step, len(o.path), step) if o.path[:i] in names]
        if len(parts) >= 2:
            parts = parts[1:]  # the root (the province) is the same for everyone: leave it out
        out[o.pk] = " › ".join(parts + [o.name])
    return out


def search_orgs(q: str) -> list[tuple[Organization, str]]:
    q = (q or "").replace("\x00", "").strip()[:60]  # PostgreSQL refuses NUL in strings
    if not q:
        return []
    found = list(Organization.objects.filter(is_active=True)
                 .filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(name_en__icontains=q))
                 .order_by("path")[:SEARCH_LIMIT])
    labels = org_path_labels(found)
    return [(o, labels[o.pk]) for o in found]


def membership_view(user: Any) -> MembershipView | None:
    """The user's membership with its organisation's path label (two queries), or None."""
    if user is None or not user.is_authenticated:
        return None
    m = Membership.objects.select_related("org").filter(user=user).first()
    if m is None:
        return None
    return MembershipView(org_id=m.org_id, org_name=m.org.name, org_path=org_path_labels([m.org])[m.org_id],
                          status=m.status, status_label=str(m.get_status_display()))
