"""Renditions of public entries are served to everyone, with validators and long-lived caching;
originals, identifying file fields and files of entries not shown stay closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.review.builders import ReviewWorld
from tests.review.builders_judge import attach
from zhengji.campaigns.models import Track
from zhengji.entries.file_targets import track_slot_target
from zhengji.entries.models import EntryStatus
from zhengji.entries.projections import rendition_urls
from zhengji.media import samples
from zhengji.media.models import MediaStatus
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.public.models import Showcase

pytestmark = pytest.mark.django_db

ID_FIELD = {"key": "id_card", "type": "file", "label": "身份证照片", "identifying": True,
            "file": {"kinds": ["image"]}}


@pytest.fixture
def world(tmp_path, django_capture_on_commit_callbacks):
    w = ReviewWorld()
    Track.objects.filter(pk=w.track.pk).update(form_schema=[*w.track.form_schema, ID_FIELD])
    w.track.refresh_from_db()
    (entry,) = w.reported(1)
    made = {}
    for slot in ("photos", "id_card"):
        path = samples.make_png(tmp_path / f"{slot}.png", 64, 48)
        with django_capture_on_commit_callbacks(execute=True):
            m = create_media_from_file(path, owner=entry.submitter, target=track_slot_target(w.track, slot),
                                       filename=f"{slot}.png")
        m.refresh_from_db()
        assert m.status == MediaStatus.READY, m.error
        attach(entry, m, slot)
        made[slot] = m
    w.entry, w.photo, w.id_photo = entry, made["photos"], made["id_card"]
    return w


def show(entry) -> None:
    Showcase.objects.update_or_create(entry=entry, defaults={"track": entry.track, "approved": True})


def thumb(m) -> str:
    return rendition_urls(m)["thumb"]


def test_anonymous_sees_renditions_of_a_shown_entry_only(client, world):
    url = thumb(world.photo)
    assert client.get(url).status_code == 302  # not shown yet: log in (and then 404)
    show(world.entry)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("image/")
    assert r["Cache-Control"] == "public, max-age=31536000, immutable"
    # Never the original, never an identifying file field, never the processing status.
    assert client.get(reverse("media:original", args=[world.photo.pk])).status_code == 302
    assert client.get(thumb(world.id_photo)).status_code == 302
    assert client.get(reverse("media:status", args=[world.photo.pk])).status_code == 302
    # Disqualified: closed again at once (the remembered public answer is forgotten on save).
    world.entry.status = EntryStatus.DISQUALIFIED
    world.entry.save(update_fields=["status"])
    assert client.get(url).status_code == 302


def test_a_logged_in_stranger_sees_public_renditions_but_not_others(client, world):
    from tests import factories as f

    client.force_login(f.user())
    assert client.get(thumb(world.photo)).status_code == 404
    show(world.entry)
    assert client.get(thumb(world.photo)).status_code == 200
    assert client.get(thumb(world.id_photo)).status_code == 404
    assert client.get(reverse("media:original", args=[world.photo.pk])).status_code == 404


def test_validators_and_versions(client, world):
    show(world.entry)
    url = thumb(world.photo)
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 4
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    # Without the current version the URL may change meaning: cached for an hour only.
    bare = client.get(url.split("?")[0])
    assert bare.status_code == 200 and bare["Cache-Control"] == "public, max-age=3600"
    # The owner's private view of an unshown file: private caching.
    shown = world.entry.showcase
    shown.approved = False
    shown.save()  # withdrawn from display (a save, as the showcase domain does): closed at once
    client.force_login(world.entry.submitter)
    own = client.get(url)
    assert own.status_code == 200 and own["Cache-Control"].startswith("private, ")


def test_wrong_method(client, world):
    show(world.entry)
    assert client.post(thumb(world.photo)).status_code == 405
