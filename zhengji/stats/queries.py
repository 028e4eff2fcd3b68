"""Read-only answers of the statistics dashboard and the outstanding-units list.

Every figure comes from the pre-aggregated tables (`stats.models`) plus a few grouped queries
over the organisation tree and the activities, so a dashboard is a fixed number of indexed
queries whatever the number of entries:

1. the campaign's tracks; 2. the root's rolled-up status rows; 3. the children; 4. their status
rows, summed per child; 5. distinct participants of the root and each child; 6. members, units
and covered units per child (one grouped scan of the subtree's organisations, with the units
that have entries or activities as sub-selects); 7. submissions per day; 8. on-time reporting
per level.

Rates: participation = distinct participating workers ÷ declared members of the subtree;
coverage = active organisations of the subtree with at least one counted entry of their own or
one activity or brand project ÷ active organisations of the subtree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.activities.models import Activity, BrandProject
from zhengji.activities.queries import Counts, totals_by_child
from zhengji.campaigns.models import Campaign, Track
from zhengji.entries.models import EntryStatus
from zhengji.orgs.models import Organization, OrgKind
from zhengji.orgs.queries import org_path_labels

from .models import DailyTally, LevelReport, OutstandingPick, Participant, StatusTally, SubtreeTally, UnitTally
from .rules import sees_whole_campaign
from .tally import COUNTED, RECOMMENDED_PLUS, STEP

# The states shown as columns, in lifecycle order.
STATES = [s for s in EntryStatus if s.value in COUNTED]
SILENT_PAGE = 50


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- what a user may see ---------------------------------------------------------------------------

def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """Campaigns whose statistics the user may open, newest first."""
    qs = Campaign.objects.select_related("org").order_by("-year", "-id")
    if user.is_superuser:
        return qs
    s = scopes_for(user)
    q = Q(pk__in=sorted(s.campaign_admin))
    for p in s.admin_org_paths:
        # The campaign's organisation is above (or is) the administered one, or inside it.
        q |= Q(is_published=True) & (Q(org__path__in=[p[:i] for i in range(STEP, len(p) + 1, STEP)])
                                     | Q(org__path__startswith=p))
    return qs.filter(q)


def roots_for(user: Any, campaign: Campaign) -> list[Organization]:
    """The tops of the subtrees the user may see in the campaign."""
    top = campaign.org
    if sees_whole_campaign(user, campaign):
        return [top]
    paths = set()
    for p in scopes_for(user).admin_org_paths:
        if p.startswith(top.path):
            paths.add(p)
        elif top.path.startswith(p):
            paths.add(top.path)
    tops = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    return list(Organization.objects.filter(path__in=tops).order_by("path"))


# --- the dashboard --------------------------------------------------------------------------------

@dataclass
class Row:
    """The figures of one subtree (the root or one child)."""

    org: Organization
    entries: int = 0
    recommended: int = 0
    participants: int = 0
    members: int = 0
    units: int = 0
    covered: int = 0
    has_children: bool = False
    # What the subtree's units recorded besides entries (activities app): activities and their
    # participants, brand projects, registered volunteers.
    activities: int = 0
    activity_participants: int = 0
    brand_projects: int = 0
    volunteers: int = 0

    @property
    def participation(self) -> float | None:
        return rate(self.participants, self.members)

    @property
    def coverage(self) -> float | None:
        return rate(self.covered, self.units)

    @property
    def silent(self) -> int:
        return self.units - self.covered


@dataclass
class TrackRow:
    track: Track
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class LevelRow:
    kind: str
    label: str
    on_time: int
    late: int

    @property
    def rate(self) -> float | None:
        return rate(self.on_time, self.on_time + self.late)


@dataclass
class Dashboard:
    campaign: Campaign
    root: Row
    states: list[tuple[str, str]]
    tracks: list[TrackRow]
    children: list[Row]
    daily: list[tuple[dt.date, int]]
    levels: list[LevelRow]
    extra: dict[str, Any] = field(default_factory=dict)


def covered_q(campaign: Campaign) -> Q:
    """Organisations with at least one counted entry of their own, or an activity or brand project."""
    own = UnitTally.objects.filter(campaign=campaign, entries__gt=0).values("path")
    # Two plain sub-selects rather than activities.queries.org_ids_with_activity: its UNION keeps
    # the models' default ordering, which SQLite refuses inside a compound statement.
    return (Q(path__in=own) | Q(pk__in=Activity.objects.filter(campaign=campaign).values("org_id"))
            | Q(pk__in=BrandProject.objects.filter(campaign=campaign).values("org_id")))


def in_subtree(path: str, field: str = "path") -> Q:
    """The subtree of `path` as a range on the path (an index range scan on SQLite and
    PostgreSQL alike, where `LIKE 'p%'` is one only with a pattern-ops index or case-sensitive
    LIKE): every descendant's path is `path` followed by characters of treebeard's alphabet
    (0-9, A-Z), all below "~"."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + "~"})


def _subtree_orgs(root: Organization) -> QuerySet[Organization]:
    qs: QuerySet[Organization] = Organization.objects.filter(in_subtree(root.path), is_active=True)
    return qs


def _per_prefix(campaign: Campaign, root: Organization, length: int) -> dict[str, dict[str, int]]:
    """Members, units and covered units of the subtree, grouped by the first `length` characters
    of the path (the root's own row groups under its own, shorter path)."""
    rows = (_subtree_orgs(root).annotate(key=Substr("path", 1, length)).values("key")
            .annotate(members=Sum("member_count"), units=Count("pk"),
                      covered=Count("pk", filter=covered_q(campaign))).order_by())
    return {r["key"]: r for r in rows}


def dashboard(campaign: Campaign, root: Organization) -> Dashboard:
    tracks = list(campaign.tracks.order_by("number", "pk"))
    states = [(s.value, str(s.label)) for s in STATES]
    index = {s: i for i, (s, _label) in enumerate(states)}
    by_track = {t.pk: [0] * len(states) for t in tracks}
    for track_id, status, n in StatusTally.objects.filter(campaign=campaign, path=root.path).values_list(
            "track_id", "status", "n"):
        if track_id in by_track and status in index:
            by_track[track_id][index[status]] += n
    kids = list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1, is_active=True)
                .order_by("path"))
    paths = [root.path] + [k.path for k in kids]
    sums: dict[str, dict[str, Any]] = {
        r["path"]: dict(r) for r in StatusTally.objects.filter(campaign=campaign, path__in=paths).values("path")
            .annotate(entries=Sum("n"), recommended=Sum("n", filter=Q(status__in=RECOMMENDED_PLUS))).order_by()}
    people = dict(SubtreeTally.objects.filter(campaign=campaign, path__in=paths).values_list("path", "participants"))
    grouped = _per_prefix(campaign, root, len(root.path) + STEP)
    recorded = totals_by_child(campaign.pk, root)  # three grouped queries, keyed by child path

    def row(org: Organization, figures: list[dict[str, int]]) -> Row:
        s = sums.get(org.path, {})
        return Row(org=org, entries=s.get("entries") or 0, recommended=s.get("recommended") or 0,
                   participants=people.get(org.path, 0),
                   members=sum(f.get("members") or 0 for f in figures), units=sum(f["units"] for f in figures),
                   covered=sum(f["covered"] for f in figures), has_children=org.numchild > 0)

    children = [row(k, [grouped[k.path]] if k.path in grouped else []) for k in kids]
    top = row(root, list(grouped.values()))
    for r in children:
        _add_recorded(r, recorded.get(r.org.path))
    for counts in recorded.values():  # the root's own rows and every child's subtree
        _add_recorded(top, counts)
    daily = list(DailyTally.objects.filter(campaign=campaign, path=root.path, submissions__gt=0)
                 .order_by("day").values_list("day", "submissions"))
    return Dashboard(campaign=campaign, root=top, states=states,
                     tracks=[TrackRow(t, by_track[t.pk]) for t in tracks], children=children, daily=daily,
                     levels=on_time_levels(campaign, root))


def _add_recorded(r: Row, counts: Counts | None) -> None:
    if counts is not None:
        r.activities += counts.activities
        r.activity_participants += counts.participants
        r.brand_projects += counts.brand_projects
        r.volunteers += counts.volunteers


def on_time_levels(campaign: Campaign, root: Organization) -> list[LevelRow]:
    """Per level kind: levels' first reports (per track) by their deadline, and after it."""
    labels = dict(OrgKind.choices)
    rows = (LevelReport.objects.filter(in_subtree(root.path), campaign=campaign).values("kind")
            .annotate(on=Count("pk", filter=Q(on_time=True)), late=Count("pk", filter=Q(on_time=False)))
            .order_by("kind"))
    order = list(labels)
    out = [LevelRow(r["kind"], str(labels.get(r["kind"], r["kind"])), r["on"], r["late"]) for r in rows]
    return sorted(out, key=lambda r: order.index(r.kind) if r.kind in order else len(order))


# --- silent units ----------------------------------------------------------------------------------

def silent_units(campaign: Campaign, root: Organization) -> QuerySet[Organization]:
    """Active organisations of the subtree with no entry and no activity, by path (keyset on path)."""
    return _subtree_orgs(root).exclude(covered_q(campaign)).order_by("path")


def silent_page(campaign: Campaign, root: Organization, after: str = "",
                size: int = SILENT_PAGE) -> tuple[list[tuple[Organization, str]], str | None]:
    """One page of silent units with their path labels, and the cursor of the next page."""
    qs = silent_units(campaign, root)
    if after:
        qs = qs.filter(path__gt=after)
    found = list(qs[: size + 1])
    more = len(found) > size
    found = found[:size]
    labels = org_path_labels(found)
    return [(o, labels[o.pk]) for o in found], (found[-1].path if more and found else None)


def iter_silent(campaign: Campaign, root: Organization, chunk: int = 1000) -> Iterator[Organization]:
    """Every silent unit, in keyset chunks (exports: never the whole list in memory)."""
    after = ""
    while True:
        qs = silent_units(campaign, root)
        rows = list((qs.filter(path__gt=after) if after else qs)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1].path


# --- outstanding units and individuals --------------------------------------------------------------

SORT_KEYS = ("recommended", "participation", "coverage", "on_time", "activities", "awards")


def awards_won(campaign: Campaign, paths: Iterable[str]) -> dict[str, int] | None:
    """Awards won by each subtree's entries, once judging exists; None until then (the
    column shows "—"). The one place that will read the review app's results."""
    return None


@dataclass
class UnitCandidate:
    org: Organization
    label: str = ""
    members: int = 0
    participants: int = 0
    units: int = 0
    covered: int = 0
    recommended: int = 0
    reports: int = 0
    reports_on_time: int = 0
    activities: int = 0
    awards: int | None = None
    pick_id: int | None = None

    @property
    def participation(self) -> float | None:
        return rate(self.participants, self.members)

    @property
    def coverage(self) -> float | None:
        return rate(self.covered, self.units)

    @property
    def on_time(self) -> float | None:
        return rate(self.reports_on_time, self.reports)

    def indicators(self) -> dict[str, Any]:
        return {"participation": self.participation, "participants": self.participants, "members": self.members,
                "coverage": self.coverage, "covered": self.covered, "units": self.units,
                "recommended": self.recommended, "awards": self.awards, "on_time": self.on_time,
                "reports": self.reports, "reports_on_time": self.reports_on_time, "activities": self.activities}


def candidate_levels(campaign: Campaign) -> list[tuple[int, str]]:
    """The depths below the campaign's organisation, each with the kinds found there."""
    labels = dict(OrgKind.choices)
    found: dict[int, list[str]] = {}
    for depth, kind in (Organization.objects.filter(path__startswith=campaign.org.path, depth__gt=campaign.org.depth,
                                                    is_active=True)
                        .values_list("depth", "kind").distinct().order_by("depth", "kind")):
        found.setdefault(depth, []).append(str(labels.get(kind, kind)))
    return [(d, _("Level %(n)s: %(kinds)s") % {"n": d - campaign.org.depth, "kinds": "、".join(k)})
            for d, k in sorted(found.items())]


def unit_candidates(campaign: Campaign, depth: int, sort: str = "recommended",
                    only: Organization | None = None) -> list[UnitCandidate]:
    """Every active organisation at `depth` in the campaign's subtree (or just `only`) with its
    indicators, best first by `sort` (then by the other indicators, then by path). Votes and likes
    are never an indicator (国办函〔2026〕12号)."""
    root = campaign.org
    base = only.path if only is not None else root.path
    length = depth * STEP
    cands = {o.path: UnitCandidate(org=o) for o in Organization.objects.filter(
        path__startswith=base, depth=depth, is_active=True).order_by("path")}
    if not cands:
        return []
    scope = Organization(path=base)
    for key, r in _per_prefix(campaign, scope, length).items():
        if key in cands:
            c = cands[key]
            c.members, c.units, c.covered = r["members"] or 0, r["units"], r["covered"]
    at_depth = Q(campaign=campaign, path__startswith=base)
    for path, n in (SubtreeTally.objects.filter(at_depth).annotate(k=Length("path")).filter(k=length)
                    .values_list("path", "participants")):
        if path in cands:
            cands[path].participants = n
    for path, n in (StatusTally.objects.filter(at_depth, status__in=RECOMMENDED_PLUS)
                    .annotate(k=Length("path")).filter(k=length).values("path").annotate(s=Sum("n"))
                    .values_list("path", "s").order_by()):
        if path in cands:
            cands[path].recommended = n or 0
    for path, total, on in (LevelReport.objects.filter(at_depth).annotate(k=Length("path")).filter(k=length)
                            .values("path").annotate(t=Count("pk"), o=Count("pk", filter=Q(on_time=True)))
                            .values_list("path", "t", "o").order_by()):
        if path in cands:
            cands[path].reports, cands[path].reports_on_time = total, on
    for model in (Activity, BrandProject):
        for key, n in (model.objects.filter(campaign=campaign, org__path__startswith=base)
                       .annotate(key=Substr("org__path", 1, length))
                       .values("key").annotate(n=Count("pk")).values_list("key", "n").order_by()):
            if key in cands:
                cands[key].activities += n
    awards = awards_won(campaign, list(cands))
    # The campaign's unit picks are few: all of them, rather than 20,000 ids in an IN list.
    picks = dict(OutstandingPick.objects.filter(campaign=campaign, org__isnull=False).values_list("org_id", "pk"))
    for c in cands.values():
        c.awards = awards.get(c.org.path, 0) if awards is not None else None
        c.pick_id = picks.get(c.org.pk)
    order = [sort] + [k for k in SORT_KEYS if k != sort]

    def rank_key(c: UnitCandidate) -> tuple[Any, ...]:
        return tuple(-(getattr(c, k) or 0) for k in order) + (c.org.path,)

    return sorted(cands.values(), key=rank_key)


@dataclass
class IndividualCandidate:
    user_id: int
    name: str
    unit: str
    entries: int
    recommended: int
    reported: int
    awards: int | None = None
    pick_id: int | None = None

    def indicators(self) -> dict[str, Any]:
        return {"entries": self.entries, "recommended": self.recommended, "reported": self.reported,
                "awards": self.awards}


def individuals(campaign: Campaign) -> QuerySet[Any, dict[str, Any]]:
    """Workers with counted entries, ranked by entries recommended, reported, then entered (one
    grouped, paginable query)."""
    qs = (Participant.objects.filter(campaign=campaign, entries__gt=0).values("user_id")
          .annotate(n=Sum("entries"), rec=Sum("recommended"), rep=Sum("reported"), unit_path=Max("path"))
          .order_by("-rec", "-rep", "-n", "user_id"))
    return cast(QuerySet[Any, dict[str, Any]], qs)


INDIVIDUALS_PAGE = 50


def individual_page(campaign: Campaign, number: Any = 1) -> tuple[Page[dict[str, Any]], list[IndividualCandidate]]:
    """One page of ranked workers with names, units and picks (a fixed number of queries)."""
    page = Paginator(individuals(campaign), INDIVIDUALS_PAGE).get_page(number)
    rows = list(page.object_list)
    users = get_user_model().objects.in_bulk([r["user_id"] for r in rows])
    orgs = {o.path: o for o in Organization.objects.filter(path__in={r["unit_path"] for r in rows})}
    labels = org_path_labels(orgs.values())
    picks = dict(OutstandingPick.objects.filter(campaign=campaign, user_id__in=[r["user_id"] for r in rows])
                 .values_list("user_id", "pk"))
    awards = awards_won(campaign, [])
    out = []
    for r in rows:
        u = users.get(r["user_id"])
        org = orgs.get(r["unit_path"])
        out.append(IndividualCandidate(
            user_id=r["user_id"], name=person_name(u), unit=labels.get(org.pk, "") if org else "",
            entries=r["n"] or 0, recommended=r["rec"] or 0, reported=r["rep"] or 0,
            awards=None if awards is None else 0, pick_id=picks.get(r["user_id"])))
    return page, out


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())
