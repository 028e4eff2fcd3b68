import pytest

from tests.entries.builders import World


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def tree(db):
    from tests import factories as f

    return f.tongling_tree()
