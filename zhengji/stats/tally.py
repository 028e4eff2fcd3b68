"""Keeping the pre-aggregated statistics (`stats.models`) right.

Incrementally: `on_step(entry, event)` runs inside every status-changing step of the entry
workflow (`entries.workflow.on_applied`, registered in `StatsConfig.ready()` for every step of
`entries.transitions`), so the counts commit or roll back with the step itself. Rows are locked
in one fixed order (status tallies, unit tally, the worker's user row, participant rows,
subtree tallies, days; within a table by key, see `add`) so concurrent steps queue instead of
deadlocking.

From scratch: `rebuild(campaign_ids)` recomputes every table from the entries, their events and
decisions (`manage.py rebuild_stats`); the tests check that both agree after random steps.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from zhengji.campaigns.models import Campaign, EntrantType, Track
from zhengji.campaigns.policy import policy_for
from zhengji.entries import transitions, workflow
from zhengji.entries.models import Entry, EntryEvent, EntryStatus
from zhengji.orgs.models import Organization

from .models import DailyTally, LevelReport, Participant, StatusTally, SubtreeTally, UnitTally

S = EntryStatus
# States that count as an entry of the unit (a draft is private; a withdrawn entry is gone).
COUNTED = frozenset(s.value for s in S) - {S.DRAFT, S.WITHDRAWN}
REPORTED_PLUS = frozenset({S.REPORTED, S.ELIGIBLE, S.DISQUALIFIED, S.SCORED, S.AWARDED, S.NOT_AWARDED,
                           S.PUBLISHED})
# Recommended by some level (and not since returned or rejected).
RECOMMENDED_PLUS = REPORTED_PLUS | {S.RECOMMENDED}
# Entry kinds whose submitter is a participating worker (a unit entry is the unit's).
WORKER_KINDS = frozenset({EntrantType.INDIVIDUAL, EntrantType.TEAM})
FIRST_SUBMISSION = "submit"
REPORT_STEPS = ("report_up", "report_to_host")

STEP = Organization.steplen


def ancestors(path: str) -> list[str]:
    """The path itself and every ancestor's path, root first."""
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def weights(status: str | None) -> tuple[int, int, int]:
    """(counted, recommended, reported) of one entry in this state."""
    if status is None or status not in COUNTED:
        return (0, 0, 0)
    return (1, int(status in RECOMMENDED_PLUS), int(status in REPORTED_PLUS))


# --- incremental ---------------------------------------------------------------------------------

_hooked: set[str] = set()


def connect() -> None:
    """Hook every registered step that changes the status, and the reporting steps (once)."""
    for name, t in transitions.TRANSITIONS.items():
        if name in _hooked or (t.target is None and name not in REPORT_STEPS):
            continue
        workflow.on_applied(name, on_step)
        _hooked.add(name)


def hooked_steps() -> frozenset[str]:
    return frozenset(_hooked)


def on_step(entry: Entry, event: EntryEvent) -> None:
    campaign_id = entry.track.campaign_id
    if event.transition in REPORT_STEPS and event.level_id is not None:
        _level_report(campaign_id, entry.track, event.level_id, event.at)
    before, after = event.from_status, entry.status
    if before == after:
        return
    path = entry.unit.path
    _move_status(campaign_id, path, entry.track_id, before, after)
    if entry.entrant_type in WORKER_KINDS:
        _move_participant(campaign_id, entry.submitter_id, path, before, after)
    if event.transition == FIRST_SUBMISSION:
        _add_day(campaign_id, path, timezone.localdate(event.at))


def add(model: Any, keys: tuple[str, ...], deltas: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Add to counters, creating missing rows: one `INSERT … ON CONFLICT (keys) DO UPDATE SET c =
    c + excluded.c` (SQLite and PostgreSQL alike). Rows are sorted by key first: the statement
    takes its row locks in that order, so concurrent steps queue instead of deadlocking (a
    separate insert-then-lock would hold freshly inserted rows out of order)."""
    found = sorted(r for r in rows if any(r[len(keys):]))
    if not found:
        return
    table = model._meta.db_table
    qn = connection.ops.quote_name
    cols = [model._meta.get_field(k).column for k in keys] + list(deltas)
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    sets = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in deltas)
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES {', '.join([one] * len(found))} "
           f"ON CONFLICT ({', '.join(qn(c) for c in cols[:len(keys)])}) DO UPDATE SET {sets}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for r in found for v in r])


def _move_status(campaign_id: int, path: str, track_id: int, before: str, after: str) -> None:
    rows = [(campaign_id, p, track_id, s, d) for p in ancestors(path)
            for s, d in ((before, -1), (after, 1)) if s in COUNTED]
    add(StatusTally, ("campaign", "path", "track", "status"), ("n",), rows)
    delta = weights(after)[0] - weights(before)[0]
    add(UnitTally, ("campaign", "path"), ("entries",), [(campaign_id, path, delta)])


def _covered(rows: Iterable[tuple[str, int]]) -> set[str]:
    return {a for path, entries in rows if entries > 0 for a in ancestors(path)}


def _move_participant(campaign_id: int, user_id: int, path: str, before: str, after: str) -> None:
    w0, w1 = weights(before), weights(after)
    d = tuple(b - a for a, b in zip(w0, w1, strict=True))
    if not any(d):
        return
    # One worker's steps queue on their user row: the distinct count of a subtree depends on all
    # of their rows in the campaign, which another transaction might be changing.
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))
    rows = dict(Participant.objects.filter(campaign_id=campaign_id, user_id=user_id).values_list("path", "entries"))
    was = _covered(rows.items())
    add(Participant, ("campaign", "user", "path"), ("entries", "recommended", "reported"),
        [(campaign_id, user_id, path, *d)])
    rows[path] = rows.get(path, 0) + d[0]
    now = _covered(rows.items())
    add(SubtreeTally, ("campaign", "path"), ("participants",),
        [(campaign_id, p, 1) for p in now - was] + [(campaign_id, p, -1) for p in was - now])


def _add_day(campaign_id: int, path: str, day: dt.date) -> None:
    add(DailyTally, ("campaign", "path", "day"), ("submissions",), [(campaign_id, p, day, 1) for p in ancestors(path)])


def on_time(campaign: Campaign, track: Track, org: Organization, at: dt.datetime) -> bool:
    """Whether a level's report at `at` came by its level's deadline (extensions not counted)."""
    return at <= policy_for(campaign, at).level_deadline(track, org.kind)


def _level_report(campaign_id: int, track: Track, level_id: int, at: dt.datetime) -> None:
    if LevelReport.objects.filter(campaign_id=campaign_id, org_id=level_id, track=track).exists():
        return
    level = Organization.objects.get(pk=level_id)
    LevelReport.objects.bulk_create(
        [LevelReport(campaign_id=campaign_id, org=level, path=level.path, kind=level.kind, track=track,
                     first_at=at, on_time=on_time(track.campaign, track, level, at))],
        ignore_conflicts=True)


# --- from scratch --------------------------------------------------------------------------------

TABLES = (StatusTally, UnitTally, Participant, SubtreeTally, DailyTally, LevelReport)
BATCH = 2000


def rebuild(campaign_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute every statistics table of these campaigns (all when None) from the entries;
    returns the number of rows written per table."""
    campaigns = Campaign.objects.all() if campaign_ids is None else Campaign.objects.filter(pk__in=list(campaign_ids))
    written: Counter[str] = Counter()
    for campaign in campaigns.select_related("org"):
        with transaction.atomic():
            for model in TABLES:
                model.objects.filter(campaign=campaign).delete()
            for model, rows in _rebuilt(campaign):
                model.objects.bulk_create(rows, batch_size=BATCH)
                written[model.__name__] += len(rows)
    return dict(written)


def _rebuilt(campaign: Campaign) -> list[tuple[Any, list[Any]]]:
    entries = Entry.objects.filter(track__campaign=campaign, status__in=COUNTED)
    status: Counter[tuple[str, int, str]] = Counter()
    units: Counter[str] = Counter()
    for path, track_id, st, n in (entries.values_list("unit__path", "track_id", "status")
                                  .annotate(n=Count("pk")).order_by().iterator()):
        units[path] += n
        for a in ancestors(path):
            status[(a, track_id, st)] += n
    people: list[Participant] = []
    covered: dict[int, set[str]] = defaultdict(set)
    for user_id, path, n, rec, rep in (
            entries.filter(entrant_type__in=WORKER_KINDS).values_list("submitter_id", "unit__path")
            .annotate(n=Count("pk"), rec=Count("pk", filter=Q(status__in=RECOMMENDED_PLUS)),
                      rep=Count("pk", filter=Q(status__in=REPORTED_PLUS))).order_by().iterator()):
        people.append(Participant(campaign=campaign, user_id=user_id, path=path, entries=n, recommended=rec,
                                  reported=rep))
        covered[user_id].update(ancestors(path))
    subtree: Counter[str] = Counter(p for paths in covered.values() for p in paths)
    days: Counter[tuple[str, dt.date]] = Counter()
    for path, at in (EntryEvent.objects.filter(entry__track__campaign=campaign, transition=FIRST_SUBMISSION)
                     .values_list("entry__unit__path", "at").iterator()):
        for a in ancestors(path):
            days[(a, timezone.localdate(at))] += 1
    reports: list[LevelReport] = []
    tracks = {t.pk: t for t in campaign.tracks.all()}
    firsts = (EntryEvent.objects.filter(entry__track__campaign=campaign, transition__in=REPORT_STEPS,
                                        level__isnull=False)
              .values_list("level_id", "entry__track_id").annotate(first=Min("at")).order_by())
    levels = Organization.objects.in_bulk({level_id for level_id, _t, _f in firsts})
    for level_id, track_id, first in firsts:
        level, track = levels[level_id], tracks[track_id]
        track.campaign = campaign
        reports.append(LevelReport(campaign=campaign, org=level, path=level.path, kind=level.kind, track=track,
                                   first_at=first, on_time=on_time(campaign, track, level, first)))
    return [
        (StatusTally, [StatusTally(campaign=campaign, path=p, track_id=t, status=s, n=n)
                       for (p, t, s), n in status.items()]),
        (UnitTally, [UnitTally(campaign=campaign, path=p, entries=n) for p, n in units.items()]),
        (Participant, people),
        (SubtreeTally, [SubtreeTally(campaign=campaign, path=p, participants=n) for p, n in subtree.items()]),
        (DailyTally, [DailyTally(campaign=campaign, path=p, day=d, submissions=n) for (p, d), n in days.items()]),
        (LevelReport, reports),
    ]


def snapshot(campaign_id: int) -> dict[str, set[tuple[Any, ...]]]:
    """Every non-zero figure of a campaign, for comparing the incremental tables with a rebuild."""
    c = campaign_id
    return {
        "status": set(StatusTally.objects.filter(campaign_id=c, n__gt=0)
                      .values_list("path", "track_id", "status", "n")),
        "units": set(UnitTally.objects.filter(campaign_id=c, entries__gt=0).values_list("path", "entries")),
        "participants": set(Participant.objects.filter(campaign_id=c).exclude(entries=0, recommended=0, reported=0)
                            .values_list("user_id", "path", "entries", "recommended", "reported")),
        "subtrees": set(SubtreeTally.objects.filter(campaign_id=c, participants__gt=0)
                        .values_list("path", "participants")),
        "days": set(DailyTally.objects.filter(campaign_id=c, submissions__gt=0).values_list("path", "day",
                                                                                            "submissions")),
        "reports": set(LevelReport.objects.filter(campaign_id=c).values_list("org_id", "track_id", "first_at",
                                                                             "on_time")),
    }
