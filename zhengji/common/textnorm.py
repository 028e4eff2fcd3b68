"""Text normalised for matching (sensitive words, near-duplicate texts): one definition for all.

`for_matching(text)` folds what people use to dodge a filter or disguise a copy: full-width and
compatibility forms (NFKC), traditional characters (OpenCC t2s), letter case, and removes zero-width
characters, whitespace, punctuation and symbols. `for_matching_with_map` also returns, for each
character kept, its index in the original text (to mark the matched span).
"""

from __future__ import annotations

import functools
import unicodedata

import opencc

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
# Letters, digits and CJK ideographs are kept; everything else (P*, S*, Z*, C*) is dropped.
_KEEP = ("L", "N")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in _KEEP


def for_matching(text: str) -> str:
    text = unicodedata.normalize("NFKC", (text or "").translate(ZERO_WIDTH))
    text = to_simplified(text).casefold()
    return "".join(ch for ch in text if _keep(ch))


def for_matching_with_map(text: str) -> tuple[str, list[int]]:
    """Like `for_matching`, with the original index of every kept character. Character by
    character (NFKC and t2s of single characters), so slower than `for_matching`: for short texts
    (comments), not for documents."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text or ""):
        if ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e":
            continue
        folded = to_simplified(unicodedata.normalize("NFKC", ch)).casefold()
        for c in folded:
            if _keep(c):
                out.append(c)
                where.append(i)
    return "".join(out), where
