"""List pages and list endpoints run a fixed number of queries whatever their length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from zhengji.orgs.models import Membership, MembershipStatus, Organization, OrgKind

pytestmark = pytest.mark.django_db


def add_children(parent, n, prefix):
    for i in range(n):
        f.org(f"{prefix}{i}", OrgKind.GRASSROOTS, parent, code=f"{prefix}-{i:03d}")


def add_members(org, n, start):
    for i in range(n):
        Membership.objects.create(user=f.user(phone=f"135{start + i:08d}"), org=org,
                                  status=MembershipStatus.PENDING if i % 2 else MembershipStatus.CONFIRMED)


def count(client, url, **kw):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, kw)
        assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [5, 50])
def test_org_tree_pages_constant_queries(yian_client, tree, n, django_assert_max_num_queries):
    add_children(tree["ya1"], n, "C")
    ya1 = Organization.objects.get(pk=tree["ya1"].pk)
    with django_assert_max_num_queries(12):
        r = yian_client.get(reverse("orgs:children", args=[ya1.pk]))
    assert r.content.decode().count('class="py-1"') == n
    with django_assert_max_num_queries(16):
        assert yian_client.get(reverse("orgs:detail", args=[ya1.pk])).status_code == 200
    with django_assert_max_num_queries(11):  # + 1: the roots' member totals (issue 8)
        r = yian_client.get(reverse("orgs:index"), {"q": "C"})
    with django_assert_max_num_queries(10):
        assert yian_client.get("/api/orgs", {"parent": ya1.pk, "limit": 100}).json()["count"] == n


@pytest.mark.parametrize("n", [5, 50])
def test_members_list_constant_queries(yian_client, tree, n, django_assert_max_num_queries):
    add_members(tree["ya1"], n, 1000 + n)
    with django_assert_max_num_queries(12):
        r = yian_client.get(reverse("orgs:members", args=[tree["ya1"].pk]))
    assert r.content.decode().count("<tr>") == min(n, 50) + 1
    with django_assert_max_num_queries(10):
        assert yian_client.get(f"/api/orgs/{tree['ya1'].pk}/members", {"limit": 100}).json()["count"] == n


def test_query_counts_equal_for_5_and_50(yian_client, tree):
    """Same count whether the list has 5 or 50 rows (the limits above could hide growth)."""
    a, b = f.org("甲", OrgKind.GRASSROOTS, tree["yian"], code="QA"), f.org("乙", OrgKind.GRASSROOTS, tree["yian"],
                                                                          code="QB")
    add_children(a, 5, "A")
    add_children(b, 50, "B")
    add_members(a, 5, 2000)
    add_members(b, 50, 3000)
    for name in ("orgs:children", "orgs:detail", "orgs:members"):
        assert count(yian_client, reverse(name, args=[a.pk])) == count(yian_client, reverse(name, args=[b.pk])), name
    assert count(yian_client, f"/api/orgs/{a.pk}/members", limit=100) == count(
        yian_client, f"/api/orgs/{b.pk}/members", limit=100)
    assert count(yian_client, "/api/orgs", parent=a.pk, limit=100) == count(
        yian_client, "/api/orgs", parent=b.pk, limit=100)
