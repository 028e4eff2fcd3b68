"""Fill the zh_Hans catalogue from the table below (run after makemessages)."""

import re
import sys
from pathlib import Path

ZH = {
    "name": "名称", "short name": "简称", "English name": "英文名称", "kind": "类型", "code": "编码",
    "member count": "会员数", "contact person": "联系人", "contact phone": "联系电话", "address": "地址",
    "Code of the new parent organisation": "新上级组织的编码",
    "Mobile number of the new admin": "新管理员的手机号",
    "Enter a valid mainland mobile number (11 digits).": "请输入有效的 11 位大陆手机号。",
    "Maximum uses (empty: unlimited)": "最多使用次数（留空为不限）",
    "Valid for days (empty: no expiry)": "有效天数（留空为长期有效）",
    "Spreadsheet (.xlsx or .csv)": "表格文件（.xlsx 或 .csv）",
    "Upload an .xlsx or .csv file.": "请上传 .xlsx 或 .csv 文件。",
    "The file is larger than %(n)d MB.": "文件超过 %(n)d MB。",
    "The first row must name the columns; missing: %(cols)s.": "第一行须为列名；缺少：%(cols)s。",
    "The file has more than %(n)d rows.": "文件超过 %(n)d 行。",
    "The file is empty.": "文件是空的。",
    "The CSV file is neither UTF-8 nor GB18030 text.": "CSV 文件既不是 UTF-8 也不是 GB18030 编码。",
    "This is not a readable .xlsx file.": "无法读取该 .xlsx 文件。",
    "Row %(line)d: ": "第%(line)d行：",
    "the code is empty": "编码为空",
    "the code “%(code)s” is longer than 40 characters": "编码“%(code)s”超过 40 个字符",
    "the name is empty": "名称为空",
    "“%(col)s” is longer than %(n)d characters": "“%(col)s”超过 %(n)d 个字符",
    "unknown kind “%(kind)s”": "类型“%(kind)s”无法识别",
    "the member count “%(v)s” is not a whole number of 0 or more": "会员数“%(v)s”不是 0 或正整数",
    "an organisation cannot be its own parent (cycle)": "组织不能以自身为上级（循环）",
    "Row %(line)d: the code “%(code)s” is repeated (already on row %(first)d)":
        "第%(line)d行：编码“%(code)s”重复（第%(first)d行已出现）",
    "the code “%(code)s” is already used by an organisation outside your scope":
        "编码“%(code)s”已被您管辖范围以外的组织使用",
    "the parent code “%(code)s” does not exist or is outside your scope":
        "上级编码“%(code)s”不存在或不在您的管辖范围内",
    "the parent “%(code)s” is deactivated": "上级组织“%(code)s”已停用",
    "the parent code is empty": "上级编码为空",
    "you cannot change the parent of the organisation you administer": "不能更改您所管理组织本身的上级",
    "Row %(line)d: the parent chain of “%(code)s” loops back on itself (cycle)":
        "第%(line)d行：“%(code)s”的上级关系形成循环",
    "Row %(line)d: the parent row “%(code)s” has errors": "第%(line)d行：上级“%(code)s”所在行有错误",
    "This organisation is no longer active.": "该组织已停用。",
    "This invite code is not valid.": "邀请码无效。",
    "This invite code has expired.": "邀请码已过期。",
    "This invite code has been used up.": "邀请码的使用次数已满。",
    "You do not administer this organisation.": "您不是该组织的管理员。",
    "Your membership of %(org)s was confirmed.": "您加入%(org)s的申请已确认。",
    "Your request to join %(org)s was declined.": "您加入%(org)s的申请未获通过。",
    "Province federation": "省总工会", "City federation": "市总工会",
    "County/district federation": "县（区）总工会", "Industry union": "产业工会",
    "Union directly under the city": "市总直属工会", "Grassroots union": "基层工会", "Other": "其他",
    "active": "启用", "organisation": "组织", "organisations": "组织",
    "Awaiting confirmation": "待确认", "Confirmed": "已确认", "Declined": "已拒绝", "status": "状态",
    "membership": "会员关系", "memberships": "会员关系", "invite code": "邀请码", "expires": "到期",
    "maximum uses": "最多使用次数",
    "Unknown field: %(f)s": "未知字段：%(f)s",
    "The member count must be a whole number.": "会员数必须是整数。",
    "The member count cannot be negative.": "会员数不能为负数。",
    "The member count is too large.": "会员数过大。",
    "This value contains characters that are not allowed.": "内容含有不允许的字符。",
    "This value is too long (at most %(n)d characters).": "内容过长（最多 %(n)d 个字符）。",
    "The name is required.": "请填写名称。", "The code is required.": "请填写编码。",
    "The code %(code)s is already in use.": "编码 %(code)s 已被使用。",
    "Unknown kind of organisation.": "组织类型无法识别。",
    "The name and the code are required.": "名称和编码为必填项。",
    "You may only move organisations below your own.": "只能调整您所在组织以下的组织。",
    "The target organisation was not found.": "未找到目标组织。",
    "An organisation cannot be moved into its own subtree.": "不能把组织移到它自己的下级中。",
    "The target organisation is no longer active.": "目标组织已停用。",
    "You may only deactivate organisations below your own.": "只能停用您所在组织以下的组织。",
    "You may only reactivate organisations below your own.": "只能恢复您所在组织以下的组织。",
    "Reactivate the parent organisation first.": "请先恢复上级组织。",
    "No user is registered with this mobile number.": "没有用该手机号注册的用户。",
    "Not found.": "未找到。",
    "You do not administer any organisation.": "您不是任何组织的管理员。",
    "The file has errors; nothing was imported.": "文件有错误，未导入任何内容。",
    "The tree changed while importing; please try again.": "导入期间组织树发生了变化，请重试。",
    "Loading…": "加载中……",
    "Breadcrumb": "导航路径", "Organisations": "组织管理", "Show more": "显示更多", "Link": "链接",
    "used %(n)s times": "已使用 %(n)s 次", "Revoke": "撤销", "No invite codes.": "暂无邀请码。",
    "Create an invite code": "生成邀请码", "Show the units under %(name)s": "展开%(name)s的下级单位",
    "%(n)s members": "会员 %(n)s 人", "%(n)s sub-units": "下级 %(n)s 个", "Deactivated": "已停用",
    "Pages": "分页", "Previous": "上一页", "Next": "下一页", "Edit": "编辑",
    "Add a sub-organisation": "新增下级组织", "Members": "会员", "Move": "调整隶属",
    "Deactivate": "停用", "Reactivate": "恢复", "Profile": "基本信息", "Registered members": "已注册会员",
    "%(n)s awaiting confirmation": "%(n)s 人待确认", "This subtree": "本级及下级合计",
    "Active organisations": "启用的组织", "Grassroots unions": "基层工会", "Members in total": "会员总数",
    "Sub-organisations": "下级组织", "None.": "无。", "Admins": "管理员", "No admin appointed.": "尚未任命管理员。",
    "Appoint admin": "任命管理员", "Invite codes": "邀请码",
    "Add a sub-organisation to %(name)s": "为%(name)s新增下级组织", "Edit %(name)s": "编辑%(name)s",
    "Save": "保存", "Cancel": "取消", "Import preview": "导入预览", "Import": "导入", "Preview": "预览",
    "%(n_create)s to create, %(n_update)s to update, %(n_error)s with errors.":
        "新建 %(n_create)s 个，更新 %(n_update)s 个，有错误 %(n_error)s 行。",
    "Fix these rows and upload the file again; nothing will be imported while any row has an error.":
        "请修改以下各行后重新上传；只要有一行出错，整个文件都不会导入。",
    "… and %(n)s more rows with errors.": "……另有 %(n)s 行有错误。",
    "Upload a corrected file": "上传修改后的文件", "Apply the import": "确认导入", "Rows of the file": "文件各行",
    "Row": "行号", "Action": "操作", "Parent code": "上级编码", "Create": "新建", "Update": "更新", "Error": "错误",
    "Import organisations": "导入组织",
    "Columns: code, name, short name, kind, parent code, member count, contact person, contact phone. Rows whose "
    "code exists update that organisation; other rows create one. You will see a preview before anything changes.":
        "列：编码、名称、简称、类型、上级编码、会员数、联系人、联系电话。编码已存在的行更新该组织，其余行新建组织。"
        "正式导入前会先显示预览。",
    "Download the template (.xlsx)": "下载模板（.xlsx）", "Upload and preview": "上传并预览",
    "Import from a spreadsheet": "从表格导入", "Search by name or code": "按名称或编码搜索", "Search": "搜索",
    "%(n)s result": "%(n)s 个结果",
    "Nothing found in your organisations.": "在您管辖的组织中没有找到。", "Your organisation tree": "组织树",
    "No organisations yet.": "暂无组织。", "Members of %(name)s": "%(name)s的会员", "Name": "姓名",
    "mobile number": "手机号", "Since": "申请时间", "Actions": "操作", "Confirm": "确认", "Decline": "拒绝",
    "No members yet.": "暂无会员。",
    "Workers who join with an invite code or link are confirmed at once.": "职工通过邀请码或邀请链接加入时直接确认。",
    "Move %(name)s": "调整%(name)s的隶属关系", "It now belongs to %(p)s.": "目前隶属于%(p)s。",
    "All of its sub-organisations move with it.": "其全部下级组织随之调整。",
    "%(name)s was created.": "已创建%(name)s。", "The changes were saved.": "修改已保存。",
    "No organisation with this code in your scope.": "您的管辖范围内没有该编码的组织。",
    "%(name)s now belongs to %(target)s.": "%(name)s已调整到%(target)s之下。",
    "%(n)d organisation(s) deactivated.": "已停用 %(n)d 个组织。", "%(name)s is active again.": "%(name)s已恢复。",
    "Membership confirmed.": "已确认会员。", "Request declined.": "已拒绝申请。",
    "Invite code %(code)s created.": "已生成邀请码 %(code)s。",
    "Invite code %(code)s revoked.": "已撤销邀请码 %(code)s。",
    "%(user)s is now an admin of %(org)s.": "%(user)s已成为%(org)s的管理员。",
    "The admin role was revoked.": "已撤销管理员职务。",
    "Imported: %(c)d created, %(u)d updated, %(m)d moved.":
        "导入完成：新建 %(c)d 个，更新 %(u)d 个，调整隶属 %(m)d 个。",
}


def esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def main(po: Path) -> int:
    blocks = po.read_text().split("\n\n")
    missing = []
    out = [blocks[0].replace("#, fuzzy\n", "", 1)]
    for b in blocks[1:]:
        if all(line.startswith("#") for line in b.strip().splitlines()) and "#~" in b:
            continue  # obsolete entry
        b = b.replace("#, fuzzy\n", "").replace(", fuzzy", "")
        b = re.sub(r"^#\| .*\n?", "", b, flags=re.M)
        m = re.search(r'^msgid ((?:".*"\n)+)', b + "\n", re.M)
        if not m:
            out.append(b)
            continue
        msgid = "".join(re.findall(r'"(.*)"', m.group(1))).encode().decode("unicode_escape").encode("latin1").decode()
        zh = ZH.get(msgid)
        if zh is None:
            missing.append(msgid)
            out.append(b)
            continue
        if "msgid_plural" in b:
            b = re.sub(r'msgstr\[0\] (?:".*"\n?)+', f'msgstr[0] "{esc(zh)}"\n', b + "\n").rstrip("\n")
        else:
            b = re.sub(r'msgstr (?:".*"\n?)+', f'msgstr "{esc(zh)}"\n', b + "\n").rstrip("\n")
        out.append(b)
    text = "\n\n".join(out).rstrip("\n") + "\n"
    # Chinese has one plural form (nplurals=1): drop the empty second form makemessages writes.
    text = text.replace('msgstr[1] ""\n', "").replace('"Language: \\n"', '"Language: zh_Hans\\n"')
    po.write_text(text)
    for m in missing:
        print("MISSING:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"))
