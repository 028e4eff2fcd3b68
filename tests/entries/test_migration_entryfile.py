"""The data migration that moved the entry↔file link from MediaFile (entry, slot, position) to
entries.EntryFile: links survive both ways, positions are renumbered per slot in the old order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhengji.entries import files as entry_files
from zhengji.entries import services
from zhengji.entries.models import EntryFile
from zhengji.entries.services import Changes

from .builders import media

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("media", "0003_mediafile_purpose"), ("entries", "0003_workflow_records")]
AFTER = [("media", "0004_remove_mediafile_entry_links"), ("entries", "0004_entryfile")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_links_move_to_entryfile_and_back(world):
    e = world.complete_draft()
    first = entry_files.files_of(e).get()
    second = media(world.worker, slot="photos", name="2.png")
    services.save_draft(world.worker, e, Changes(files={"photos": [second.pk, first.pk]}))
    free = media(world.worker, slot="photos", name="free.png")

    old = migrate(BEFORE)  # backwards: the links go back into the media columns
    OldMedia = old.get_model("media", "MediaFile")
    rows = {m.pk: (m.entry_id, m.slot, m.position) for m in OldMedia.objects.all()}
    assert rows[second.pk] == (e.pk, "photos", 0) and rows[first.pk] == (e.pk, "photos", 1)
    assert rows[free.pk][0] is None
    # Gaps (a detached file left position 0 behind) are renumbered on the way forward.
    OldMedia.objects.filter(pk=second.pk).update(position=5)
    OldMedia.objects.filter(pk=first.pk).update(position=9)

    # Forward to every app's latest migration, not just AFTER: going back to media 0003 also
    # unapplied the migrations of other apps that depend on media 0004 (activities, stats).
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    links = list(EntryFile.objects.order_by("position").values_list("media_id", "entry_id", "slot", "position"))
    assert links == [(second.pk, e.pk, "photos", 0), (first.pk, e.pk, "photos", 1)]
    assert [m.pk for m in entry_files.files_of(e)] == [second.pk, first.pk]
