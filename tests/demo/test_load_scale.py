"""The scale data set: a small run checks the counts, the shape (tree, chain, batches, counters),
determinism (same seed, same digest) and the refusals; the command prints its timing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories as f
from zhengji.accounts.models import RoleAssignment, User
from zhengji.demo.scale import ScaleError, build_scale, digest
from zhengji.entries.models import Entry, EntryDecision, EntryStatus
from zhengji.orgs.models import Membership, Organization, OrgKind
from zhengji.reporting import queries
from zhengji.reporting.models import Batch, BatchItem, ChainPosition, QuotaCounter

pytestmark = pytest.mark.django_db

ORGS, ENTRIES = 300, 1000


def test_small_run_counts_and_shape():
    lines: list[str] = []
    result = build_scale(orgs=ORGS, entries=ENTRIES, seed=7, log=lines.append)
    c = result.campaign
    assert Organization.objects.count() == ORGS
    assert Organization.objects.filter(kind=OrgKind.CITY).count() == 16
    assert Organization.objects.filter(depth=1).count() == 1
    # The tree is a valid treebeard tree: numchild and paths agree with the parents.
    root = Organization.objects.get(depth=1)
    assert Organization.objects.filter(path__startswith=root.path).count() == ORGS
    for o in Organization.objects.filter(depth__lt=4)[:30]:
        assert o.numchild == Organization.objects.filter(path__startswith=o.path, depth=o.depth + 1).count()
    # treebeard agrees (its own queries over the same paths).
    assert [c.code for c in Organization.objects.get_tree(root)][:2] == ["SC7", "SC7-C01"]
    assert Entry.objects.filter(track__campaign=c).count() == ENTRIES
    statuses = set(Entry.objects.values_list("status", flat=True))
    assert {EntryStatus.DRAFT, EntryStatus.SUBMITTED, EntryStatus.RECOMMENDED, EntryStatus.REPORTED,
            EntryStatus.RETURNED, EntryStatus.REJECTED} <= statuses
    non_draft = Entry.objects.exclude(status=EntryStatus.DRAFT)
    assert ChainPosition.objects.count() == non_draft.count() == result.counts["positions"]
    assert not Entry.objects.filter(status=EntryStatus.DRAFT, number__isnull=False).exists()
    assert non_draft.filter(number__isnull=True).count() == 0
    # Entries of a unit's members: the unit is the submitter's union.
    e = Entry.objects.select_related("submitter__membership").first()
    assert e.unit_id == e.submitter.membership.org_id
    # Reported entries wait at the host unit; others at a level of their own chain.
    for pos in ChainPosition.objects.select_related("entry__unit", "level")[:200]:
        if pos.entry.status == EntryStatus.REPORTED:
            assert pos.level_id == pos.entry.track.host_unit_id
        else:
            assert pos.entry.unit.path.startswith(pos.level.path)
    assert EntryDecision.objects.count() == result.counts["decisions"] > 0
    assert Batch.objects.filter(status="sent").count() == result.counts["batches"] > 0
    assert BatchItem.objects.count() == result.counts["batch items"]
    assert QuotaCounter.objects.filter(used__gt=0).exists()
    assert Membership.objects.count() == ENTRIES // 2
    assert RoleAssignment.objects.filter(role="unit_admin").count() > 16
    assert any("entries" in line for line in lines) and set(result.seconds) == {"organisations", "people", "entries"}
    # A county admin's vetting queue has data, a page of it in a few queries.
    county = Organization.objects.filter(kind=OrgKind.COUNTY, waiting_entries__isnull=False).first()
    admin = User.objects.get(pk=RoleAssignment.objects.filter(scope_id=county.pk, role="unit_admin")
                             .values("user_id")[:1])
    pg = queries.page(queries.queue(admin, queries.QueueFilters()), "-arrived", None)
    assert pg.rows


def test_same_seed_same_digest(django_db_blocker):
    first = build_scale(orgs=ORGS, entries=ENTRIES, seed=3)
    d1 = digest(first.campaign)
    with pytest.raises(ScaleError, match="already loaded"):
        build_scale(orgs=ORGS, entries=ENTRIES, seed=3, force=True)
    # Wipe and build again: the same data.
    from django.db import connection  # noqa: PLC0415 (test-local)

    _wipe()
    again = build_scale(orgs=ORGS, entries=ENTRIES, seed=3)
    assert digest(again.campaign) == d1
    # Another seed gives other data (beside the first, with --force).
    other = build_scale(orgs=ORGS, entries=ENTRIES, seed=4, force=True)
    assert digest(other.campaign) != d1
    assert connection.vendor in {"sqlite", "postgresql"}


def _wipe():
    for model in (BatchItem, Batch, QuotaCounter, ChainPosition, EntryDecision):
        model.objects.all().delete()
    Entry.objects.all().delete()
    from zhengji.campaigns.models import Campaign  # noqa: PLC0415 (test-local)
    from zhengji.entries.models import TrackCounter  # noqa: PLC0415 (test-local)

    TrackCounter.objects.all().delete()
    Campaign.objects.all().delete()
    Membership.objects.all().delete()
    RoleAssignment.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()


def test_refuses_real_data_and_bad_sizes(capsys):
    f.org("真实工会", OrgKind.GRASSROOTS)
    with pytest.raises(CommandError, match="--force"):
        call_command("load_scale", "--orgs", "100", "--entries", "10")
    with pytest.raises(CommandError, match="at least"):
        call_command("load_scale", "--orgs", "10", "--entries", "10", "--force")
    call_command("load_scale", "--orgs", "100", "--entries", "50", "--force", "--digest", "--seed", "9")
    out = capsys.readouterr().out
    assert "Built 100 organisations and 50 entries" in out and "digest " in out and " s" in out
    # The scale tree is a new root beside the real one.
    assert Organization.objects.filter(depth=1).count() == 2
    assert Organization.objects.get(code="SC9").path != Organization.objects.get(name="真实工会").path
