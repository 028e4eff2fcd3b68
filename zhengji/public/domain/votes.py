"""Public voting: the window of a track, casting a vote, the moderators' decisions on flagged votes.

The vote path is lean on purpose (a hot share link can bring thousands of votes a second): the
gate answer (the entry through the public gate, joined to its track's window) comes from the cache
most of the time, then one transaction — on PostgreSQL one statement (the function zj_cast_vote) —
checks the account's standing, takes the per-entry counter and the per-track counter (each an
upsert that only increments while `used < quota`), writes the log row and the entry's tally. The
HTTP endpoint's own lean path is `zhengji/public/votes_lean.py`."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.campaigns.models import Track
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.network import network_of as common_network_of
from zhengji.entries.queries import View, entries_for

from .. import cache as page_cache
from .. import votes_challenge
from ..models import AnomalyGroup, GroupState, Vote, VoteDayCounter, VoteState, VoteTally, VoteWindow
from ..votes_rules import can_manage_votes

ZONE = ZoneInfo("Asia/Shanghai")  # the campaign's day: quotas reset at local midnight


class VoteRefused(DomainError):
    code = "vote_refused"
    status = 409


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(ZONE).date()


# --- where a vote comes from ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Origin:
    network: str = ""  # 1.2.3.0/24, 2001:db8:1:2::/64
    device: str = ""  # a short hash of the user agent and client hints


def network_of(ip: str | None) -> str:
    return common_network_of(ip)


def device_of(user_agent: str, hints: str = "") -> str:
    if not user_agent and not hints:
        return ""
    return hashlib.blake2b(f"{user_agent}|{hints}".encode(), digest_size=8).hexdigest()


# --- the window -----------------------------------------------------------------------------------

WINDOW_FIELDS = ("enabled", "opens_at", "closes_at", "per_entry_daily", "per_account_daily", "show_counts")


def window_of(track: Track | int) -> VoteWindow | None:
    track_id = track if isinstance(track, int) else track.pk
    return VoteWindow.objects.filter(track_id=track_id).first()


def _window_dict(w: VoteWindow | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {k: (getattr(w, k).isoformat() if isinstance(getattr(w, k), dt.datetime) else getattr(w, k))
            for k in WINDOW_FIELDS}


def set_window(actor: Any, track: Track, *, enabled: bool, opens_at: dt.datetime, closes_at: dt.datetime,
               per_entry_daily: int = 1, per_account_daily: int = 10, show_counts: bool = True) -> VoteWindow:
    """Open, change or close a track's vote (host staff of the track, campaign admins)."""
    if not can_manage_votes(actor, track):
        raise NotPermitted(_("You may not change the vote of this track."))
    if closes_at <= opens_at:
        raise DomainError(_("The vote must close after it opens."), field="closes_at")
    if not (1 <= per_entry_daily <= 100) or not (1 <= per_account_daily <= 1000):
        raise DomainError(_("Daily limits must be between 1 and 100 per entry and 1 and 1000 per track."),
                          field="per_account_daily")
    with transaction.atomic():
        Track.objects.select_for_update().filter(pk=track.pk).first()
        w = VoteWindow.objects.filter(track=track).first()
        before = _window_dict(w)
        if w is None:
            w = VoteWindow(track=track)
        w.enabled, w.opens_at, w.closes_at = enabled, opens_at, closes_at
        w.per_entry_daily, w.per_account_daily, w.show_counts = per_entry_daily, per_account_daily, show_counts
        w.updated, w.updated_by = timezone.now(), actor
        w.save()
        audit.record("vote.window", w, actor=actor, before=before, after=_window_dict(w))
        transaction.on_commit(lambda: page_cache.bump(f"track:{track.pk}", f"campaign:{track.campaign_id}"))
    return w


# --- casting a vote -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Cast:
    entry_id: int
    held: bool  # logged but held out of the count (a flagged network or device)
    remaining_today: int  # votes the account has left today in the track
    count: int | None  # the entry's counted votes, when the track shows counts


@dataclass(frozen=True, slots=True)
class Gate:
    """What the vote path needs to know about an entry: public, its track and the track's window.
    Cached for VOTE_GATE_CACHE_SECONDS (a window saved drops its entries' answers at once; an entry
    unpublished is refused at most that long later). The limits are not here: they are the
    database's counters."""

    track_id: int
    enabled: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    per_entry: int
    per_account: int
    show_counts: bool


def gate_key(entry_id: int) -> str:
    return f"vg:{entry_id}"


def _gate_seconds() -> int:
    return int(getattr(settings, "VOTE_GATE_CACHE_SECONDS", 5))


def gate_of(entry_id: int, cached: Any = None) -> Gate | None:
    """The entry through the public gate joined to its track's window; None: not public.
    `cached`: the cache's answer when the caller already fetched `gate_key(entry_id)`."""
    if cached is None:
        seconds = _gate_seconds()
        cached = cache.get(gate_key(entry_id)) if seconds else None
    else:
        seconds = _gate_seconds()
    if cached is not None:
        return Gate(*cached) if cached else None
    row = (entries_for(None, View.PUBLIC).filter(pk=entry_id)
           .values_list("track_id", "track__vote_window__enabled", "track__vote_window__opens_at",
                        "track__vote_window__closes_at", "track__vote_window__per_entry_daily",
                        "track__vote_window__per_account_daily", "track__vote_window__show_counts").first())
    gate = None if row is None else Gate(row[0], bool(row[1]), row[2], row[3], row[4] or 1, row[5] or 1,
                                         bool(row[6]))
    if seconds:
        cache.set(gate_key(entry_id), () if gate is None else tuple(getattr(gate, f) for f in Gate.__slots__),
                  seconds)
    return gate


def forget_gates(track_id: int) -> None:
    """Drop the cached gate answers of a track's entries (its window changed)."""
    from zhengji.entries.models import Entry  # noqa: PLC0415

    ids = list(Entry.objects.filter(track_id=track_id).values_list("pk", flat=True))
    for i in range(0, len(ids), 1000):
        cache.delete_many([gate_key(pk) for pk in ids[i:i + 1000]])


def check_window(gate: Gate | None, at: dt.datetime) -> Gate:
    if gate is None:
        raise VoteRefused(_("This entry cannot be voted for."), code="not_found", status=404)
    if not gate.enabled or gate.opens_at is None or gate.closes_at is None:
        raise VoteRefused(_("There is no public vote for this track."), code="no_vote")
    if at < gate.opens_at:
        raise VoteRefused(_("The vote has not opened yet."), code="not_open")
    if at >= gate.closes_at:
        raise VoteRefused(_("The vote has closed."), code="closed")
    return gate


def flag_keys(track_id: int, origin: Origin) -> list[str]:
    keys = []
    if origin.network:
        keys.append(f"vf:{track_id}:network:{origin.network}")
    if origin.device:
        keys.append(f"vf:{track_id}:device:{origin.device}")
    return keys


def _entry_quota(per_entry: int) -> VoteRefused:
    if per_entry == 1:
        return VoteRefused(_("You have already voted for this entry today. Come back tomorrow."), code="entry_quota")
    return VoteRefused(_("You have used today's votes for this entry. Come back tomorrow."), code="entry_quota")


def _track_quota() -> VoteRefused:
    return VoteRefused(_("You have used all of today's votes in this track. Come back tomorrow."),
                       code="track_quota")


def _login_required() -> VoteRefused:
    return VoteRefused(_("Please log in to vote."), code="login_required", status=401)


def _phone_unverified() -> VoteRefused:
    return VoteRefused(_("Please verify your mobile number before voting."), code="phone_unverified", status=403)


def cast(actor: Any, entry_id: int, *, origin: Origin = Origin(), proof: str | None = None,
         at: dt.datetime | None = None) -> Cast:
    """One vote of `actor` for a public entry whose track's vote is open, within the day's limits."""
    if actor is None or not actor.is_authenticated:
        raise _login_required()
    if not actor.phone_verified:
        raise _phone_unverified()
    return cast_as(actor.pk, entry_id, origin=origin, proof=proof, at=at)


def cast_as(user_id: int, entry_id: int, *, origin: Origin = Origin(), proof: str | None = None,
            at: dt.datetime | None = None, gate_cached: Any = None,
            counted: tuple[int, int, bool] | None = None, flagged: list[Any] | None = None) -> Cast:
    """`cast` for an account known by its id (the lean HTTP path): the account's standing (active,
    mobile number verified) is checked by the database inside the vote's own transaction.
    The lean path may hand in what it already read from the cache: the gate answer, the attempt
    counted (`votes_challenge.count_keys`), the flags of the origin (`flag_keys` order)."""
    at = at or timezone.now()
    gate = check_window(gate_of(entry_id, gate_cached), at)
    admitted = votes_challenge.admit(user_id, origin.network, proof, counted=counted)
    if flagged is None:
        flags = flag_keys(gate.track_id, origin)
        flagged = list(cache.get_many(flags).values()) if flags else []
    group_id = next((g for g in flagged if g is not None), None)
    return record(user_id, entry_id, gate, origin=origin, challenged=admitted.challenged,
                  group_id=None if group_id is None else int(group_id), at=at)


# The vote's writes. Both counters, the log row, the group's count and the tally: one transaction.
# PostgreSQL: one round-trip, the function zj_cast_vote (migration 0005_vote_function); it raises
# SQLSTATE ZJV01 when the track's counter refuses, which rolls back the entry's counter taken
# before it. Elsewhere (SQLite): one IMMEDIATE transaction of the same statements on one cursor.

_TRACK_QUOTA_STATE = "ZJV01"


def record(user_id: int, entry_id: int, gate: Gate, *, origin: Origin, challenged: bool, group_id: int | None,
           at: dt.datetime) -> Cast:
    day = local_day(at)
    if connection.vendor == "postgresql":
        code, used, count = _record_pg(user_id, entry_id, gate, origin, challenged, group_id, at, day)
    else:
        code, used, count = _record_sql(user_id, entry_id, gate, origin, challenged, group_id, at, day)
    if code == "inactive":
        raise _login_required()
    if code == "phone_unverified":
        raise _phone_unverified()
    if code == "entry_quota":
        raise _entry_quota(gate.per_entry)
    if code == "track_quota":
        raise _track_quota()
    return Cast(entry_id=entry_id, held=group_id is not None, remaining_today=max(0, gate.per_account - used),
                count=count if gate.show_counts else None)


def _record_pg(user_id: int, entry_id: int, gate: Gate, origin: Origin, challenged: bool, group_id: int | None,
               at: dt.datetime, day: dt.date) -> tuple[str, int, int]:
    args: list[Any] = [user_id, gate.track_id, entry_id, day, at, gate.per_entry, gate.per_account, origin.network,
            origin.device, challenged, group_id, bool(getattr(settings, "VOTE_ASYNC_COMMIT", False))]
    sql = _CAST_SQL
    try:
        if connection.in_atomic_block:
            # Inside a caller's transaction: a savepoint, so a refusal undoes only this vote.
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, args)
                row = cur.fetchone()
        elif getattr(settings, "VOTE_PREPARED", True):
            with _prepared_cursor() as cur:  # autocommit: the statement is its own transaction
                cur.execute(sql, args)
                row = cur.fetchone()
        else:
            with connection.cursor() as cur:
                cur.execute(sql, args)
                row = cur.fetchone()
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _TRACK_QUOTA_STATE:
            return "track_quota", 0, 0
        raise
    return str(row[0]), int(row[1]), int(row[2])


_CAST_SQL = ("SELECT * FROM zj_cast_vote(%s::bigint, %s::bigint, %s::bigint, %s::date, %s::timestamptz, %s::integer, "
             "%s::integer, %s::text, %s::text, %s::boolean, %s::bigint, %s::boolean)")


class _PreparingCursor(psycopg.Cursor):
    """psycopg's cursor that binds on the server, each statement prepared once per connection."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


def _prepared_cursor() -> Any:
    """A cursor of Django's connection (its wrappers: errors, query logging) that binds on the
    server and prepares the statement once per connection: the vote then sends only its values
    (binary), and PostgreSQL neither parses nor plans it again. Django turns automatic preparing
    off for connection poolers; a pooler in transaction mode needs PgBouncer 1.21 or later with
    `max_prepared_statements` set, or VOTE_PREPARED = False (docs/public-votes.md)."""
    connection.ensure_connection()
    return connection._prepare_cursor(_PreparingCursor(connection.connection))  # type: ignore[attr-defined]


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _record_sql(user_id: int, entry_id: int, gate: Gate, origin: Origin, challenged: bool, group_id: int | None,
                at: dt.datetime, day: dt.date) -> tuple[str, int, int]:
    counters, votes_t, tally = VoteDayCounter._meta.db_table, Vote._meta.db_table, VoteTally._meta.db_table
    users, groups = get_user_model()._meta.db_table, AnomalyGroup._meta.db_table
    upsert = (f"INSERT INTO {counters} (user_id, track_id, entry_id, entry_key, day, used, quota) "  # noqa: S608
              f"VALUES (%s, %s, %s, %s, %s, 1, %s) "
              f"ON CONFLICT (user_id, track_id, entry_key, day) DO UPDATE SET used = {counters}.used + 1, "
              f"quota = excluded.quota WHERE {counters}.used < excluded.quota RETURNING used")
    held = group_id is not None
    try:
        with transaction.atomic(), connection.cursor() as cur:  # BEGIN IMMEDIATE on the embedded default
            cur.execute(f"SELECT is_active, phone_verified FROM {users} WHERE id = %s", [user_id])  # noqa: S608
            standing = cur.fetchone()
            if standing is None or not standing[0]:
                return "inactive", 0, 0
            if not standing[1]:
                return "phone_unverified", 0, 0
            cur.execute(upsert, [user_id, gate.track_id, entry_id, entry_id, day, gate.per_entry])
            if cur.fetchone() is None:
                return "entry_quota", 0, 0
            cur.execute(upsert, [user_id, gate.track_id, None, 0, day, gate.per_account])
            row = cur.fetchone()
            if row is None:
                raise _Refused("track_quota")  # rolls back the entry's counter taken above
            used = int(row[0])
            cur.execute(f"INSERT INTO {votes_t} (user_id, entry_id, track_id, at, day, network, device, "  # noqa: S608
                        f"challenged, state, group_id, reviewed) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        [user_id, entry_id, gate.track_id, at, day, origin.network, origin.device, challenged,
                         VoteState.HELD if held else VoteState.COUNTED, group_id, False])
            if held:
                cur.execute(f"UPDATE {groups} SET votes = votes + 1 WHERE id = %s", [group_id])  # noqa: S608
            cur.execute(f"INSERT INTO {tally} (entry_id, track_id, counted, held) VALUES (%s, %s, %s, %s) "  # noqa: S608
                        f"ON CONFLICT (entry_id) DO UPDATE SET counted = {tally}.counted + excluded.counted, "
                        f"held = {tally}.held + excluded.held RETURNING counted",
                        [entry_id, gate.track_id, 0 if held else 1, 1 if held else 0])
            count = int(cur.fetchone()[0])
    except _Refused as exc:
        return exc.code, 0, 0
    return "ok", used, count


# --- what the box shows ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BoxState:
    window: VoteWindow | None
    is_open: bool
    count: int | None  # shown only when the track shows counts
    remaining_today: int | None  # for a logged-in account
    entry_used_today: int | None
    challenge: bool

    @property
    def entry_done(self) -> bool:
        """The account has cast today's votes for this entry (the button says so, disabled)."""
        return (self.window is not None and self.entry_used_today is not None
                and self.entry_used_today >= self.window.per_entry_daily)

    @property
    def account_done(self) -> bool:
        """The account has no vote left today in the track."""
        return self.remaining_today == 0


def box_state(user: Any, entry: Any, *, network: str = "", at: dt.datetime | None = None) -> BoxState:
    at = at or timezone.now()
    w = window_of(entry.track_id)
    if w is None or not w.enabled:
        return BoxState(w, False, None, None, None, False)
    count = None
    if w.show_counts:
        count = VoteTally.objects.filter(entry_id=entry.pk).values_list("counted", flat=True).first() or 0
    remaining = used_entry = None
    challenge = False
    if user is not None and user.is_authenticated:
        day = local_day(at)
        used = dict(VoteDayCounter.objects.filter(user_id=user.pk, track_id=entry.track_id, day=day,
                                                  entry_key__in=[0, entry.pk]).values_list("entry_key", "used"))
        remaining = max(0, w.per_account_daily - used.get(0, 0))
        used_entry = used.get(entry.pk, 0)
        challenge = votes_challenge.demanded(user.pk, network)
    return BoxState(w, w.is_open(at), count, remaining, used_entry, challenge)


def remaining_today(user: Any, track_id: int, at: dt.datetime | None = None) -> int | None:
    w = window_of(track_id)
    if w is None:
        return None
    day = local_day(at or timezone.now())
    used = VoteDayCounter.objects.filter(user_id=user.pk, track_id=track_id, day=day, entry_key=0) \
        .values_list("used", flat=True).first() or 0
    return max(0, w.per_account_daily - used)


def vote_counts(track_id: int, entry_ids: list[int]) -> dict[int, int]:
    """The provider of `common.registry.vote_counts`: counted votes, quarantined ones left out."""
    return dict(VoteTally.objects.filter(track_id=track_id, entry_id__in=entry_ids)
                .values_list("entry_id", "counted"))


# --- moderators' decisions on flagged votes -------------------------------------------------------

def _move(group: AnomalyGroup, to: str, *, reviewed: bool) -> int:
    """Move a group's held votes to `to`, fixing each entry's tally by the rows really moved."""
    moved = 0
    entry_ids = list(Vote.objects.filter(group=group, state=VoteState.HELD).values_list("entry_id", flat=True)
                     .distinct())
    for entry_id in entry_ids:
        n = Vote.objects.filter(group=group, entry_id=entry_id, state=VoteState.HELD).update(
            state=to, reviewed=reviewed)
        if n:
            counted = n if to == VoteState.COUNTED else 0
            VoteTally.objects.filter(entry_id=entry_id).update(counted=F("counted") + counted, held=F("held") - n)
            moved += n
    return moved


def decide(actor: Any, group_ids: list[int], action: str) -> int:
    """Confirm (the votes stay excluded) or release (counted again) flagged groups. Returns how
    many groups were decided; groups already decided are skipped."""
    if action not in ("confirm", "release"):
        raise DomainError(_("Unknown action."), field="action")
    done = 0
    with transaction.atomic():
        groups = list(AnomalyGroup.objects.select_for_update().select_related("track")
                      .filter(pk__in=group_ids).order_by("pk"))
        if len(groups) != len(set(group_ids)):
            raise DomainError(_("Some of the selected groups do not exist."), code="not_found", status=404)
        for g in groups:
            if not can_manage_votes(actor, g.track):
                raise NotPermitted(_("You may not review the votes of this track."))
        for g in groups:
            if g.state != GroupState.OPEN:
                continue
            release = action == "release"
            n = _move(g, VoteState.COUNTED if release else VoteState.EXCLUDED, reviewed=release)
            before = {"state": g.state}
            g.state = GroupState.RELEASED if release else GroupState.CONFIRMED
            g.decided_at, g.decided_by = timezone.now(), actor
            g.save(update_fields=["state", "decided_at", "decided_by"])
            audit.record(f"vote.anomaly.{action}", g, actor=actor, before=before,
                         after={"state": g.state, "votes": n})
            done += 1
            cache.delete(f"vf:{g.track_id}:{g.kind}:{g.key}")
    return done
