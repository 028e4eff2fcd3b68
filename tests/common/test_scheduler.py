"""The scheduler enqueues the periodic jobs; the upload cleanup job really removes expired uploads."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string

from tests import factories as f
from zhengji.common.registry import periodic_jobs
from zhengji.media.models import Upload
from zhengji.media.uploads import services, storage

pytestmark = pytest.mark.django_db


def test_scheduler_once_runs_every_periodic_job():
    user = f.user()
    expired = services.create_upload(user, length=10)
    storage.local.append(expired.storage_key, 0, io.BytesIO(b"x" * 4).read, 4)
    live = services.create_upload(user, length=10)
    Upload.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    for job in periodic_jobs.jobs():
        assert f"enqueued {job.path}" in out.getvalue()
    assert list(Upload.objects.values_list("pk", flat=True)) == [live.pk]
    assert not storage.local.path(expired.storage_key).exists()


def test_periodic_jobs_are_registered_and_importable(settings):
    """Media and accounts register their jobs at start-up (common.registry), with the intervals of
    the settings."""
    jobs = {job.path: job.interval for job in periodic_jobs.jobs()}
    assert jobs == {"zhengji.media.uploads.services.cleanup_expired": settings.UPLOAD_CLEANUP_INTERVAL,
                    "zhengji.media.processing.domain.requeue_stuck": settings.MEDIA_REQUEUE_INTERVAL,
                    "zhengji.reporting.reminders.run_due": 15 * 60,
                    "zhengji.accounts.throttle.cleanup": settings.LOGIN_THROTTLE_CLEANUP_INTERVAL,
                    "zhengji.media.processing.domain.sweep_work_folders": settings.MEDIA_REQUEUE_INTERVAL,
                    "zhengji.reporting.imports.cleanup": getattr(settings, "REPORTING_IMPORT_CLEANUP_INTERVAL", 3600),
                    "zhengji.public.counters.flush": getattr(settings, "PUBLIC_VIEWS_FLUSH_INTERVAL", 60),
                    "zhengji.public.votes_anomaly.scan_recent": jobs["zhengji.public.votes_anomaly.scan_recent"]}
    for path, interval in jobs.items():
        assert callable(import_string(path)) and interval > 0
