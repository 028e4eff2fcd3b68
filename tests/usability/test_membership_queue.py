"""Issue 8 point 1 in orgs: admins told of a request, the queue across a subtree, bulk decisions."""

from __future__ import annotations

import pytest

from tests import factories as f
from zhengji.common import sms
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.orgs import membership
from zhengji.orgs.models import Membership, MembershipStatus
from zhengji.orgs.queries import (
    membership_status,
    pending_by_child,
    pending_count,
    pending_page,
    pending_units,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(tree):
    return {"ya1": f.unit_admin(tree["ya1"], real_name="一号管理员"),
            "yian": f.unit_admin(tree["yian"], real_name="义安管理员"),
            "city": f.unit_admin(tree["city"]),
            "jiao": f.unit_admin(tree["jiao"])}


def request(org, **kw):
    u = f.user(real_name=kw.pop("real_name", "新职工"), **kw)
    return membership.join_org(u, org)


def test_join_notifies_admins_of_the_unit_and_the_level_above(tree, admins, django_capture_on_commit_callbacks):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        m = request(tree["ya1"], real_name="钱七")
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {admins["ya1"].pk, admins["yian"].pk}
    note = Notification.objects.filter(user=admins["ya1"]).get()
    assert "钱七" in note.title and note.url.endswith(f"?unit={m.org_id}")
    assert {s["phone"] for s in sms.outbox} == {admins["ya1"].phone, admins["yian"].phone}
    assert m.requested_at is not None


def test_nothing_is_sent_before_commit_nor_for_invites(tree, admins, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request(tree["ya1"])
    assert len(callbacks) == 1 and not Notification.objects.exists()
    inv = membership.create_invite(admins["ya1"], tree["ya1"])
    with django_capture_on_commit_callbacks(execute=True):
        membership.join_by_invite(f.user(), inv.code)
    assert not Notification.objects.exists()


def test_bulk_confirm_is_audited_per_membership_and_tells_workers(tree, admins, django_capture_on_commit_callbacks):
    ms = [request(tree["ya1"]), request(tree["ya2"])]
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        done = membership.decide_memberships(admins["yian"], [m.pk for m in ms], confirm=True)
    assert [m.status for m in done] == [MembershipStatus.CONFIRMED] * 2
    assert Membership.objects.filter(status=MembershipStatus.CONFIRMED, confirmed_by=admins["yian"]).count() == 2
    logs = AuditLog.objects.filter(action="membership.confirm")
    assert sorted(logs.values_list("object_id", flat=True)) == sorted(str(m.pk) for m in ms)
    assert set(Notification.objects.values_list("user_id", flat=True)) == {m.user_id for m in ms}


def test_bulk_decline_keeps_the_reason(tree, admins):
    m = request(tree["ya1"])
    membership.decide_memberships(admins["ya1"], [m.pk], confirm=False, reason="  不是本单位职工 ")
    m.refresh_from_db()
    assert m.status == MembershipStatus.REJECTED and m.decision_reason == "不是本单位职工"
    assert AuditLog.objects.get(action="membership.reject").reason == "不是本单位职工"


def test_bulk_is_all_or_nothing(tree, admins):
    mine, theirs = request(tree["ya1"]), request(tree["jq1"])
    with pytest.raises(NotPermitted):
        membership.decide_memberships(admins["yian"], [mine.pk, theirs.pk], confirm=True)
    assert Membership.objects.filter(status=MembershipStatus.PENDING).count() == 2
    assert not AuditLog.objects.filter(action="membership.confirm").exists()
    with pytest.raises(DomainError) as exc:
        membership.decide_memberships(admins["yian"], [mine.pk, 999999], confirm=True)
    assert exc.value.code == "not_found"
    with pytest.raises(DomainError) as exc:
        membership.decide_memberships(admins["yian"], [], confirm=True)
    assert exc.value.code == "nothing_chosen"
    with pytest.raises(DomainError) as exc:
        membership.decide_memberships(admins["yian"], range(1, membership.MAX_BATCH + 2), confirm=True)
    assert exc.value.code == "too_many"
    with pytest.raises(DomainError) as exc:
        membership.decide_memberships(admins["yian"], [mine.pk], confirm=False, reason="x" * 501)
    assert exc.value.field == "reason"
    assert Membership.objects.get(pk=mine.pk).status == MembershipStatus.PENDING


def test_queue_pages_with_keyset_and_filters_by_unit(tree, admins):
    ms = [request(tree["ya1" if i % 2 else "ya2"]) for i in range(5)] + [request(tree["jq1"])]
    rows, nxt = pending_page(admins["yian"], limit=3)
    assert [m.pk for m in rows] == [m.pk for m in ms[:3]] and nxt == ms[2].pk
    rows, nxt = pending_page(admins["yian"], after=nxt, limit=3)
    assert [m.pk for m in rows] == [m.pk for m in ms[3:5]] and nxt is None
    assert "义安区总工会" in rows[0].org_label
    rows, _n = pending_page(admins["yian"], unit=tree["ya1"])
    assert {m.org_id for m in rows} == {tree["ya1"].pk}
    assert pending_count(admins["yian"]) == 5 and pending_count(admins["city"]) == 6
    assert pending_count(admins["jiao"]) == 1 and pending_count(f.user()) == 0
    assert pending_page(admins["jiao"])[0] == [ms[5]]
    assert {o.pk: n for o, n in pending_units(admins["yian"])} == {tree["ya1"].pk: 2, tree["ya2"].pk: 3}
    assert pending_by_child(tree["city"]) == {tree["yian"].path: 5, tree["jiao"].path: 1}


def test_queue_query_count_does_not_grow(tree, admins, django_assert_max_num_queries):
    for i in range(30):
        request(tree["ya1" if i % 2 else "ya2"])
    with django_assert_max_num_queries(4):
        rows, _n = pending_page(admins["city"], limit=25)
        assert len(rows) == 25 and all(m.user.phone and m.org_label for m in rows)


def test_superuser_sees_every_request(tree):
    request(tree["jq2"])
    su = f.user(is_superuser=True)
    assert pending_count(su) == 1


def test_membership_status_gives_whom_to_contact(tree, admins):
    m = request(tree["ya1"])
    st = membership_status(m.user)
    assert st.contacts == [("一号管理员", ""), ("义安管理员", "")]
    tree["ya1"].contact_name, tree["ya1"].contact_phone = "赵主席", "0562-1234567"
    tree["ya1"].save()
    assert membership_status(m.user).contacts == [("赵主席", "0562-1234567")]
    assert membership_status(f.user()) is None
