import pytest

from .builders import StatsWorld


@pytest.fixture
def sw(db):
    return StatsWorld()
