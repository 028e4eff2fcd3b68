"""Audit records carry an explicit scope (AuditScope): declared by the model's audit_scope() or
passed by the caller, never guessed; record_many writes a batch in one bulk insert; the browser
and the API read only what the registered audit readers allow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from zhengji.accounts.models import Role, RoleAssignment
from zhengji.campaigns.models import Announcement, LevelRule
from zhengji.common import audit, registry
from zhengji.common.audit import AuditRecord, AuditScope, record, record_many
from zhengji.common.context import acting
from zhengji.common.models import AuditLog, Notification

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2] / "zhengji"


@pytest.fixture
def tree():
    return f.tongling_tree()


def test_a_record_without_scope_is_refused_and_nothing_is_written(tree):
    actor = f.user()
    n = Notification.objects.create(user=actor, title="x")  # Notification declares no audit_scope()
    with pytest.raises(TypeError, match="audit_scope"):
        record("notification.touch", n, actor=actor)
    with pytest.raises(TypeError, match="AuditScope"):
        record("org.update", tree["ya1"], actor=actor, scope={"org_path": "0001"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        record_many([AuditRecord("org.update", tree["ya1"]), AuditRecord("notification.touch", n)], actor=actor)
    assert not AuditLog.objects.exists()


def test_scope_audience_is_checked():
    with pytest.raises(ValueError):
        AuditScope(audience="everyone")


def test_explicit_scope_wins_over_the_declared_one(tree):
    row = record("org.update", tree["ya1"], actor=f.user(), after={"name": "x"},
                 scope=AuditScope(org_path=tree["jq1"].path, campaign_id=7))
    row.refresh_from_db()
    assert (row.org_path, row.campaign_id, row.audience) == (tree["jq1"].path, 7, "staff")


def test_models_declare_their_scope(tree):
    c = f.campaign(tree["province"])
    t = f.track(c, tree["city"])
    assert tree["ya1"].audit_scope() == AuditScope(org_path=tree["ya1"].path)
    assert c.audit_scope() == AuditScope(org_path=tree["province"].path, campaign_id=c.pk)
    assert t.audit_scope() == AuditScope(org_path=tree["city"].path, campaign_id=c.pk)
    rule = LevelRule(campaign=c, org_kind="county", deadline="2025-09-05T23:59:59+08:00")
    assert rule.audit_scope() == AuditScope(campaign_id=c.pk)
    assert Announcement(campaign=c, title="x").audit_scope() == AuditScope(campaign_id=c.pk)
    u = f.user()
    assert u.audit_scope() == AuditScope()
    assert RoleAssignment(user=u, role=Role.UNIT_ADMIN, org=tree["yian"]).audit_scope() == AuditScope(
        org_path=tree["yian"].path)
    assert RoleAssignment(user=u, role=Role.JUDGE, track=t).audit_scope() == AuditScope(campaign_id=c.pk)


def test_record_many_writes_one_batch_with_the_actor_and_ip_of_the_context(tree):
    actor = f.user(real_name="批量")
    recs = [AuditRecord("org.update", tree[k], after={"k": k}) for k in ("ya1", "ya2", "jq1")]
    recs.append(AuditRecord("org.note", tree["city"], reason="说明", scope=AuditScope(campaign_id=3)))
    with acting(actor, ip="10.1.2.3"), CaptureQueriesContext(connection) as q:
        rows = record_many(recs)
    assert len(rows) == 4 and len([x for x in q.captured_queries if "INSERT" in x["sql"]]) == 1
    got = {r.object_id: r for r in AuditLog.objects.all()}
    assert {r.actor_id for r in got.values()} == {actor.pk} and {r.ip for r in got.values()} == {"10.1.2.3"}
    assert got[str(tree["ya1"].pk)].org_path == tree["ya1"].path
    assert got[str(tree["ya1"].pk)].object_type == "orgs.organization"
    assert got[str(tree["ya1"].pk)].object_repr == tree["ya1"].name
    note = got[str(tree["city"].pk)]
    assert (note.org_path, note.campaign_id, note.reason) == ("", 3, "说明")
    assert record_many([]) == []


def test_anonymous_actor_is_stored_as_none(tree):
    rows = record_many([AuditRecord("org.update", tree["ya1"])], actor=AnonymousUser())
    assert rows[0].actor is None


def test_admin_of_one_subtree_never_sees_a_record_scoped_to_another(client, tree):
    """The object lies in 义安区, but the record is explicitly scoped to 郊区: 郊区's admin reads
    it (page and API), 义安区's does not."""
    record("org.note", tree["ya1"], actor=f.user(), after={"secret": "跨区记录"},
           scope=AuditScope(org_path=tree["jq1"].path))
    client.force_login(f.unit_admin(tree["yian"]))
    assert "跨区记录" not in client.get("/hub/audit/").content.decode()
    assert client.get("/api/audit").json()["count"] == 0
    client.force_login(f.unit_admin(tree["jiao"]))
    assert "跨区记录" in client.get("/hub/audit/").content.decode()
    assert client.get("/api/audit").json()["results"][0]["after"] == {"secret": "跨区记录"}


def test_a_later_app_can_register_an_audit_reader(client, tree):
    c = f.campaign(tree["province"], name="活动丙")
    record("campaign.publish", c, actor=f.user(), after={"is_published": True})
    reader = f.user()
    client.force_login(reader)
    assert client.get("/api/audit").status_code == 403

    def moderators_read_their_campaign(user):
        return registry.AuditReadScope(campaign_ids=frozenset({c.pk})) if user.pk == reader.pk else None

    registry.audit_readers.register("test.moderators", moderators_read_their_campaign)
    try:
        data = client.get("/api/audit").json()
        assert [r["object_repr"] for r in data["results"]] == ["活动丙"]
    finally:
        registry.audit_readers.unregister("test.moderators")


def test_the_audit_table_is_written_only_through_common_audit():
    """No app builds AuditLog rows or writes the audit table by hand."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or path.parent.name == "common" and path.name in {"audit.py", "models.py"}:
            continue
        text = path.read_text(encoding="utf-8")
        if "AuditLog(" in text or "common_auditlog" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


APPS = {"accounts", "orgs", "campaigns", "media", "entries", "reporting", "review", "public", "api", "demo"}


def _imported_modules(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def test_common_imports_no_other_app():
    """Anywhere under zhengji/common, also inside functions (import-linter checks the same)."""
    found = [(str(p.relative_to(ROOT)), m) for p in (ROOT / "common").rglob("*.py")
             for m in _imported_modules(p) if m.split(".")[:2] in [["zhengji", a] for a in APPS]]
    assert found == []


def test_audit_module_exports():
    assert {"AuditScope", "AuditRecord", "record", "record_many", "snapshot"} <= set(dir(audit))
