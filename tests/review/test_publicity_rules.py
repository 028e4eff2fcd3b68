"""Who may read and who may handle an objection (`review.view_objection`, `review.moderate`), and
the queue's filter agrees with the permission for every kind of user."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.review.builders_publicity import PublicityWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.review import publicity_queries as pq
from zhengji.review.domain import publicity as domain
from zhengji.review.models import Objection

pytestmark = pytest.mark.django_db

# who: (may read, may handle)
EXPECTED = {
    "moderator": (True, True),
    "campaign_admin": (True, True),
    "superuser": (True, True),
    "host_staff": (True, False),
    "other_staff": (False, False),
    "other_moderator": (False, False),
    "judge": (False, False),
    "objector": (False, False),
    "nobody": (False, False),
}


def user_for(w, who):
    if who == "superuser":
        return f.user(is_superuser=True)
    if who == "judge":
        return w.judge(None).user
    if who == "nobody":
        return f.user()
    if who == "other_moderator":
        other = f.campaign(w.tree["province"], slug="other-c")
        u = f.user()
        f.grant(u, CampaignRole.MODERATOR, campaign=other)
        return u
    return getattr(w, who)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_read_and_handle(who):
    w = PublicityWorld(n=4)
    pub = w.publicity()
    obj = domain.file_objection(w.objector, pub, w.awarded[0], "张三", "单位", "理由")
    user = user_for(w, who)
    read, handle = EXPECTED[who]
    assert user.has_perm("review.view_objection", obj) is read
    assert user.has_perm("review.moderate", obj) is handle
    assert Objection.objects.filter(pq.objections_for(user), pk=obj.pk).exists() is read
    assert pq.may_see_queue(user) is (who in {"moderator", "campaign_admin", "superuser", "host_staff",
                                              "other_staff", "other_moderator"})
