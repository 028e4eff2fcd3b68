"""Chinese search of the gallery: title, summary, entry number and the makers as credited.

Chinese has no spaces between words, so the index works on characters, not words:

- the document (`GallerySearch.text`) is each field normalised with `common.textnorm.for_matching`
  (full-width forms, traditional characters and case folded; spaces and punctuation dropped),
  the fields joined by a space so that no match spans two fields;
- a query is split on spaces into terms, normalised the same way; every term must occur;
- SQLite (the embedded default): a term of 3+ characters is a phrase in an FTS5 table with the
  trigram tokenizer (exact substring); FTS5 trigram cannot answer 1-2 characters (匠心), so a
  second contentless FTS5 table holds each document's characters and character pairs as tokens,
  and a short term is one token there. Both are index look-ups, at any number of rows.
- PostgreSQL: a GIN index over `zj_gallery_grams(text)` (characters and character pairs, an
  immutable SQL function); a term needs all its pairs (or its one character) in the array, and
  longer terms are re-checked with `strpos` for the exact substring. pg_trgm is not used: it
  ignores CJK characters under the C locale.

Both are created by migration 0002 (RunPython checking the database vendor); the documents are
written by `index()` on display approval, credit and entry changes (hooks_gallery).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from zhengji.common.textnorm import for_matching

from .models import GallerySearch

MAX_TERMS = 5
MAX_TERM_CHARS = 40


@dataclass(frozen=True)
class Doc:
    entry_id: int
    track_id: int
    text: str


def document(*fields: str | None) -> str:
    """The normalised search text of some fields (empty fields left out)."""
    parts = [for_matching(f or "") for f in fields]
    return " ".join(p for p in parts if p)


def grams(text: str) -> list[str]:
    """The distinct characters and character pairs of each space-separated part, in order."""
    seen: dict[str, None] = {}
    for part in text.split():
        for i, ch in enumerate(part):
            seen.setdefault(ch, None)
            if i + 1 < len(part):
                seen.setdefault(part[i:i + 2], None)
    return list(seen)


def terms(query: str) -> list[str]:
    """The query's terms, normalised (at most MAX_TERMS, each cut to MAX_TERM_CHARS)."""
    out: list[str] = []
    for raw in (query or "").split():
        t = for_matching(raw)[:MAX_TERM_CHARS]
        if t and t not in out:
            out.append(t)
    return out[:MAX_TERMS]


# --- writing the index ------------------------------------------------------------------------------

def _vendor() -> str:
    return connection.vendor


def _fts_quote(token: str) -> str:
    # Terms hold letters and digits only (for_matching), but quote anyway: a phrase, never syntax.
    return '"' + token.replace('"', '""') + '"'


def index(docs: Iterable[Doc]) -> None:
    """Write (or rewrite) the search documents of these entries. Call inside the transaction of
    the change that made them stale."""
    docs = list(docs)
    if not docs:
        return
    ids = [d.entry_id for d in docs]
    old = dict(GallerySearch.objects.filter(entry_id__in=ids).values_list("entry_id", "text"))
    changed = [d for d in docs if old.get(d.entry_id) != d.text]
    if not changed:
        return
    GallerySearch.objects.bulk_create(
        [GallerySearch(entry_id=d.entry_id, track_id=d.track_id, text=d.text) for d in changed],
        update_conflicts=True, unique_fields=["entry"], update_fields=["text", "track"])
    if _vendor() == "sqlite":
        _sqlite_write(changed, old)


def _sqlite_write(docs: list[Doc], old: dict[int, str]) -> None:
    # Contentless FTS5: a row is removed by repeating the values it was indexed with.
    gone = [(d.entry_id, old[d.entry_id]) for d in docs if d.entry_id in old]
    with connection.cursor() as cur:
        if gone:
            cur.executemany("INSERT INTO public_gallery_fts(public_gallery_fts, rowid, text) VALUES('delete', %s, %s)",
                            gone)
            cur.executemany("INSERT INTO public_gallery_grams(public_gallery_grams, rowid, grams) "
                            "VALUES('delete', %s, %s)", [(pk, " ".join(grams(text))) for pk, text in gone])
        cur.executemany("INSERT INTO public_gallery_fts(rowid, text) VALUES(%s, %s)",
                        [(d.entry_id, d.text) for d in docs])
        cur.executemany("INSERT INTO public_gallery_grams(rowid, grams) VALUES(%s, %s)",
                        [(d.entry_id, " ".join(grams(d.text))) for d in docs])


# --- querying -------------------------------------------------------------------------------------

def _sqlite_sql(words: list[str]) -> tuple[str, list[str]]:
    parts: list[str] = []
    params: list[str] = []
    long_ = [w for w in words if len(w) >= 3]
    short = [w for w in words if len(w) < 3]
    if long_:
        parts.append("SELECT rowid FROM public_gallery_fts WHERE public_gallery_fts MATCH %s")
        params.append(" AND ".join(_fts_quote(w) for w in long_))
    if short:
        parts.append("SELECT rowid FROM public_gallery_grams WHERE public_gallery_grams MATCH %s")
        params.append(" AND ".join(_fts_quote(w) for w in short))
    return " INTERSECT ".join(parts), params


def _pg_sql(words: list[str]) -> tuple[str, list[Any]]:
    needed: list[str] = []
    exact: list[str] = []
    for w in words:
        if len(w) == 1:
            needed.append(w)
        else:
            needed.extend(w[i:i + 2] for i in range(len(w) - 1))
        if len(w) >= 3:
            exact.append(w)
    sql = "SELECT entry_id FROM public_gallerysearch WHERE zj_gallery_grams(text) @> %s::text[]"
    params: list[Any] = [sorted(set(needed))]
    for w in exact:
        sql += " AND strpos(text, %s) > 0"
        params.append(w)
    return sql, params


def matching_q(query: str, field: str = "entry_id") -> Q | None:
    """A filter on `field` (an entry id) keeping the entries whose document holds every term of
    `query`; None when the query has nothing to search for (no letters or digits)."""
    words = terms(query)
    if not words:
        return None
    sql, params = _pg_sql(words) if _vendor() == "postgresql" else _sqlite_sql(words)
    return Q(**{f"{field}__in": RawSQL(sql, params)})
