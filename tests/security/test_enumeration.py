"""Issue 7 point 8: registration, reset and login answer alike for registered and unregistered
numbers, and the rate limit comes first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories as f
from zhengji.accounts.models import PhoneCode
from zhengji.common import sms

pytestmark = pytest.mark.django_db(transaction=True)
PW = "Gongren-2025!"
REGISTERED = "13812345678"
NEW = "13912345678"


def answer(response, phone: str) -> str:
    """The page without what differs by design (the typed number, CSRF tokens)."""
    body = response.content.decode().replace(phone, "PHONE")
    body = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", body)
    return re.sub(r'("X-CSRFToken": ")[^"]+', r"\1", body)


@pytest.mark.parametrize("name", ["accounts:register", "accounts:password_reset"])
def test_send_code_answers_alike(client, name):
    f.user(phone=REGISTERED, password=PW)
    # From two addresses, so the per-address limit does not answer the second one.
    r1 = client.post(reverse(name), {"phone": REGISTERED, "action": "send_code"}, REMOTE_ADDR="198.51.100.1")
    r2 = client.post(reverse(name), {"phone": NEW, "action": "send_code"}, REMOTE_ADDR="198.51.100.2")
    assert r1.status_code == r2.status_code == 200
    assert answer(r1, REGISTERED) == answer(r2, NEW)
    assert "验证码已发送" in r1.content.decode()


def test_registered_number_gets_a_notice_not_a_code(client):
    f.user(phone=REGISTERED, password=PW)
    client.post(reverse("accounts:register"), {"phone": REGISTERED, "action": "send_code"})
    [msg] = sms.outbox
    assert msg["phone"] == REGISTERED and "已有账号" in msg["message"]
    assert not re.search(r"\b\d{6}\b", msg["message"])
    # Registering it with any code fails like a wrong code, not with "already registered".
    r = client.post(reverse("accounts:register"), {"phone": REGISTERED, "code": "123456", "real_name": "张三",
                                                   "password": PW, "password2": PW, "action": "register"})
    body = r.content.decode()
    assert r.status_code == 200 and "验证码无效" in body and "已注册" not in body


def test_register_without_a_code_request_answers_alike(client):
    f.user(phone=REGISTERED, password=PW)
    data = {"code": "123456", "real_name": "张三", "password": PW, "password2": PW, "action": "register"}
    r1 = client.post(reverse("accounts:register"), {**data, "phone": REGISTERED})
    r2 = client.post(reverse("accounts:register"), {**data, "phone": NEW})
    assert answer(r1, REGISTERED) == answer(r2, NEW)


def test_rate_limit_comes_first(client, settings):
    """A burst over registered numbers learns nothing: after the first, every answer is the limit."""
    settings.OTP_IP_SEND_INTERVAL_SECONDS = 60
    settings.OTP_IP_MAX_PER_HOUR = 5
    numbers = [f"1381234{i:04d}" for i in range(23)]
    for n in numbers:
        f.user(phone=n, password=PW)
    bodies = [client.post(reverse("accounts:register"), {"phone": n, "action": "send_code"}).content.decode()
              for n in numbers]
    assert not any("已注册" in b for b in bodies)
    assert "验证码已发送" in bodies[0]
    assert all("秒后再" in b for b in bodies[1:])
    assert PhoneCode.objects.count() == 1 and len(sms.outbox) == 1


def test_login_answers_alike(client):
    f.user(phone=REGISTERED, password=PW)
    r1 = client.post(reverse("accounts:login"), {"phone": REGISTERED, "password": "wrong-one"})
    r2 = client.post(reverse("accounts:login"), {"phone": NEW, "password": "wrong-one"})
    assert answer(r1, REGISTERED) == answer(r2, NEW)
