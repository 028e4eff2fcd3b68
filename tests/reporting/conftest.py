import pytest

from .builders import ReportWorld


@pytest.fixture
def rw(db):
    return ReportWorld()
