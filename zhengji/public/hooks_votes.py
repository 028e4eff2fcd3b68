"""Start-up wiring of the votes area (signals, registries), called from PublicConfig.ready()."""

from django.conf import settings

from zhengji.common import registry


def connect() -> None:
    from . import votes_audit, votes_rules  # noqa: F401, PLC0415 (rules register their permission on import)
    from .domain.votes import vote_counts  # noqa: PLC0415 (models load after apps)

    votes_audit.register()
    registry.vote_counts.register("public.votes", vote_counts)
    registry.periodic_jobs.add("zhengji.public.votes_anomaly.scan_recent",
                               float(getattr(settings, "VOTE_ANOMALY_INTERVAL_SECONDS", 60)))
