"""Sessions and CSRF on the tus endpoint, the write lease, cleanup, the uploads API, ingest and
the upload test page (Django test client)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests import factories as f
from zhengji.campaigns.schema import parse_schema
from zhengji.media import targets
from zhengji.media.filerules import FileRule
from zhengji.media.models import MediaFile, MediaStatus, Upload, UploadStatus
from zhengji.media.uploads import services, storage
from zhengji.media.uploads.tasks import cleanup_uploads
from zhengji.orgs.roles import OrgRole

from .conftest import b64

pytestmark = pytest.mark.django_db
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def tus_create(client, length=10, **extra):
    return client.post(reverse("media:tus"), **TUS, HTTP_UPLOAD_LENGTH=str(length),
                       HTTP_UPLOAD_METADATA=f"filename {b64('a.jpg')}", **extra)


def csrf_client(user) -> tuple[Client, str]:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    c.get(reverse("media:upload_test"))  # any page sets the CSRF cookie
    return c, c.cookies["csrftoken"].value


def test_session_write_needs_csrf_header(alice, settings):
    settings.DEBUG = True
    c, token = csrf_client(alice.user)
    assert tus_create(c).status_code == 403
    r = tus_create(c, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201
    url = r["Location"]
    body = b"0123456789"
    r = c.generic("PATCH", url, body, content_type="application/offset+octet-stream", **TUS,
                  HTTP_UPLOAD_OFFSET="0")
    assert r.status_code == 403
    r = c.generic("PATCH", url, body, content_type="application/offset+octet-stream", **TUS,
                  HTTP_UPLOAD_OFFSET="0", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 204 and r["Upload-Offset"] == "10"
    assert c.head(url, **TUS).status_code == 200  # reads need no token
    assert Upload.objects.get().status == UploadStatus.COMPLETE


def test_method_override(alice, client):
    client.force_login(alice.user)
    url = tus_create(client)["Location"]
    r = client.post(url, b"abc", content_type="application/offset+octet-stream", **TUS,
                    HTTP_UPLOAD_OFFSET="0", HTTP_X_HTTP_METHOD_OVERRIDE="PATCH")
    assert r.status_code == 204 and r["Upload-Offset"] == "3"


def test_second_writer_is_locked_out(alice):
    upload = services.create_upload(alice.user, length=10)
    # A live writer holds the staging file's lock and the lease.
    with storage.local.locked(upload.storage_key) as fh:
        _u, token = services._claim(alice.user, upload.id, 0)
        with pytest.raises(services.Locked):
            services.receive_chunk(alice.user, upload.id, offset=0, read=io.BytesIO(b"x" * 10).read,
                                   content_length=10)
        # The first writer commits; the offset moved once.
        storage.local.append_to(fh, 0, io.BytesIO(b"y" * 4).read, 4)
        services._commit(upload.id, token, 0, 4)
    upload.refresh_from_db()
    assert upload.offset == 4 and upload.writer == ""
    # A lease whose holder is gone (its file lock was dropped with its process) is taken over at
    # once, however long the lease had to run.
    Upload.objects.filter(pk=upload.pk).update(writer="dead", writer_until=timezone.now() + dt.timedelta(seconds=100))
    done = services.receive_chunk(alice.user, upload.id, offset=4, read=io.BytesIO(b"z" * 6).read, content_length=6)
    assert done.status == UploadStatus.COMPLETE and done.writer == ""
    with storage.open_upload(done) as fh:
        assert fh.read() == b"yyyyzzzzzz"


def test_parallel_creations_cannot_both_pass_quota(alice, settings):
    settings.MEDIA_USER_QUOTA_BYTES = 100
    services.create_upload(alice.user, length=60)
    with pytest.raises(services.UploadError) as exc:
        services.create_upload(alice.user, length=60)
    assert exc.value.status == 413


def test_cleanup_task_and_command_delete_expired_staging(alice):
    old = services.create_upload(alice.user, length=10)
    storage.local.append(old.storage_key, 0, io.BytesIO(b"x" * 5).read, 5)
    done = services.create_upload(alice.user, length=1)
    live = services.create_upload(alice.user, length=10)
    attached = services.create_upload(alice.user, length=1)
    past = timezone.now() - dt.timedelta(hours=1)
    Upload.objects.filter(pk__in=[old.pk, done.pk, attached.pk]).update(expires_at=past)
    Upload.objects.filter(pk=done.pk).update(status=UploadStatus.COMPLETE)
    Upload.objects.filter(pk=attached.pk).update(status=UploadStatus.ATTACHED)
    old_path = storage.local.path(old.storage_key)
    assert old_path.exists()
    result = cleanup_uploads.enqueue()
    assert result.return_value == 2
    assert not old_path.exists() and not storage.local.path(done.storage_key).exists()
    assert set(Upload.objects.values_list("pk", flat=True)) == {live.pk, attached.pk}
    assert storage.local.path(live.storage_key).exists()
    Upload.objects.filter(pk=live.pk).update(expires_at=past)
    out = io.StringIO()
    call_command("cleanup_uploads", stdout=out)
    assert "1" in out.getvalue()
    assert not Upload.objects.filter(pk=live.pk).exists()


def test_cleanup_spares_an_active_writer(alice):
    up = services.create_upload(alice.user, length=10)
    Upload.objects.filter(pk=up.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1), writer="w",
                                           writer_until=timezone.now() + dt.timedelta(seconds=60))
    assert services.cleanup_expired() == 0


# --- API ------------------------------------------------------------------------------------------

def test_api_lists_only_my_uploads(alice, bob, client, django_assert_max_num_queries):
    for _i in range(3):
        services.create_upload(alice.user, length=10)
    theirs = services.create_upload(bob.user, length=10)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {alice.token}"}
    with django_assert_max_num_queries(4):
        r = client.get("/api/media/uploads", **auth)
    assert r.status_code == 200 and len(r.json()) == 3
    for _i in range(5):
        services.create_upload(alice.user, length=10)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/media/uploads", **auth).json()) == 8
    mine = Upload.objects.filter(user=alice.user).first()
    r = client.get(f"/api/media/uploads/{mine.id}", **auth)
    assert r.status_code == 200 and r.json()["backend"] == "local" and r.json()["tus_url"].endswith(str(mine.id))
    assert client.get(f"/api/media/uploads/{theirs.id}", **auth).status_code == 404
    assert client.delete(f"/api/media/uploads/{theirs.id}", **auth).status_code == 404
    assert client.delete(f"/api/media/uploads/{mine.id}", **auth).status_code == 204
    assert not Upload.objects.filter(pk=mine.pk).exists()
    assert client.get("/api/media/uploads").status_code == 401
    assert client.post("/api/media/uploads", **auth).status_code == 405
    cfg = client.get("/api/media/uploads/config", **auth).json()
    assert cfg["tus_endpoint"] == "/files/tus/" and cfg["used"] == 8 * 10 - 10


def test_api_s3_endpoints_off_without_s3(alice, client):
    r = client.post("/api/media/s3/multipart", {"filename": "a.mp4"}, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {alice.token}")
    assert r.status_code == 404


def test_openapi_documents_tus(client):
    schema = client.get("/api/openapi.json").json()
    op = schema["paths"]["/api/media/uploads"]["get"]
    assert "/files/tus/" in op["description"] and "Upload-Checksum" in op["description"]
    assert "/api/media/s3/multipart/{upload_id}/parts/{part}" in schema["paths"]


# --- ingest ---------------------------------------------------------------------------------------

@pytest.fixture
def track_with_slot(db):
    tree = f.tongling_tree()
    c = f.campaign(tree["province"])
    return f.track(c, tree["city"], form_schema=[
        {"key": "photos", "type": "file", "label": "照片",
         "file": {"kinds": ["image"], "extensions": ["jpg", "png"], "max_count": 3}},
        {"key": "title", "type": "text", "label": "标题"}])


def ingest(client, upload, **data):
    return client.post(reverse("media:ingest", args=[upload.id]), data, content_type="application/json")


def test_ingest_checks_input_and_ownership(alice, bob, client, track_with_slot):
    up = services.create_upload(alice.user, length=10)
    assert client.post(reverse("media:ingest", args=[up.id])).status_code == 401
    client.force_login(bob.user)
    assert ingest(client, up, track=track_with_slot.pk, slot="photos").status_code == 404
    client.force_login(alice.user)
    assert client.get(reverse("media:ingest", args=[up.id])).status_code == 405
    r = ingest(client, up, track=999999, slot="photos")
    assert r.status_code == 400 and r.json()["code"] == "invalid_track"
    assert ingest(client, up, track=track_with_slot.pk, slot="title").json()["code"] == "invalid_slot"
    r = ingest(client, up, track=track_with_slot.pk, slot="photos")
    assert r.status_code == 409 and r.json()["code"] == "not_complete" and r.json()["message"]


def test_ingest_creates_media_file(alice, client, track_with_slot):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buf, "JPEG")
    data = buf.getvalue()
    up = services.create_upload(alice.user, length=len(data), metadata={"filename": "red.jpg"})
    services.receive_chunk(alice.user, up.id, offset=0, read=io.BytesIO(data).read, content_length=len(data))
    client.force_login(alice.user)
    r = ingest(client, up, track=track_with_slot.pk, slot="photos")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["filename"] == "red.jpg" and body["size"] == len(data) and body["kind"] == "image"


def _complete_jpeg(user):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buf, "JPEG")
    data = buf.getvalue()
    up = services.create_upload(user, length=len(data), metadata={"filename": "red.jpg"})
    services.receive_chunk(user, up.id, offset=0, read=io.BytesIO(data).read, content_length=len(data))
    return up


def test_ingest_without_a_known_target_is_refused(alice, client, track_with_slot):
    """Media knows no tracks: the rule comes from a registered target, and without one the upload
    is refused with a clear message (and stays complete, to be ingested elsewhere)."""

    up = _complete_jpeg(alice.user)
    client.force_login(alice.user)
    r = ingest(client, up, target="no-such-target", track=track_with_slot.pk, slot="photos")
    assert r.status_code == 400 and r.json()["code"] == "no_target" and "用途" in r.json()["message"]
    saved = targets.registered()
    for name in saved:
        targets.unregister(name)
    try:
        r = ingest(client, up, track=track_with_slot.pk, slot="photos")
        assert r.status_code == 400 and r.json()["code"] == "no_target"
    finally:
        for name, resolver in saved.items():
            targets.register(name, resolver, default=name == "entry_slot")
    assert ingest(client, up, track=track_with_slot.pk, slot="photos").status_code == 201


def test_a_registered_target_decides_the_rule(alice, client):
    """A later app registers a target of its own (here: any image, purpose "avatar")."""
    seen = {}

    def avatar(data, user):
        seen["user"] = user
        return targets.Target(rule=FileRule(kinds=["image"], max_size_mb=1), purpose="avatar")

    targets.register("tests.avatar", avatar)
    try:
        up = _complete_jpeg(alice.user)
        client.force_login(alice.user)
        r = ingest(client, up, target="tests.avatar")
        assert r.status_code == 201, r.content
        assert MediaFile.objects.get(pk=r.json()["id"]).purpose == "avatar" and seen["user"] == alice.user
    finally:
        targets.unregister("tests.avatar")


# --- upload test page -----------------------------------------------------------------------------

def test_upload_test_page_access(alice, client, settings):
    settings.DEBUG = False
    url = reverse("media:upload_test")
    assert client.get(url).status_code == 302
    client.force_login(alice.user)
    assert client.get(url).status_code == 403
    alice.user.is_staff = True
    alice.user.save()
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-zj-uploader' in html and 'name="files"' in html and "vendor/uppy/uppy.min.js" in html
    assert "<script>" not in html  # CSP: no inline scripts
    assert client.post(url).status_code == 405


def test_uploader_include_contract(alice, track_with_slot, rf):
    field = parse_schema(track_with_slot.form_schema)[0]
    m1 = MediaFile.objects.create(owner=alice.user, filename="a.jpg", original="originals/a.jpg", size=1)
    m2 = MediaFile.objects.create(owner=alice.user, filename="b.jpg", original="originals/b.jpg", size=1)
    request = rf.get("/")
    request.user = alice.user
    html = render_to_string("media/_uploader.html", {"field": field, "track": track_with_slot,
                                                    "existing": [m1, m2]}, request=request)
    assert f'name="photos" data-zj-ids value="{m1.pk},{m2.pk}"' in html
    assert f'data-track="{track_with_slot.pk}"' in html
    assert 'data-extensions="jpg,png"' in html and 'data-max-count="3"' in html


def test_lost_staging_file_is_gone_not_500(alice, client):
    up = services.create_upload(alice.user, length=10)
    storage.local.delete(up.storage_key)
    r = client.generic("PATCH", reverse("media:tus_detail", args=[up.id]), b"x" * 10,
                       content_type="application/offset+octet-stream", **TUS, HTTP_UPLOAD_OFFSET="0",
                       HTTP_AUTHORIZATION=f"Bearer {alice.token}")
    assert r.status_code == 410
    assert Upload.objects.get(pk=up.pk).writer == ""


def test_uploads_are_private_even_to_unit_admins(alice, client):
    """An upload is its uploader's alone: an admin of the uploader's own unit (or of another
    unit) does not see it; staged bytes become visible to others only as an entry's file."""

    tree = f.tongling_tree()
    f.grant(alice.user, OrgRole.UNIT_ADMIN, org=tree["jiao"])
    up = services.create_upload(alice.user, length=10)
    for org in ("yian", "city"):
        admin = f.unit_admin(tree[org])
        client.force_login(admin)
        assert client.head(reverse("media:tus_detail", args=[up.id]), **TUS).status_code == 404
        assert client.get(f"/api/media/uploads/{up.id}").status_code == 404
        assert client.get("/api/media/uploads").json() == []


@pytest.mark.django_db(transaction=True)
def test_ingest_gives_the_thumbnail_through_the_rendition_view(alice, client, track_with_slot):
    """With processing already done when ingest answers (immediate task backend, on commit), the
    thumbnail URL is the permission-checked view's, never a MEDIA_URL path."""

    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "blue").save(buf, "JPEG")
    data = buf.getvalue()
    up = services.create_upload(alice.user, length=len(data), metadata={"filename": "blue.jpg"})
    services.receive_chunk(alice.user, up.id, offset=0, read=io.BytesIO(data).read, content_length=len(data))
    client.force_login(alice.user)
    body = ingest(client, up, track=track_with_slot.pk, slot="photos").json()
    assert body["status"] == "ready"
    assert body["thumbnail_url"] == reverse("media:rendition", args=[body["id"], "thumb"])
    r = client.get(body["thumbnail_url"])
    assert r.status_code == 200 and b"".join(r.streaming_content)[:2] == b"\xff\xd8"


def test_uploader_keeps_the_typed_ids_and_serves_thumbnails_privately(alice, track_with_slot, rf):
    """`value` (the ids as typed in a refused form) wins over the stored files; thumbnails of the
    listed files come from the rendition view."""

    field = parse_schema(track_with_slot.form_schema)[0]
    m1 = MediaFile.objects.create(owner=alice.user, filename="a.jpg", original="originals/a.jpg", size=1,
                                  status=MediaStatus.READY)
    m1.thumbnail.save("t.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
    m2 = MediaFile.objects.create(owner=alice.user, filename="b.jpg", original="originals/b.jpg", size=1)
    request = rf.get("/")
    request.user = alice.user
    html = render_to_string("media/_uploader.html", {"field": field, "track": track_with_slot,
                                                    "existing": [m1, m2], "value": f"{m2.pk}"}, request=request)
    assert f'name="photos" data-zj-ids value="{m2.pk}"' in html
    assert f'<img src="/files/m/{m1.pk}/thumb"' in html and m1.thumbnail.url not in html
    assert "等待处理" in html or "待处理" in html  # m2 is not processed yet: said so next to it
