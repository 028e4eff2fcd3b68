"""What the public sees of an entry's makers: the credit rule (one place).

The entrant chooses (`Showcase.credit`): authors and unit, authors only, or unit only. A unit's
own entry is always credited to the unit; an entry without named authors falls back to the unit.
Phones, accounts and form answers marked identifying are never public (entries.projections)."""

from __future__ import annotations

from typing import Any

from zhengji.entries.models import EntrantType

from .models import Credit


def credit(entry: Any, choice: str | None, authors: list[str] | None = None) -> tuple[list[str], str | None]:
    """(author names, unit name or None) as the public may see them. `authors` may be given when
    the caller already has them (a batched page); otherwise read from `entry.authors`."""
    names = authors if authors is not None else [a.name for a in entry.authors.all() if a.name]
    unit = entry.unit.name if entry.unit_id is not None else None
    if entry.entrant_type == EntrantType.UNIT or not names:
        return [], unit
    choice = choice or Credit.AUTHORS_AND_UNIT
    if choice == Credit.AUTHORS:
        return names, None
    if choice == Credit.UNIT:
        return [], unit
    return names, unit
