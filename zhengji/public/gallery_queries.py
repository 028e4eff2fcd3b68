"""The gallery's reads: one page of a track's public entries, and the cards that show them.

Pages are keyset-paginated (a cursor names the last card shown), so page 500 costs what page 1
costs and nothing counts 100,000 rows: the total is counted up to COUNT_CAP only. Each sort walks
one index of `Showcase` (track, listed, key, entry):

- new: newest in the gallery first (`listed_at`, then entry id);
- views: most viewed first;
- random: a stable shuffle. Every row has a random `sort_key`; the visitor's seed (one per day, or
  per session) is a starting point on that circle, and the walk goes up from it and wraps around,
  so every page of one visitor continues the same order and the front page differs day to day.

`build_cards(rows)` turns Showcase rows into cards with a fixed number of queries whatever the
page length (authors, covers and awards each in one batch); other pages may reuse it through
`cards_for(entry_ids)`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from zhengji.common.i18n import localized
from zhengji.common.registry import PublicAward, public_awards
from zhengji.entries import files as entry_files
from zhengji.entries.models import EntryAuthor
from zhengji.entries.projections import rendition_urls
from zhengji.entries.queries import View, entries_for
from zhengji.originality.labels import ai_labels

from . import search
from .models import Showcase
from .projection import credit as credit_of

SORTS = ("new", "views", "random")
PAGE_SIZE = 24
MAX_PAGE_SIZE = 60
COUNT_CAP = 1000
SEED_SPACE = 2**31


@dataclass
class Card:
    entry_id: int
    title: str
    number: str | None
    url: str
    thumb: str
    authors: list[str]
    unit: str | None
    city: str
    views: int
    award: PublicAward | None = None
    ai_label: str = ""  # the explicit label of AI-generated content (GB 45438-2025), if any

    @property
    def credit_line(self) -> str:
        return " · ".join([*self.authors, *([self.unit] if self.unit else [])])


@dataclass
class GalleryQuery:
    track_id: int
    city_id: int | None = None
    tier_id: int | None = None
    q: str = ""
    sort: str = "new"
    cursor: str = ""
    seed: int = 0
    size: int = PAGE_SIZE


@dataclass
class GalleryPage:
    cards: list[Card]
    next_cursor: str
    total: int  # capped at COUNT_CAP + 1
    capped: bool
    tiers: list[tuple[int, str]] = field(default_factory=list)
    searched: bool = False

    @property
    def total_label(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.total)


# --- cursors -----------------------------------------------------------------------------------------

def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> list[Any] | None:
    """The cursor's values, or None when it is missing or was tampered with (page 1 then)."""
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) and values else None


def _after(sort: str, cursor: list[Any] | None, seed: int) -> tuple[Q, int]:
    """The keyset condition after `cursor`, and the random sort's phase (0: from the seed up,
    1: wrapped around below it)."""
    if cursor is None:
        return Q(), 0
    try:
        if sort == "views":
            v, eid = int(cursor[0]), int(cursor[1])
            return Q(views__lt=v) | Q(views=v, entry_id__lt=eid), 0
        if sort == "random":
            phase, key, eid = int(cursor[0]), int(cursor[1]), int(cursor[2])
            return Q(sort_key__gt=key) | Q(sort_key=key, entry_id__gt=eid), phase
        at, eid = dt.datetime.fromisoformat(str(cursor[0])), int(cursor[1])
        return Q(listed_at__lt=at) | Q(listed_at=at, entry_id__lt=eid), 0
    except (ValueError, TypeError, IndexError):
        return Q(), 0


def _cursor_of(sort: str, row: Showcase, seed: int) -> str:
    if sort == "views":
        return encode_cursor([row.views, row.entry_id])
    if sort == "random":
        return encode_cursor([0 if row.sort_key >= seed else 1, row.sort_key, row.entry_id])
    assert row.listed_at is not None
    return encode_cursor([row.listed_at.isoformat(), row.entry_id])


# --- the page ----------------------------------------------------------------------------------------

def gate(user: Any) -> Exists:
    """The public gate (entries.queries View.PUBLIC) for each row, as a correlated EXISTS: checked
    for the rows the index walk visits (a page, a capped count), never by listing the whole gate."""
    return Exists(entries_for(user, View.PUBLIC).filter(pk=OuterRef("entry_id")).values("pk"))


def listed(user: Any, track_id: int) -> QuerySet[Showcase]:
    """The track's rows in the gallery, through the public gate."""
    return Showcase.objects.filter(gate(user), track_id=track_id, listed=True)


def tiers_of(awards: dict[int, PublicAward]) -> list[tuple[int, str]]:
    seen: dict[int, tuple[int, str]] = {}
    for a in awards.values():
        seen.setdefault(a.tier_id, (a.order, a.label))
    return [(tid, label) for tid, (_o, label) in sorted(seen.items(), key=lambda kv: kv[1])]


def gallery_page(user: Any, gq: GalleryQuery) -> GalleryPage:
    awards = public_awards.awards([gq.track_id])
    qs = listed(user, gq.track_id)
    if gq.city_id:
        qs = qs.filter(city_id=gq.city_id)
    if gq.tier_id:
        qs = qs.filter(entry_id__in=[eid for eid, a in awards.items() if a.tier_id == gq.tier_id])
    matching = search.matching_q(gq.q) if gq.q else None
    if matching is not None:
        qs = qs.filter(matching)
    size = max(1, min(gq.size, MAX_PAGE_SIZE))
    sort = gq.sort if gq.sort in SORTS else "new"
    seed = gq.seed % SEED_SPACE
    after, phase = _after(sort, decode_cursor(gq.cursor), seed)
    rows: list[Showcase]
    base = qs.select_related("entry__unit", "entry__track", "city")
    if sort == "random":
        rows = []
        if phase == 0:
            rows = list(base.filter(sort_key__gte=seed).filter(after).order_by("sort_key", "entry_id")[:size + 1])
            after = Q()
        if len(rows) <= size:
            rows += list(base.filter(sort_key__lt=seed).filter(after).order_by("sort_key", "entry_id")
                         [:size + 1 - len(rows)])
    elif sort == "views":
        rows = list(base.filter(after).order_by("-views", "-entry_id")[:size + 1])
    else:
        rows = list(base.filter(after).order_by("-listed_at", "-entry_id")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    total = qs.order_by()[:COUNT_CAP + 1].count()
    return GalleryPage(cards=build_cards(rows, awards), next_cursor=_cursor_of(sort, rows[-1], seed) if more else "",
                       total=min(total, COUNT_CAP), capped=total > COUNT_CAP, tiers=tiers_of(awards),
                       searched=matching is not None)


# --- cards -------------------------------------------------------------------------------------------

def build_cards(rows: list[Showcase], awards: dict[int, PublicAward] | None = None) -> list[Card]:
    """Cards of these rows (with `entry__unit` and `city` selected): three queries for any number
    (authors, covers; awards unless given)."""
    if not rows:
        return []
    ids = [r.entry_id for r in rows]
    if awards is None:
        awards = public_awards.awards(sorted({r.track_id for r in rows}))
    names: dict[int, list[str]] = {}
    for entry_id, name in (EntryAuthor.objects.filter(entry_id__in=ids).order_by("entry_id", "position", "id")
                           .values_list("entry_id", "name")):
        if name:
            names.setdefault(entry_id, []).append(name)
    covers = entry_files.covers(ids)
    labels = ai_labels(ids)
    cards = []
    for r in rows:
        e = r.entry
        authors, unit = credit_of(e, r.credit, names.get(e.pk, []))
        cover = covers.get(e.pk)
        urls = rendition_urls(cover) if cover is not None else {}
        cards.append(Card(entry_id=e.pk, title=e.title, number=e.number, url=reverse("public:entry", args=[e.pk]),
                          thumb=urls.get("thumb", ""), authors=authors, unit=unit,
                          city=localized(r.city, "name") if r.city is not None else "", views=r.views,
                          award=awards.get(e.pk), ai_label=labels.get(e.pk, "")))
    return cards


def cards_for(user: Any, entry_ids: list[int]) -> list[Card]:
    """Cards of these entries (those the public may see), in the given order."""
    rows = {r.entry_id: r for r in Showcase.objects.select_related("entry__unit", "entry__track", "city")
            .filter(gate(user), entry_id__in=entry_ids, listed=True)}
    return build_cards([rows[i] for i in entry_ids if i in rows])
