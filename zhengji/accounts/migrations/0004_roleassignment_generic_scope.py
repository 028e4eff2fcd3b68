"""Role assignments get a generic scope (model label + primary key) instead of three foreign keys
into orgs and campaigns, so accounts no longer depends on the apps above it."""

from django.db import migrations, models

import zhengji.accounts.roles

# The foreign key each scope type came from (and goes back to on reversal).
SCOPE_FIELDS = {"org": "orgs.organization", "track": "campaigns.track", "campaign": "campaigns.campaign"}


def forward(apps, schema_editor):
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    seen = set()
    for ra in RoleAssignment.objects.order_by("created", "pk"):
        for fk, label in SCOPE_FIELDS.items():
            scope_id = getattr(ra, f"{fk}_id")
            if scope_id is not None:
                break
        else:
            ra.delete()  # no scope at all: the row granted nothing
            continue
        key = (ra.user_id, ra.role, label, scope_id)
        if key in seen:
            ra.delete()  # a duplicate grant: the new unique constraint keeps the earliest
            continue
        seen.add(key)
        ra.scope_type, ra.scope_id = label, scope_id
        ra.save(update_fields=["scope_type", "scope_id"])


def backward(apps, schema_editor):
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    fields = {label: fk for fk, label in SCOPE_FIELDS.items()}
    for ra in RoleAssignment.objects.all():
        fk = fields.get(ra.scope_type)
        if fk is None:
            ra.delete()  # a role registered later has no column to go back to
            continue
        setattr(ra, f"{fk}_id", ra.scope_id)
        ra.save(update_fields=[f"{fk}_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_sendthrottle"),
        ("campaigns", "0001_initial"),
        ("orgs", "0001_initial"),
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
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="roleassignment", name="campaign"),
        migrations.RemoveField(model_name="roleassignment", name="org"),
        migrations.RemoveField(model_name="roleassignment", name="track"),
        migrations.AlterField(
            model_name="roleassignment",
            name="scope_id",
            field=models.PositiveBigIntegerField(verbose_name="scope"),
        ),
        migrations.AlterField(
            model_name="roleassignment",
            name="role",
            field=models.CharField(max_length=40, validators=[zhengji.accounts.roles.validate_role],
                                   verbose_name="role"),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(fields=("user", "role", "scope_type", "scope_id"),
                                               name="accounts_role_unique"),
        ),
        migrations.AddIndex(
            model_name="roleassignment",
            index=models.Index(fields=["scope_type", "scope_id"], name="accounts_role_scope_idx"),
        ),
    ]
