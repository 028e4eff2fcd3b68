"""Public voting: the window of a track, casting a vote, the moderators' decisions on flagged votes.

The vote path is lean on purpose (a hot share link can bring thousands of votes a second): one
read (the entry through the public gate, joined to its track's window), then one transaction of
four statements — the account's per-entry counter, its per-track counter (each an upsert that
only increments while `used < quota`), the log row and the entry's tally."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, transaction
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


def _upsert_counter(user_id: int, track_id: int, entry_id: int | None, day: dt.date, quota: int) -> int | None:
    """Take one vote from a day counter; the new `used`, or None when the quota is spent. One
    statement: the database decides, so concurrent votes cannot both take the last one."""
    t = VoteDayCounter._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {t} (user_id, track_id, entry_id, entry_key, day, used, quota) "  # noqa: S608 (table name)
            f"VALUES (%s, %s, %s, %s, %s, 1, %s) "
            f"ON CONFLICT (user_id, track_id, entry_key, day) DO UPDATE SET used = {t}.used + 1, quota = %s "
            f"WHERE {t}.used < %s RETURNING used",
            [user_id, track_id, entry_id, entry_id or 0, day, quota, quota, quota])
        row = cur.fetchone()
    return None if row is None else int(row[0])


def _add_tally(entry_id: int, track_id: int, counted: int, held: int) -> int:
    t = VoteTally._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {t} (entry_id, track_id, counted, held) VALUES (%s, %s, %s, %s) "  # noqa: S608 (table name)
            f"ON CONFLICT (entry_id) DO UPDATE SET counted = {t}.counted + %s, held = {t}.held + %s RETURNING counted",
            [entry_id, track_id, counted, held, counted, held])
        return int(cur.fetchone()[0])


def _flag_keys(track_id: int, origin: Origin) -> list[str]:
    keys = []
    if origin.network:
        keys.append(f"vf:{track_id}:network:{origin.network}")
    if origin.device:
        keys.append(f"vf:{track_id}:device:{origin.device}")
    return keys


def cast(actor: Any, entry_id: int, *, origin: Origin = Origin(), proof: str | None = None,
         at: dt.datetime | None = None) -> Cast:
    """One vote of `actor` for a public entry whose track's vote is open, within the day's limits."""
    if actor is None or not actor.is_authenticated:
        raise VoteRefused(_("Please log in to vote."), code="login_required", status=401)
    if not actor.phone_verified:
        raise VoteRefused(_("Please verify your mobile number before voting."), code="phone_unverified",
                          status=403)
    at = at or timezone.now()
    row = (entries_for(actor, View.PUBLIC).filter(pk=entry_id)
           .values_list("track_id", "track__vote_window__enabled", "track__vote_window__opens_at",
                        "track__vote_window__closes_at", "track__vote_window__per_entry_daily",
                        "track__vote_window__per_account_daily", "track__vote_window__show_counts").first())
    if row is None:
        raise VoteRefused(_("This entry cannot be voted for."), code="not_found", status=404)
    track_id, enabled, opens_at, closes_at, per_entry, per_account, show = row
    if not enabled or opens_at is None:
        raise VoteRefused(_("There is no public vote for this track."), code="no_vote")
    if at < opens_at:
        raise VoteRefused(_("The vote has not opened yet."), code="not_open")
    if at >= closes_at:
        raise VoteRefused(_("The vote has closed."), code="closed")
    gate = votes_challenge.admit(actor.pk, origin.network, proof)
    flags = _flag_keys(track_id, origin)
    flagged = cache.get_many(flags) if flags else {}
    group_id = next(iter(flagged.values()), None)
    day = local_day(at)
    with transaction.atomic():
        if _upsert_counter(actor.pk, track_id, entry_id, day, per_entry) is None:
            if per_entry == 1:
                raise VoteRefused(_("You have already voted for this entry today. Come back tomorrow."),
                                  code="entry_quota")
            raise VoteRefused(_("You have used today's votes for this entry. Come back tomorrow."),
                              code="entry_quota")
        used = _upsert_counter(actor.pk, track_id, None, day, per_account)
        if used is None:
            # Raising rolls back the per-entry counter taken above.
            raise VoteRefused(_("You have used all of today's votes in this track. Come back tomorrow."),
                              code="track_quota")
        held = group_id is not None
        Vote.objects.create(user_id=actor.pk, entry_id=entry_id, track_id=track_id, at=at, day=day,
                            network=origin.network, device=origin.device, challenged=gate.challenged,
                            state=VoteState.HELD if held else VoteState.COUNTED, group_id=group_id)
        if group_id is not None:
            AnomalyGroup.objects.filter(pk=int(group_id)).update(votes=F("votes") + 1)
        count = _add_tally(entry_id, track_id, 0 if held else 1, 1 if held else 0)
    return Cast(entry_id=entry_id, held=held, remaining_today=max(0, per_account - used),
                count=count if show else None)


# --- what the box shows ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BoxState:
    window: VoteWindow | None
    is_open: bool
    count: int | None  # shown only when the track shows counts
    remaining_today: int | None  # for a logged-in account
    entry_used_today: int | None
    challenge: bool


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
