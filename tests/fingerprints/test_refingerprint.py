"""`manage.py refingerprint`: READY media of a kind fingerprinted again (after an engine change)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command

from tests import factories as f
from tests.fingerprints import media_edits as me
from zhengji.fingerprints.models import ImageSignature, PerceptualHash
from zhengji.media.models import MediaFile, MediaStatus

pytestmark = pytest.mark.django_db


def test_refingerprint_now_recomputes_ready_media_of_the_kind(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = me.save(me.sample("coffee", 160), tmp_path / "c.jpg")
    with open(path, "rb") as fh:
        name = default_storage.save("originals/c.jpg", File(fh, name="c.jpg"))
    owner = f.user()
    ready = MediaFile.objects.create(owner=owner, original=name, filename="c.jpg", kind="image",
                                     content_type="image/jpeg", size=path.stat().st_size, status=MediaStatus.READY)
    MediaFile.objects.create(owner=owner, original=name, filename="d.jpg", kind="image", content_type="image/jpeg",
                             size=path.stat().st_size, status=MediaStatus.FAILED)
    out = StringIO()
    call_command("refingerprint", "--kind", "video", "--now", stdout=out)
    assert out.getvalue().strip() == "fingerprinted 0 media"
    call_command("refingerprint", "--kind", "image", "--now", stdout=out)
    assert "fingerprinted 1 media" in out.getvalue()
    assert ImageSignature.objects.filter(subject_id=ready.pk).count() == 1
    assert PerceptualHash.objects.filter(subject_id=ready.pk, medium="image").count() == 10
    call_command("refingerprint", "--kind", "image", "--now", stdout=out)  # rows replaced, not added
    assert PerceptualHash.objects.filter(subject_id=ready.pk, medium="image").count() == 10
