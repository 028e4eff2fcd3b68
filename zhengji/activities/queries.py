"""Read-only answers about activities, brand projects and volunteers: who sees which rows (the
one gate of this app), list filters with keyset pages, and the counts the statistics dashboard
uses (`org_ids_with_activity`, `counts_by_org`, `subtree_totals`, `totals_by_child`).

Visibility: superusers and the campaign's admins see every row of the campaign; a unit admin
sees the rows of the units in the subtrees they administer; nobody else sees anything.

Pages are keyset (`WHERE (key, id) < (last key, last id) ORDER BY key DESC, id DESC LIMIT n`):
no OFFSET scan, the same few queries for the first page and the thousandth.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.dateparse import parse_date

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign
from zhengji.orgs.models import Organization

from .models import Activity, ActivityKind, BrandProject, Volunteer

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
UNIT_CHOICES_LIMIT = 300
MAX_ID = 2**63 - 1

M = TypeVar("M", bound=Model)


class BadCursor(ValueError):
    pass


# --- the gate --------------------------------------------------------------------------------------

def sees_whole_campaign(user: Any, campaign_id: int) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or campaign_id in scopes_for(user).campaign_admin))


def _scoped(user: Any, qs: QuerySet[M], campaign_id: int) -> QuerySet[M]:
    qs = qs.filter(campaign_id=campaign_id)
    if user is None or not user.is_authenticated:
        return qs.none()
    if sees_whole_campaign(user, campaign_id):
        return qs
    scopes = scopes_for(user)
    if not scopes.admin_org_paths:
        return qs.none()
    return qs.filter(scopes.subtree_q("org__"))


def activities_for(user: Any, campaign_id: int) -> QuerySet[Activity]:
    return _scoped(user, Activity.objects.all(), campaign_id)


def brand_projects_for(user: Any, campaign_id: int) -> QuerySet[BrandProject]:
    return _scoped(user, BrandProject.objects.all(), campaign_id)


def volunteers_for(user: Any, campaign_id: int) -> QuerySet[Volunteer]:
    return _scoped(user, Volunteer.objects.all(), campaign_id)


def _valid_pk(pk: Any) -> int | None:
    try:
        n = int(pk)
    except (TypeError, ValueError):
        return None
    return n if 0 < n <= MAX_ID else None


def _one(user: Any, model: type[M], pk: Any) -> M | None:
    """The row if the user may see it (else None: callers answer 404, revealing nothing)."""
    n = _valid_pk(pk)
    if n is None or user is None or not user.is_authenticated:
        return None
    obj = model._default_manager.select_related("org", "campaign").filter(pk=n).first()
    if obj is None or not user.has_perm("activities.view_record", obj):
        return None
    return obj


def activity_for(user: Any, pk: Any) -> Activity | None:
    return _one(user, Activity, pk)


def brand_project_for(user: Any, pk: Any) -> BrandProject | None:
    return _one(user, BrandProject, pk)


def volunteer_for(user: Any, pk: Any) -> Volunteer | None:
    return _one(user, Volunteer, pk)


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """The campaigns whose activities the user may list: every one for superusers; their own for
    campaign admins; for unit admins, those covering (or lying in) a subtree they administer."""
    qs = Campaign.objects.select_related("org").order_by("-year", "-id")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    scopes = scopes_for(user)
    q = Q(pk__in=sorted(scopes.campaign_admin))
    step = Organization.steplen
    for p in scopes.admin_org_paths:
        q |= Q(org__path__in=[p[:i] for i in range(step, len(p) + 1, step)]) | Q(org__path__startswith=p)
    return qs.filter(q)


def campaign_for(user: Any, pk: Any) -> Campaign | None:
    n = _valid_pk(pk)
    if n is None:
        return None
    return campaigns_for(user).filter(pk=n).first()


def unit_choices(user: Any, campaign: Campaign, limit: int = UNIT_CHOICES_LIMIT) -> list[Organization]:
    """The units the user may pick (to record for, or to filter by) in the campaign: the tops of
    the administered subtrees inside the campaign's tree and their direct children (at most
    `limit`, in tree order). Superusers and campaign admins: the campaign's organisation and its
    children. Deeper units are reached through the API or by filtering on a parent."""
    step = Organization.steplen
    base = Organization.objects.filter(is_active=True, path__startswith=campaign.org.path)
    if user.is_superuser or campaign.pk in scopes_for(user).campaign_admin:
        tops = [campaign.org.path]
    else:
        paths = scopes_for(user).admin_org_paths
        tops = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
        # An admin above the campaign's organisation starts at the campaign's organisation.
        tops = [campaign.org.path if campaign.org.path.startswith(p) else p for p in tops
                if p.startswith(campaign.org.path) or campaign.org.path.startswith(p)]
    if not tops:
        return []
    q = Q(pk__in=[])
    for p in tops:
        q |= Q(path=p) | Q(path__startswith=p, depth=len(p) // step + 1)
    return list(base.filter(q).order_by("path")[:limit])


# --- filters and keyset pages ---------------------------------------------------------------------

def _num(params: Mapping[str, Any], name: str) -> int | None:
    return _valid_pk(str(params.get(name) or "").strip())


def _date(params: Mapping[str, Any], name: str) -> dt.date | None:
    raw = str(params.get(name) or "").strip()
    try:
        return parse_date(raw) if raw else None
    except ValueError:
        return None


def _clean(q: Any, limit: int = 100) -> str:
    return str(q or "").replace("\x00", "").strip()[:limit]


@dataclass
class Filters:
    """The lists' filters: a unit (with its subtree), a kind (activities), a date range, a text."""

    unit: int | None = None
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Filters:
        kind = str(params.get("kind") or "")
        return cls(unit=_num(params, "unit"), kind=kind if kind in ActivityKind.values else "",
                   date_from=_date(params, "date_from"), date_to=_date(params, "date_to"), q=_clean(params.get("q")))

    def as_params(self) -> dict[str, str]:
        out = {"unit": self.unit, "kind": self.kind, "date_from": self.date_from, "date_to": self.date_to,
               "q": self.q}
        return {k: str(v) for k, v in out.items() if v not in (None, "")}


def _unit_filter(qs: QuerySet[M], unit: int | None) -> QuerySet[M]:
    if not unit:
        return qs
    path = Organization.objects.filter(pk=unit).values_list("path", flat=True).first()
    return qs.filter(org__path__startswith=path) if path is not None else qs.none()


def filter_activities(qs: QuerySet[Activity], f: Filters) -> QuerySet[Activity]:
    qs = _unit_filter(qs, f.unit)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.date_from:
        qs = qs.filter(held_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(held_on__lte=f.date_to)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(place__icontains=f.q) | Q(description__icontains=f.q))
    return qs.select_related("org")


def filter_brand_projects(qs: QuerySet[BrandProject], f: Filters) -> QuerySet[BrandProject]:
    qs = _unit_filter(qs, f.unit)
    if f.date_from:
        qs = qs.filter(started_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(started_on__lte=f.date_to)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(description__icontains=f.q))
    return qs.select_related("org")


def filter_volunteers(qs: QuerySet[Volunteer], f: Filters) -> QuerySet[Volunteer]:
    """Text search in names and skills, or an exact phone number (never a part of one: a search
    must not reveal a masked number digit by digit)."""
    qs = _unit_filter(qs, f.unit)
    if f.date_from:
        qs = qs.filter(created_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(created_at__date__lte=f.date_to)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(skills__icontains=f.q) | Q(phone=f.q))
    return qs.select_related("org")


def encode_cursor(key: Any, pk: int) -> str:
    raw = key.isoformat() if isinstance(key, dt.date) else key
    return base64.urlsafe_b64encode(json.dumps([raw, pk]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, dated: bool) -> tuple[Any, int]:
    try:
        raw, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = dt.date.fromisoformat(raw) if dated else None
        n = _valid_pk(pk)
        if n is None:
            raise ValueError("bad id")
        return key, n
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursor(str(exc)) from None


@dataclass
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def page(qs: QuerySet[M], cursor: str | None, size: int = PAGE_SIZE, *, date_key: str | None = None) -> Page[M]:
    """Newest first: by `date_key` then id (activities: `held_on`), or by id alone."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        key, pk = decode_cursor(cursor, dated=date_key is not None)
        if date_key is not None:
            qs = qs.filter(Q(**{f"{date_key}__lt": key}) | Q(**{date_key: key, "pk__lt": pk}))
        else:
            qs = qs.filter(pk__lt=pk)
    order = [f"-{date_key}", "-pk"] if date_key else ["-pk"]
    rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = None
    if more and rows:
        last = rows[-1]
        nxt = encode_cursor(getattr(last, date_key) if date_key else None, int(last.pk))
    return Page(rows, nxt)


def photo_counts(activity_ids: list[int]) -> dict[int, int]:
    if not activity_ids:
        return {}
    rows = (Activity.objects.filter(pk__in=activity_ids).annotate(n=Count("photo_links"))
            .values_list("pk", "n"))
    return dict(rows)


# --- counts for coverage and the dashboard --------------------------------------------------------

def org_ids_with_activity(campaign_id: int) -> QuerySet[Any]:
    """Ids of organisations that recorded at least one activity or brand project in the campaign
    (a flat values_list, usable inside another query's `__in`)."""
    # order_by(): the models' default ordering is not allowed inside a compound statement.
    return (Activity.objects.filter(campaign_id=campaign_id).order_by().values_list("org_id", flat=True)
            .union(BrandProject.objects.filter(campaign_id=campaign_id).order_by().values_list("org_id", flat=True)))


@dataclass
class Counts:
    activities: int = 0
    participants: int = 0
    volunteers: int = 0
    brand_projects: int = 0

    def add(self, other: Counts) -> None:
        self.activities += other.activities
        self.participants += other.participants
        self.volunteers += other.volunteers
        self.brand_projects += other.brand_projects


def _in_subtree(qs: QuerySet[M], path: str | None) -> QuerySet[M]:
    return qs.filter(org__path__startswith=path) if path else qs


def counts_by_org(campaign_id: int, path: str | None = None) -> dict[int, Counts]:
    """{org id: Counts} of the organisations (in the subtree at `path`, if given) that recorded
    anything in the campaign. Three grouped queries (indexed on campaign, org), whatever the size of
    the tree; organisations with nothing are absent."""
    out: dict[int, Counts] = {}
    acts = (_in_subtree(Activity.objects.filter(campaign_id=campaign_id), path).order_by().values("org_id")
            .annotate(n=Count("id"), p=Sum("participants")).values_list("org_id", "n", "p"))
    for org_id, n, p in acts:
        c = out.setdefault(org_id, Counts())
        c.activities, c.participants = n, p or 0
    for org_id, n in (_in_subtree(Volunteer.objects.filter(campaign_id=campaign_id), path).order_by()
                      .values("org_id").annotate(n=Count("id")).values_list("org_id", "n")):
        out.setdefault(org_id, Counts()).volunteers = n
    for org_id, n in (_in_subtree(BrandProject.objects.filter(campaign_id=campaign_id), path).order_by()
                      .values("org_id").annotate(n=Count("id")).values_list("org_id", "n")):
        out.setdefault(org_id, Counts()).brand_projects = n
    return out


def subtree_totals(campaign_id: int, path: str | None = None) -> Counts:
    """The totals of the whole subtree at `path` (or the whole campaign): three aggregates."""
    a = _in_subtree(Activity.objects.filter(campaign_id=campaign_id), path).aggregate(
        n=Count("id"), p=Sum("participants"))
    return Counts(activities=a["n"] or 0, participants=a["p"] or 0,
                  volunteers=_in_subtree(Volunteer.objects.filter(campaign_id=campaign_id), path).count(),
                  brand_projects=_in_subtree(BrandProject.objects.filter(campaign_id=campaign_id), path).count())


def totals_by_child(campaign_id: int, parent: Organization) -> dict[str, Counts]:
    """{child path: Counts of the child's whole subtree} for the children of `parent` (the parent's
    own rows under its own path). Grouped in the database by the path prefix one level below the
    parent: three queries, no per-child loop."""
    width = len(parent.path) + Organization.steplen
    out: dict[str, Counts] = {}

    def grouped(qs: QuerySet[Any]) -> QuerySet[Any]:
        out: QuerySet[Any] = (qs.filter(campaign_id=campaign_id, org__path__startswith=parent.path).order_by()
                              .annotate(branch=Substr("org__path", 1, width)).values("branch"))
        return out

    for branch, n, p in grouped(Activity.objects.all()).annotate(n=Count("id"), p=Sum("participants")).values_list(
            "branch", "n", "p"):
        c = out.setdefault(branch, Counts())
        c.activities, c.participants = n, p or 0
    for branch, n in grouped(Volunteer.objects.all()).annotate(n=Count("id")).values_list("branch", "n"):
        out.setdefault(branch, Counts()).volunteers = n
    for branch, n in grouped(BrandProject.objects.all()).annotate(n=Count("id")).values_list("branch", "n"):
        out.setdefault(branch, Counts()).brand_projects = n
    return out
