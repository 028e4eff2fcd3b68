from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.1234 → "12.3%"; None (nothing to divide by) → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def dash(value: object) -> object:
    """None → "—" (an indicator that does not exist yet, e.g. awards before judging)."""
    return "—" if value is None else value
