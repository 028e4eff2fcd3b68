"""Subtree statistics: simple aggregates over the materialized path (one indexed prefix scan)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from .models import Organization, OrgKind


def subtree(org: Organization, *, active_only: bool = True):
    qs = Organization.objects.filter(path__startswith=org.path)
    return qs.filter(is_active=True) if active_only else qs


def member_total(org: Organization, *, active_only: bool = True) -> int:
    """Declared members of the whole subtree (the denominator of the participation rate)."""
    return subtree(org, active_only=active_only).aggregate(n=Sum("member_count"))["n"] or 0


def grassroots_count(org: Organization, *, active_only: bool = True) -> int:
    """Grassroots unions in the subtree (the denominator of the coverage rate)."""
    return subtree(org, active_only=active_only).filter(kind=OrgKind.GRASSROOTS).count()


def subtree_summary(org: Organization, *, active_only: bool = True) -> dict[str, int]:
    """Both figures and the number of organisations, in one query."""
    row = subtree(org, active_only=active_only).aggregate(
        orgs=Count("pk"), members=Sum("member_count"), grassroots=Count("pk", filter=Q(kind=OrgKind.GRASSROOTS)))
    return {"orgs": row["orgs"] or 0, "members": row["members"] or 0, "grassroots": row["grassroots"] or 0}


def member_totals(orgs: Iterable[Organization]) -> dict[int, int]:
    """{org.pk: declared members of its whole (active) subtree}, the figure the detail page calls
    "Members in total", for many organisations: one grouped query per path length (the tree's
    nodes on one level share one)."""
    groups: dict[int, list[Organization]] = defaultdict(list)
    for o in orgs:
        groups[len(o.path)].append(o)
    out: dict[int, int] = {}
    for width, group in groups.items():
        q = Q()
        for o in group:
            q |= Q(path__startswith=o.path)
        # order_by(): the tree's default ordering (path) would split the groups
        sums = dict(Organization.objects.filter(q, is_active=True).order_by().annotate(prefix=Substr("path", 1, width))
                    .values("prefix").annotate(n=Sum("member_count")).values_list("prefix", "n"))
        for o in group:
            out[o.pk] = sums.get(o.path) or 0
    return out
