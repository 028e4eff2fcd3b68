"""Who sees which entries on the public site: the `public` view of the kernel's gate, widened.

An entry is public when its campaign is published and either its results are published
(PUBLISHED) or host staff / a campaign admin approved it for display while it is still in the
running (reported and after, never disqualified or withdrawn). Registered as `View.PUBLIC` in
`entries.queries`, so every page, API and export of the public site asks `entries_for(user,
View.PUBLIC)` / `entry_for(..., view=View.PUBLIC)` and nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from zhengji.entries.models import EntryStatus as S

# Where an approved entry may be shown: with the host unit, not disqualified.
SHOWABLE_STATES = frozenset({S.REPORTED, S.ELIGIBLE, S.SCORED, S.AWARDED, S.NOT_AWARDED, S.PUBLISHED})


def public_q(user: Any = None) -> Q:
    return Q(track__campaign__is_published=True) & (
        Q(status=S.PUBLISHED) | Q(showcase__approved=True, status__in=SHOWABLE_STATES))


def register() -> None:
    from zhengji.entries.queries import View, register_view  # noqa: PLC0415 (called from ready())

    register_view(View.PUBLIC, public_q)
