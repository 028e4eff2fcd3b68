"""Entries made before the statistics existed: fill the tables once with `stats.tally.rebuild`.

It runs the current code (the rebuild needs the campaign policy for on-time reporting, which the
historical models do not carry), and only when there are entries: a fresh database skips it, so
a later change to the tables never meets old rows here. `manage.py rebuild_stats` does the same
at any time."""

from django.db import migrations


def backfill(apps, schema_editor):
    if not apps.get_model("entries", "Entry").objects.exists():
        return
    from zhengji.stats.tally import rebuild  # noqa: PLC0415 (the app's code, only when there is data)

    rebuild()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_tallies_and_picks"), ("entries", "0004_entryfile"),
                    ("reporting", "0002_backfill_positions")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
