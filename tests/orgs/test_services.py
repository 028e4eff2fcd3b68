import pytest
from django.utils import translation

from tests import factories as f
from zhengji.accounts.models import RoleAssignment
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.orgs import services, stats
from zhengji.orgs.models import Organization, OrgKind
from zhengji.orgs.roles import OrgRole

pytestmark = pytest.mark.django_db


def fresh(o):
    return Organization.objects.get(pk=o.pk)


def test_create_child_is_audited_and_scoped(tree, yian_admin):
    child = services.create_child(yian_admin, tree["ya1"], name="车间分会", code="YA-01-A", member_count=12)
    assert child.is_within(tree["ya1"]) and child.depth == tree["ya1"].depth + 1
    assert fresh(tree["ya1"]).numchild == 1
    log = AuditLog.objects.get(action="org.create", object_id=str(child.pk))
    assert log.actor == yian_admin and log.after["code"] == "YA-01-A"
    with pytest.raises(NotPermitted):
        services.create_child(yian_admin, tree["jiao"], name="越权", code="X-1")
    assert not Organization.objects.filter(code="X-1").exists()


def test_create_child_refuses_duplicate_code_and_bad_count(tree, yian_admin):
    with translation.override("zh-hans"), pytest.raises(DomainError) as e:
        services.create_child(yian_admin, tree["yian"], name="重复", code="AH-TL-JQ-01")
    assert e.value.field == "code"
    with pytest.raises(DomainError):
        services.create_child(yian_admin, tree["yian"], name="负数", code="NEG", member_count=-1)


def test_update_records_before_and_after(tree, yian_admin):
    services.update_org(yian_admin, tree["ya1"], member_count=150, contact_name="张三")
    o = fresh(tree["ya1"])
    assert o.member_count == 150
    log = AuditLog.objects.get(action="org.update", object_id=str(o.pk))
    assert log.before == {"member_count": 120, "contact_name": ""}
    assert log.after == {"member_count": 150, "contact_name": "张三"}


def test_move_keeps_descendant_paths_consistent(tree, yian_admin):
    city_admin = f.unit_admin(tree["city"])
    a = services.create_child(city_admin, tree["ya1"], name="分会A", code="A")
    a1 = services.create_child(city_admin, a, name="小组A1", code="A1")
    services.move_org(city_admin, tree["ya1"], tree["jiao"])
    ya1, a, a1, jiao = fresh(tree["ya1"]), fresh(a), fresh(a1), fresh(tree["jiao"])
    assert ya1.is_within(jiao) and a.is_within(ya1) and a1.is_within(a)
    assert a1.depth == 6 and a1.path.startswith(ya1.path)
    assert fresh(tree["yian"]).numchild == 1 and jiao.numchild == 3
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert AuditLog.objects.filter(action="org.move", object_id=str(ya1.pk)).exists()


def test_move_refuses_own_subtree_own_root_and_foreign_target(tree, yian_admin):
    city_admin = f.unit_admin(tree["city"])
    with pytest.raises(DomainError) as e:
        services.move_org(city_admin, tree["yian"], tree["ya1"])
    assert e.value.code == "move_cycle"
    with pytest.raises(NotPermitted):  # only orgs strictly below the admin's own org
        services.move_org(yian_admin, tree["yian"], tree["ya1"])
    with pytest.raises(NotFound):  # a 郊区 target is not in the 义安区 admin's scope
        services.move_org(yian_admin, tree["ya1"], tree["jiao"])
    assert fresh(tree["ya1"]).is_within(tree["yian"])


def test_deactivate_cascades_and_reactivate_needs_active_parent(tree, yian_admin):
    city_admin = f.unit_admin(tree["city"])
    n = services.deactivate_org(city_admin, tree["yian"])
    assert n == 3
    assert not Organization.objects.filter(path__startswith=tree["yian"].path, is_active=True).exists()
    with pytest.raises(DomainError):
        services.reactivate_org(city_admin, tree["ya1"])
    services.reactivate_org(city_admin, tree["yian"])
    assert fresh(tree["yian"]).is_active and not fresh(tree["ya1"]).is_active
    with pytest.raises(NotPermitted):
        services.deactivate_org(yian_admin, tree["yian"])  # one's own org: no


def test_appoint_and_revoke_admin_by_phone(tree, yian_admin):
    other = f.user(phone="13800000001")
    ra = services.appoint_admin(yian_admin, tree["ya2"], "13800000001")
    assert ra.user == other and ra.role == OrgRole.UNIT_ADMIN and ra.scope == tree["ya2"]
    with pytest.raises(DomainError):
        services.appoint_admin(yian_admin, tree["ya2"], "13800009999")
    with pytest.raises(NotPermitted):
        services.appoint_admin(yian_admin, tree["jq1"], "13800000001")
    services.revoke_admin(yian_admin, tree["ya2"], ra)
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_subtree_statistics(tree):
    assert stats.member_total(tree["yian"]) == 200
    assert stats.member_total(tree["city"]) == 490
    assert stats.grassroots_count(tree["city"]) == 4
    f.org("停用的", OrgKind.GRASSROOTS, tree["jiao"], member_count=5, is_active=False)
    assert stats.grassroots_count(tree["jiao"]) == 2
    assert stats.grassroots_count(tree["jiao"], active_only=False) == 3
    assert stats.subtree_summary(tree["jiao"]) == {"orgs": 3, "members": 290, "grassroots": 2}
