"""Phone masking: can_see_phone and the |masked filter / {% phone_of %} tag."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests import factories as f
from zhengji.common.i18n import mask_phone
from zhengji.orgs.models import Membership
from zhengji.orgs.rules import can_see_phone, shown_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    worker = f.user(phone="13812341234")
    Membership.objects.create(user=worker, org=tree["ya1"])
    return {
        "worker": worker,
        "yian_admin": f.unit_admin(tree["yian"]),
        "ya1_admin": f.unit_admin(tree["ya1"]),
        "jiao_admin": f.unit_admin(tree["jiao"]),
        "city_admin": f.unit_admin(tree["city"]),
        "other_worker": f.user(),
        "superuser": f.user(is_superuser=True),
    }


def test_mask_phone():
    assert mask_phone("13812341234") == "138****1234"


@pytest.mark.parametrize("viewer,expected", [
    ("worker", True), ("superuser", True), ("yian_admin", True), ("ya1_admin", True), ("city_admin", True),
    ("jiao_admin", False), ("other_worker", False),
])
def test_can_see_phone(people, viewer, expected):
    assert can_see_phone(people[viewer], people["worker"]) is expected
    assert people[viewer].has_perm("accounts.see_phone", people["worker"]) is expected


def test_anonymous_and_user_without_membership(people):
    from django.contrib.auth.models import AnonymousUser

    assert not can_see_phone(AnonymousUser(), people["worker"])
    # A user with no membership is visible only to themselves and superusers.
    assert not can_see_phone(people["yian_admin"], people["other_worker"])
    assert can_see_phone(people["superuser"], people["other_worker"])


def test_phone_of_tag(people):
    t = Template("{% load phones %}{% phone_of other %}")
    request = RequestFactory().get("/")
    request.user = people["jiao_admin"]
    assert t.render(Context({"request": request, "other": people["worker"]})) == "138****1234"
    request.user = people["yian_admin"]
    assert t.render(Context({"request": request, "other": people["worker"]})) == "13812341234"
    assert shown_phone(people["other_worker"], people["worker"]) == "138****1234"
