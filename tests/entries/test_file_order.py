"""Issue 8 point 6: a photo series keeps the entrant's order; the entrant reorders it (domain,
API, page), and the detail page, the receipt's projection and the judges' blind view show it.
Point 8: the edit page lists the entry's unfinished uploads and the one sortable file list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.entries.builders import media
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries import files as entry_files
from zhengji.entries import projections, services
from zhengji.entries.services import Changes
from zhengji.media.models import Upload, UploadStatus
from zhengji.media.uploads.services import unfinished_uploads


def two_photos(world, entry=None, user=None):
    user = user or world.worker
    entry = entry or world.draft(user, title="组照")
    a, b = media(user, slot="photos", name="a.png"), media(user, slot="photos", name="b.png")
    services.save_draft(user, entry, Changes(files={"photos": [a.pk, b.pk]}))
    return entry, a, b


def test_reorder_puts_the_series_in_the_new_order_and_audits_it(world):
    e, a, b = two_photos(world)
    services.reorder_files(world.worker, e, "photos", [b.pk, a.pk])
    assert entry_files.slot_ids(e, "photos") == [b.pk, a.pk]
    log = AuditLog.objects.filter(action="entry.save", object_id=str(e.pk)).order_by("-id").first()
    assert log.after["order_before"] == [a.pk, b.pk] and log.after["order"] == [b.pk, a.pk]
    # The same order everywhere the entry is read.
    assert [m.id for m in projections.detail(e, world.worker).media] == [b.pk, a.pk]
    assert [m.pk for m in entry_files.files_by_slot(e)["photos"]] == [b.pk, a.pk]


def test_reorder_of_a_submitted_entry_is_an_edit(world):
    e = world.submitted()
    c = media(world.worker, slot="photos", name="c.png")
    first = entry_files.slot_ids(e, "photos")[0]
    services.save_draft(world.worker, e, Changes(files={"photos": [first, c.pk]}))
    services.reorder_files(world.worker, e, "photos", f"{c.pk},{first}")
    assert entry_files.slot_ids(e, "photos") == [c.pk, first]
    assert AuditLog.objects.filter(action="entry.edit", object_id=str(e.pk)).exists()


@pytest.mark.parametrize("order", ["missing", "extra", "twice"])
def test_reorder_must_list_exactly_the_fields_files(world, order):
    e, a, b = two_photos(world)
    other = media(world.worker, slot="photos", name="x.png")
    ids = {"missing": [b.pk], "extra": [b.pk, a.pk, other.pk], "twice": [b.pk, b.pk]}[order]
    with pytest.raises(DomainError) as exc:
        services.reorder_files(world.worker, e, "photos", ids)
    assert exc.value.code == "invalid_order"
    assert entry_files.slot_ids(e, "photos") == [a.pk, b.pk]


def test_reorder_refused_for_others_unknown_slots_and_after_the_deadline(world):
    e, a, b = two_photos(world)
    with pytest.raises(NotPermitted):
        services.reorder_files(world.other_worker, e, "photos", [b.pk, a.pk])
    with pytest.raises(DomainError) as exc:
        services.reorder_files(world.worker, e, "story", [b.pk, a.pk])
    assert exc.value.code == "invalid_slot"
    late = timezone.now() + dt.timedelta(days=60)
    with pytest.raises(DomainError):
        services.reorder_files(world.worker, e, "photos", [b.pk, a.pk], at=late)
    services.withdraw(world.worker, e)
    with pytest.raises(DomainError):
        services.reorder_files(world.worker, e, "photos", [b.pk, a.pk])
    assert entry_files.slot_ids(e, "photos") == [a.pk, b.pk]


def test_order_api(client, world):
    e, a, b = two_photos(world)
    url = f"/api/entries/{e.pk}/files/photos/order"
    assert client.post(url, {"ids": [b.pk, a.pk]}, content_type="application/json").status_code in (401, 403)
    client.force_login(world.other_worker)
    assert client.post(url, {"ids": [b.pk, a.pk]}, content_type="application/json").status_code == 404
    client.force_login(world.worker)
    assert client.get(url).status_code == 405
    r = client.post(url, {"ids": [b.pk]}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_order"
    r = client.post(url, {"ids": [b.pk, a.pk]}, content_type="application/json")
    assert r.status_code == 200
    assert [m["id"] for m in r.json()["media"]] == [b.pk, a.pk]


def test_the_form_saves_the_order_it_shows(client, world):
    e, a, b = two_photos(world)
    client.force_login(world.worker)
    page = client.get(reverse("entries:edit", args=[e.pk])).content.decode()
    # One list, in order, each row with its arrows; the first cannot go up, the last not down.
    assert page.count(f'data-media-id="{a.pk}"') == 1
    assert page.index(f'data-media-id="{a.pk}"') < page.index(f'data-media-id="{b.pk}"')
    assert page.count('data-zj-move="-1"') == 2 and 'data-zj-sortable' in page
    # The autosave of the hidden ids (what the widget's list holds) writes the order.
    r = client.post(reverse("entries:autosave", args=[e.pk]), {"entry_form": "1", "entry_title": "组照",
                                                             "photos": f"{b.pk},{a.pk}"})
    assert r.status_code == 200
    assert entry_files.slot_ids(e, "photos") == [b.pk, a.pk]
    detail = client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert detail.index("b.png") < detail.index("a.png")


def test_blind_view_keeps_the_order(world):
    e, a, b = two_photos(world)
    services.reorder_files(world.worker, e, "photos", [b.pk, a.pk])
    assert [x.id for x in projections.blind(e).files] == [b.pk, a.pk]


def _upload(user, name, *, entry, slot="photos", status=UploadStatus.RECEIVING, expires=None, offset=300):
    return Upload.objects.create(user=user, filename=name, length=1000, offset=offset, status=status,
                                 metadata={"filename": name, "entry": str(entry.pk), "slot": slot},
                                 expires_at=expires or timezone.now() + dt.timedelta(days=1))


def test_unfinished_uploads_of_the_entry_are_listed(client, world):
    e = world.draft(title="组照")
    other = world.draft(title="另一件")
    _upload(world.worker, "half.jpg", entry=e)
    _upload(world.worker, "done.jpg", entry=e, status=UploadStatus.COMPLETE)
    _upload(world.worker, "old.jpg", entry=e, expires=timezone.now() - dt.timedelta(minutes=1))
    _upload(world.worker, "elsewhere.jpg", entry=other)
    _upload(world.other_worker, "theirs.jpg", entry=e)
    assert [u.filename for u in unfinished_uploads(world.worker, entry=str(e.pk))] == ["half.jpg"]
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415 (test-only)
    assert unfinished_uploads(AnonymousUser(), entry=str(e.pk)) == []
    client.force_login(world.worker)
    page = client.get(reverse("entries:edit", args=[e.pk])).content.decode()
    assert "half.jpg" in page and "30%" in page
    for name in ("done.jpg", "old.jpg", "elsewhere.jpg", "theirs.jpg"):
        assert name not in page
    assert "data-zj-unfinished" in page


def test_edit_page_carries_the_leave_warning_and_autosave_script(client, world):
    e = world.draft(title="组照")
    client.force_login(world.worker)
    page = client.get(reverse("entries:edit", args=[e.pk])).content.decode()
    assert "entries/autosave.js" in page and "data-zj-autosave" in page and "zj-autosave" in page
    assert "data-msg-leave" in page and f'data-entry="{e.pk}"' in page


def test_my_entries_query_count(client, world, django_assert_max_num_queries):
    for i in range(5):
        world.draft(title=f"草稿{i}")
    client.force_login(world.worker)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("entries:mine"))
    assert r.status_code == 200 and r.content.decode().count('data-zj-deadline-role="entrant"') == 5


def test_annotate_deadlines_none_for_closed(world):
    e = world.submitted()
    with time_machine.travel(timezone.now() + dt.timedelta(days=90), tick=False):
        services.annotate_deadlines([e])
    assert e.deadline is None
