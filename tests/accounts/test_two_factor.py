"""TOTP two-factor login for staff, with real codes computed here (RFC 6238)."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from zhengji.accounts import services
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.orgs.roles import OrgRole

from .helpers import totp_now

pytestmark = pytest.mark.django_db
PW = "Guanli-2025!"


@pytest.fixture
def staff(tree):
    u = f.user(phone="13611112222", password=PW)
    f.grant(u, OrgRole.UNIT_ADMIN, org=tree["yian"])
    return u


def enable(client, user) -> bytes:
    client.force_login(user)
    r = client.post(reverse("accounts:two_factor"), {"action": "start"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "<svg" in body  # the QR code is inline SVG
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', body).group(1)
    import base64

    assert base64.b32decode(secret) == device.bin_key
    r = client.post(reverse("accounts:two_factor"), {"action": "confirm", "token": totp_now(device.bin_key)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return device.bin_key


def next_window():
    """The code used to confirm the device is spent (no replay): move to the next 30 s step."""
    return time_machine.travel(time.time() + 31, tick=True)


def test_enable_requires_right_code(client, staff):
    client.force_login(staff)
    client.post(reverse("accounts:two_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=staff)
    wrong = f"{(int(totp_now(device.bin_key)) + 1) % 1000000:06d}"
    r = client.post(reverse("accounts:two_factor"), {"action": "confirm", "token": wrong})
    assert r.status_code == 400 and "验证码不正确" in r.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_totp_login(client, staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the right one
    key = enable(client, staff)
    with next_window():
        login_with_token(client, staff, key)


def login_with_token(client, staff, key):
    r = client.post(reverse("accounts:login"), {"phone": staff.phone, "password": PW, "next": "/accounts/join/"})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login_verify")
    assert "_auth_user_id" not in client.session  # the password alone does not log in
    assert client.get(reverse("accounts:centre")).status_code == 302
    r = client.get(reverse("accounts:login_verify"))
    assert r.status_code == 200 and "身份验证器" in r.content.decode()
    # A wrong code is refused.
    wrong = f"{(int(totp_now(key)) + 500000) % 1000000:06d}"
    r = client.post(reverse("accounts:login_verify"), {"token": wrong})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client.post(reverse("accounts:login_verify"), {"token": totp_now(key)})
    assert r.status_code == 302 and r["Location"] == "/accounts/join/"
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.session.get("otp_device_id")  # django-otp marks the session verified


def test_totp_code_cannot_be_replayed(client, staff):
    key = enable(client, staff)
    with next_window():
        code = totp_now(key)
        client.post(reverse("accounts:login"), {"phone": staff.phone, "password": PW})
        assert client.post(reverse("accounts:login_verify"), {"token": code}).status_code == 302
        client.logout()
        client.post(reverse("accounts:login"), {"phone": staff.phone, "password": PW})
        r = client.post(reverse("accounts:login_verify"), {"token": code})
        assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_login_verify_without_pending_login(client):
    r = client.get(reverse("accounts:login_verify"))
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")


def test_login_verify_expires(client, staff, settings):
    key = enable(client, staff)
    client.post(reverse("accounts:login"), {"phone": staff.phone, "password": PW})
    session = client.session
    session["zj_pending_2fa"]["at"] = time.time() - settings.TWO_FACTOR_PENDING_SECONDS - 1
    session.save()
    r = client.post(reverse("accounts:login_verify"), {"token": totp_now(key)})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_disable_needs_password(client, staff):
    enable(client, staff)
    client.force_login(staff)
    r = client.post(reverse("accounts:two_factor_disable"), {"password": "wrong"})
    assert r.status_code == 400 and TOTPDevice.objects.filter(user=staff).exists()
    r = client.post(reverse("accounts:two_factor_disable"), {"password": PW})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(user=staff).exists()
    # Now the password alone logs in.
    client.logout()
    r = client.post(reverse("accounts:login"), {"phone": staff.phone, "password": PW})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:centre")
    assert client.get(reverse("accounts:two_factor_disable")).status_code == 405


def test_workers_cannot_enable(client):
    worker = f.user()
    client.force_login(worker)
    r = client.get(reverse("accounts:two_factor"))
    assert r.status_code == 403
    assert client.post(reverse("accounts:two_factor"), {"action": "start"}).status_code == 403
    with pytest.raises(NotPermitted):
        services.start_totp(worker)


def test_superuser_may_enable(client):
    su = f.user(is_superuser=True)
    client.force_login(su)
    assert client.get(reverse("accounts:two_factor")).status_code == 200


def test_two_factor_bad_action(client, staff):
    client.force_login(staff)
    assert client.post(reverse("accounts:two_factor"), {"action": "nonsense"}).status_code == 400
    assert client.put(reverse("accounts:two_factor")).status_code == 405


def test_cannot_start_twice(staff):
    device = services.start_totp(staff)
    services.confirm_totp(staff, totp_now(device.bin_key))
    with pytest.raises(DomainError):
        services.start_totp(staff)


def test_centre_shows_2fa_status(client, staff):
    client.force_login(staff)
    assert "工作人员账号应开启双重验证登录" in client.get(reverse("accounts:centre")).content.decode()
    enable(client, staff)
    client.force_login(staff)
    body = client.get(reverse("accounts:centre")).content.decode()
    assert 'id="totp-status">已开启' in body
