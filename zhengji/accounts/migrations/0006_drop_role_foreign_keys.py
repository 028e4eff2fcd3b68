"""Drop the three scope foreign keys; the generic scope is required, unique per user and role,
and indexed."""

from django.db import migrations, models

import zhengji.accounts.roles


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_move_role_scopes"),
    ]

    operations = [
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
