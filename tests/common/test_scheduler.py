"""The scheduler enqueues the periodic jobs; the upload cleanup job really removes expired uploads."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from zhengji.media.models import Upload
from zhengji.media.uploads import services, storage

pytestmark = pytest.mark.django_db


def test_scheduler_once_runs_every_periodic_job(settings):
    user = f.user()
    expired = services.create_upload(user, length=10)
    storage.local.append(expired.storage_key, 0, io.BytesIO(b"x" * 4).read, 4)
    live = services.create_upload(user, length=10)
    Upload.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    for path, _interval in settings.PERIODIC_JOBS:
        assert f"enqueued {path}" in out.getvalue()
    assert list(Upload.objects.values_list("pk", flat=True)) == [live.pk]
    assert not storage.local.path(expired.storage_key).exists()


def test_periodic_jobs_are_importable(settings):
    from django.utils.module_loading import import_string

    for path, interval in settings.PERIODIC_JOBS:
        assert callable(import_string(path)) and interval > 0
