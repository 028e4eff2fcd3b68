import io

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.orgs.builders import csv_bytes, upload, xlsx_bytes
from zhengji.common.errors import DomainError
from zhengji.common.models import AuditLog
from zhengji.orgs import importing, services
from zhengji.orgs.models import Organization, OrgKind

pytestmark = pytest.mark.django_db


def parse(data: bytes, name="f.csv"):
    return importing.read_file(name, io.BytesIO(data))


def plan_for(user, rows, kind="csv"):
    data = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)
    with translation.override("zh-hans"):
        return importing.validate(user, parse(data, f"f.{kind}"))


def snapshot():
    return sorted(Organization.objects.values_list("code", "path", "name", "member_count", "numchild", "is_active"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(encoding):
    rows = parse(csv_bytes([["X1", "某厂工会", "", "基层工会", "AH", "10", "", ""]], encoding=encoding))
    assert rows[0].line == 2 and rows[0].values["name"] == "某厂工会" and rows[0].values["kind"] == "基层工会"


def test_xlsx_numbers_become_text():
    rows = parse(xlsx_bytes([[1001, "工会", None, "county", 100, 35.0]]), "f.xlsx")
    assert rows[0].values["code"] == "1001" and rows[0].values["member_count"] == "35"


def test_bad_files_give_clear_errors():
    with pytest.raises(DomainError):
        parse(b"not a zip", "f.xlsx")
    with pytest.raises(DomainError):
        parse("只有,表头\n".encode(), "f.csv")  # no 编码/名称 columns
    with pytest.raises(DomainError):
        parse(b"a,b", "f.txt")


@pytest.mark.parametrize("label,kind", [("基层工会", OrgKind.GRASSROOTS), ("县（区）总工会", OrgKind.COUNTY),
                                        ("县(区)总工会", OrgKind.COUNTY), ("county", OrgKind.COUNTY),
                                        ("市总直属工会", OrgKind.DIRECT), ("Grassroots union", OrgKind.GRASSROOTS)])
def test_kind_labels(label, kind):
    assert importing.parse_kind(label) == kind


def test_good_import_applies_all_rows(tree, yian_admin):
    rows = [
        ["YA-03", "义安区新厂工会", "新厂", "基层工会", "AH-TL-YA", "55", "李四", "0562-1234567"],
        ["YA-03-1", "新厂一车间分会", "", "基层工会", "YA-03", "20", "", ""],  # parent: an earlier row
        ["YA-00-9", "先写孩子", "", "", "YA-04", "1", "", ""],  # parent: a later row
        ["YA-04", "义安区另一工会", "", "grassroots", "AH-TL-YA", "7", "", ""],
        ["AH-TL-YA-01", "义安区某公司工会（改名）", "", "", "", "130", "", ""],  # update, parent kept
    ]
    plan = plan_for(yian_admin, rows)
    assert plan.errors == []
    assert [r.action for r in plan.rows] == ["create", "create", "create", "create", "update"]
    result = services.apply_import(yian_admin, parse(csv_bytes(rows)))
    assert (result.created, result.updated, result.moved) == (4, 1, 0)
    new = Organization.objects.get(code="YA-03")
    assert new.contact_phone == "0562-1234567" and new.member_count == 55 and new.numchild == 1
    assert Organization.objects.get(code="YA-03-1").is_within(new)
    assert Organization.objects.get(code="YA-00-9").is_within(Organization.objects.get(code="YA-04"))
    ya1 = Organization.objects.get(code="AH-TL-YA-01")
    assert ya1.name == "义安区某公司工会（改名）" and ya1.member_count == 130 and ya1.kind == OrgKind.GRASSROOTS
    assert Organization.objects.get(code="AH-TL-YA").numchild == 4
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    # The tree keeps working with treebeard's own operations afterwards.
    services.create_child(yian_admin, new, name="再加一个", code="YA-03-2")
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert AuditLog.objects.filter(action="org.create").count() == 5
    assert AuditLog.objects.get(action="org.update").before == {"name": "义安区某公司工会", "member_count": 120}
    assert AuditLog.objects.filter(action="org.import").count() == 1


def test_import_audits_in_one_batch_with_each_orgs_scope(tree, yian_admin, monkeypatch):
    """The import's audit rows go through common.audit.record_many (one call, bulk), each scoped
    to its organisation's subtree, with the importing admin as actor."""
    calls = []
    real = importing.audit.record_many
    monkeypatch.setattr(importing.audit, "record_many", lambda records, **kw: calls.append(len(records))
                        or real(records, **kw))
    rows = [["YA-07", "义安区批量一", "", "基层工会", "AH-TL-YA", "5", "", ""],
            ["YA-08", "义安区批量二", "", "基层工会", "AH-TL-YA", "6", "", ""],
            ["AH-TL-YA-02", "义安区某学校工会", "", "", "", "81", "", ""]]
    services.apply_import(yian_admin, parse(csv_bytes(rows)))
    assert calls == [3]
    for code in ("YA-07", "YA-08", "AH-TL-YA-02"):
        o = Organization.objects.get(code=code)
        row = AuditLog.objects.get(object_id=str(o.pk), action__in=["org.create", "org.update"])
        assert (row.org_path, row.campaign_id, row.audience, row.actor_id) == (o.path, None, "staff", yian_admin.pk)
        assert row.object_repr == o.name and row.object_type == "orgs.organization"


def test_import_rows_apply_through_raw_rows(tree, yian_admin):
    raw = parse(xlsx_bytes([["YA-05", "表格导入", "", "基层工会", "AH-TL-YA", 3]]), "f.xlsx")
    services.apply_import(yian_admin, raw)
    assert Organization.objects.get(code="YA-05").member_count == 3


def test_bad_rows_change_nothing_and_are_named(tree, yian_admin):
    rows = [
        ["YA-10", "好行", "", "基层工会", "AH-TL-YA", "10", "", ""],         # row 2: fine
        ["YA-11", "上级不存在", "", "基层工会", "NOPE", "10", "", ""],        # row 3
        ["YA-10", "重复编码", "", "基层工会", "AH-TL-YA", "1", "", ""],       # row 4
        ["YA-12", "越权上级", "", "基层工会", "AH-TL-JQ", "1", "", ""],       # row 5
        ["YA-13", "人数不对", "", "基层工会", "AH-TL-YA", "-3", "", ""],      # row 6
        ["YA-14", "类型不对", "", "工会联合会X", "AH-TL-YA", "1", "", ""],    # row 7
        ["YA-15", "循环甲", "", "", "YA-16", "", "", ""],                     # row 8
        ["YA-16", "循环乙", "", "", "YA-15", "", "", ""],                     # row 9
        ["AH-TL-JQ-01", "改郊区的厂", "", "", "", "1", "", ""],               # row 10
        ["", "没有编码", "", "", "AH-TL-YA", "", "", ""],                     # row 11
        ["YA-17", "上级有错", "", "", "YA-13", "", "", ""],                   # row 12
    ]
    before = snapshot()
    plan = plan_for(yian_admin, rows)
    by_line = {r.line: " ".join(r.errors) for r in plan.rows}
    assert by_line[2] == ""
    assert "第3行" in by_line[3] and "上级编码“NOPE”不存在" in by_line[3]
    assert "第4行" in by_line[4] and "重复" in by_line[4] and "第2行" in by_line[4]
    assert "第5行" in by_line[5] and "上级编码“AH-TL-JQ”" in by_line[5] and "管辖范围" in by_line[5]
    assert "第6行" in by_line[6] and "会员数" in by_line[6]
    assert "第7行" in by_line[7] and "类型" in by_line[7]
    assert "第8行" in by_line[8] and "循环" in by_line[8]
    assert "第9行" in by_line[9] and "循环" in by_line[9]
    assert "第10行" in by_line[10] and "管辖范围" in by_line[10]
    assert "第11行" in by_line[11] and "编码" in by_line[11]
    assert "第12行" in by_line[12]
    with pytest.raises(DomainError):
        services.apply_import(yian_admin, parse(csv_bytes(rows)))
    assert snapshot() == before
    assert not AuditLog.objects.filter(action__startswith="org.").exists()


def test_import_can_move_existing_orgs_without_cycles(tree):
    city_admin = f.unit_admin(tree["city"])
    # Move 义安 under 郊区's factory while moving that factory under 义安's company: a cycle.
    plan = plan_for(city_admin, [["AH-TL-YA", "义安区总工会", "", "", "AH-TL-JQ-01", "", "", ""],
                                 ["AH-TL-JQ-01", "郊区某厂工会", "", "", "AH-TL-YA-01", "", "", ""]])
    assert all("循环" in " ".join(r.errors) for r in plan.rows)
    # A legal move: 郊区's hospital goes under a new org created under 义安区 in the same file.
    rows = [["AH-TL-JQ-02", "郊区某医院工会", "", "", "YA-NEW", "", "", ""],
            ["YA-NEW", "义安区新联合工会", "", "", "AH-TL-YA", "", "", ""]]
    services.apply_import(city_admin, parse(csv_bytes(rows)))
    hosp = Organization.objects.get(code="AH-TL-JQ-02")
    assert hosp.is_within(Organization.objects.get(code="YA-NEW")) and hosp.is_within(tree["yian"])
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_admin_cannot_reparent_own_org_by_import(tree, yian_admin):
    plan = plan_for(yian_admin, [["AH-TL-YA", "义安区总工会", "", "", "AH-TL-YA-01", "", "", ""]])
    assert plan.rows[0].action == "error"


def test_template_is_a_readable_xlsx_with_the_columns():
    rows = importing.read_file("t.xlsx", io.BytesIO(importing.build_template()))
    assert rows == []  # header only
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(importing.build_template()), read_only=True)
    header = next(wb.worksheets[0].iter_rows(values_only=True))
    assert header[:8] == ("编码", "名称", "简称", "类型", "上级编码", "会员数", "联系人", "联系电话")


def test_upload_helper_roundtrip(tree, yian_admin):
    up = upload([["YA-20", "x", "", "", "AH-TL-YA", "", "", ""]])
    assert up.name == "orgs.csv"


cells = st.one_of(st.just(""), st.text(max_size=50), st.sampled_from(["AH-TL-YA", "AH-TL-JQ", "AH-TL-YA-01", "R1",
                                                                      "R2", "基层工会", "-1", "1e9", "12.0"]))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.lists(cells, min_size=8, max_size=8), max_size=12))
def test_validate_any_rows_without_crashing(tree, yian_admin, rows):
    raw = [importing.RawRow(i + 2, dict(zip(importing.COLUMNS, r, strict=False))) for i, r in enumerate(rows)]
    plan = importing.validate(yian_admin, raw)
    assert len(plan.rows) == len(rows)
    if not plan.errors:
        services.apply_import(yian_admin, raw)
        assert Organization.objects.find_problems() == ([], [], [], [], [])
    for r in plan.rows:
        assert (r.action == "error") == bool(r.errors)
