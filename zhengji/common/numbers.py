"""One strict reading of numbers that arrive as text (headers, query strings, form fields).

`str.isdigit` and `int` accept more than ASCII digits: "²" counts as a digit and then
`int("²")` raises; `int("１２")` (full-width) and `int(" 12 ")` succeed. Every number a request
carries is read here: ASCII digits only, within the 64-bit range the database stores."""

from __future__ import annotations

import re

MAX_BIGINT = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def is_ascii_digits(text: object) -> bool:
    """True for a non-empty run of ASCII digits (no sign, space, superscript or full-width)."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def parse_count(text: object, *, maximum: int = MAX_BIGINT) -> int | None:
    """The non-negative integer `text` spells in ASCII digits, or None (also past `maximum`)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 <= text <= maximum else None
    if not is_ascii_digits(text):
        return None
    value = int(str(text))
    return value if value <= maximum else None


def parse_id(text: object) -> int | None:
    """A database id (1 … 2**63-1) from text, or None."""
    value = parse_count(text)
    return value if value else None
