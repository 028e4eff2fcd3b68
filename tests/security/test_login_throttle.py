"""Issue 7 point 2: login throttling per account (growing delay; the owner's known browser is
not locked out) and per address across accounts (password spraying)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings as dj_settings
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from zhengji.accounts import services, throttle
from zhengji.accounts.auth import known_devices
from zhengji.accounts.models import LoginThrottle, PhoneCode
from zhengji.common.audit_log import AuditLog

from ..accounts.helpers import last_code

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "13812345678"
PW = "Gongren-2025!"
LOGIN = reverse("accounts:login")


def post_login(client, phone=PHONE, password="nope", **extra):
    return client.post(LOGIN, {"phone": phone, "password": password}, **extra)


def expire(key: str) -> None:
    """The lock on `key` ran out (as if its time had passed)."""
    LoginThrottle.objects.filter(key=key).update(locked_until=timezone.now() - timedelta(seconds=1))


def lock_seconds(key: str) -> float:
    row = LoginThrottle.objects.get(key=key)
    return (row.locked_until - row.last_failure).total_seconds()


def test_account_backoff_grows_and_is_capped(client):
    u = f.user(phone=PHONE, password=PW)
    key = f"user:{u.pk}"
    for _ in range(4):
        assert post_login(client).status_code == 200
    r = post_login(client)  # the fifth wrong password starts the lock
    assert r.status_code == 429 and int(r["Retry-After"]) in range(25, 31)
    body = r.content.decode()
    assert "登录失败次数过多" in body and "秒" in body
    # While locked, even the right password is refused (not looked at) from an unknown browser.
    r = post_login(Client(), password=PW)
    assert r.status_code == 429 and "_auth_user_id" not in r.client.session
    delays = [lock_seconds(key)]
    for _ in range(5):
        expire(key)
        assert post_login(client).status_code == 429
        delays.append(lock_seconds(key))
    assert delays == [30, 60, 120, 240, 300, 300]


def test_lock_page_in_minutes_and_english(client, settings):
    f.user(phone=PHONE, password=PW)
    settings.LOGIN_FREE_FAILURES = 1
    settings.LOGIN_BACKOFF_SECONDS = 600
    settings.LOGIN_BACKOFF_MAX_SECONDS = 600
    client.cookies["django_language"] = "en"
    r = post_login(client)
    assert r.status_code == 429
    assert "Try again in 10 minutes" in r.content.decode()


def test_known_device_logs_in_while_the_account_is_locked(client):
    u = f.user(phone=PHONE, password=PW)
    # The owner logged in from this browser before: it keeps a signed known-device cookie.
    owner = Client()
    assert post_login(owner, password=PW).status_code == 302
    assert dj_settings.LOGIN_DEVICE_COOKIE in owner.cookies
    owner.post(reverse("accounts:logout"))
    # An attacker (same address, no cookie) locks the account.
    for _ in range(5):
        post_login(client)
    assert post_login(client, password=PW).status_code == 429
    # The owner, with the right password from the known browser, gets in at once.
    r = post_login(owner, password=PW)
    assert r.status_code == 302 and owner.session["_auth_user_id"] == str(u.pk)
    # The attacker is still locked.
    assert post_login(client, password=PW).status_code == 429


def test_known_device_has_its_own_count(client):
    f.user(phone=PHONE, password=PW)
    owner = Client()
    post_login(owner, password=PW)
    for _ in range(4):
        assert post_login(owner).status_code == 200
    # The device's own count ran out: from now on it is judged like any browser; its failures
    # did not count against the account or the address.
    assert post_login(owner).status_code == 200
    assert not LoginThrottle.objects.filter(key__startswith="user:").exists()
    assert LoginThrottle.objects.get(key__startswith="device:").locked_until > timezone.now()
    assert post_login(client, password=PW).status_code == 302


def test_forged_or_foreign_device_cookie_is_not_trusted(client):
    f.user(phone=PHONE, password=PW)
    other = f.user(phone="13900000000", password=PW)
    c = Client()
    post_login(c, phone=other.phone, password=PW)  # a known device, of another account
    for _ in range(5):
        post_login(client)
    assert post_login(c, password=PW).status_code == 429
    forged = Client()
    forged.cookies[dj_settings.LOGIN_DEVICE_COOKIE] = f"{other.pk}:abc"  # unsigned
    assert post_login(forged, password=PW).status_code == 429


def test_password_spraying_from_one_address_is_stopped(client):
    """120 wrong passwords over 30 accounts (4 each, under the per-account limit)."""
    users = [f.user(phone=f"1391234{i:04d}", password=PW) for i in range(30)]
    codes = []
    for _ in range(4):
        for u in users:
            codes.append(post_login(client, phone=u.phone).status_code)
    assert codes[:29] == [200] * 29
    assert set(codes[29:]) == {429}
    assert LoginThrottle.objects.get(key="address:127.0.0.1").failures == 30  # refused ones not even checked
    # Even the right password of an account is refused from that address now ...
    r = post_login(Client(), phone=users[0].phone, password=PW)
    assert r.status_code == 429 and "网络" in r.content.decode()
    # ... but not from another address, nor from a browser its owner used before.
    assert post_login(Client(REMOTE_ADDR="198.51.100.7"), phone=users[0].phone, password=PW).status_code == 302
    assert AuditLog.objects.filter(action="login.address_locked").count() == 1


def test_address_limit_is_not_reset_by_a_success(client, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    mine = f.user(phone=PHONE, password=PW)
    victims = [f.user(phone=f"1391234{i:04d}", password=PW) for i in range(3)]
    post_login(client, phone=victims[0].phone)
    post_login(client, phone=victims[1].phone)
    assert post_login(client, phone=mine.phone, password=PW).status_code == 302  # my own account
    assert post_login(Client(), phone=victims[2].phone).status_code == 429


def test_address_window_passes(client, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 2
    f.user(phone=PHONE, password=PW)
    post_login(client)
    assert post_login(client).status_code == 429
    LoginThrottle.objects.filter(key="address:127.0.0.1").update(
        window_start=timezone.now() - timedelta(hours=1), locked_until=timezone.now() - timedelta(minutes=45))
    assert post_login(client, password=PW).status_code == 302


def test_right_password_clears_the_account_count(client):
    u = f.user(phone=PHONE, password=PW)
    for _ in range(4):
        post_login(client)
    assert post_login(client, password=PW).status_code == 302
    assert not LoginThrottle.objects.filter(key=f"user:{u.pk}").exists()
    Client().post(reverse("accounts:logout"))
    for _ in range(4):
        assert post_login(Client()).status_code == 200  # four more before a lock, not one


def test_old_failures_are_forgotten(client):
    u = f.user(phone=PHONE, password=PW)
    for _ in range(4):
        post_login(client)
    LoginThrottle.objects.filter(key=f"user:{u.pk}").update(last_failure=timezone.now() - timedelta(days=2))
    assert post_login(client).status_code == 200
    assert LoginThrottle.objects.get(key=f"user:{u.pk}").failures == 1


def test_password_reset_by_sms_unlocks_the_account(client):
    u = f.user(phone=PHONE, password=PW)
    for _ in range(5):
        post_login(client)
    assert post_login(client, password=PW).status_code == 429
    services.send_code(PHONE, PhoneCode.Purpose.RESET)
    services.reset_password(PHONE, last_code(PHONE), "Xin-mima-2026")
    assert post_login(client, password="Xin-mima-2026").status_code == 302
    assert AuditLog.objects.filter(action="login.locked", object_id=str(u.pk)).count() == 1


def test_unknown_login_names_are_throttled_alike(client):
    for _ in range(5):
        r = post_login(client, phone="13700000000")
    assert r.status_code == 429
    assert LoginThrottle.objects.filter(key="login:13700000000").exists()
    assert not AuditLog.objects.filter(action__startswith="login.").exists()


def test_username_and_phone_share_one_account_count(client):
    u = f.user(username="admin1", phone=PHONE, password=PW)
    for name in ("admin1", PHONE, "admin1", PHONE, "admin1"):
        r = post_login(client, phone=name)
    assert r.status_code == 429
    assert LoginThrottle.objects.get(key=f"user:{u.pk}").failures == 5


def test_second_factor_sets_the_known_device(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415 (only this test)

    from ..accounts.helpers import totp_now  # noqa: PLC0415 (only this test)

    u = f.user(phone=PHONE, password=PW)
    device = TOTPDevice.objects.create(user=u, name="app", confirmed=True)
    assert post_login(client, password=PW).status_code == 302
    assert dj_settings.LOGIN_DEVICE_COOKIE not in client.cookies  # not before the second factor
    r = client.post(reverse("accounts:login_verify"), {"token": totp_now(device.bin_key)})
    assert r.status_code == 302
    assert client.cookies[dj_settings.LOGIN_DEVICE_COOKIE].value


def test_device_cookie_keeps_a_few_accounts(client):
    users = [f.user(phone=f"1391234{i:04d}", password=PW) for i in range(7)]
    for u in users:
        assert post_login(client, phone=u.phone, password=PW).status_code == 302
    request = RequestFactory().get("/")
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    devices = known_devices(request)
    assert list(devices) == [u.pk for u in reversed(users[-5:])]


def test_cleanup_drops_forgotten_rows(client):
    f.user(phone=PHONE, password=PW)
    post_login(client)
    assert throttle.cleanup() == 0
    LoginThrottle.objects.update(last_failure=timezone.now() - timedelta(days=2))
    assert throttle.cleanup() == 2
    assert not LoginThrottle.objects.exists()


def test_failures_count_exactly_across_concurrent_attempts():
    """Attempts in other processes (threads with their own connections here) never lose a count."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers anyway")
    u = f.user(phone=PHONE, password=PW)
    attempt = throttle.attempt_for(PHONE, "198.51.100.1", {})
    barrier = threading.Barrier(8)

    def fail():
        try:
            barrier.wait()
            throttle.record_failure(attempt)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert LoginThrottle.objects.get(key=f"user:{u.pk}").failures == 8
    assert LoginThrottle.objects.get(key="address:198.51.100.1").failures == 8
