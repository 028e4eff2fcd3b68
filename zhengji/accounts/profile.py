"""A plug-in point for what the personal centre and `/api/me` show about a user's membership of an
organisation. `accounts` knows no organisation: `orgs` sets the provider in its `ready()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MembershipView:
    org_id: int
    org_name: str
    org_path: str  # names from the top, joined with " › "
    status: str
    status_label: str


MembershipProvider = Callable[[Any], "MembershipView | None"]
_provider: list[MembershipProvider] = []


def set_membership_provider(provider: MembershipProvider) -> None:
    _provider[:] = [provider]


def membership_of(user: Any) -> MembershipView | None:
    """The user's membership as the providing app sees it (None without one or without a provider)."""
    return _provider[0](user) if _provider else None
