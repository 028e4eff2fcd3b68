from django.db import migrations


class Migration(migrations.Migration):
    """Step 3: the entry↔file link now lives in entries.EntryFile (copied by entries.0003)."""

    dependencies = [
        ("media", "0003_mediafile_purpose"),
        ("entries", "0004_entryfile"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="mediafile",
            options={"ordering": ["id"]},
        ),
        migrations.RemoveField(model_name="mediafile", name="entry"),
        migrations.RemoveField(model_name="mediafile", name="slot"),
        migrations.RemoveField(model_name="mediafile", name="position"),
    ]
