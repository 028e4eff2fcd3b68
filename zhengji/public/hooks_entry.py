"""Start-up wiring of the entry area (signals, registries), called from PublicConfig.ready()."""

from django.conf import settings

from zhengji.common import registry


def connect() -> None:
    # Views counted in the cache are added to Showcase.views in batches (zhengji.public.counters).
    registry.periodic_jobs.add("zhengji.public.counters.flush",
                               int(getattr(settings, "PUBLIC_VIEWS_FLUSH_INTERVAL", 60)))
