"""Entries submitted before the reporting chain existed wait at their own unit."""

from django.db import migrations

WAITING = ["submitted", "returned"]


def backfill(apps, schema_editor):
    Entry = apps.get_model("entries", "Entry")
    ChainPosition = apps.get_model("reporting", "ChainPosition")
    have = set(ChainPosition.objects.values_list("entry_id", flat=True))
    rows = []
    for pk, track_id, unit_id, at in (Entry.objects.filter(status__in=WAITING, submitted_at__isnull=False)
                                      .values_list("pk", "track_id", "unit_id", "submitted_at").iterator()):
        if pk not in have:
            rows.append(ChainPosition(entry_id=pk, track_id=track_id, level_id=unit_id, arrived_at=at))
        if len(rows) >= 1000:
            ChainPosition.objects.bulk_create(rows)
            rows = []
    ChainPosition.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial"), ("entries", "0001_initial")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
