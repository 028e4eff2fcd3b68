"""Sensitive-word matching for comments: an Aho-Corasick automaton (pyahocorasick) per word list.

Words and texts are both folded by `common.textnorm` (NFKC full-width forms, traditional to
simplified, case, zero-width characters, spaces, punctuation and symbols removed), so "敏 感",
"敏*感", "ｍｉｎｇａｎ", "敏\u200b感" and the traditional form all match the word "敏感". The match is mapped
back to the original text (`for_matching_with_map`) so moderators see the words highlighted.

Each list (the global one, and one per campaign) has a version number in the database
(`WordListVersion`), raised by every change. A process keeps the automaton it built with the
version it was built from and asks only for the versions (one query) before matching: a list
changed in another process is rebuilt here on the next comment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import ahocorasick
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhengji.common.textnorm import for_matching, for_matching_with_map

from .models import SensitiveWord, WordListVersion

GLOBAL = 0  # the scope number of the global list


@dataclass(frozen=True)
class Hit:
    word: str  # as the list writes it
    start: int  # span in the original text
    end: int


@dataclass
class _Built:
    version: int
    automaton: ahocorasick.Automaton | None  # None: an empty list
    words: int = 0


@dataclass
class _Cache:
    lists: dict[int, _Built] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    builds: int = 0  # how many automatons this process built (tests read it)


_cache = _Cache()


def scope_of(campaign_id: int | None) -> int:
    return campaign_id or GLOBAL


def normalize(word: str) -> str:
    return for_matching(word)


def _build(scope: int, version: int) -> _Built:
    qs = SensitiveWord.objects.filter(campaign__isnull=True) if scope == GLOBAL else \
        SensitiveWord.objects.filter(campaign_id=scope)
    automaton = ahocorasick.Automaton()
    n = 0
    for word, norm in qs.values_list("word", "normalized").iterator():
        if norm:
            automaton.add_word(norm, (len(norm), word))
            n += 1
    if not n:
        return _Built(version, None)
    automaton.make_automaton()
    _cache.builds += 1
    return _Built(version, automaton, n)


def _automata(scopes: list[int]) -> list[ahocorasick.Automaton]:
    versions = dict(WordListVersion.objects.filter(scope__in=scopes).values_list("scope", "version"))
    out = []
    for scope in scopes:
        version = versions.get(scope, 0)
        built = _cache.lists.get(scope)
        if built is None or built.version != version:
            with _cache.lock:
                built = _cache.lists.get(scope)
                if built is None or built.version != version:
                    built = _cache.lists[scope] = _build(scope, version)
        if built.automaton is not None:
            out.append(built.automaton)
    return out


def find(text: str, campaign_id: int | None = None) -> list[Hit]:
    """The list words in `text` (global list and the campaign's), leftmost first, overlaps kept."""
    scopes = [GLOBAL] + ([campaign_id] if campaign_id else [])
    automata = _automata(scopes)
    if not automata:
        return []
    folded, where = for_matching_with_map(text)
    hits: list[Hit] = []
    for automaton in automata:
        for end, (length, word) in automaton.iter(folded):
            start = end - length + 1
            hits.append(Hit(word, where[start], where[end] + 1))
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def bump(campaign_id: int | None) -> None:
    """Raise the version of a list (call inside the transaction that changed it)."""
    scope = scope_of(campaign_id)
    WordListVersion.objects.get_or_create(scope=scope)
    WordListVersion.objects.filter(scope=scope).update(version=F("version") + 1)


def highlight(text: str, spans: list[list[int]] | list[tuple[int, int]]) -> SafeString:
    """`text` escaped, with the spans in <mark> (for the moderators' queue)."""
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in spans if 0 <= s < e <= len(text)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in merged:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out).replace("\n", "<br>"))  # noqa: S308 (every piece escaped above)
