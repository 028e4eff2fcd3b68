"""Move each role assignment's scope from its foreign key (org, track or campaign) to the generic
columns, and back on reversal."""

from django.db import migrations

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
        ("accounts", "0004_roleassignment_generic_scope"),
        ("campaigns", "0001_initial"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
