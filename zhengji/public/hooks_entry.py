"""Start-up wiring of the entry area (signals, registries), called from PublicConfig.ready()."""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_save

from zhengji.common import registry
from zhengji.entries.models import Entry

from .cache import bump
from .models import Showcase


def _entry_saved(sender, instance, **kwargs) -> None:
    # The page's tags name the entry's track and campaign, remembered per entry (views_entry._tags).
    cache.delete(f"pe:tc:{instance.pk}")


def _showcase_saved(sender, instance, **kwargs) -> None:
    # A display decision or a new credit choice changes the entry page at once. (The view flush
    # writes with update(), which sends no signal: counting never empties the page cache.)
    bump(f"entry:{instance.entry_id}")


def connect() -> None:
    post_save.connect(_entry_saved, sender=Entry, dispatch_uid="public.entry_page.track_tags")
    post_save.connect(_showcase_saved, sender=Showcase, dispatch_uid="public.entry_page.showcase")
    # Views counted in the cache are added to Showcase.views in batches (zhengji.public.counters).
    registry.periodic_jobs.add("zhengji.public.counters.flush",
                               int(getattr(settings, "PUBLIC_VIEWS_FLUSH_INTERVAL", 60)))
