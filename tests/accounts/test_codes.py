"""One-time codes: single use, expiry, attempts, rate limits; registration and reset by code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tests import factories as f
from zhengji.accounts import services
from zhengji.accounts.models import PhoneCode, User
from zhengji.common import sms
from zhengji.common.errors import DomainError

from .helpers import last_code

pytestmark = pytest.mark.django_db(transaction=True)
P = services.Purpose
PHONE = "13812345678"


def test_send_stores_only_a_hash_and_sends_sms():
    services.send_code(PHONE, P.REGISTER, ip="10.0.0.1")
    code = last_code(PHONE)
    pc = PhoneCode.objects.get(phone=PHONE)
    assert code not in pc.code_hash and len(pc.code_hash) == 64
    assert pc.ip == "10.0.0.1"
    assert (pc.expires_at - pc.created).total_seconds() == pytest.approx(600, abs=2)


def test_bad_phone_refused():
    for bad in ["12345678901", "1381234567", "abc", ""]:
        with pytest.raises(DomainError) as e:
            services.send_code(bad, P.REGISTER)
        assert e.value.code == "bad_phone"
    assert sms.outbox == []


def test_register_then_code_is_single_use():
    services.send_code(PHONE, P.REGISTER)
    code = last_code(PHONE)
    user = services.register(PHONE, code, "Gongren-2025!", "张三")
    assert user.phone_verified and user.real_name == "张三" and user.check_password("Gongren-2025!")
    with pytest.raises(DomainError) as e:
        services.verify_code(PHONE, P.REGISTER, code)
    assert e.value.code == "code_invalid"


def test_verify_code_reused_is_refused():
    services.send_code(PHONE, P.LOGIN)
    code = last_code(PHONE)
    services.verify_code(PHONE, P.LOGIN, code)
    with pytest.raises(DomainError) as e:
        services.verify_code(PHONE, P.LOGIN, code)
    assert e.value.code == "code_invalid"


def test_expired_code_refused():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        services.send_code(PHONE, P.REGISTER)
        code = last_code(PHONE)
        traveller.shift(dt.timedelta(seconds=601))
        with pytest.raises(DomainError) as e:
            services.register(PHONE, code, "Gongren-2025!", "张三")
    assert e.value.code == "code_expired"
    assert not User.objects.filter(phone=PHONE).exists()


def test_wrong_attempts_are_counted_and_lock_the_code(settings):
    services.send_code(PHONE, P.REGISTER)
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(settings.OTP_MAX_ATTEMPTS - 1):
        with pytest.raises(DomainError) as e:
            services.verify_code(PHONE, P.REGISTER, wrong)
        assert e.value.code == "code_wrong"
    # The attempt count was committed although each call raised.
    assert PhoneCode.objects.get(phone=PHONE).attempts == settings.OTP_MAX_ATTEMPTS - 1
    with pytest.raises(DomainError) as e:
        services.verify_code(PHONE, P.REGISTER, wrong)
    assert e.value.code == "code_locked"
    # Even the right code no longer works.
    with pytest.raises(DomainError) as e:
        services.verify_code(PHONE, P.REGISTER, code)
    assert e.value.code == "code_locked"


def test_code_for_other_purpose_or_phone_refused():
    services.send_code(PHONE, P.REGISTER)
    code = last_code(PHONE)
    with pytest.raises(DomainError):
        services.verify_code(PHONE, P.RESET, code)
    with pytest.raises(DomainError):
        services.verify_code("13912345678", P.REGISTER, code)


def test_only_newest_code_counts():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        services.send_code(PHONE, P.REGISTER)
        old = last_code(PHONE)
        traveller.shift(dt.timedelta(seconds=61))
        services.send_code(PHONE, P.REGISTER)
        new = last_code(PHONE)
        if old != new:
            with pytest.raises(DomainError):
                services.verify_code(PHONE, P.REGISTER, old)
        services.verify_code(PHONE, P.REGISTER, new)


def test_rate_limit_per_phone():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        services.send_code(PHONE, P.REGISTER, ip="10.0.0.1")
        with pytest.raises(DomainError) as e:
            services.send_code(PHONE, P.REGISTER, ip="10.0.0.2")
        assert e.value.code == "rate_limited" and e.value.status == 429
        for i in range(4):
            traveller.shift(dt.timedelta(seconds=61))
            services.send_code(PHONE, P.REGISTER, ip=f"10.0.1.{i}")
        traveller.shift(dt.timedelta(seconds=61))
        with pytest.raises(DomainError) as e:  # sixth within the hour
            services.send_code(PHONE, P.REGISTER, ip="10.0.2.1")
        assert e.value.code == "rate_limited"
        traveller.shift(dt.timedelta(minutes=60))
        services.send_code(PHONE, P.REGISTER, ip="10.0.2.1")
    assert len(sms.outbox) == 6


def test_rate_limit_per_ip(settings):
    settings.OTP_IP_SEND_INTERVAL_SECONDS = 60
    settings.OTP_IP_MAX_PER_HOUR = 5
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        services.send_code("13800000001", P.REGISTER, ip="10.9.9.9")
        with pytest.raises(DomainError) as e:
            services.send_code("13800000002", P.REGISTER, ip="10.9.9.9")
        assert e.value.code == "rate_limited"
        services.send_code("13800000003", P.REGISTER, ip="10.9.9.8")  # another address is fine
        for n in range(4, 8):
            traveller.shift(dt.timedelta(seconds=61))
            services.send_code(f"1380000000{n}", P.REGISTER, ip="10.9.9.9")
        traveller.shift(dt.timedelta(seconds=61))
        with pytest.raises(DomainError):
            services.send_code("13800000009", P.REGISTER, ip="10.9.9.9")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers anyway")
def test_rate_limit_holds_under_concurrency():
    import threading

    from django.db import connections

    results = []

    def worker(i):
        try:
            services.send_code(PHONE, P.REGISTER, ip=f"10.1.0.{i}")
            results.append("ok")
        except DomainError:
            results.append("limited")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1


def test_register_refuses_taken_number_and_weak_password():
    f.user(phone=PHONE)
    # A registered number gets no code, only a notice; the caller is told nothing different.
    assert services.send_code(PHONE, P.REGISTER).sent is False
    with pytest.raises(DomainError) as e:
        services.register(PHONE, "123456", "Gongren-2025!", "张三")
    assert e.value.code == "code_invalid"
    services.send_code("13912345678", P.REGISTER)
    code = last_code("13912345678")
    with pytest.raises(DomainError) as e:
        services.register("13912345678", code, "12345678", "李四")
    assert e.value.code == "weak_password"
    with pytest.raises(DomainError) as e:
        services.register("13912345678", code, "Gongren-2025!", "  ")
    assert e.value.code == "bad_name"
    # The code was not used up by the refused attempts.
    assert services.register("13912345678", code, "Gongren-2025!", "李四").pk


def test_reset_password_by_code():
    u = f.user(phone=PHONE)
    services.send_code(PHONE, P.RESET)
    services.reset_password(PHONE, last_code(PHONE), "Xin-mima-2026")
    u.refresh_from_db()
    assert u.check_password("Xin-mima-2026")


def test_reset_for_unknown_number_sends_nothing():
    sent = services.send_code("13700000000", P.RESET)
    assert sent.sent is False and sms.outbox == []
    with pytest.raises(DomainError):
        services.reset_password("13700000000", "123456", "Xin-mima-2026")


def test_change_password():
    u = f.user(phone=PHONE)
    with pytest.raises(DomainError) as e:
        services.change_password(u, "wrong", "Xin-mima-2026")
    assert e.value.code == "wrong_password"
    services.change_password(u, f.DEFAULT_PASSWORD, "Xin-mima-2026")
    assert u.check_password("Xin-mima-2026")


def test_state_changes_are_audited():
    from zhengji.common.models import AuditLog

    services.send_code(PHONE, P.REGISTER)
    u = services.register(PHONE, last_code(PHONE), "Gongren-2025!", "张三")
    services.change_password(u, "Gongren-2025!", "Xin-mima-2026")
    t, _key = services.create_token(u, "script")
    services.revoke_token(u, t.pk)
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"code.send", "user.register", "user.change_password", "token.create", "token.revoke"} <= actions
    # The audit log never holds the full number.
    assert PHONE not in str(list(AuditLog.objects.values_list("after", flat=True)))
