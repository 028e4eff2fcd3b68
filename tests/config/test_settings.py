"""The embedded defaults need no setting; scale-out is by environment variables only."""

from __future__ import annotations

import os
import sqlite3

import pytest

from .conftest import PROD_SECRET, django_eval, manage

SUMMARY = """
result = {
    "debug": settings.DEBUG,
    "db": settings.DATABASES["default"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session": settings.SESSION_ENGINE,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "rq": getattr(settings, "RQ_QUEUES", None),
    "apps": settings.INSTALLED_APPS,
    "storage": settings.STORAGES["default"],
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "hosts": settings.ALLOWED_HOSTS,
    "csrf_origins": settings.CSRF_TRUSTED_ORIGINS,
    "secret": settings.SECRET_KEY,
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "media_root": str(settings.MEDIA_ROOT),
    "tz": settings.TIME_ZONE,
    "lang": settings.LANGUAGE_CODE,
}
"""


def test_embedded_defaults_without_any_setting(env_for, tmp_path):
    s = django_eval(SUMMARY, env_for())
    assert s["debug"] is True
    assert s["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["db"]["NAME"] == str(tmp_path / "var" / "zhengji.sqlite3")
    assert "journal_mode=WAL" in s["db"]["OPTIONS"]["init_command"]
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["session"] == "django.contrib.sessions.backends.db"
    assert s["tasks"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in s["apps"] and "django_rq" not in s["apps"]
    assert s["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert s["media_root"] == str(tmp_path / "var" / "media")
    assert (s["tz"], s["lang"]) == ("Asia/Shanghai", "zh-hans")


def test_sqlite_database_is_in_wal_mode(env_for, tmp_path):
    mode = django_eval(
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "    c.execute('PRAGMA busy_timeout'); busy = c.fetchone()[0]\n"
        "result = [mode, busy]",
        env_for(),
    )
    assert mode == ["wal", 10000]
    # WAL is a property of the database file: a plain connection opened afterwards sees it too.
    con = sqlite3.connect(tmp_path / "var" / "zhengji.sqlite3")
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_database_url_selects_postgresql(env_for):
    s = django_eval(SUMMARY, env_for(DATABASE_URL="postgresql://zj:pw@db.internal:5433/zhengji"))
    db = s["db"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"], db["PASSWORD"]) == (
        "db.internal", 5433, "zhengji", "zj", "pw")
    assert db["CONN_MAX_AGE"] == 60


def test_redis_url_moves_cache_sessions_and_tasks_to_redis(env_for):
    s = django_eval(SUMMARY, env_for(REDIS_URL="redis://cache.internal:6380/2"))
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["cache_location"] == "redis://cache.internal:6380/2"
    assert s["session"] == "django.contrib.sessions.backends.cache"
    assert s["tasks"] == "django_tasks_rq.RQBackend"
    assert s["rq"] == {"default": {"URL": "redis://cache.internal:6380/2"}}
    assert "django_rq" in s["apps"] and "django_tasks_rq" in s["apps"]


def test_s3_settings_select_object_storage(env_for):
    s = django_eval(SUMMARY, env_for(S3_BUCKET="zj-media", S3_ENDPOINT_URL="https://oss.example.cn",
                                     S3_ACCESS_KEY_ID="AKID", S3_SECRET_ACCESS_KEY="SECRET",
                                     S3_REGION="cn-east-1"))
    st = s["storage"]
    assert st["BACKEND"] == "storages.backends.s3.S3Storage"
    opts = st["OPTIONS"]
    assert (opts["bucket_name"], opts["endpoint_url"], opts["access_key"], opts["secret_key"],
            opts["region_name"]) == ("zj-media", "https://oss.example.cn", "AKID", "SECRET", "cn-east-1")
    assert opts["querystring_auth"] is True and opts["file_overwrite"] is False


def test_secret_key_means_production(env_for):
    s = django_eval(SUMMARY, env_for(SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="zj.example.org, www.zj.example.org",
                                     CSRF_TRUSTED_ORIGINS="https://zj.example.org"))
    assert s["debug"] is False
    assert s["secret"] == PROD_SECRET
    assert s["hosts"] == ["zj.example.org", "www.zj.example.org"]
    assert s["csrf_origins"] == ["https://zj.example.org"]
    assert s["secure_cookies"] == [True, True]
    assert s["ssl_redirect"] is True and s["hsts"] >= 31536000
    assert s["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_debug_can_be_forced_on_and_off(env_for):
    assert django_eval("result = settings.DEBUG", env_for(DEBUG="false")) is False
    assert django_eval("result = settings.DEBUG", env_for(SECRET_KEY=PROD_SECRET, DEBUG="1")) is True


@pytest.mark.parametrize("extra", [{}, {"REDIS_URL": "redis://127.0.0.1:6379/13",
                                        "DATABASE_URL": "postgresql://zj:pw@127.0.0.1:5432/zhengji"}])
def test_production_settings_pass_check_deploy(env_for, tmp_path, extra):
    env = env_for(SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="zj.example.org",
                  CSRF_TRUSTED_ORIGINS="https://zj.example.org", STATIC_ROOT=str(tmp_path / "static"), **extra)
    p = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "no issues" in p.stdout


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="database-independent; run in the SQLite pass")
def test_production_serves_collected_static_files_with_whitenoise(env_for, tmp_path):
    # Slow (about 20 s: whitenoise compresses every file but source maps with gzip and brotli), and it found a
    # real failure once (a source map referenced but not shipped), so it stays.
    env = env_for(SECRET_KEY=PROD_SECRET, ALLOWED_HOSTS="zj.example.org", STATIC_ROOT=str(tmp_path / "static"))
    p = manage("collectstatic", "--no-input", "-v0", env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    got = django_eval(
        "from django.test import Client\n"
        "from django.templatetags.static import static\n"
        "import pathlib\n"
        "root = pathlib.Path(settings.STATIC_ROOT)\n"
        "name = sorted(str(x.relative_to(root)) for x in root.rglob('*.css') if '.' not in x.stem)[0]\n"
        "url = static(name)\n"
        "r = Client().get(url, secure=True, HTTP_HOST='zj.example.org')\n"
        "result = [name, url, r.status_code, r.headers.get('Cache-Control', '')]",
        env,
    )
    name, url, status, cache_control = got
    assert url != "/static/" + name  # hashed by the manifest storage
    assert status == 200
    assert "max-age" in cache_control
