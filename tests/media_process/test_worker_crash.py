"""A worker killed mid-transcode (issue 7, point 4), with real processes: `manage.py db_worker`
subprocesses on the test database, ffmpeg, kill -9. The media must not stay stuck: ffmpeg dies
with its worker, the silent heartbeat makes the work stale within seconds (here; minutes in
production), the requeue takes it over and sweeps the dead worker's folder, and a new worker
finishes it exactly once. A presumed-dead worker that wakes up later cannot finish it again."""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from tests import factories as f
from tests import procs
from zhengji.common.models import AuditLog
from zhengji.media import samples
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing import domain
from zhengji.media.processing.probe import ffprobe, summarize
from zhengji.media.processing.tasks import process_media

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FAST = {"MEDIA_HEARTBEAT_SECONDS": 1, "MEDIA_HEARTBEAT_STALE_SECONDS": 5}


@pytest.fixture
def crash(transactional_db, settings, tmp_path):
    """Settings shared with the subprocesses, and cleanup of every process group started."""
    settings.TASKS = DB_TASKS
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")
    settings.MEDIA_HEARTBEAT_SECONDS = FAST["MEDIA_HEARTBEAT_SECONDS"]
    settings.MEDIA_HEARTBEAT_STALE_SECONDS = FAST["MEDIA_HEARTBEAT_STALE_SECONDS"]
    (tmp_path / "work").mkdir()
    started: list = []

    class Crash:
        work = tmp_path / "work"
        log = tmp_path / "workers.log"

        def env(self, **extra):
            return procs.django_env(tmp_path, MEDIA_WORK_DIR=self.work, MEDIA_FFMPEG_THREADS=1, **FAST, **extra)

        def worker(self, *extra_args, **env):
            p = procs.manage_popen(["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
                                    *extra_args], self.env(**env), self.log)
            started.append(p)
            return p

        def output(self) -> str:
            return self.log.read_text(errors="replace") if self.log.exists() else ""

    yield Crash()
    for p in started:
        procs.kill_group(p)


@pytest.fixture
def slow_video(tmp_path):
    """A media row for a clip that takes a while to transcode with the `veryslow` preset."""
    path = samples.make_video(tmp_path / "slow.mp4", 12, 640, 480, rate=25, audio=True)
    with open(path, "rb") as fh:
        name = default_storage.save("originals/slow.mp4", File(fh, name="slow.mp4"))
    duration = summarize(ffprobe(path))["duration"]
    return MediaFile.objects.create(owner=f.user(), original=name, filename="slow.mp4", kind="video",
                                    content_type="video/mp4", size=path.stat().st_size, duration=duration,
                                    width=640, height=480)


def _media(pk: int) -> MediaFile:
    return MediaFile.objects.get(pk=pk)


def _ffmpeg_of(worker) -> int:
    """The ffmpeg the worker started, once it runs (pid)."""
    kids = procs.children_of(worker.pid, "ffmpeg")
    return kids[0] if kids else 0


def _processed_events(media: MediaFile) -> int:
    return AuditLog.objects.filter(action="media.processed", object_id=str(media.pk)).count()


def _renditions(media: MediaFile) -> list[str]:
    try:
        return default_storage.listdir(f"renditions/{media.pk}")[1]
    except FileNotFoundError:
        return []


def test_worker_killed_mid_transcode_is_taken_over_and_finishes_once(crash, slow_video):
    media = slow_video
    first = crash.worker(MEDIA_PREVIEW_PRESET="veryslow")
    process_media.enqueue(media.pk)
    ffmpeg = procs.wait_until(lambda: _ffmpeg_of(first), 90, "the first worker's ffmpeg\n" + crash.output())
    running = _media(media.pk)
    assert running.status == MediaStatus.PROCESSING and running.attempts == 1
    # The running task renews its heartbeat.
    procs.wait_until(lambda: _media(media.pk).heartbeat > running.heartbeat, 10, "a heartbeat")
    leftovers = [p.name for p in crash.work.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith("zj-media-")

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # ffmpeg dies with its worker (it is not left transcoding for nobody).
    procs.wait_until(lambda: not procs.alive(ffmpeg), 10, "ffmpeg to die with its worker")
    assert procs.in_group(first.pid, "ffmpeg") == []

    # Not yet stale: the owner is asked to wait, the requeue leaves it alone.
    assert not domain.can_retry(_media(media.pk))
    # Silent for MEDIA_HEARTBEAT_STALE_SECONDS: the owner may retry, the requeue takes it over.
    procs.wait_until(lambda: domain.can_retry(_media(media.pk)), 10, "the work to become stale")
    requeue = procs.manage(["media_requeue"], crash.env())
    assert requeue.returncode == 0, requeue.stderr
    assert f"requeued 1 media: {media.pk}" in requeue.stdout
    assert "removed 1 leftover work folder" in requeue.stdout and leftovers[0] in requeue.stdout
    assert list(crash.work.iterdir()) == []
    assert _media(media.pk).status == MediaStatus.PENDING

    second = crash.worker("--batch", MEDIA_PREVIEW_PRESET="ultrafast")
    second.wait(timeout=180)
    done = _media(media.pk)
    assert done.status == MediaStatus.READY, (done.status, done.error, crash.output())
    assert done.attempts == 2
    assert _processed_events(done) == 1
    assert AuditLog.objects.filter(action="media.requeued", object_id=str(media.pk)).count() == 1
    assert sorted(n.split("-", 1)[1] for n in _renditions(done)) == ["preview.mp4", "thumbnail.jpg", "web.jpg"]
    assert list(crash.work.iterdir()) == []


def test_a_frozen_worker_that_wakes_up_cannot_finish_again(crash, slow_video):
    """SIGSTOP stands for a worker presumed dead (a long pause, a lost machine that comes back):
    its heartbeat is silent, the file is taken over and finished by another worker; when the old
    one resumes, its heartbeat finds its attempt replaced, it kills its ffmpeg and stores nothing."""
    media = slow_video
    first = crash.worker(MEDIA_PREVIEW_PRESET="veryslow")
    process_media.enqueue(media.pk)
    ffmpeg = procs.wait_until(lambda: _ffmpeg_of(first), 90, "the first worker's ffmpeg\n" + crash.output())
    os.kill(first.pid, signal.SIGSTOP)
    try:
        procs.wait_until(lambda: domain.can_retry(_media(media.pk)), 10, "the work to become stale")
        # The owner's retry is accepted (not 409 "in progress") once the heartbeat is silent.
        retried = domain.retry_processing(media.owner, _media(media.pk))
        assert retried.status == MediaStatus.PENDING
        second = crash.worker("--batch", MEDIA_PREVIEW_PRESET="ultrafast")
        second.wait(timeout=180)
        assert _media(media.pk).status == MediaStatus.READY, crash.output()
        names = sorted(_renditions(media))
    finally:
        os.kill(first.pid, signal.SIGCONT)
    # The old attempt's next heartbeat finds it replaced: ffmpeg is killed, nothing is stored.
    procs.wait_until(lambda: not procs.alive(ffmpeg), 20, "the superseded ffmpeg to be stopped")
    # The worker logs after it has stopped its ffmpeg and cleaned up; on a loaded machine that
    # takes a moment, so wait for the line rather than sleep a fixed time.
    procs.wait_until(lambda: "was taken over" in crash.output(), 30, "the worker to log the take-over")
    done = _media(media.pk)
    assert done.status == MediaStatus.READY and done.attempts == 2
    assert _processed_events(done) == 1
    assert sorted(_renditions(done)) == names and len(names) == 3
    assert procs.alive(first.pid)  # the worker itself lives on and takes the next task


def test_owner_may_retry_processing_whose_heartbeat_is_silent(client, db, settings):
    """Stale by the heartbeat, not by the two-hour queue limit: recently updated, silent heartbeat."""
    settings.MEDIA_HEARTBEAT_STALE_SECONDS = 60
    owner = f.user()
    now = timezone.now()
    media = MediaFile.objects.create(owner=owner, original="originals/x.mp4", filename="x.mp4", kind="video",
                                     status=MediaStatus.PROCESSING, attempts=1)
    MediaFile.objects.filter(pk=media.pk).update(heartbeat=now - dt.timedelta(seconds=30))
    client.force_login(owner)
    r = client.post(f"/api/media/files/{media.pk}/retry")
    assert r.status_code == 409 and r.json()["code"] == "in_progress"
    MediaFile.objects.filter(pk=media.pk).update(heartbeat=now - dt.timedelta(seconds=90))
    r = client.post(f"/api/media/files/{media.pk}/retry")
    assert r.status_code == 200 and r.json()["status"] == "pending"
