import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    """MediaFile.entry/slot/position → EntryFile rows (positions renumbered 0.. per slot, in the
    old order, so the unique place constraint holds)."""
    MediaFile = apps.get_model("media", "MediaFile")
    EntryFile = apps.get_model("entries", "EntryFile")
    rows = []
    last, pos = None, 0
    for m in (MediaFile.objects.filter(entry__isnull=False).order_by("entry_id", "slot", "position", "id")
              .values("id", "entry_id", "slot", "position").iterator()):
        place = (m["entry_id"], m["slot"])
        pos = pos + 1 if place == last else 0
        last = place
        rows.append(EntryFile(entry_id=m["entry_id"], media_id=m["id"], slot=m["slot"], position=pos))
        if len(rows) >= 1000:
            EntryFile.objects.bulk_create(rows)
            rows = []
    EntryFile.objects.bulk_create(rows)


def copy_links_back(apps, schema_editor):
    MediaFile = apps.get_model("media", "MediaFile")
    EntryFile = apps.get_model("entries", "EntryFile")
    for link in EntryFile.objects.all().iterator():
        MediaFile.objects.filter(pk=link.media_id).update(entry_id=link.entry_id, slot=link.slot,
                                                          position=link.position)


class Migration(migrations.Migration):

    dependencies = [
        ("entries", "0003_workflow_records"),
        ("media", "0003_mediafile_purpose"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntryFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slot", models.CharField(max_length=40)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("entry", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="file_links",
                                            to="entries.entry")),
                ("media", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="entry_link", to="media.mediafile")),
            ],
            options={
                "ordering": ["entry", "slot", "position", "id"],
                "constraints": [models.UniqueConstraint(fields=("entry", "slot", "position"),
                                                        name="uniq_entry_file_place")],
            },
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
