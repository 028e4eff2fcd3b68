"""What the public site may know of the awards: the tier of each entry of a track whose results
are public (`common.registry.public_awards`, registered in ReviewConfig.ready()).

Public means what the results pages (/results/) show: a publicity of the track on notice from its
start, ended, or finalised (`publicity_queries.PUBLIC`, and `starts` passed). Before publication,
and after a withdrawal with nothing else published, the track's tiers are not given: the public
site cannot show an award before the results are out. The tiers are those the results pages list
(the track's `ResultLine`s with a tier), one query for the lines and one for the tiers' order."""

from __future__ import annotations

from django.utils import timezone

from zhengji.common.i18n import localized
from zhengji.common.registry import PublicAward

from .models import AwardTier, Publicity, ResultLine
from .publicity_queries import PUBLIC


def public_tracks(track_ids: list[int]) -> list[int]:
    """Those of `track_ids` whose results are public now."""
    if not track_ids:
        return []
    return list(Publicity.objects.filter(track_id__in=track_ids, status__in=PUBLIC, starts__lte=timezone.now())
                .values_list("track_id", flat=True).distinct())


def awards(track_ids: list[int]) -> dict[int, PublicAward]:
    """{entry_id: PublicAward} of the published results of these tracks (order 1 = best tier of
    its track)."""
    tracks = public_tracks(list(track_ids))
    if not tracks:
        return {}
    tiers = list(AwardTier.objects.filter(track_id__in=tracks).order_by("track_id", "position", "id"))
    order: dict[int, int] = {}
    seen: dict[int, int] = {}
    for t in tiers:  # by track, best tier first
        seen[t.track_id] = seen.get(t.track_id, 0) + 1
        order[t.pk] = seen[t.track_id]
    labels = {t.pk: localized(t, "name") for t in tiers}
    lines = ResultLine.objects.filter(track_id__in=tracks, tier__isnull=False).values_list("entry_id", "tier_id")
    return {entry_id: PublicAward(entry_id=entry_id, tier_id=tier_id, label=labels[tier_id], order=order[tier_id])
            for entry_id, tier_id in lines if tier_id in labels}

