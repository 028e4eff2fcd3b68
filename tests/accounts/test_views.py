"""Views: register, login (lockout, 2FA), logout, password reset/change, centre, tokens, join."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from zhengji.accounts import services
from zhengji.accounts.models import ApiToken, PhoneCode, User
from zhengji.campaigns.roles import CampaignRole
from zhengji.common import sms
from zhengji.orgs.membership import create_invite
from zhengji.orgs.models import Membership, MembershipStatus
from zhengji.orgs.roles import OrgRole

from .helpers import last_code

pytestmark = pytest.mark.django_db(transaction=True)  # SMS goes out on commit
PHONE = "13812345678"
PW = "Gongren-2025!"


def zh(msgid: str) -> str:
    """A message of another app's catalogue, as the Chinese page shows it."""
    from django.utils.html import escape
    from django.utils.translation import gettext, override

    with override("zh-hans"):
        return escape(gettext(msgid))


# --- registration ------------------------------------------------------------------------------

def test_register_page_renders_in_chinese(client):
    r = client.get(reverse("accounts:register"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "手机号" in body and "发送验证码" in body


def test_register_flow(client):
    r = client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    assert r.status_code == 200
    assert PHONE in r.content.decode()  # typed value kept
    code = last_code(PHONE)
    r = client.post(reverse("accounts:register"), {"phone": PHONE, "code": code, "real_name": "张三",
                                                   "password": PW, "password2": PW, "action": "register"})
    assert r.status_code == 302 and r["Location"] == reverse("join:index")
    u = User.objects.get(phone=PHONE)
    assert u.real_name == "张三" and u.phone_verified
    assert client.get(reverse("accounts:centre")).status_code == 200


def test_register_errors_keep_typed_values(client):
    client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    r = client.post(reverse("accounts:register"), {"phone": PHONE, "code": "999999", "real_name": "张三",
                                                   "password": PW, "password2": "other", "action": "register"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "张三" in body and PHONE in body
    assert not User.objects.filter(phone=PHONE).exists()


def test_register_wrong_code_message(client):
    client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(reverse("accounts:register"), {"phone": PHONE, "code": wrong, "real_name": "张三",
                                                   "password": PW, "password2": PW, "action": "register"})
    assert "验证码错误" in r.content.decode()
    assert PhoneCode.objects.get(phone=PHONE).attempts == 1


def test_register_bad_phone_and_rate_limit_shown(client):
    r = client.post(reverse("accounts:register"), {"phone": "12345", "action": "send_code"})
    assert "有效的" in r.content.decode() and sms.outbox == []
    client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    r = client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    assert r.status_code == 200 and "秒" in r.content.decode()
    assert len(sms.outbox) == 1


def test_register_when_logged_in_redirects(client):
    client.force_login(f.user())
    assert client.get(reverse("accounts:register")).status_code == 302


def test_register_wrong_method(client):
    assert client.put(reverse("accounts:register")).status_code == 405


# --- login / logout / lockout -----------------------------------------------------------------

def test_login_with_phone(client):
    f.user(phone=PHONE, password=PW)
    r = client.post(reverse("accounts:login"), {"phone": PHONE, "password": PW})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:centre")


def test_login_with_username_for_staff(client):
    f.user(username="admin1", password=PW)
    r = client.post(reverse("accounts:login"), {"phone": "admin1", "password": PW, "next": "/orgs/"})
    assert r.status_code == 302 and r["Location"] == "/orgs/"


def test_login_refuses_offsite_next(client):
    f.user(phone=PHONE, password=PW)
    r = client.post(reverse("accounts:login"), {"phone": PHONE, "password": PW, "next": "https://evil.example/"})
    assert r["Location"] == reverse("accounts:centre")


def test_login_wrong_password(client):
    f.user(phone=PHONE, password=PW)
    r = client.post(reverse("accounts:login"), {"phone": PHONE, "password": "nope"})
    assert r.status_code == 200 and "密码错误" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures(client):
    f.user(phone=PHONE, password=PW)
    for _ in range(4):
        r = client.post(reverse("accounts:login"), {"phone": PHONE, "password": "nope"})
        assert r.status_code == 200
    r = client.post(reverse("accounts:login"), {"phone": PHONE, "password": "nope"})
    assert r.status_code == 429
    # Even the right password is refused now, with the translated lockout page.
    r = client.post(reverse("accounts:login"), {"phone": PHONE, "password": PW})
    assert r.status_code == 429
    body = r.content.decode()
    assert "登录失败次数过多" in body and "秒后" in body and r["Retry-After"]  # when to try again
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_login(client):
    f.user(phone=PHONE, password=PW)
    other = f.user(phone="13900000000", password=PW)
    for _ in range(5):
        client.post(reverse("accounts:login"), {"phone": PHONE, "password": "nope"})
    r = client.post(reverse("accounts:login"), {"phone": other.phone, "password": PW})
    assert r.status_code == 302


def test_logout_is_post_only(client):
    client.force_login(f.user())
    assert client.get(reverse("accounts:logout")).status_code == 405
    r = client.post(reverse("accounts:logout"))
    assert r.status_code == 302
    assert "_auth_user_id" not in client.session


# --- password reset and change --------------------------------------------------------------

def test_password_reset_flow(client):
    u = f.user(phone=PHONE)
    r = client.post(reverse("accounts:password_reset"), {"phone": PHONE, "action": "send_code"})
    assert r.status_code == 200
    code = last_code(PHONE)
    r = client.post(reverse("accounts:password_reset"), {"phone": PHONE, "code": code, "new_password": "Xin-mima-2026",
                                                         "new_password2": "Xin-mima-2026", "action": "reset"})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")
    u.refresh_from_db()
    assert u.check_password("Xin-mima-2026")
    # The code cannot be used twice.
    r = client.post(reverse("accounts:password_reset"), {"phone": PHONE, "code": code, "action": "reset",
                                                         "new_password": "Other-pass-2027",
                                                         "new_password2": "Other-pass-2027"})
    assert r.status_code == 200 and "无效" in r.content.decode()


def test_password_reset_unknown_number_looks_the_same(client):
    r = client.post(reverse("accounts:password_reset"), {"phone": "13700000000", "action": "send_code"})
    assert r.status_code == 200 and "验证码已发送" in r.content.decode()
    assert sms.outbox == []


def test_password_change(client):
    u = f.user(phone=PHONE)
    client.force_login(u)
    url = reverse("accounts:password_change")
    r = client.post(url, {"old_password": "bad", "new_password": "Xin-mima-2026", "new_password2": "Xin-mima-2026"})
    assert r.status_code == 400 and "当前密码错误" in r.content.decode()
    r = client.post(url, {"old_password": f.DEFAULT_PASSWORD, "new_password": "Xin-mima-2026",
                          "new_password2": "Xin-mima-2026"})
    assert r.status_code == 302
    u.refresh_from_db()
    assert u.check_password("Xin-mima-2026")
    assert client.get(reverse("accounts:centre")).status_code == 200  # still logged in
    assert client.get(url).status_code == 405


def test_profile_update(client):
    u = f.user(phone=PHONE, real_name="旧名")
    client.force_login(u)
    assert client.post(reverse("accounts:profile"), {"real_name": "新名"}).status_code == 302
    u.refresh_from_db()
    assert u.real_name == "新名"
    assert client.post(reverse("accounts:profile"), {"real_name": ""}).status_code == 400


@pytest.mark.parametrize("name", ["centre", "password_change", "profile", "token_create", "two_factor",
                                  "two_factor_disable", "join:index", "join:search"])
def test_anonymous_redirected_to_login(client, name):
    url = reverse(name if ":" in name else f"accounts:{name}")
    r = client.get(url) if name in ("centre", "two_factor", "join:index", "join:search") else client.post(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


# --- centre ---------------------------------------------------------------------------------------

def test_centre_shows_profile_membership_roles(client, tree):
    u = f.user(phone=PHONE, real_name="王五")
    Membership.objects.create(user=u, org=tree["ya1"], status=MembershipStatus.CONFIRMED)
    f.grant(u, OrgRole.UNIT_ADMIN, org=tree["ya1"])
    client.force_login(u)
    body = client.get(reverse("accounts:centre")).content.decode()
    assert "王五" in body
    assert "138****5678" in body and PHONE not in body
    assert "铜陵市总工会 › 义安区总工会 › 义安区某公司工会" in body
    assert "已确认" in body
    assert "单位管理员" in body
    assert "我的作品" in body


def test_centre_wrong_method(client):
    client.force_login(f.user())
    assert client.post(reverse("accounts:centre")).status_code == 405


def test_centre_query_count_does_not_grow(client, tree, django_assert_max_num_queries):
    u = f.user()
    client.force_login(u)
    for i in range(2):
        services.create_token(u, f"t{i}")
    f.grant(u, OrgRole.UNIT_ADMIN, org=tree["province"])  # one role of each kind: a query per kind, not per row
    f.grant(u, CampaignRole.MODERATOR, campaign=f.campaign(tree["city"]))
    # 17: the review app adds two centre panels (my award certificates, my objections), the public
    # site one (my entries in public), a query each.
    with django_assert_max_num_queries(17) as ctx:
        client.get(reverse("accounts:centre"))
    few = len(ctx.captured_queries)
    for i, org in enumerate(["city", "yian", "jiao", "ya1", "ya2", "jq1", "jq2"]):
        services.create_token(u, f"more{i}")
        f.grant(u, OrgRole.UNIT_ADMIN, org=tree[org])
        f.grant(u, CampaignRole.MODERATOR, campaign=f.campaign(tree["city"]))
    with django_assert_max_num_queries(few) as ctx:
        client.get(reverse("accounts:centre"))


# --- API tokens in the centre -------------------------------------------------------------------

def test_token_create_shows_key_once_and_revoke(client):
    u = f.user()
    client.force_login(u)
    r = client.post(reverse("accounts:token_create"), {"name": "统计脚本"})
    assert r.status_code == 302
    body = client.get(reverse("accounts:centre")).content.decode()
    token = ApiToken.objects.get(user=u)
    import re

    key = re.search(r'id="new-key">([^<]+)<', body).group(1)
    from zhengji.accounts.tokens import hash_key

    assert hash_key(key) == token.key_hash
    assert key not in client.get(reverse("accounts:centre")).content.decode()  # shown once
    # The key works as a bearer token.
    r = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and r.json()["id"] == u.pk
    r = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked
    from django.test import Client

    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_create_needs_name(client):
    client.force_login(f.user())
    assert client.post(reverse("accounts:token_create"), {"name": ""}).status_code == 400


def test_cannot_revoke_other_users_token(client):
    owner = f.user()
    token, _ = services.create_token(owner, "mine")
    client.force_login(f.user())
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert not token.revoked
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


# --- joining a union ----------------------------------------------------------------------------

def test_join_search_shows_paths_htmx(client, tree):
    client.force_login(f.user())
    r = client.get(reverse("join:search"), {"q": "义安区某"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert "<span class=\"org-label\">铜陵市总工会 › 义安区总工会 › 义安区某公司工会</span>" in body
    assert "郊区" not in body
    # Near the top the root stays: a city shows its province.
    body = client.get(reverse("join:search"), {"q": "铜陵"}, HTTP_HX_REQUEST="true").content.decode()
    assert "安徽省总工会 › 铜陵市总工会<" in body


def test_join_search_without_js_renders_page(client, tree):
    client.force_login(f.user())
    r = client.get(reverse("join:index"), {"q": "郊区某厂"})
    assert r.status_code == 200 and "<html" in r.content.decode() and "郊区某厂工会" in r.content.decode()


def test_join_search_hides_inactive(client, tree):
    tree["ya2"].is_active = False
    tree["ya2"].save()
    client.force_login(f.user())
    body = client.get(reverse("join:search"), {"q": "义安区某"}, HTTP_HX_REQUEST="true").content.decode()
    assert "某公司" in body and "某学校" not in body


def test_join_search_query_count_constant(client, tree, django_assert_max_num_queries):
    client.force_login(f.user())
    for i in range(12):
        f.org(f"义安区新单位{i}工会", parent=tree["yian"])
    with django_assert_max_num_queries(6):
        r = client.get(reverse("join:search"), {"q": "义安区"}, HTTP_HX_REQUEST="true")
    # 15 found; 义安区总工会 itself is a federation level: shown, without a join button (issue 8).
    assert r.content.decode().count("name=\"org\"") == 14 and r.content.decode().count("not-grassroots") == 1


def test_join_picker_creates_pending_membership(client, tree):
    u = f.user()
    client.force_login(u)
    r = client.post(reverse("join:index"), {"org": tree["ya1"].pk})
    assert r.status_code == 302
    m = Membership.objects.get(user=u)
    assert m.org == tree["ya1"] and m.status == MembershipStatus.PENDING
    assert "待确认" in client.get(reverse("accounts:centre")).content.decode()


def test_join_bad_org(client, tree):
    client.force_login(f.user())
    assert client.post(reverse("join:index"), {"org": "x"}).status_code == 400
    tree["ya2"].is_active = False
    tree["ya2"].save()
    assert client.post(reverse("join:index"), {"org": tree["ya2"].pk}).status_code == 400


def test_join_by_invite_code(client, tree):
    admin = f.unit_admin(tree["ya1"])
    invite = create_invite(admin, tree["ya1"])
    u = f.user()
    client.force_login(u)
    r = client.post(reverse("join:index"), {"code": "WRONG123"})
    assert r.status_code == 400 and zh("This invite code is not valid.") in r.content.decode()
    r = client.post(reverse("join:index"), {"code": invite.code.lower()})
    assert r.status_code == 302
    assert Membership.objects.get(user=u).status == MembershipStatus.CONFIRMED


def test_join_invite_link(client, tree):
    admin = f.unit_admin(tree["jq1"])
    invite = create_invite(admin, tree["jq1"], max_uses=1)
    url = reverse("join:invite", args=[invite.code])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))
    u = f.user()
    client.force_login(u)
    r = client.get(url)
    assert r.status_code == 200 and "郊区总工会 › 郊区某厂工会" in r.content.decode()
    assert not Membership.objects.filter(user=u).exists()  # GET changes nothing
    assert client.post(url).status_code == 302
    assert Membership.objects.get(user=u).org == tree["jq1"]
    client.force_login(f.user())
    r = client.post(url)
    assert r.status_code == 400 and zh("This invite code has been used up.") in r.content.decode()
    assert client.get(reverse("join:invite", args=["NOPE9999"])).status_code == 404
    assert client.put(url).status_code == 405


# --- methods, next, language --------------------------------------------------------------------

@pytest.mark.parametrize("name,method", [
    ("login", "put"), ("login_verify", "put"), ("register", "put"), ("password_reset", "delete"),
    ("centre", "post"), ("join:index", "put"), ("join:search", "post"), ("profile", "get"), ("password_change", "get"),
    ("token_create", "get"), ("two_factor_disable", "get"), ("two_factor", "delete"),
])
def test_wrong_method_is_405(client, name, method):
    client.force_login(f.unit_admin(f.org("某工会")))
    assert getattr(client, method)(reverse(name if ":" in name else f"accounts:{name}")).status_code == 405


def test_register_from_invite_link_returns_there(client, tree):
    invite = create_invite(f.unit_admin(tree["ya2"]), tree["ya2"])
    link = reverse("join:invite", args=[invite.code])
    r = client.get(link)
    assert r.status_code == 302
    login_page = client.get(r["Location"]).content.decode()
    assert f"?next={link}".replace("/", "%2F") in login_page or f"next={link}" in login_page
    client.post(reverse("accounts:register"), {"phone": PHONE, "action": "send_code"})
    r = client.post(reverse("accounts:register") + f"?next={link}",
                    {"phone": PHONE, "code": last_code(PHONE), "real_name": "张三", "password": PW,
                     "password2": PW, "action": "register", "next": link})
    assert r.status_code == 302 and r["Location"] == link
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user__phone=PHONE).status == MembershipStatus.CONFIRMED


def test_pages_in_english(client):
    client.cookies["django_language"] = "en"
    body = client.get(reverse("accounts:register")).content.decode()
    assert "Send code" in body and "Mobile number" in body


def test_django_admin_logs_in_through_our_login(client):
    r = client.get("/django-admin/")
    assert r.status_code == 302
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))
    assert "next=%2Fdjango-admin%2F" in r["Location"]
    su = f.user(is_superuser=True, is_staff=True)
    client.force_login(su)
    assert client.get("/django-admin/accounts/user/").status_code == 200
