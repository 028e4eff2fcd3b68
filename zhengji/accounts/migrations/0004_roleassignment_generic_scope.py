"""Role assignments get a generic scope (model label + primary key) instead of three foreign keys
into orgs and campaigns, so accounts no longer depends on the apps above it. Three steps, each in
its own transaction (PostgreSQL refuses to alter a table with pending deferred-constraint events):
0004 adds the columns, 0005 moves the rows, 0006 drops the foreign keys and adds the constraints."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_sendthrottle"),
    ]

    operations = [
        migrations.AddField(
            model_name="roleassignment",
            name="scope_type",
            field=models.CharField(default="", max_length=100, verbose_name="scope type"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="roleassignment",
            name="scope_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="scope"),
        ),
    ]
