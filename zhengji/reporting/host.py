"""The top of the chain: what a track's host unit sees. Host staff are the holders of the
`host_staff` role on the track (granted by the campaign's admins), plus the campaign's admins and
superusers (`rules.hosts_track`); being a unit admin of `Track.host_unit` alone is not enough,
as everywhere else (`entries.queries` View.HOST, `rules.receives_batch`). The entries are those
of the track the entries gate shows them (`entries_for(user, View.HOST)`: reported and later),
from every city; the cities are the levels whose batches reached the host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.common.numbers import parse_id
from zhengji.entries.models import Entry
from zhengji.entries.queries import View, entries_for
from zhengji.orgs.models import Organization

from .models import Batch, BatchStatus

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def hosted_tracks(user: Any) -> QuerySet[Track]:
    qs = Track.objects.select_related("campaign", "host_unit").order_by("campaign_id", "number")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    scopes = scopes_for(user)
    return qs.filter(Q(pk__in=scopes.host_tracks) | Q(campaign_id__in=scopes.campaign_admin))


def hosted_track(user: Any, pk: int) -> Track | None:
    """The track if `user` hosts it (else None: the page answers 404)."""
    track = Track.objects.select_related("campaign", "host_unit").filter(pk=pk).first()
    if track is None or not user.is_authenticated or not user.has_perm("reporting.host_track", track):
        return None
    return track


def incoming_batches(track: Track) -> QuerySet[Batch]:
    """The batches that reached the host unit for this track, newest first."""
    return (Batch.objects.filter(track=track, to_host=True, status=BatchStatus.SENT)
            .select_related("level", "track").order_by("-sent_at", "-id"))


def cities(track: Track) -> list[Organization]:
    """The levels (usually cities) that reported to the host for this track."""
    ids = incoming_batches(track).values("level_id")
    return list(Organization.objects.filter(pk__in=ids).order_by("path"))


@dataclass
class HostFilters:
    city: int | None = None
    batch: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> HostFilters:
        def num(name: str) -> int | None:
            v = str(params.get(name) or "").strip()
            return parse_id(v)

        return cls(city=num("city"), batch=num("batch"))

    def as_params(self) -> dict[str, str]:
        return {k: str(v) for k, v in (("city", self.city), ("batch", self.batch)) if v}

    @property
    def key(self) -> str:
        return f"c{self.city or 0}-b{self.batch or 0}"


def host_entries(user: Any, track: Track, filters: HostFilters | None = None) -> QuerySet[Entry]:
    """The track's entries at the host, for a host of the track (none for anyone else)."""
    if not user.is_authenticated or not user.has_perm("reporting.host_track", track):
        return Entry.objects.none()
    qs = entries_for(user, View.HOST).filter(track=track)
    f = filters or HostFilters()
    if f.city:
        city = Organization.objects.filter(pk=f.city).only("path").first()
        qs = qs.filter(unit__path__startswith=city.path) if city is not None else qs.none()
    if f.batch:
        qs = qs.filter(batch_items__batch__in=incoming_batches(track).filter(pk=f.batch))
    return qs


@dataclass
class HostPage:
    rows: list[Entry]
    next_after: str | None


def page(qs: QuerySet[Entry], after: str | None, size: int = PAGE_SIZE) -> HostPage:
    """A keyset page by entry number (numbers are unique once submitted)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if after:
        qs = qs.filter(number__gt=after)
    rows = list(qs.order_by("number", "pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return HostPage(rows, rows[-1].number if more and rows else None)
