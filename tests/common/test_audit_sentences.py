"""The audit log as sentences: the action registry, the kind filter, autosave sessions folded,
and every action code the apps write has a sentence."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest
import time_machine
from django.utils import timezone, translation

from tests import factories as f
from tests.reporting.builders import ReportWorld, worker
from zhengji.common import registry
from zhengji.common.audit import AuditScope, record
from zhengji.common.audit_log import (
    SESSION_GAP,
    Change,
    describe,
    fold_sessions,
    mask_name,
    readable_changes,
    session_counts,
)
from zhengji.common.models import AuditLog
from zhengji.entries import services
from zhengji.entries.services import Changes

ROOT = pathlib.Path(__file__).resolve().parents[2] / "zhengji"
CODE = re.compile(r'(?:record|AuditRecord)\(\s*"([a-z_]+\.[a-z_.]+)"|audit_action="([a-z_.]+)"')


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        for m in CODE.finditer(path.read_text(encoding="utf-8")):
            codes.add(m.group(1) or m.group(2))
    return codes


def test_every_action_code_written_has_a_sentence():
    codes = _codes_in_source()
    assert {"entry.submit", "membership.confirm", "org.import", "entry.report_up", "media.created"} <= codes
    codes |= {"login.address_locked", "login.device_locked", "demo.load"}  # built or named elsewhere
    missing = sorted(c for c in codes if c not in registry.audit_actions)
    assert missing == []
    for action in registry.audit_actions:
        assert "%(actor)s" in str(action.sentence)
        assert action.kind in registry.audit_actions.kinds


def test_registry_kinds_and_replacement():
    reg = registry.AuditActionRegistry("t")
    reg.kind("a", "Kind A", order=2)
    reg.kind("b", "Kind B", order=1)
    reg.kind("unused", "Unused")
    reg.add("x.one", "%(actor)s one %(object)s", kind="a")
    reg.add_many("b", {"y.two": "%(actor)s two", "y.three": "%(actor)s three"})
    reg.add("x.one", "%(actor)s ONE %(object)s", kind="a", collapsible=True)
    assert reg.kind_choices() == [("b", "Kind B"), ("a", "Kind A")]
    assert reg.codes_of("b") == ["y.three", "y.two"]
    assert reg.collapsible_codes() == ["x.one"]
    assert reg.get("x.one").sentence.startswith("%(actor)s ONE") and reg.get("nope") is None


def test_readable_changes_name_fields_and_choices():
    with translation.override("zh-hans"):
        out = readable_changes("entries.entry", [Change("status", "draft", "submitted"), Change("files", "—", "[1]"),
                                                 Change("track_id", "1", "2"), Change("", "a", "b")])
        assert [(c.field, c.before, c.after) for c in out] == [
            ("状态", "草稿", "已提交"), ("files", "—", "[1]"), ("子项目", "1", "2"), ("", "a", "b")]
        changed = readable_changes("entries.entry", [Change("changed", "—", '["title", "files"]'),
                                                     Change("changed", "—", "x")])
        assert [(c.field, c.after) for c in changed] == [("修改的字段", "标题、files"), ("changed", "x")]
        assert readable_changes("nope.model", [Change("x", "1", "2")])[0].field == "x"
        assert readable_changes("", [Change("x", "1", "2")])[0].field == "x"


def test_mask_name():
    assert mask_name("王小明") == "王…"
    assert mask_name("王") == "王"
    assert mask_name("") == ""
    assert mask_name("138****0000") == "138****0000"


@pytest.mark.django_db
def test_sentences_in_the_readers_language():
    world = ReportWorld()
    entry = world.submitted(user=worker(world.tree["ya1"], real_name="王小明"))
    row = AuditLog.objects.filter(action="entry.submit").get()
    with translation.override("zh-hans"):
        assert describe(row) == f"王… 提交了作品 {entry.number}"
    with translation.override("en"):
        assert describe(row) == f"王… submitted entry {entry.number}"
    row.action, row.actor = "mystery.code", None
    with translation.override("zh-hans"):
        assert describe(row) == f"系统：对 {entry.number} 执行了 mystery.code"


@pytest.mark.django_db
def test_page_shows_sentences_kinds_and_no_raw_codes_in_the_sentence(client):
    world = ReportWorld()
    entry = world.submitted(user=worker(world.tree["ya1"], real_name="王小明"))
    org = world.tree["ya1"]
    record("org.update", org, actor=world.ya1_admin, before={"name": "旧"}, after={"name": "新"})
    record("weird.thing", org, actor=None)
    client.force_login(f.user(is_superuser=True))
    page = client.get("/hub/audit/").content.decode()
    assert f'王… 提交了作品 <span class="zj-token">{entry.number}</span>' in page
    assert '<option value="entries">作品</option>' in page and '<option value="orgs">组织与成员</option>' in page
    assert "系统：对 <span" in page and "<code>weird.thing</code>" in page
    only_orgs = client.get("/hub/audit/", {"kind": "orgs"}).content.decode()
    assert "修改了组织" in only_orgs and "提交了作品" not in only_orgs
    assert 'value="orgs" selected' in only_orgs
    bad = client.get("/hub/audit/", {"kind": "nope"})
    assert bad.status_code == 200 and "提交了作品" in bad.content.decode()  # an unknown kind is ignored


def _autosaves(world, user, entry, times):
    for i, at in enumerate(times):
        with time_machine.travel(at, tick=False):
            services.save_draft(user, entry, Changes(title=f"草稿{i}"))


@pytest.mark.django_db
def test_autosaves_of_one_session_are_one_row_with_a_count(client, django_assert_max_num_queries):
    world = ReportWorld()
    user = world.worker
    t0 = timezone.now() - dt.timedelta(days=1)
    with time_machine.travel(t0, tick=False):
        entry = services.create_draft(user, world.track, changes=Changes(title="草稿"))
    # Session 1: 6 autosaves a minute apart; then a pause longer than the gap; session 2: 3.
    first = [t0 + dt.timedelta(minutes=1 + i) for i in range(6)]
    second = [first[-1] + SESSION_GAP + dt.timedelta(minutes=5 + i) for i in range(3)]
    _autosaves(world, user, entry, first + second)
    assert AuditLog.objects.filter(action="entry.save", object_id=str(entry.pk)).count() == 9
    shown = list(fold_sessions(AuditLog.objects.filter(object_id=str(entry.pk), object_type="entries.entry")))
    assert [r.action for r in shown] == ["entry.save", "entry.save", "entry.create"]
    counts = session_counts(shown)
    assert [counts[r.id][0] for r in shown[:2]] == [3, 6]
    client.force_login(f.user(is_superuser=True))
    page = client.get("/hub/audit/", {"kind": "entries"}).content.decode()
    assert page.count("编辑了作品") == 2 and "保存 6 次" in page and "保存 3 次" in page
    # More autosaves in the same session add no row and no query.
    with django_assert_max_num_queries(30) as before:
        client.get("/hub/audit/", {"kind": "entries"})
    _autosaves(world, user, entry, [second[-1] + dt.timedelta(minutes=1 + i) for i in range(20)])
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get("/hub/audit/", {"kind": "entries"}).content.decode()
    assert page.count("编辑了作品") == 2 and "保存 23 次" in page


@pytest.mark.django_db
def test_another_actor_or_action_breaks_the_session():
    world = ReportWorld()
    org = world.tree["ya1"]
    scope = AuditScope(org_path=org.path)
    a, b = f.user(), f.user()
    t0 = timezone.now() - dt.timedelta(hours=2)
    for i, (actor, action) in enumerate([(a, "entry.save"), (a, "entry.save"), (b, "entry.save"),
                                         (b, "entry.submit"), (a, "entry.save")]):
        with time_machine.travel(t0 + dt.timedelta(minutes=i), tick=False):
            record(action, org, actor=actor, scope=scope)
    shown = list(fold_sessions(AuditLog.objects.filter(object_id=str(org.pk))).order_by("-at", "-id"))
    assert [(r.action, r.actor_id) for r in shown] == [
        ("entry.save", a.pk), ("entry.submit", b.pk), ("entry.save", b.pk), ("entry.save", a.pk)]
    assert [n for n, _more in session_counts(shown).values()] == [1, 1, 2]


@pytest.mark.django_db
def test_a_session_longer_than_the_lookback_is_a_lower_bound():
    world = ReportWorld()
    org = world.tree["ya1"]
    scope = AuditScope(org_path=org.path)
    a = f.user()
    t0 = timezone.now() - dt.timedelta(days=2)
    for i in range(30):  # one save every 29 minutes for 14 hours: one session
        with time_machine.travel(t0 + dt.timedelta(minutes=29 * i), tick=False):
            record("entry.save", org, actor=a, scope=scope)
    shown = list(fold_sessions(AuditLog.objects.filter(object_id=str(org.pk))))
    assert len(shown) == 1
    count, more = session_counts(shown)[shown[0].id]
    assert more and count < 30
    assert session_counts([]) == {}


@pytest.mark.django_db
def test_nothing_folds_without_collapsible_codes(monkeypatch):
    org = f.org("某工会")
    for _i in range(3):
        record("entry.save", org, actor=None, scope=AuditScope(org_path=org.path))
    monkeypatch.setattr(registry.audit_actions, "collapsible_codes", list)
    assert fold_sessions(AuditLog.objects.all()).count() == 3
