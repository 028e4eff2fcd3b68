"""Helpers that run Django in a subprocess, so settings are read from a chosen environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every variable the settings read, removed so each subprocess starts from the embedded default.
SETTINGS_ENV = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL",
    "S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION", "SQLITE_PATH",
    "STATIC_ROOT", "MEDIA_ROOT", "TASKS_IMMEDIATE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "STATIC_NO_MANIFEST", "ZHENGJI_VAR_DIR", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
)
PROD_SECRET = "prod-test-secret-3f9a8c1d7e6b5a4f2e1d0c9b8a7f6e5d4c3b2a19f8e7d6c5"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env.update(DJANGO_SETTINGS_MODULE="zhengji.settings", ZHENGJI_VAR_DIR=str(tmp_path / "var"),
               PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env, timeout)


def django_eval(code: str, env: dict[str, str]) -> object:
    """Run `code` after django.setup() in a fresh interpreter; it must assign `result` (JSON-able)."""
    script = "import json, django\ndjango.setup()\nfrom django.conf import settings\n" + code + \
        "\nprint('@@' + json.dumps(result, default=str))"
    p = run([sys.executable, "-c", script], env)
    assert p.returncode == 0, p.stderr
    line = [x for x in p.stdout.splitlines() if x.startswith("@@")][-1]
    return json.loads(line[2:])


@pytest.fixture
def env_for(tmp_path):
    return lambda **extra: clean_env(tmp_path, **extra)
