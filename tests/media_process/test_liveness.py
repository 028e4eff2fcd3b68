"""The parts of crash recovery that run in-process: the heartbeat and its compare-and-set, ffmpeg
children that are stopped when the work is taken over, requeue of silent work, and the sweep of
work folders (real files, real flocks)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import procs
from zhengji.common.models import AuditLog
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing import children, domain, renditions, runner


def test_heartbeat_renews_and_stops_when_taken_over(ingest, media_dir, settings):
    settings.MEDIA_HEARTBEAT_SECONDS = 0
    media = ingest(media_dir / "photo.jpg", "photo", process=False)
    MediaFile.objects.filter(pk=media.pk).update(status=MediaStatus.PROCESSING, attempts=1,
                                                 heartbeat=timezone.now() - dt.timedelta(minutes=1))
    beat = runner.Heartbeat(media.pk, 1)
    beat()
    media.refresh_from_db()
    assert timezone.now() - media.heartbeat < dt.timedelta(seconds=5)
    MediaFile.objects.filter(pk=media.pk).update(attempts=2)  # another worker took it over
    with pytest.raises(runner.Superseded):
        beat()


def test_heartbeat_is_throttled(ingest, media_dir, settings, django_assert_num_queries):
    settings.MEDIA_HEARTBEAT_SECONDS = 3600
    media = ingest(media_dir / "photo.jpg", "photo", process=False)
    beat = runner.Heartbeat(media.pk, 5)  # a wrong attempt, but no query is made yet
    with django_assert_num_queries(0):
        beat()


def test_taken_over_processing_stops_ffmpeg_and_stores_nothing(ingest, media_dir, settings, monkeypatch):
    settings.MEDIA_HEARTBEAT_SECONDS = 0
    media = ingest(media_dir / "clip.mp4", "video", process=False)
    real_run = children.run
    seen: list[int] = []

    def run(cmd, *, timeout, beat=None, every=5.0):
        # Someone takes the work over while ffmpeg runs; a slow ffmpeg stands in for the real one.
        MediaFile.objects.filter(pk=media.pk).update(status=MediaStatus.PENDING)
        slow = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                "testsrc=duration=60:size=64x48:rate=5", "-f", "null", "-"]
        before = set(procs.children_of(os.getpid(), "ffmpeg"))
        try:
            return real_run(slow, timeout=timeout, beat=beat, every=0.2)
        finally:
            seen.extend(set(procs.children_of(os.getpid(), "ffmpeg")) - before)

    monkeypatch.setattr(children, "run", run)
    started = time.monotonic()
    assert runner.run_processing(media.pk) == "skipped"
    assert time.monotonic() - started < 20
    assert seen == []  # the ffmpeg was killed and reaped
    media.refresh_from_db()
    assert media.status == MediaStatus.PENDING and not media.preview and not media.thumbnail


def test_child_timeout_kills_it():
    with pytest.raises(children.ChildTimeout):
        children.run(["sleep", "30"], timeout=0.5, every=0.1)
    assert procs.children_of(os.getpid(), "sleep") == []


def test_child_error_tail_is_returned():
    code, err = children.run([sys.executable, "-c", "import sys; sys.stderr.write('x' * 5000 + 'END'); sys.exit(4)"],
                             timeout=30)
    assert code == 4 and err.endswith(b"END") and len(err) == 4000


def test_ffmpeg_timeout_is_a_processing_error(settings):
    settings.MEDIA_FFMPEG_TIMEOUT = 0.3
    with pytest.raises(renditions.ProcessingError) as exc:
        renditions._run_ffmpeg(["-re", "-f", "lavfi", "-i", "testsrc=duration=30:size=64x48:rate=5", "-f", "null",
                                "-"], "x")
    assert exc.value.detail == "ffmpeg timed out"


def test_children_die_with_their_parent(tmp_path):
    """A grandchild started with die_with_parent() is killed with its parent (kill -9)."""
    pidfile = tmp_path / "grandchild"
    code = ("import subprocess, sys, time\n"
            "from zhengji.media.processing.children import die_with_parent\n"
            f"p = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent())\n"
            f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
            "time.sleep(60)\n")
    env = {**os.environ, "PYTHONPATH": str(procs.ROOT), "DJANGO_SETTINGS_MODULE": "zhengji.settings"}
    parent = subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)
    try:
        grandchild = int(procs.wait_until(lambda: pidfile.exists() and pidfile.read_text(), 30, "the grandchild"))
        assert procs.alive(grandchild)
        os.kill(parent.pid, 9)
        parent.wait(timeout=10)
        procs.wait_until(lambda: not procs.alive(grandchild), 10, "the grandchild to die")
    finally:
        procs.kill_group(parent)


def test_requeue_takes_over_silent_processing_once(ingest, media_dir, settings):
    settings.MEDIA_HEARTBEAT_STALE_SECONDS = 60
    media = ingest(media_dir / "photo.jpg", "photo", process=False)
    MediaFile.objects.filter(pk=media.pk).update(status=MediaStatus.PROCESSING, attempts=1,
                                                 heartbeat=timezone.now() - dt.timedelta(seconds=30))
    assert domain.requeue_stuck() == []  # still beating recently
    MediaFile.objects.filter(pk=media.pk).update(heartbeat=timezone.now() - dt.timedelta(seconds=90))
    assert domain.requeue_stuck() == [media.pk]  # the immediate backend runs it at once
    media.refresh_from_db()
    assert media.status == MediaStatus.READY and media.attempts == 2
    assert domain.requeue_stuck() == []
    log = AuditLog.objects.get(action="media.requeued", object_id=str(media.pk))
    assert log.before["status"] == "processing" and log.after["status"] == "pending"


def test_processing_without_heartbeat_falls_back_to_updated(ingest, media_dir, settings):
    """Rows claimed before the heartbeat existed are judged by their last update."""
    settings.MEDIA_HEARTBEAT_STALE_SECONDS = 60
    media = ingest(media_dir / "photo.jpg", "photo", process=False)
    old = timezone.now() - dt.timedelta(seconds=90)
    MediaFile.objects.filter(pk=media.pk).update(status=MediaStatus.PROCESSING, heartbeat=None, updated=old)
    media.refresh_from_db()
    assert runner.is_stale(media) and domain.is_stuck(media)
    assert list(MediaFile.objects.filter(runner.stale_processing()).values_list("pk", flat=True)) == [media.pk]


# --- work folders -------------------------------------------------------------------------------

def _age(path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_sweep_removes_only_folders_of_dead_processes(settings, tmp_path):
    settings.MEDIA_WORK_DIR = str(tmp_path / "work")
    settings.MEDIA_HEARTBEAT_SECONDS = 10
    settings.MEDIA_PROCESSING_STALE_SECONDS = 3600
    root = tmp_path / "work"
    with children.work_folder() as live:
        _age(live, 600)
        dead = root / "zj-media-dead"
        dead.mkdir()
        (dead / children.LOCK_NAME).touch()
        (dead / "preview.mp4").write_bytes(b"x")
        _age(dead, 600)
        no_lock = root / "zj-media-nolock"
        no_lock.mkdir()
        _age(no_lock, 600)
        young = root / "zj-media-young"
        young.mkdir()
        old_src = root / "zj-src-old.mp4"
        old_src.write_bytes(b"x")
        _age(old_src, 7200)
        new_src = root / "zj-src-new.mp4"
        new_src.write_bytes(b"x")
        other = root / "unrelated"
        other.write_bytes(b"x")
        _age(other, 99999)
        removed = domain.sweep_work_folders()
        assert sorted(removed) == ["zj-media-dead", "zj-media-nolock", "zj-src-old.mp4"]
        assert live.exists() and young.exists() and new_src.exists() and other.exists()
    assert not live.exists()  # its owner removes it on the way out


def test_sweep_of_a_missing_work_dir_is_a_no_op(settings, tmp_path):
    settings.MEDIA_WORK_DIR = str(tmp_path / "nowhere")
    assert children.sweep_work_folders() == []


def test_requeue_command_reports_the_sweep(settings, tmp_path, db):
    settings.MEDIA_WORK_DIR = str(tmp_path)
    dead = tmp_path / "zj-media-x"
    dead.mkdir()
    _age(dead, 600)
    out = StringIO()
    call_command("media_requeue", stdout=out)
    assert "requeued 0 media" in out.getvalue() and "removed 1 leftover work folder(s): zj-media-x" in out.getvalue()
