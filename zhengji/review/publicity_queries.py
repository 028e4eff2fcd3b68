"""Read-only answers of publicity: the track's current publicity, what the public sees of the
results on notice and finalised, the objections a moderator or the track's staff may read, a
user's own objections. Each list is one query (plus one prefetch where it says so)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.entries.models import EntryAuthor

from .models import Objection, ObjectionStatus, Publicity, PublicityStatus, ResultLine, ResultSnapshot

# A publicity that is neither withdrawn nor finalised: on notice, or its period over.
CURRENT = (PublicityStatus.OPEN, PublicityStatus.ENDED)
# What the public site shows.
PUBLIC = (PublicityStatus.OPEN, PublicityStatus.ENDED, PublicityStatus.FINALISED)


def current_publicity(track: Track) -> Publicity | None:
    """The track's publicity that is on notice or waits to be finalised (None: none)."""
    return Publicity.objects.filter(track=track, status__in=CURRENT).order_by("-starts", "-id").first()


def state(publicity: Publicity, at: dt.datetime | None = None) -> str:
    """What a publicity is at a moment: "upcoming", "open", "ended" (waiting to be finalised),
    "finalised" or "withdrawn"."""
    at = at or timezone.now()
    if publicity.status == PublicityStatus.OPEN:
        if at < publicity.starts:
            return "upcoming"
        return "open" if at < publicity.ends else "ended"
    return str(publicity.status)


# --- the public site ------------------------------------------------------------------------------

def public_publicities() -> QuerySet[Publicity]:
    """The newest public publicity of each track (on notice or finalised), by campaign and track."""
    newest = (Publicity.objects.filter(track_id=OuterRef("track_id"), status__in=PUBLIC)
              .order_by("-starts", "-id").values("pk")[:1])
    return (Publicity.objects.filter(status__in=PUBLIC, pk=Subquery(newest))
            .select_related("track__campaign", "snapshot")
            .order_by("-track__campaign__launch_date", "track__campaign_id", "track__number"))


def public_publicity(pk: int) -> Publicity | None:
    return (Publicity.objects.filter(pk=pk, status__in=PUBLIC)
            .select_related("track__campaign", "track__host_unit", "snapshot").first())


def latest_public_of_track(track_id: int) -> Publicity | None:
    return (Publicity.objects.filter(track_id=track_id, status__in=PUBLIC)
            .select_related("track__campaign", "track__host_unit", "snapshot").order_by("-starts", "-id").first())


def proposed_lines(publicity: Publicity) -> QuerySet[ResultLine]:
    """The entries with an award tier, best tier first then by rank: one query, authors prefetched."""
    return (ResultLine.objects.filter(track_id=publicity.track_id, tier__isnull=False)
            .select_related("tier", "entry__unit")
            .prefetch_related(Prefetch("entry__authors", queryset=EntryAuthor.objects.order_by("position", "id")))
            .order_by("tier__position", "rank", "id"))


@dataclass
class PublicLine:
    """What the public sees of one proposed result: never a phone number or a form answer."""

    entry_id: int
    number: str
    title: str
    authors: list[str]
    unit: str
    tier: str
    rank: int | None


@dataclass
class TierGroup:
    name: str
    lines: list[PublicLine] = field(default_factory=list)


def public_line(line: ResultLine) -> PublicLine:
    e = line.entry
    return PublicLine(entry_id=e.pk, number=e.number or "", title=e.title,
                      authors=[a.name for a in e.authors.all() if a.name], unit=e.unit.name,
                      tier=line.tier.name if line.tier else "", rank=line.rank)


def by_tier(lines: Any) -> list[TierGroup]:
    groups: list[TierGroup] = []
    for line in lines:
        pl = public_line(line)
        if not groups or groups[-1].name != pl.tier:
            groups.append(TierGroup(pl.tier))
        groups[-1].lines.append(pl)
    return groups


def reopenings(track_id: int) -> list[ResultSnapshot]:
    """The frozen results of the track that were reopened, newest first (shown publicly)."""
    return list(ResultSnapshot.objects.filter(track_id=track_id, reopened_at__isnull=False)
                .only("id", "track_id", "version", "sha256", "frozen_at", "reopened_at", "reopen_reason")
                .order_by("-version"))


# --- objections -----------------------------------------------------------------------------------

def objections_for(user: Any) -> Q:
    """The objections a user may read: of the campaigns they moderate or administer and of the
    tracks whose review they run; all for a superuser; none otherwise."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    s = scopes_for(user)
    campaigns = s.moderator | s.campaign_admin
    if not campaigns and not s.host_tracks:
        return Q(pk__in=[])
    return Q(publicity__track__campaign_id__in=campaigns) | Q(publicity__track_id__in=s.host_tracks)


def may_see_queue(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    s = scopes_for(user)
    return bool(user.is_superuser or s.moderator or s.campaign_admin or s.host_tracks)


def objection_queue(user: Any, state: str = "open", track_id: int | None = None) -> QuerySet[Objection]:
    """The objections `user` may read, open ones oldest first, handled ones newest first."""
    qs = Objection.objects.filter(objections_for(user))
    if track_id:
        qs = qs.filter(publicity__track_id=track_id)
    if state == "handled":
        qs = qs.exclude(status=ObjectionStatus.OPEN).order_by("-handled_at", "-id")
    elif state == "all":
        qs = qs.order_by("-created", "-id")
    else:
        qs = qs.filter(status=ObjectionStatus.OPEN).order_by("created", "id")
    return qs.select_related("publicity__track__campaign", "entry", "handled_by")


def objection_for(user: Any, pk: int) -> Objection | None:
    return (Objection.objects.filter(objections_for(user), pk=pk)
            .select_related("publicity__track__campaign", "publicity__snapshot", "entry__unit", "objector",
                            "handled_by", "sealed_letter")
            .prefetch_related("evidence").first())


def my_objections(user: Any) -> QuerySet[Objection]:
    if user is None or not user.is_authenticated:
        return Objection.objects.none()
    return (Objection.objects.filter(objector_id=user.pk)
            .select_related("publicity__track__campaign", "entry").order_by("-created", "-id"))


def objection_counts(publicity: Publicity) -> dict[str, int]:
    """Objections of a publicity per status (one query), with "total"."""
    rows = dict(Objection.objects.filter(publicity=publicity).values_list("status").annotate(n=Count("id"))
                .values_list("status", "n"))
    counts = {s: int(rows.get(s, 0)) for s in ObjectionStatus.values}
    counts["total"] = sum(counts.values())
    return counts


def publicities_of(track: Track) -> QuerySet[Publicity]:
    return Publicity.objects.filter(track=track).select_related("snapshot", "published_by").order_by("-starts", "-id")
