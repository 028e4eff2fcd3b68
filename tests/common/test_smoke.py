import pytest

from tests import factories as f
from zhengji.orgs.models import Organization

pytestmark = pytest.mark.django_db


def test_home_renders_in_chinese_by_default(client):
    tree = f.tongling_tree()
    f.campaign(tree["province"])
    r = client.get("/")
    assert r.status_code == 200
    assert "皖美职工正能量" in r.content.decode()
    assert 'lang="zh-CN"' in r.content.decode()


def test_subtree_is_prefix():
    tree = f.tongling_tree()
    assert tree["ya1"].is_within(tree["yian"])
    assert not tree["jq1"].is_within(tree["yian"])
    assert Organization.objects.filter(path__startswith=tree["yian"].path).count() == 3
