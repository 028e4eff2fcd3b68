"""Read-only answers about activities (used by the statistics dashboard)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Activity, BrandProject


def org_ids_with_activity(campaign_id: int) -> QuerySet:
    """Ids of organisations that recorded at least one activity or brand project in the campaign
    (a flat values_list, usable inside another query's `__in`)."""
    return (Activity.objects.filter(campaign_id=campaign_id).values_list("org_id", flat=True)
            .union(BrandProject.objects.filter(campaign_id=campaign_id).values_list("org_id", flat=True)))
