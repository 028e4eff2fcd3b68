import pytest
from django.urls import reverse

from tests import factories as f
from tests.orgs.builders import upload
from zhengji.accounts.models import RoleAssignment
from zhengji.orgs.models import Invite, Membership, MembershipStatus, Organization
from zhengji.orgs.roles import OrgRole

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"orgs:{name}", args=args)


def test_anonymous_is_sent_to_login(client, tree):
    for u in (url("index"), url("detail", tree["yian"].pk), url("import")):
        r = client.get(u)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_worker_gets_403(client, tree, worker):
    client.force_login(worker)
    for u in (url("index"), url("detail", tree["ya1"].pk), url("members", tree["ya1"].pk), url("import"),
              url("import_template")):
        assert client.get(u).status_code == 403
    assert client.post(url("add_child", tree["ya1"].pk), {"name": "x", "code": "x"}).status_code == 403


def test_wrong_method_is_405(yian_client, tree):
    assert yian_client.get(url("deactivate", tree["ya1"].pk)).status_code == 405
    assert yian_client.get(url("invite_create", tree["ya1"].pk)).status_code == 405
    assert yian_client.post(url("children", tree["ya1"].pk)).status_code == 405


def test_index_shows_own_subtree_and_lazy_children(yian_client, tree):
    r = yian_client.get(url("index"))
    html = r.content.decode()
    assert r.status_code == 200 and "义安区总工会" in html and "郊区总工会" not in html
    assert url("children", tree["yian"].pk) in html  # htmx lazy load
    r = yian_client.get(url("children", tree["yian"].pk), HTTP_HX_REQUEST="true")
    assert "义安区某公司工会" in r.content.decode() and "<html" not in r.content.decode()


def test_search_is_scoped(yian_client, tree):
    html = yian_client.get(url("index"), {"q": "工会"}).content.decode()
    assert "义安区某学校工会" in html and "郊区某厂工会" not in html
    assert "铜陵市总工会 › 义安区总工会" in html or "义安区总工会" in html
    html = yian_client.get(url("index"), {"q": "AH-TL-JQ"}).content.decode()
    assert "郊区" not in html.split('id="search-results"')[1].split("</ul>")[0]


def test_superuser_sees_the_whole_tree(client, tree):
    su = f.user(is_superuser=True)
    client.force_login(su)
    html = client.get(url("index")).content.decode()
    assert "安徽省总工会" in html
    assert client.get(url("detail", tree["jq1"].pk)).status_code == 200


def test_isolation_yian_admin_vs_jiao_objects(yian_client, tree, worker):
    jq1, jiao = tree["jq1"], tree["jiao"]
    m = Membership.objects.create(user=worker, org=jq1)
    inv = Invite.objects.create(org=jq1, code="JIAOCODE")
    ra = f.grant(f.user(), OrgRole.UNIT_ADMIN, org=jq1)
    gets = [url("detail", jq1.pk), url("children", jiao.pk), url("edit", jq1.pk), url("move", jq1.pk),
            url("members", jq1.pk), url("add_child", jiao.pk)]
    for u in gets:
        assert yian_client.get(u).status_code == 404, u
    posts = [(url("edit", jq1.pk), {"name": "x", "code": "AH-TL-JQ-01", "kind": "grassroots", "member_count": 1}),
             (url("move", jq1.pk), {"target_code": "AH-TL-YA"}), (url("deactivate", jq1.pk), {}),
             (url("reactivate", jq1.pk), {}), (url("decide", jq1.pk, m.pk), {"confirm": "1"}),
             (url("invite_create", jq1.pk), {}), (url("invite_revoke", jq1.pk, inv.pk), {}),
             (url("admin_appoint", jq1.pk), {"phone": worker.phone}), (url("admin_revoke", jq1.pk, ra.pk), {}),
             (url("add_child", jiao.pk), {"name": "x", "code": "NEW", "kind": "grassroots", "member_count": 0})]
    for u, data in posts:
        assert yian_client.post(u, data).status_code == 404, u
    # Objects of 郊区 reached through a 义安区 URL are not found either.
    assert yian_client.post(url("decide", tree["ya1"].pk, m.pk), {"confirm": "1"}).status_code == 404
    assert yian_client.post(url("invite_revoke", tree["ya1"].pk, inv.pk)).status_code == 404
    jq1.refresh_from_db()
    m.refresh_from_db()
    inv.refresh_from_db()
    assert jq1.name == "郊区某厂工会" and jq1.is_active and jq1.is_within(jiao)
    assert m.status == MembershipStatus.PENDING and not inv.revoked
    assert RoleAssignment.objects.filter(pk=ra.pk).exists()
    assert not Organization.objects.filter(code="NEW").exists()


def test_detail_shows_profile_children_admins_and_stats(yian_client, tree, yian_admin):
    html = yian_client.get(url("detail", tree["yian"].pk)).content.decode()
    assert "义安区某公司工会" in html and "AH-TL-YA" in html and yian_admin.phone in html
    assert "200" in html  # members in the subtree: 120 + 80
    assert url("move", tree["yian"].pk) not in html  # own org: no move
    html = yian_client.get(url("detail", tree["ya1"].pk)).content.decode()
    assert url("move", tree["ya1"].pk) in html and url("deactivate", tree["ya1"].pk) in html


def test_create_child_edit_and_errors_keep_input(yian_client, tree):
    data = {"name": "新分会", "code": "AH-TL-JQ-01", "kind": "grassroots", "member_count": "5",
            "contact_name": "王五"}
    r = yian_client.post(url("add_child", tree["ya1"].pk), data)
    html = r.content.decode()
    assert r.status_code == 200 and "已被使用" in html and 'value="王五"' in html and 'value="新分会"' in html
    data["code"] = "YA-01-NEW"
    r = yian_client.post(url("add_child", tree["ya1"].pk), data)
    child = Organization.objects.get(code="YA-01-NEW")
    assert r.status_code == 302 and r["Location"] == url("detail", child.pk) and child.is_within(tree["ya1"])
    r = yian_client.post(url("edit", child.pk), {**data, "member_count": "-1"})
    assert r.status_code == 200 and 'value="-1"' in r.content.decode()
    r = yian_client.post(url("edit", child.pk), {**data, "name": "改名分会", "address": "铜陵市义安区"})
    child.refresh_from_db()
    assert r.status_code == 302 and child.name == "改名分会" and child.address == "铜陵市义安区"


def test_move_and_deactivate_via_pages(client, tree):
    city_admin = f.unit_admin(tree["city"])
    client.force_login(city_admin)
    r = client.post(url("move", tree["ya1"].pk), {"target_code": "AH-TL-YA-01"})
    assert r.status_code == 200 and "自己的下级" in r.content.decode()
    r = client.post(url("move", tree["ya1"].pk), {"target_code": "AH"})  # outside the city admin's scope
    assert r.status_code == 200 and "管辖范围内没有" in r.content.decode()
    r = client.post(url("move", tree["ya1"].pk), {"target_code": "AH-TL-JQ"})
    assert r.status_code == 302
    assert Organization.objects.get(pk=tree["ya1"].pk).is_within(tree["jiao"])
    assert client.post(url("deactivate", tree["yian"].pk)).status_code == 302
    assert not Organization.objects.get(pk=tree["ya2"].pk).is_active
    assert client.post(url("reactivate", tree["yian"].pk)).status_code == 302
    assert Organization.objects.get(pk=tree["yian"].pk).is_active


def test_admin_cannot_move_or_deactivate_own_org(yian_client, tree):
    assert yian_client.get(url("move", tree["yian"].pk)).status_code == 403
    assert yian_client.post(url("deactivate", tree["yian"].pk)).status_code == 403
    assert Organization.objects.get(pk=tree["yian"].pk).is_active


def test_members_pending_first_full_phone_and_decisions(yian_client, tree):
    old = Membership.objects.create(user=f.user(phone="13700000001"), org=tree["ya1"],
                                    status=MembershipStatus.CONFIRMED)
    pending = Membership.objects.create(user=f.user(phone="13700000002"), org=tree["ya1"])
    html = yian_client.get(url("members", tree["ya1"].pk)).content.decode()
    assert html.index("13700000002") < html.index("13700000001")  # pending first, phones in full
    r = yian_client.post(url("decide", tree["ya1"].pk, pending.pk), {"confirm": "1"})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.CONFIRMED
    yian_client.post(url("decide", tree["ya1"].pk, old.pk), {"confirm": "0"})
    old.refresh_from_db()
    assert old.status == MembershipStatus.REJECTED


def test_invites_create_show_link_and_revoke(yian_client, tree):
    r = yian_client.post(url("invite_create", tree["ya1"].pk), {"max_uses": "10", "days": "7"})
    assert r.status_code == 302
    inv = Invite.objects.get(org=tree["ya1"])
    assert inv.max_uses == 10 and inv.expires_at is not None
    html = yian_client.get(url("members", tree["ya1"].pk)).content.decode()
    assert inv.code in html and f"/accounts/join/{inv.code}/" in html
    yian_client.post(url("invite_revoke", tree["ya1"].pk, inv.pk))
    inv.refresh_from_db()
    assert inv.revoked
    r = yian_client.post(url("invite_create", tree["ya1"].pk), {"max_uses": "0"})
    assert r.status_code == 302 and Invite.objects.filter(org=tree["ya1"]).count() == 1


def test_appoint_and_revoke_admin_pages(yian_client, tree):
    other = f.user(phone="13600000001")
    yian_client.post(url("admin_appoint", tree["ya2"].pk), {"phone": "13600000001"})
    ra = RoleAssignment.objects.get(user=other, role=OrgRole.UNIT_ADMIN)
    assert ra.scope == tree["ya2"]
    r = yian_client.post(url("admin_appoint", tree["ya2"].pk), {"phone": "13600000009"}, follow=True)
    assert "没有用该手机号注册的用户" in r.content.decode()
    yian_client.post(url("admin_revoke", tree["ya2"].pk, ra.pk))
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_import_preview_then_apply(yian_client, tree):
    rows = [["YA-30", "导入工会甲", "", "基层工会", "AH-TL-YA", "30", "", ""],
            ["YA-31", "导入工会乙", "", "基层工会", "YA-30", "10", "", ""]]
    r = yian_client.post(url("import"), {"file": upload(rows, "xlsx")})
    assert r.status_code == 302
    preview = r["Location"]
    html = yian_client.get(preview).content.decode()
    assert "导入工会甲" in html and 'id="import-apply"' in html
    assert not Organization.objects.filter(code="YA-30").exists()  # preview changes nothing
    r = yian_client.post(preview)
    assert r.status_code == 302
    assert Organization.objects.get(code="YA-31").is_within(Organization.objects.get(code="YA-30"))
    assert yian_client.get(preview).status_code == 404  # the file is gone after applying


def test_import_with_bad_rows_lists_them_and_changes_nothing(yian_client, tree):
    rows = [["YA-40", "好的", "", "基层工会", "AH-TL-YA", "1", "", ""],
            ["YA-41", "越权", "", "基层工会", "AH-TL-JQ", "1", "", ""],
            ["AH-TL-JQ-02", "改郊区医院", "", "", "", "", "", ""]]
    r = yian_client.post(url("import"), {"file": upload(rows)})
    preview = r["Location"]
    html = yian_client.get(preview).content.decode()
    assert "第3行：上级编码“AH-TL-JQ”不存在或不在您的管辖范围内" in html
    assert "第4行" in html and 'id="import-apply"' not in html
    r = yian_client.post(preview, follow=True)
    assert "未导入任何内容" in r.content.decode()
    assert not Organization.objects.filter(code__in=["YA-40", "YA-41"]).exists()
    assert Organization.objects.get(code="AH-TL-JQ-02").name == "郊区某医院工会"


def test_import_tokens_are_per_user(client, yian_client, tree, jiao_admin):
    r = yian_client.post(url("import"), {"file": upload([["YA-50", "x", "", "", "AH-TL-YA", "", "", ""]])})
    preview = r["Location"]
    client.force_login(jiao_admin)
    assert client.get(preview).status_code == 404
    assert client.post(preview).status_code == 404
    assert client.get(url("import_preview", "..%2F..%2Fetc.csv")).status_code == 404


def test_unreadable_upload_rerenders_with_message(yian_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = yian_client.post(url("import"), {"file": SimpleUploadedFile("x.xlsx", b"garbage")})
    assert r.status_code == 200 and "无法读取" in r.content.decode()
    r = yian_client.post(url("import"), {"file": SimpleUploadedFile("x.txt", b"garbage")})
    assert r.status_code == 200 and ".xlsx" in r.content.decode()


def test_template_download(yian_client):
    r = yian_client.get(url("import_template"))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "spreadsheetml" in r["Content-Type"]


def test_upload_waits_in_the_private_dir_and_old_ones_are_pruned(yian_client, tree, settings):
    import os
    import time

    r = yian_client.post(url("import"), {"file": upload([["YA-60", "x", "", "", "AH-TL-YA", "", "", ""]])})
    token = r["Location"].rstrip("/").rsplit("/", 1)[1]
    folder = settings.ORGS_IMPORT_DIR / str(yian_client.session["_auth_user_id"])
    stored = folder / token
    assert stored.exists() and not (settings.MEDIA_ROOT / "orgs-import").exists()
    old = time.time() - 3 * 24 * 3600
    os.utime(stored, (old, old))
    yian_client.post(url("import"), {"file": upload([["YA-61", "y", "", "", "AH-TL-YA", "", "", ""]])})
    assert not stored.exists()
    assert len([p for p in folder.iterdir() if not p.name.endswith(".name")]) == 1  # only the new upload
