import pytest

from .builders import World


@pytest.fixture
def world(db):
    return World()
