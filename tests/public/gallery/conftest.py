import pytest
from django.core.cache import cache

from .builders import FakeAwards, GalleryWorld


@pytest.fixture
def w(db):
    return GalleryWorld()


@pytest.fixture
def awards():
    with FakeAwards() as a:
        yield a


@pytest.fixture(autouse=True)
def _locmem_cache(settings):
    # Each test starts from an empty page cache (tag versions included).
    cache.clear()
    yield
    cache.clear()
