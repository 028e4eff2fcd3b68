from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def tree(db):
    return f.tongling_tree()


@pytest.fixture
def yian_admin(tree):
    return f.unit_admin(tree["yian"], real_name="义安管理员")


@pytest.fixture
def jiao_admin(tree):
    return f.unit_admin(tree["jiao"], real_name="郊区管理员")


@pytest.fixture
def worker(db):
    return f.user(real_name="职工甲")


@pytest.fixture
def yian_client(client, yian_admin):
    client.force_login(yian_admin)
    return client


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ORGS_IMPORT_DIR = tmp_path / "orgs-import"
