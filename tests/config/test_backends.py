"""Which database, cache and task queue the suite really runs on, and that the workers run tasks."""

from __future__ import annotations

import os
import socket
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .conftest import manage, run


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def test_reports_the_database_vendor(capsys):
    """The PostgreSQL pass of `make test` must really run on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    cache_backend = settings.CACHES["default"]["BACKEND"]
    with capsys.disabled():
        sys.stdout.write(f"\n[database vendor: {connection.vendor}, cache: {cache_backend}]\n")
    assert connection.vendor == expected
    # `make test` says what its PostgreSQL pass must run on, so a lost variable cannot pass silently.
    assert connection.vendor == os.environ.get("EXPECT_DB_VENDOR", connection.vendor)
    if os.environ.get("EXPECT_CACHE") == "redis":
        assert cache_backend == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
def test_database_answers_on_its_vendor():
    with connection.cursor() as c:
        c.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = c.fetchone()[0]
    assert version
    if connection.vendor == "postgresql":
        assert "PostgreSQL" in version


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_cache_is_redis_when_redis_url_is_set():
    import redis

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    key = f"zj-config-{uuid.uuid4().hex}"
    cache.set(key, {"n": 1}, 30)
    assert cache.get(key) == {"n": 1}
    # The value is in Redis itself, not in process memory.
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert raw.exists(cache.make_key(key)) == 1
    cache.delete(key)
    assert raw.exists(cache.make_key(key)) == 0


@pytest.mark.skipif(not _reachable("127.0.0.1", 6379), reason="Redis not reachable")
def test_rq_worker_runs_tasks_enqueued_through_django_tasks(env_for):
    """`manage.py rqworker default --job-class django_tasks_rq.Job` is the worker with REDIS_URL."""
    env = env_for(REDIS_URL="redis://127.0.0.1:6379/13")
    enqueue = ("import django; django.setup()\n"
               "from tests.config.tasks import multiply\n"
               "print('@@' + multiply.enqueue(6, 7).id)")
    p = run([sys.executable, "-c", enqueue], env)
    assert p.returncode == 0, p.stderr
    result_id = p.stdout.strip().split("@@")[-1]
    w = manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job", env=env)
    assert w.returncode == 0, w.stderr
    check = ("import django; django.setup()\n"
             "from tests.config.tasks import multiply\n"
             f"r = multiply.get_result({result_id!r})\n"
             "print('@@', r.status, r.return_value)")
    p = run([sys.executable, "-c", check], env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().split("@@")[-1].split() == ["SUCCESSFUL", "42"]


def test_db_worker_runs_tasks_on_the_embedded_default(env_for):
    """The embedded default: tasks in the database, run by `manage.py db_worker`."""
    env = env_for()
    m = manage("migrate", "django_tasks_database", "-v0", env=env)
    assert m.returncode == 0, m.stderr
    enqueue = ("import django; django.setup()\n"
               "from tests.config.tasks import multiply\n"
               "r = multiply.enqueue(3, 5)\n"
               "print('@@' + r.id + ' ' + r.task.get_backend().__class__.__name__)")
    p = run([sys.executable, "-c", enqueue], env)
    assert p.returncode == 0, p.stderr
    result_id, backend = p.stdout.strip().split("@@")[-1].split()
    assert backend == "DatabaseBackend"
    w = manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)
    assert w.returncode == 0, w.stderr
    check = ("import django; django.setup()\n"
             "from tests.config.tasks import multiply\n"
             f"r = multiply.get_result({result_id!r})\n"
             "print('@@', r.status, r.return_value)")
    p = run([sys.executable, "-c", check], env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().split("@@")[-1].split() == ["SUCCESSFUL", "15"]
