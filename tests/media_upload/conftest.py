"""Fixtures for the upload tests: users with API tokens, generated files (written in blocks, never
held whole in memory), and a tus helper over plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets

import pytest

from tests import factories as f
from zhengji.accounts.models import ApiToken
from zhengji.accounts.tokens import hash_key


def make_token(user) -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name="test", prefix=key[:8], key_hash=hash_key(key))
    return key


def write_random(path, size: int, block: int = 1024 * 1024) -> str:
    """Write `size` random bytes to `path` in blocks; return the sha256 hex digest."""
    h = hashlib.sha256()
    with open(path, "wb") as fh:
        left = size
        while left:
            data = os.urandom(min(block, left))
            fh.write(data)
            h.update(data)
            left -= len(data)
    return h.hexdigest()


def sha256_file(path, block: int = 1024 * 1024) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


class Person:
    def __init__(self, user, token):
        self.user = user
        self.token = token

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}", "Tus-Resumable": "1.0.0"}


@pytest.fixture
def alice(db):
    u = f.user()
    return Person(u, make_token(u))


@pytest.fixture
def bob(db):
    u = f.user()
    return Person(u, make_token(u))


@pytest.fixture
def random_file(tmp_path):
    def make(size: int, name: str = "clip.mp4"):
        path = tmp_path / name
        return path, write_random(path, size)
    return make
