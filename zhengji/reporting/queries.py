"""Read-only answers of the reporting chain: the vetting queue (keyset-paginated), the quota and
deadline summary of the levels a user administers, and the batches a user may see.

The queue starts from the entries gate (`entries_for(user, View.UNIT)`: submitted entries of the
admin's subtree) and keeps those waiting at a level the user administers. Pages are keyset
(`WHERE (key, id) > (last key, last id) ORDER BY key, id LIMIT n`): no OFFSET scan, and the same
few queries for the first page and the thousandth.

Search is `icontains` over title and entry number for now; Chinese full-text (PostgreSQL
`pg_trgm`/zhparser, or an FTS5 trigram table on SQLite) is for later.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.campaigns.policy import CampaignPolicy, policy_for
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.queries import View, entries_for
from zhengji.orgs.models import Organization

from .models import Batch, ChainPosition, QuotaCounter, UnitOpinion

S = EntryStatus
STATES: dict[str, Q] = {
    "waiting": Q(status__in=[S.SUBMITTED, S.RECOMMENDED], chain_position__recommended=False),
    "recommended": Q(status=S.RECOMMENDED, chain_position__recommended=True),
    "returned": Q(status=S.RETURNED),
    "rejected": Q(status=S.REJECTED),
}
# sort name -> (field, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "-arrived": ("chain_position__arrived_at", True),
    "arrived": ("chain_position__arrived_at", False),
    "number": ("number", False),
    "-number": ("number", True),
    "rank": ("chain_position__rank", False),
}
DEFAULT_SORT = "-arrived"
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class BadCursor(ValueError):
    pass


@dataclass
class QueueFilters:
    track: int | None = None
    state: str = ""
    unit: int | None = None  # a child organisation: entries of its subtree
    level: int | None = None  # entries waiting at this level only
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params: Any) -> QueueFilters:
        def num(name: str) -> int | None:
            return parse_id(str(params.get(name) or "").strip())

        sort = str(params.get("sort") or DEFAULT_SORT)
        state = str(params.get("state") or "")
        return cls(track=num("track"), state=state if state in STATES else "", unit=num("unit"),
                   level=num("level"), q=str(params.get("q") or "").strip()[:100],
                   date_from=parse_date(str(params.get("date_from") or "")) if params.get("date_from") else None,
                   date_to=parse_date(str(params.get("date_to") or "")) if params.get("date_to") else None,
                   sort=sort if sort in SORTS else DEFAULT_SORT)

    def as_params(self) -> dict[str, str]:
        out = {"track": self.track, "state": self.state, "unit": self.unit, "level": self.level, "q": self.q,
               "date_from": self.date_from, "date_to": self.date_to,
               "sort": self.sort if self.sort != DEFAULT_SORT else ""}
        return {k: str(v) for k, v in out.items() if v not in (None, "")}


def queue_base(user: Any) -> QuerySet[Entry]:
    """Entries waiting at a level the user administers (their organisations and everything below)."""
    qs = entries_for(user, View.UNIT).filter(chain_position__isnull=False)
    if not user.is_superuser:
        qs = qs.filter(scopes_for(user).subtree_q("chain_position__level__"))
    return qs


def queue(user: Any, filters: QueueFilters) -> QuerySet[Entry]:
    qs = queue_base(user)
    if filters.track:
        qs = qs.filter(track_id=filters.track)
    if filters.state:
        qs = qs.filter(STATES[filters.state])
    if filters.sort == "rank" and filters.state != "recommended":
        qs = qs.filter(STATES["recommended"])
    if filters.unit:
        unit = Organization.objects.filter(pk=filters.unit).only("path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit is not None else qs.none()
    if filters.level:
        qs = qs.filter(chain_position__level_id=filters.level)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(number__icontains=filters.q))
    if filters.date_from:
        qs = qs.filter(submitted_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(submitted_at__date__lte=filters.date_to)
    return qs.select_related("chain_position__level")


def waiting_entries(user: Any, ids: Sequence[int]) -> list[Entry]:
    """These entries, each waiting at a level the user administers; 404 when one is not."""
    found = list(queue_base(user).filter(pk__in=ids).select_related("chain_position__level"))
    if len(found) != len(set(ids)):
        raise Http404
    return found


def deciding_level(level_id: int | None, entries: Sequence[Entry]) -> Organization:
    """The level named, or the one level where all the entries wait."""
    if level_id is None:
        levels = {e.chain_position.level_id for e in entries}
        if len(levels) != 1:
            raise DomainError(_("The entries wait at different levels; say which level decides."),
                              code="level_required")
        level_id = levels.pop()
    level = Organization.objects.filter(pk=level_id).first()
    if level is None:
        raise Http404
    return level


# --- keyset pages ----------------------------------------------------------------------------------

def _key_of(entry: Entry, sort: str) -> Any:
    name = SORTS[sort][0]
    obj: Any = entry
    for part in name.split("__"):
        obj = getattr(obj, part)
    return obj


def encode_cursor(value: Any, pk: int) -> str:
    raw = value.isoformat() if isinstance(value, dt.datetime) else value
    return base64.urlsafe_b64encode(json.dumps([raw, pk]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        raw, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if SORTS[sort][0].endswith("arrived_at"):
            raw = dt.datetime.fromisoformat(raw)
        return raw, int(pk)
    except (ValueError, TypeError, KeyError) as exc:
        raise BadCursor(str(exc)) from None


@dataclass
class Page:
    rows: list[Entry]
    next_cursor: str | None
    opinions: dict[int, str] = field(default_factory=dict)


def page(qs: QuerySet[Entry], sort: str, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    key, desc = SORTS[sort]
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        value, pk = decode_cursor(cursor, sort)
        op = "lt" if desc else "gt"
        # The plain bound first (key <= value) lets the database seek in the index to the cursor;
        # the OR alone would make it walk every row before it.
        qs = qs.filter(**{f"{key}__{op}e": value}).filter(Q(**{f"{key}__{op}": value}) | Q(**{key: value,
                                                                                               f"pk__{op}": pk}))
    order = [f"-{key}", "-pk"] if desc else [key, "pk"]
    rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = encode_cursor(_key_of(rows[-1], sort), rows[-1].pk) if more and rows else None
    return Page(rows, nxt, opinions_for(rows))


def opinions_for(rows: Sequence[Entry]) -> dict[int, str]:
    """The opinion of the level where each entry waits (one query)."""
    wanted = {e.pk: e.chain_position.level_id for e in rows}
    found = UnitOpinion.objects.filter(entry_id__in=list(wanted)).values_list("entry_id", "level_id", "text")
    return {eid: text for eid, lid, text in found if wanted.get(eid) == lid}


# --- the levels a user administers: quota used/left and deadlines -----------------------------------

@dataclass
class LevelTrack:
    level: Organization
    track: Track
    quota: int | None
    used: int
    deadline: dt.datetime
    open: bool

    @property
    def left(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


def administered_levels(user: Any) -> list[Organization]:
    if user.is_superuser:
        return []
    ids = scopes_for(user).admin_org_ids
    return list(Organization.objects.filter(pk__in=ids).order_by("path"))


def queue_tracks(user: Any) -> list[Track]:
    """Tracks that have entries waiting at the user's levels (one query)."""
    # EXISTS per track over the levels of the subtree: the database stops at the first waiting
    # entry of each track (an IN over every position read all of them at province scale).
    positions = ChainPosition.objects.filter(track=OuterRef("pk"))
    if not user.is_superuser:
        levels = Organization.objects.filter(scopes_for(user).subtree_q()).values("id")
        positions = positions.filter(level_id__in=levels)
    return list(Track.objects.filter(Exists(positions)).select_related("campaign").order_by("campaign_id", "number"))


def level_summary(levels: Sequence[Organization], tracks: Sequence[Track],
                  at: dt.datetime | None = None) -> list[LevelTrack]:
    """Quota used and left and the deadline for each level and track (a fixed number of queries)."""
    if not levels or not tracks:
        return []
    used = {(o, t): n for o, t, n in QuotaCounter.objects.filter(org__in=levels, track__in=tracks)
            .values_list("org_id", "track_id", "used")}
    policies: dict[int, CampaignPolicy] = {}
    out = []
    for level in levels:
        for track in tracks:
            policy = policies.setdefault(track.campaign_id, policy_for(track.campaign, at))
            out.append(LevelTrack(level, track, policy.quota(track, level.kind), used.get((level.pk, track.pk), 0),
                                  policy.deadline(track, level), policy.before_deadline(track, level)))
    return out


def child_units(user: Any) -> list[Organization]:
    """The direct children of the user's organisations (the queue's "child unit" filter)."""
    levels = administered_levels(user)
    if not levels:
        return []
    q = Q(pk__in=[])
    for lv in levels:
        q |= Q(path__startswith=lv.path, depth=lv.depth + 1)
    return list(Organization.objects.filter(q).order_by("path")[:500])


# --- batches ---------------------------------------------------------------------------------------

def batches_for(user: Any, direction: str = "sent") -> QuerySet[Batch]:
    """Batches the user's levels sent ("sent") or that reached them ("received")."""
    qs = Batch.objects.select_related("level", "target", "track__campaign")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs if direction == "sent" else qs.filter(status="sent")
    scopes = scopes_for(user)
    if direction == "sent":
        return qs.filter(scopes.subtree_q("level__"))
    received = Q(to_host=False) & scopes.subtree_q("target__")
    if scopes.host_tracks or scopes.campaign_admin:
        received |= Q(to_host=True) & (Q(track_id__in=scopes.host_tracks)
                                       | Q(track__campaign_id__in=scopes.campaign_admin))
    return qs.filter(received, status="sent")


def batch_for(user: Any, pk: int) -> Batch | None:
    batch = (Batch.objects.select_related("level", "target", "track__campaign", "created_by", "sent_by")
             .filter(pk=pk).first())
    if batch is None or not user.is_authenticated or not user.has_perm("reporting.view_batch", batch):
        return None
    # The receiving level sees a batch once it is sent.
    if batch.status != "sent" and not user.has_perm("reporting.send_batch", batch):
        return None
    return batch


def batch_entries(batch: Batch) -> list[Entry]:
    items = batch.items.select_related("entry__track__campaign", "entry__unit", "entry__submitter").prefetch_related(
        "entry__authors").order_by("position", "id")
    return [i.entry for i in items]
