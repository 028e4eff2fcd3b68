"""Anomaly detection on public votes: flag suspicious groups and hold them out of the tallies.

A scan looks at the last `VOTE_ANOMALY_WINDOW_SECONDS` of counted, never-reviewed votes per
track and flags:
- a network (/24 IPv4, /64 IPv6) with at least VOTE_ANOMALY_NETWORK_MAX votes;
- a device hash with at least VOTE_ANOMALY_DEVICE_MAX votes;
- an entry with at least VOTE_ANOMALY_FRESH_MAX votes from accounts made in the last
  VOTE_ANOMALY_FRESH_DAYS days;
- a burst: an entry with at least VOTE_ANOMALY_BURST_MIN votes in the window and more than
  VOTE_ANOMALY_BURST_FACTOR times its usual rate (the previous 24 hours, per window).

Flagged votes move to HELD (tallies: counted - n, held + n) in one transaction per group, and new
votes from a flagged network or device are held as they come (a cache key the vote path reads).
Moderators then confirm or release the group (`domain.votes.decide`). The scan runs as a periodic
job (`scan_recent`, every VOTE_ANOMALY_INTERVAL_SECONDS) and can be called for one track."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from .models import AnomalyGroup, AnomalyKind, GroupState, Vote, VoteState, VoteTally


def _s(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _hold(track_id: int, kind: str, key: str, votes: Any, *, entry_id: int | None, detail: str) -> AnomalyGroup | None:
    """Hold `votes` (a queryset of counted votes) in the open group of (track, kind, key)."""
    with transaction.atomic():
        group = AnomalyGroup.objects.select_for_update().filter(
            track_id=track_id, kind=kind, key=key, state=GroupState.OPEN).first()
        if group is None:
            group = AnomalyGroup.objects.create(track_id=track_id, kind=kind, key=key, entry_id=entry_id,
                                                detail=detail[:200])
        moved = 0
        per_entry = votes.values("entry_id").annotate(n=Count("id"))
        for row in list(per_entry):
            n = votes.filter(entry_id=row["entry_id"]).update(state=VoteState.HELD, group=group)
            if n:
                VoteTally.objects.filter(entry_id=row["entry_id"]).update(counted=F("counted") - n,
                                                                          held=F("held") + n)
                moved += n
        if moved:
            AnomalyGroup.objects.filter(pk=group.pk).update(votes=F("votes") + moved, detail=detail[:200])
            group.refresh_from_db(fields=["votes", "detail"])
    if kind in (AnomalyKind.NETWORK, AnomalyKind.DEVICE):
        # New votes from this network/device are held as they come, until a moderator decides.
        cache.set(f"vf:{track_id}:{kind}:{key}", group.pk, int(_s("VOTE_ANOMALY_FLAG_SECONDS", 86400)))
    return group if moved else None


def scan_track(track_id: int, now: dt.datetime | None = None) -> list[AnomalyGroup]:
    now = now or timezone.now()
    window = dt.timedelta(seconds=_s("VOTE_ANOMALY_WINDOW_SECONDS", 600))
    since = now - window
    recent = Vote.objects.filter(track_id=track_id, at__gte=since, at__lte=now, state=VoteState.COUNTED,
                                 reviewed=False)
    found: list[AnomalyGroup] = []

    def flag(kind: str, key: str, votes: Any, entry_id: int | None, detail: str) -> None:
        g = _hold(track_id, kind, key, votes, entry_id=entry_id, detail=detail)
        if g is not None:
            found.append(g)

    for field, kind, limit in (("network", AnomalyKind.NETWORK, int(_s("VOTE_ANOMALY_NETWORK_MAX", 200))),
                               ("device", AnomalyKind.DEVICE, int(_s("VOTE_ANOMALY_DEVICE_MAX", 30)))):
        hits = recent.exclude(**{field: ""}).values(field).annotate(n=Count("id")).filter(n__gte=limit)
        for row in list(hits):
            flag(kind, row[field], recent.filter(**{field: row[field]}), None,
                 f"{row['n']} votes in {int(window.total_seconds() // 60)} min from {row[field]}")

    fresh_since = now - dt.timedelta(days=_s("VOTE_ANOMALY_FRESH_DAYS", 3))
    fresh = recent.filter(user__date_joined__gte=fresh_since)
    for row in list(fresh.values("entry_id").annotate(n=Count("id"))
                    .filter(n__gte=int(_s("VOTE_ANOMALY_FRESH_MAX", 50)))):
        flag(AnomalyKind.FRESH, str(row["entry_id"]), fresh.filter(entry_id=row["entry_id"]), row["entry_id"],
             f"{row['n']} votes from accounts made in the last {int(_s('VOTE_ANOMALY_FRESH_DAYS', 3))} days")

    burst_min = int(_s("VOTE_ANOMALY_BURST_MIN", 100))
    factor = _s("VOTE_ANOMALY_BURST_FACTOR", 10)
    hot = list(recent.values("entry_id").annotate(n=Count("id")).filter(n__gte=burst_min))
    if hot:
        day_before = now - dt.timedelta(hours=24)
        usual = dict(Vote.objects.filter(entry_id__in=[r["entry_id"] for r in hot], at__gte=day_before, at__lt=since)
                     .exclude(state=VoteState.EXCLUDED).values("entry_id").annotate(n=Count("id"))
                     .values_list("entry_id", "n"))
        windows_per_day = (now - day_before - window) / window
        for row in hot:
            rate = usual.get(row["entry_id"], 0) / windows_per_day
            if row["n"] > factor * max(rate, 1.0):
                flag(AnomalyKind.BURST, str(row["entry_id"]), recent.filter(entry_id=row["entry_id"]),
                     row["entry_id"], f"{row['n']} votes in {int(window.total_seconds() // 60)} min, "
                     f"usually {rate:.1f}")
    return found


def scan_recent(now: dt.datetime | None = None) -> int:
    """The periodic job: scan every track that had votes in the window."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=_s("VOTE_ANOMALY_WINDOW_SECONDS", 600))
    tracks = Vote.objects.filter(Q(at__gte=since)).values_list("track_id", flat=True).distinct()
    return sum(len(scan_track(t, now)) for t in list(tracks))
