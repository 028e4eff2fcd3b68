"""Import the tree and member counts from .xlsx or .csv: parse → validate (a plan with per-row
errors, shown as a preview) → execute (bulk, inside apply_import's transaction).

Everything is done in bulk: the database is read in a handful of chunked `IN` queries whatever the
file's length, new organisations get their materialized paths computed here and are inserted with
executemany, updates use bulk_update on the changed columns only. Only moves of existing
organisations go one by one (rare)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from zhengji.accounts.scopes import scopes_for
from zhengji.common import audit
from zhengji.common.errors import DomainError

from . import services
from .models import Organization, OrgKind

CHUNK = 900  # stays under every backend's parameter limit

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "code", "单位编码", "组织编码"),
    "name": ("名称", "name", "单位名称", "组织名称"),
    "short_name": ("简称", "short_name", "short name"),
    "name_en": ("英文名称", "name_en", "english name"),
    "kind": ("类型", "kind", "单位类型"),
    "parent_code": ("上级编码", "parent_code", "parent code", "parent"),
    "member_count": ("会员数", "member_count", "member count", "会员人数"),
    "contact_name": ("联系人", "contact_name", "contact"),
    "contact_phone": ("联系电话", "contact_phone", "phone"),
    "address": ("地址", "address"),
}
TEMPLATE_COLUMNS = ["编码", "名称", "简称", "类型", "上级编码", "会员数", "联系人", "联系电话", "英文名称", "地址"]
_HEADER_LOOKUP = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}

# Chinese labels people write in the 类型 column, besides the English keys and labels.
KIND_LABELS: dict[str, str] = {
    "省总工会": OrgKind.PROVINCE, "省级总工会": OrgKind.PROVINCE, "省总": OrgKind.PROVINCE,
    "市总工会": OrgKind.CITY, "市级总工会": OrgKind.CITY, "市总": OrgKind.CITY,
    "县(区)总工会": OrgKind.COUNTY, "县区总工会": OrgKind.COUNTY, "县总工会": OrgKind.COUNTY,
    "区总工会": OrgKind.COUNTY, "县级总工会": OrgKind.COUNTY,
    "产业工会": OrgKind.INDUSTRY, "行业工会": OrgKind.INDUSTRY, "产业(行业)工会": OrgKind.INDUSTRY,
    "市总直属工会": OrgKind.DIRECT, "直属工会": OrgKind.DIRECT,
    "基层工会": OrgKind.GRASSROOTS, "其他": OrgKind.OTHER, "其它": OrgKind.OTHER,
}
KIND_LABELS = {_k.translate(str.maketrans("（）", "()")): _v for _k, _v in KIND_LABELS.items()}
KIND_LABELS.update({k.value: k.value for k in OrgKind})
KIND_DISPLAY = {  # the Chinese label written into the template
    OrgKind.PROVINCE: "省总工会", OrgKind.CITY: "市总工会", OrgKind.COUNTY: "县（区）总工会",
    OrgKind.INDUSTRY: "产业工会", OrgKind.DIRECT: "市总直属工会", OrgKind.GRASSROOTS: "基层工会",
    OrgKind.OTHER: "其他",
}
TEXT_FIELDS = ("name", "short_name", "name_en", "contact_name", "contact_phone", "address")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": " "})


def _squash(value: str | Promise) -> str:
    return re.sub(r"\s+", "", str(value).translate(_FULLWIDTH)).lower()


def parse_kind(value: str) -> str | None:
    """Chinese labels, the English keys, or the labels in English or the reader's language."""
    key = _squash(value)
    if key in KIND_LABELS:
        return KIND_LABELS[key]
    labels = {_squash(k.label): k.value for k in OrgKind}
    with translation.override("en"):
        labels.update({_squash(k.label): k.value for k in OrgKind})
    return labels.get(key)


# --- reading files ---------------------------------------------------------------------------


@dataclass
class RawRow:
    line: int  # the row number the user sees in their spreadsheet (header = 1)
    values: dict[str, str]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "").strip()


def _rows_from_matrix(matrix) -> list[RawRow]:
    header: dict[int, str] | None = None
    out: list[RawRow] = []
    for line, raw in enumerate(matrix, start=1):
        cells = [_cell(c) for c in raw]
        if not any(cells):
            continue
        if header is None:
            header = {i: _HEADER_LOOKUP[c.lower()] for i, c in enumerate(cells) if c.lower() in _HEADER_LOOKUP}
            missing = [COLUMNS[k][0] for k in ("code", "name") if k not in header.values()]
            if missing:
                raise DomainError(_("The first row must name the columns; missing: %(cols)s.")
                                  % {"cols": "、".join(missing)}, code="import_header", field="file")
            continue
        out.append(RawRow(line, {key: cells[i] if i < len(cells) else "" for i, key in header.items()}))
        if len(out) > settings.ORGS_IMPORT_MAX_ROWS:
            raise DomainError(_("The file has more than %(n)d rows.") % {"n": settings.ORGS_IMPORT_MAX_ROWS},
                              code="import_too_long", field="file")
    if header is None:
        raise DomainError(_("The file is empty."), code="import_empty", field="file")
    return out


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Excel saves as CSV on Chinese Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError(_("The CSV file is neither UTF-8 nor GB18030 text."), code="import_encoding",
                          field="file")


def read_file(name: str, fileobj) -> list[RawRow]:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "csv":
        text = decode_csv(fileobj.read())
        return _rows_from_matrix(csv.reader(io.StringIO(text, newline="")))
    if ext == "xlsx":
        try:
            wb = load_workbook(fileobj, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise DomainError(_("This is not a readable .xlsx file."), code="import_unreadable", field="file")
        try:
            return _rows_from_matrix(wb.worksheets[0].iter_rows(values_only=True))
        finally:
            wb.close()
    raise DomainError(_("Upload an .xlsx or .csv file."), code="import_type", field="file")


# --- validation ------------------------------------------------------------------------------


@dataclass
class PlanRow:
    line: int
    code: str
    name: str
    parent_code: str
    action: str = "create"  # create | update | error
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # cleaned non-empty fields
    moves: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str | Promise:
        kind = self.data.get("kind")
        return OrgKind(kind).label if kind else ""


@dataclass
class Plan:
    rows: list[PlanRow]
    existing: dict[str, dict] = field(default_factory=dict)  # code -> db row (id, path, ...)
    by_path: dict[str, str] = field(default_factory=dict)  # path -> code, for existing orgs read

    @property
    def errors(self) -> list[str]:
        return [e for r in self.rows for e in r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _chunks(items: list, n: int = CHUNK):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _load(codes: Set[str] = frozenset(), paths: Set[str] = frozenset()) -> list[dict]:
    fields = ("id", "code", "path", "depth", "numchild", "is_active")
    out: list[dict] = []
    for part in _chunks(sorted(codes)):
        out += list(Organization.objects.filter(code__in=part).values(*fields))
    for part in _chunks(sorted(paths)):
        out += list(Organization.objects.filter(path__in=part).values(*fields))
    return out


def _clean_row(raw: RawRow) -> PlanRow:
    v = {k: str(val or "").replace("\x00", "").strip() for k, val in raw.values.items()}
    row = PlanRow(raw.line, v.get("code", ""), v.get("name", ""), v.get("parent_code", ""))
    err = row.errors.append
    prefix = _("Row %(line)d: ") % {"line": raw.line}
    if not row.code:
        err(prefix + _("the code is empty"))
    elif len(row.code) > 40:
        err(prefix + _("the code “%(code)s” is longer than 40 characters") % {"code": row.code[:40]})
    else:
        row.data["code"] = row.code
    if not row.name:
        err(prefix + _("the name is empty"))
    for key in TEXT_FIELDS:
        value = v.get(key, "")
        if not value:
            continue
        limit = Organization._meta.get_field(key).max_length
        if len(value) > limit:
            err(prefix + _("“%(col)s” is longer than %(n)d characters") % {"col": COLUMNS[key][0], "n": limit})
        else:
            row.data[key] = value
    if v.get("kind"):
        kind = parse_kind(v["kind"])
        if kind is None:
            err(prefix + _("unknown kind “%(kind)s”") % {"kind": v["kind"]})
        else:
            row.data["kind"] = kind
    if v.get("member_count"):
        text = v["member_count"].replace(",", "").replace("，", "").strip()
        if re.fullmatch(r"\d{1,8}(\.0+)?", text):
            row.data["member_count"] = int(float(text))
        else:
            err(prefix + _("the member count “%(v)s” is not a whole number of 0 or more") % {"v": v["member_count"]})
    if row.parent_code and row.parent_code == row.code:
        err(prefix + _("an organisation cannot be its own parent (cycle)"))
    return row


def validate(actor, raw_rows: list[RawRow]) -> Plan:
    """Check every row against the file itself, the database and the actor's scope."""
    rows = [_clean_row(r) for r in raw_rows]
    plan = Plan(rows)
    superuser = actor.is_superuser
    admin_paths = scopes_for(actor).admin_org_paths

    def in_scope(path: str) -> bool:
        return superuser or any(path.startswith(p) for p in admin_paths)

    def strictly_below(path: str) -> bool:
        return superuser or any(path.startswith(p) and path != p for p in admin_paths)

    # Duplicates inside the file: the first occurrence wins, the later ones are errors.
    first: dict[str, PlanRow] = {}
    for r in rows:
        if not r.code:
            continue
        if r.code in first:
            r.errors.append(_("Row %(line)d: the code “%(code)s” is repeated (already on row %(first)d)")
                            % {"line": r.line, "code": r.code, "first": first[r.code].line})
        else:
            first[r.code] = r

    # The database, in chunked IN queries: the codes named, then their ancestors (for parents/cycles).
    named = {r.code for r in rows if r.code} | {r.parent_code for r in rows if r.parent_code}
    existing = {d["code"]: d for d in _load(codes=named)}
    step = Organization.steplen
    ancestor_paths = {d["path"][:i] for d in existing.values() for i in range(step, len(d["path"]), step)}
    by_path = {d["path"]: d["code"] for d in existing.values()}
    for d in _load(paths=ancestor_paths - set(by_path)):
        by_path[d["path"]] = d["code"]
        existing.setdefault(d["code"], d)
    plan.existing, plan.by_path = existing, by_path

    def db_parent_code(code: str) -> str | None:
        path = existing[code]["path"]
        return by_path.get(path[:-step]) if len(path) > step else None

    final_parent: dict[str, str | None] = {}
    for r in rows:
        if r.errors and (not r.code or first.get(r.code) is not r):
            r.action = "error"
            continue
        prefix = _("Row %(line)d: ") % {"line": r.line}
        db = existing.get(r.code)
        if db is not None:
            if not in_scope(db["path"]):
                r.errors.append(prefix + _("the code “%(code)s” is already used by an organisation outside your "
                                           "scope") % {"code": r.code})
                continue
            r.action = "update"
        if r.parent_code:
            pdb = existing.get(r.parent_code)
            if r.parent_code in first and first[r.parent_code] is not r:
                if pdb is not None and not in_scope(pdb["path"]):
                    r.errors.append(prefix + _("the parent code “%(code)s” does not exist or is outside your "
                                               "scope") % {"code": r.parent_code})
            elif pdb is None or not in_scope(pdb["path"]):
                r.errors.append(prefix + _("the parent code “%(code)s” does not exist or is outside your scope")
                                % {"code": r.parent_code})
            elif not pdb["is_active"]:
                r.errors.append(prefix + _("the parent “%(code)s” is deactivated") % {"code": r.parent_code})
        if r.action == "create":
            if not r.parent_code and not superuser:
                r.errors.append(prefix + _("the parent code is empty"))
            final_parent[r.code] = r.parent_code or None
        elif r.action == "update":
            assert db is not None  # "update" is set above only for a code found in the database
            current = db_parent_code(r.code)
            if r.parent_code and r.parent_code != current:
                if not strictly_below(db["path"]):
                    r.errors.append(prefix + _("you cannot change the parent of the organisation you administer"))
                r.moves = True
                final_parent[r.code] = r.parent_code
            else:
                final_parent[r.code] = current

    # Cycles: follow each row's final parent chain (file rows override the database).
    def parent_of(code: str) -> str | None:
        if code in final_parent:
            return final_parent[code]
        return db_parent_code(code) if code in existing else None

    safe: set[str] = set()
    for r in rows:
        if r.code not in final_parent:
            continue
        chain: list[str] = []
        seen: set[str] = set()
        cur: str | None = r.code
        while cur is not None and cur not in safe:
            if cur in seen:
                r.errors.append(_("Row %(line)d: the parent chain of “%(code)s” loops back on itself (cycle)")
                                % {"line": r.line, "code": r.code})
                break
            seen.add(cur)
            chain.append(cur)
            cur = parent_of(cur)
        else:
            safe.update(chain)

    # A row whose parent row is in error cannot be applied either; say so.
    bad = {r.code for r in rows if r.errors}
    for r in rows:
        if not r.errors and r.parent_code in bad and r.parent_code in first:
            r.errors.append(_("Row %(line)d: the parent row “%(code)s” has errors")
                            % {"line": r.line, "code": r.parent_code})
        if r.errors:
            r.action = "error"
        elif r.action == "update":
            r.changes = ["parent"] if r.moves else []
    return plan


# --- execution -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    moved: int
    anchor: Organization


_PLAIN = {"CharField", "TextField", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
          "BigIntegerField", "BooleanField", "ForeignKey"}


def fast_insert(model, objs: list, fields: list[str], chunk: int = 1000) -> None:
    """INSERT unsaved instances with executemany: bulk_create spends most of its time preparing
    each value in Python (20,000 organisations took several seconds more). The audit rows go
    through common.audit.record_many (one bulk_create), the only writer of the audit table.
    Values of plain types go as they are; others (dates, JSON, IPs) through the field's own
    get_db_prep_save, so every backend gets what it expects. Signals are not sent, as with bulk_create."""
    cols = [model._meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c.column) for c in cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    plain = [c.get_internal_type() in _PLAIN for c in cols]
    params = [tuple(getattr(o, c.attname) if ok else c.get_db_prep_save(getattr(o, c.attname), connection)
                    for c, ok in zip(cols, plain, strict=True)) for o in objs]
    with connection.cursor() as cur:
        for part in _chunks(params, chunk):
            cur.executemany(sql, part)


_ORG_INSERT = ["path", "depth", "numchild", "name", "short_name", "name_en", "kind", "code", "member_count",
               "contact_name", "contact_phone", "address", "is_active", "created", "updated"]


def execute(actor, plan: Plan) -> ImportResult:
    """Write a validated plan (no errors). Runs inside apply_import's transaction."""
    step = Organization.steplen
    rows = {r.code: r for r in plan.rows}
    existing = plan.existing
    audits: list[audit.AuditRecord] = []

    # 1. New organisations, parents before children, paths computed here.
    creates = [r for r in plan.rows if r.action == "create"]
    depth_of: dict[str, int] = {}

    def order(code: str) -> int:  # distance to an existing org / root, to sort parents first
        if code in depth_of:
            return depth_of[code]
        r = rows.get(code)
        d = 0 if (r is None or r.action != "create" or not r.parent_code) else order(r.parent_code) + 1
        depth_of[code] = d
        return d

    creates.sort(key=lambda r: (order(r.code), r.parent_code, r.code))
    next_pos: dict[str, int] = {}
    new_paths: dict[str, str] = {}
    new_children: dict[str, int] = defaultdict(int)
    for r in creates:
        new_children[r.parent_code] += 1

    def last_pos(parent_path: str | None, depth: int) -> int:
        qs = (Organization.objects.filter(depth=depth + 1, path__startswith=parent_path) if parent_path
              else Organization.objects.filter(depth=1))
        last = qs.order_by("-path").values_list("path", flat=True).first()
        return Organization._str2int(last[-step:]) if last else 0

    objs: list[Organization] = []
    for r in creates:
        parent_path = (new_paths.get(r.parent_code) or existing[r.parent_code]["path"]) if r.parent_code else ""
        key = parent_path or "<root>"
        if key not in next_pos:
            is_new = r.parent_code in new_paths
            next_pos[key] = 0 if is_new else last_pos(parent_path or None, len(parent_path) // step)
        next_pos[key] += 1
        path = Organization._get_path(parent_path or None, len(parent_path) // step + 1, next_pos[key])
        new_paths[r.code] = path
        data = {"kind": OrgKind.GRASSROOTS, **r.data, "name": r.name}
        objs.append(Organization(path=path, depth=len(path) // step, numchild=new_children.get(r.code, 0), **data))
    now = timezone.now()
    for o in objs:
        o.created = o.updated = now
    fast_insert(Organization, objs, _ORG_INSERT)
    ids: dict[str, int] = {}
    for part in _chunks([o.code for o in objs]):
        ids.update(Organization.objects.filter(code__in=part).values_list("code", "id"))
    for o in objs:
        o.pk = ids[o.code]
    for o in objs:
        audits.append(audit.AuditRecord("org.create", o,
                                        after={f: getattr(o, f) for f in services.EDITABLE_FIELDS} | {"path": o.path}))
    for parent_code, n in new_children.items():
        if parent_code and parent_code not in new_paths:
            Organization.objects.filter(pk=existing[parent_code]["id"]).update(numchild=F("numchild") + n)

    # 2. Field updates of existing organisations, in bulk.
    updates = [r for r in plan.rows if r.action == "update"]
    changed_objs: list[Organization] = []
    upd_ids = [existing[r.code]["id"] for r in updates]
    current: dict[int, Organization] = {}
    changed_fields: set[str] = set()
    for part in _chunks(upd_ids):
        current.update(Organization.objects.in_bulk(part))
    for r in updates:
        o = current[existing[r.code]["id"]]
        before, after = {}, {}
        for key, value in {**r.data, "name": r.name}.items():
            if getattr(o, key) != value:
                before[key], after[key] = getattr(o, key), value
                changed_fields.add(key)
                setattr(o, key, value)
        if after:
            changed_objs.append(o)
            audits.append(audit.AuditRecord("org.update", o, before=before, after=after))
    if changed_objs:
        for o in changed_objs:
            o.updated = now
        Organization.objects.bulk_update(changed_objs, sorted(changed_fields | {"updated"}), batch_size=500)

    # 3. Moves, shallowest final position first so every target already sits where it ends up.
    moves = [r for r in updates if r.moves]

    def final_depth(code: str, guard: int = 0) -> int:
        r = rows.get(code)
        parent = r.parent_code if r is not None and r.parent_code else None
        if parent is None:
            path = existing[code]["path"] if code in existing else new_paths[code]
            return len(path) // step
        return final_depth(parent, guard + 1) + 1 if guard < 64 else 64

    moves.sort(key=lambda r: final_depth(r.code))
    for r in moves:
        org = Organization.objects.get(pk=existing[r.code]["id"])
        target = Organization.objects.get(code=r.parent_code)
        before = org.path
        org = services._move(org, target)
        audits.append(audit.AuditRecord("org.move", org, before={"path": before},
                                        after={"parent": target.path, "path": org.path}))
    audit.record_many(audits, actor=actor)

    anchor_id = (objs[0].pk if objs else upd_ids[0]) if (objs or upd_ids) else None
    anchor = Organization.objects.get(pk=anchor_id) if anchor_id else Organization.objects.get_first_root_node()
    if not actor.is_superuser:
        roots = scopes_for(actor).admin_org_paths
        root_path = next((p for p in roots if anchor and anchor.path.startswith(p)), None)
        if root_path:
            anchor = Organization.objects.get(path=root_path)
    return ImportResult(created=len(objs), updated=len(changed_objs), moved=len(moves), anchor=anchor)


def build_template() -> bytes:
    """The downloadable template (.xlsx made with xlsxwriter): the header row and a sheet of notes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("组织")
    bold = wb.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1})
    text = wb.add_format({"num_format": "@"})
    for i, title in enumerate(TEMPLATE_COLUMNS):
        ws.write_string(0, i, title, bold)
        ws.set_column(i, i, 16 if i != 1 else 30, text)
    ws.freeze_panes(1, 0)
    ws.data_validation(1, 3, 50000, 3, {"validate": "list", "source": list(KIND_DISPLAY.values()),
                                        "ignore_blank": True, "error_type": "warning"})
    notes = wb.add_worksheet("说明")
    lines = [
        "每行一个组织。编码、名称必填；新建组织还须填写上级编码。",
        "编码已存在的行更新该组织；不存在的行新建组织。上级编码可以是已有组织，也可以是本文件中的其他行。",
        "只能导入您管辖范围内的组织。任何一行有错误时，整个文件都不会导入。",
        "更新时留空的列保持原值不变。会员数为 0 或正整数。",
        "类型可填：" + "、".join(KIND_DISPLAY.values()),
        "文件格式：.xlsx，或 UTF-8 / GB18030 编码的 .csv。",
    ]
    for i, line in enumerate(lines):
        notes.write_string(i, 0, line)
    notes.set_column(0, 0, 100)
    wb.close()
    return buf.getvalue()
