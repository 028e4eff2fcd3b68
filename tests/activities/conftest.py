import pytest

from .builders import ActWorld


@pytest.fixture
def aw(db):
    return ActWorld()
