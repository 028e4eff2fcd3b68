"""Read helpers for pages outside the unit-admin area: organisation labels, the join search, and
a user's membership as the personal centre and `/api/me` show it (set as the provider of
`accounts.profile` in `OrgsConfig.ready()`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from zhengji.accounts.models import RoleAssignment
from zhengji.accounts.profile import MembershipView
from zhengji.accounts.scopes import UNIT_ADMIN, scopes_for
from zhengji.common.i18n import localized

from .models import Membership, MembershipStatus, Organization

SEARCH_LIMIT = 20


def org_path_labels(orgs: Iterable[Organization]) -> dict[int, str]:
    """{org.pk: "铜陵市总工会 › 义安区总工会 › …"} (the root left out below the second level; English
    names on English pages where they exist, `common.i18n.localized`)
    for the given organisations, in one query
    for all their ancestors (materialised paths: each ancestor's path is a prefix)."""
    orgs = list(orgs)
    step = Organization.steplen
    prefixes = {o.path[:i] for o in orgs for i in range(step, len(o.path), step)}
    names = ({a.path: localized(a, "name")
              for a in Organization.objects.filter(path__in=prefixes).only("path", "name", "name_en")}
             if prefixes else {})
    out = {}
    for o in orgs:
        parts = [names[o.path[:i]] for i in range(step, len(o.path), step) if o.path[:i] in names]
        if len(parts) >= 2:
            parts = parts[1:]  # the root (the province) is the same for everyone: leave it out
        out[o.pk] = " › ".join(parts + [localized(o, "name")])
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
    return MembershipView(org_id=m.org_id, org_name=localized(m.org, "name"),
                          org_path=org_path_labels([m.org])[m.org_id], status=m.status,
                          status_label=str(m.get_status_display()))


# --- members awaiting confirmation, across an admin's subtree -----------------------------------

PENDING_PAGE = 50


def _pending(user: Any, unit: Organization | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(status=MembershipStatus.PENDING)
    if not user.is_superuser:
        qs = qs.filter(scopes_for(user).subtree_q("org__"))
    if unit is not None:
        qs = qs.filter(org__path__startswith=unit.path)
    return qs


def pending_count(user: Any, unit: Organization | None = None) -> int:
    """How many requests wait in the user's subtrees (or in `unit`'s subtree): one COUNT query."""
    if not user.is_superuser and not scopes_for(user).admin_org_paths:
        return 0
    return _pending(user, unit).count()


def pending_page(user: Any, *, unit: Organization | None = None, after: int | None = None,
                 limit: int = PENDING_PAGE) -> tuple[list[Membership], int | None]:
    """One page of the queue, oldest request first, keyset-paginated on the membership id:
    (rows with user and organisation loaded, the cursor of the next page or None). Each row
    carries `org_label` (its organisation's path). Three queries, whatever the page size."""
    qs = _pending(user, unit).select_related("user", "org").order_by("pk")
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    labels = org_path_labels([m.org for m in rows])
    for m in rows:
        m.org_label = labels[m.org_id]  # type: ignore[attr-defined]  # for the template
    return rows, (rows[-1].pk if more else None)


def pending_by_child(org: Organization) -> dict[str, int]:
    """{child path: requests waiting in that child's subtree} for the children of `org` (one
    grouped query; children share one path length)."""
    width = len(org.path) + Organization.steplen
    rows = (Membership.objects.filter(status=MembershipStatus.PENDING, org__path__startswith=org.path)
            .exclude(org__path=org.path)
            .annotate(prefix=Substr("org__path", 1, width)).values("prefix").annotate(n=Count("pk"))
            .values_list("prefix", "n"))
    return dict(rows)


UNIT_FILTER_LIMIT = 100


def pending_units(user: Any) -> list[tuple[Organization, int]]:
    """The units with requests waiting in the user's subtrees, most waiting first (at most 100;
    two queries): the choices of the queue's unit filter."""
    counts = list(_pending(user).values("org_id").annotate(n=Count("pk")).order_by("-n", "org_id")
                  .values_list("org_id", "n")[:UNIT_FILTER_LIMIT])
    orgs = Organization.objects.in_bulk([pk for pk, _n in counts])
    return [(orgs[pk], n) for pk, n in counts if pk in orgs]


def membership_status(user: Any) -> Membership | None:
    """The worker's membership for the status card of the join page, with `org_label` and
    `contacts`: whom to ask (the union's contact person, else the names of its admins and of the
    level above; at most three). Three queries at most."""
    if user is None or not user.is_authenticated:
        return None
    m = Membership.objects.select_related("org").filter(user=user).first()
    if m is None:
        return None
    m.org_label = org_path_labels([m.org])[m.org_id]  # type: ignore[attr-defined]  # for the template
    contacts: list[tuple[str, str]] = []
    if m.org.contact_name or m.org.contact_phone:
        contacts.append((m.org.contact_name, m.org.contact_phone))
    elif m.status != MembershipStatus.CONFIRMED:
        step = Organization.steplen
        paths = [m.org.path] + ([m.org.path[:-step]] if len(m.org.path) > step else [])
        org_ids = Organization.objects.filter(path__in=paths).values("pk")
        names = (RoleAssignment.objects.filter(role=UNIT_ADMIN, scope_type="orgs.organization", scope_id__in=org_ids,
                                               user__is_active=True)
                 .order_by("pk").values_list("user__real_name", flat=True)[:3])
        contacts.extend((n, "") for n in names if n)
    m.contacts = contacts  # type: ignore[attr-defined]
    return m
