"""The entry↔file link (entries.EntryFile through entries.files) and who may see an entry's files
(the viewer rule entries registers with media.access)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from zhengji.entries import files as entry_files
from zhengji.entries import services
from zhengji.entries.models import EntryFile
from zhengji.entries.services import Changes
from zhengji.media import access

from .builders import media

pytestmark = pytest.mark.django_db


def test_files_of_carries_slot_and_position_in_order(world):
    e = world.complete_draft()
    first = entry_files.files_of(e).get()
    more = [media(world.worker, slot="photos", name=f"{i}.png") for i in range(2)]
    services.save_draft(world.worker, e, Changes(files={"photos": [more[1].pk, first.pk, more[0].pk]}))
    got = list(entry_files.files_of(e))
    assert [m.pk for m in got] == [more[1].pk, first.pk, more[0].pk]
    assert [(m.slot, m.position) for m in got] == [("photos", 0), ("photos", 1), ("photos", 2)]
    assert {k: [m.pk for m in v] for k, v in entry_files.files_by_slot(e).items()} == {
        "photos": [more[1].pk, first.pk, more[0].pk]}
    assert entry_files.entry_id_of(first) == e.pk and entry_files.entry_id_of(media(world.worker)) is None


def test_one_file_sits_in_one_place_of_one_entry(world):
    e = world.complete_draft()
    link = EntryFile.objects.get(entry=e)
    with pytest.raises(IntegrityError), transaction.atomic():  # the same file in a second entry
        EntryFile.objects.create(entry=world.draft(title="另一个"), media=link.media, slot="photos")
    with pytest.raises(IntegrityError), transaction.atomic():  # two files in one place
        EntryFile.objects.create(entry=e, media=media(world.worker), slot="photos", position=link.position)


def test_a_file_in_another_entry_is_not_attachable(world):
    e = world.complete_draft()
    other = world.draft(title="另一个")
    m = entry_files.files_of(e).get()
    assert entry_files.attachable(other, [m.pk]) == {}
    assert entry_files.attachable(e, [m.pk]) == {m.pk: m}
    services.save_draft(world.worker, other, Changes(files={"photos": [m.pk]}))
    assert entry_files.files_of(other).count() == 0 and entry_files.files_of(e).get() == m


def test_detached_file_is_free_again(world):
    e = world.complete_draft()
    m = entry_files.files_of(e).get()
    services.save_draft(world.worker, e, Changes(files={"photos": []}))
    assert entry_files.entry_id_of(m) is None and not EntryFile.objects.exists()
    assert entry_files.attachable(world.draft(title="另一个"), [m.pk]) == {m.pk: m}


def thumb_status(client, user, m) -> int:
    client.force_login(user)
    return client.get(reverse("media:status", args=[m.pk]) + "?format=json").status_code


def test_drafts_files_stay_private_to_the_entrant(client, world):
    """A unit admin sees the files of the entries of their subtree once submitted, never a draft's."""
    e = world.complete_draft()
    m = entry_files.files_of(e).get()
    assert thumb_status(client, world.worker, m) == 200
    assert thumb_status(client, world.yian_admin, m) == 404
    services.submit(world.worker, e, pledge=True)
    assert thumb_status(client, world.yian_admin, m) == 200
    assert thumb_status(client, world.jiao_admin, m) == 404  # another subtree
    assert thumb_status(client, world.other_worker, m) == 404


def test_entries_registers_its_viewer_rule_with_media():
    assert "entries.unit_admin" in access.viewer_names()
