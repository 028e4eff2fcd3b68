"""common.registry: the plug-in points the apps fill at start-up (hub and centre panels, staff
checks, audit readers, periodic jobs)."""

from __future__ import annotations

import pytest

from tests import factories as f
from zhengji.common import registry
from zhengji.common.registry import Panel, PanelItem, Registry

pytestmark = pytest.mark.django_db


def test_registry_orders_and_replaces_by_key():
    r: Registry[str] = Registry("test")
    r.register("b", "second", order=20)
    r.register("a", "first", order=10)
    r.register("c", "third", order=20)
    assert list(r) == ["first", "second", "third"] and r.keys() == ["a", "b", "c"]
    r.register("b", "second again", order=20)  # a ready() that runs twice replaces, keeps its place
    assert list(r) == ["first", "second again", "third"] and len(r) == 3 and "b" in r
    r.unregister("b")
    r.unregister("missing")
    assert list(r) == ["first", "third"]


def test_the_apps_register_at_start_up():
    assert registry.hub.keys() == ["orgs", "entries.unit", "reporting", "review", "campaigns", "activities", "stats",
                                   "originality", "public.gallery", "public.votes", "public.comments", "common.audit"]
    assert "entries.mine" in registry.centre
    assert "accounts.roles" in registry.staff_checks and "accounts.roles" in registry.audit_readers
    assert {j.path for j in registry.periodic_jobs.jobs()} == {
        "zhengji.media.uploads.services.cleanup_expired", "zhengji.media.processing.domain.requeue_stuck",
        "zhengji.reporting.reminders.run_due",
        "zhengji.accounts.throttle.cleanup",
        "zhengji.media.processing.domain.sweep_work_folders",
        "zhengji.reporting.imports.cleanup",
        "zhengji.public.counters.flush", "zhengji.public.votes_anomaly.scan_recent"}


def test_periodic_job_interval_must_be_positive():
    with pytest.raises(ValueError):
        registry.PeriodicJob("x.y", 0)


def test_audit_read_scopes_combine():
    a = registry.AuditReadScope(org_paths=frozenset({"0001"}))
    b = registry.AuditReadScope(campaign_ids=frozenset({2}))
    assert (a | b) == registry.AuditReadScope(org_paths=frozenset({"0001"}), campaign_ids=frozenset({2}))
    assert registry.AuditReadScope(org_paths=frozenset({""})).is_empty
    assert not registry.AuditReadScope(everything=True).is_empty


def test_a_later_app_adds_a_hub_panel_and_a_staff_check(client):
    judge = f.user()
    client.force_login(judge)
    assert client.get("/hub/").status_code == 403

    registry.staff_checks.register("test.review", lambda user: user.pk == judge.pk)
    registry.hub.register("test.review", lambda user: [Panel(
        "rounds", "评审轮次", icon="bi-star", items=(PanelItem("第一轮", "/review/1/", "进行中"),
                                                        PanelItem("第二轮")))] if user.pk == judge.pk else [],
        order=50)
    try:
        page = client.get("/hub/").content.decode()
        assert 'id="hub-rounds"' in page and '<a href="/review/1/">第一轮</a>' in page and "第二轮" in page
        assert 'href="/hub/"' in client.get("/").content.decode()  # the menu's "Manage" follows the checks
    finally:
        registry.staff_checks.unregister("test.review")
        registry.hub.unregister("test.review")
    assert client.get("/hub/").status_code == 403
    assert 'href="/hub/"' not in client.get("/").content.decode()


def test_a_later_app_adds_a_centre_panel(client):
    u = f.user()
    client.force_login(u)
    registry.centre.register("test.votes", lambda user: [Panel("votes", "我的投票", items=(PanelItem("暂无"),))],
                             order=60)
    try:
        page = client.get("/accounts/centre/").content.decode()
        assert 'id="h-votes"' in page and "我的投票" in page
        assert page.index('id="h-entries"') < page.index('id="h-votes"')
    finally:
        registry.centre.unregister("test.votes")
