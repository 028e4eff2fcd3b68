from django.db import migrations, models


def copy_slot_to_purpose(apps, schema_editor):
    MediaFile = apps.get_model("media", "MediaFile")
    MediaFile.objects.exclude(slot="").update(purpose=models.F("slot"))


class Migration(migrations.Migration):
    """Step 1 of moving the entry↔file link out of media: keep what a file was uploaded for
    (`purpose`, the old `slot`). entries.0004_entryfile then copies the links, and
    media.0004 drops `entry`, `slot` and `position`."""

    dependencies = [
        ("media", "0002_upload_writer_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediafile",
            name="purpose",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(copy_slot_to_purpose, migrations.RunPython.noop),
    ]
