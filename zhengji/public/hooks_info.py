"""Start-up wiring of the information area (signals, registries), called from PublicConfig.ready().

The anonymous page cache (public.cache) is told when what the information pages show changes:
a campaign, track or announcement saved or deleted bumps "campaign:<id>" (and "site": the home
page and the campaign list show campaigns); a publicity of results saved (put on notice,
withdrawn, finalised) bumps its campaign too, so results links and the winners' gallery follow.
The publicity model is named by its label: the public site does not import the review app."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from zhengji.campaigns.models import Announcement, Campaign, Track

from .cache import bump


def _campaign_saved(sender: Any, instance: Campaign, **kwargs: Any) -> None:
    bump("site", f"campaign:{instance.pk}")


def _part_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump("site", f"campaign:{instance.campaign_id}")
    if isinstance(instance, Announcement):
        bump(f"announcement:{instance.pk}")


def _results_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    track = Track.objects.filter(pk=instance.track_id).values_list("campaign_id", flat=True).first()
    if track is not None:
        bump("site", f"campaign:{track}", f"track:{instance.track_id}")


def connect() -> None:
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_campaign_saved, sender=Campaign, weak=False, dispatch_uid=f"public.info.campaign_{name}")
        for model in (Track, Announcement):
            signal.connect(_part_saved, sender=model, weak=False,
                           dispatch_uid=f"public.info.{model.__name__.lower()}_{name}")
        signal.connect(_results_saved, sender="review.Publicity", weak=False,
                       dispatch_uid=f"public.info.publicity_{name}")
