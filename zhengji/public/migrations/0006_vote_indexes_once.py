"""Each vote wrote five indexes twice over: the foreign keys' own indexes where a composite index
already starts with the same column (vote: entry, track, group; the day counter: user; the tally:
track). Only the index goes: the foreign key constraints stay as they are (no table rewrite, no
re-validation of a large vote table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Django's names for them (the same on PostgreSQL and SQLite).
DROPPED = [
    ("public_vote", "entry_id", "public_vote_entry_id_b2413e40"),
    ("public_vote", "group_id", "public_vote_group_id_2ef4c121"),
    ("public_vote", "track_id", "public_vote_track_id_bbf1cf08"),
    ("public_votedaycounter", "user_id", "public_votedaycounter_user_id_ef6a2cfe"),
    ("public_votetally", "track_id", "public_votetally_track_id_6abd41f1"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_u1_pending_members"),
        ("entries", "0005_ai_declaration"),
        ("public", "0005_vote_function"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="vote",
                    name="entry",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="entries.entry",
                    ),
                ),
                migrations.AlterField(
                    model_name="vote",
                    name="group",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="public.anomalygroup",
                    ),
                ),
                migrations.AlterField(
                    model_name="vote",
                    name="track",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.track",
                    ),
                ),
                migrations.AlterField(
                    model_name="votedaycounter",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="votetally",
                    name="track",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.track",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}";', f'CREATE INDEX "{name}" ON "{table}" ("{column}");'
                )
                for table, column, name in DROPPED
            ],
        ),
    ]
