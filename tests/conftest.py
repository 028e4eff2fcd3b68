"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously from that thread, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.SMS_BACKEND = "zhengji.common.sms.LocMemSMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Fingerprints cost seconds per video: only the tests about them turn this on.
    settings.FINGERPRINT_ON_READY = False
    # Anonymous public pages are cached; a test about the cache turns this on.
    settings.PUBLIC_PAGE_CACHE = False
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if settings.REDIS_URL and worker.startswith("gw"):
        # Parallel workers each get their own Redis database: cache.clear() flushes a whole
        # database, and sessions live in the cache when Redis is configured. Counted down from the
        # URL's own database (gw0 keeps it, gw1 the one below), so two runs given different
        # databases do not flush each other's sessions.
        base, _, number = settings.REDIS_URL.rpartition("/")
        first = int(number) if number.isdigit() else 15
        cache = dict(settings.CACHES["default"], LOCATION=f"{base}/{(first - int(worker[2:])) % 16}")
        settings.CACHES = {**settings.CACHES, "default": cache}
    from zhengji.common import sms

    sms.outbox.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Chinese), whatever an earlier one activated."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _clear_cache(_test_settings):
    """After `_test_settings` (which points each xdist worker at its own Redis database)."""
    from django.core.cache import cache

    cache.clear()
    yield
