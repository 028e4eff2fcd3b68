"""Issue 7 point 1: the client address comes from X-Forwarded-For only as far as trusted proxies
wrote it, and the same address is used by the code limits, the audit log and the pledge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from tests.entries.builders import World
from zhengji.accounts.models import PhoneCode
from zhengji.common import sms
from zhengji.common.audit_log import AuditLog
from zhengji.common.context import client_ip
from zhengji.entries.models import Entry

FORGED = "8.8.8.8, 127.0.0.1"


def ip_of(remote: str | None, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote} if remote is not None else {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        request.META.pop("REMOTE_ADDR", None)
    return client_ip(request)


def test_header_ignored_without_trusted_proxies(settings):
    settings.ZHENGJI_TRUSTED_PROXIES = []
    settings.ZHENGJI_TRUSTED_PROXY_HOPS = 0
    assert ip_of("203.0.113.7", FORGED) == "203.0.113.7"
    assert ip_of("203.0.113.7") == "203.0.113.7"
    assert ip_of(None, FORGED) is None
    assert ip_of("not-an-address") is None


def test_trusted_proxy_addresses_walk_from_the_right(settings):
    settings.ZHENGJI_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # nginx on 127.0.0.1 appended the real client; the forged part on the left is skipped.
    assert ip_of("127.0.0.1", "8.8.8.8, 127.0.0.1, 198.51.100.4") == "198.51.100.4"
    # Two trusted proxies in a row (load balancer 10.1.2.3, then nginx).
    assert ip_of("127.0.0.1", "8.8.8.8, 198.51.100.4, 10.1.2.3") == "198.51.100.4"
    # A client talking to the web process directly is not believed.
    assert ip_of("198.51.100.9", FORGED) == "198.51.100.9"
    # A proxy without the header: the proxy itself is all we know.
    assert ip_of("127.0.0.1") == "127.0.0.1"
    # Every hop trusted: the leftmost one.
    assert ip_of("127.0.0.1", "10.0.0.5, 10.0.0.6") == "10.0.0.5"
    # Garbage in a hop stops the walk at the last address a trusted proxy vouched for.
    assert ip_of("127.0.0.1", "198.51.100.4, junk") == "127.0.0.1"
    # IPv6, bracketed with a port, normalised.
    assert ip_of("127.0.0.1", "[2001:DB8::1]:443") == "2001:db8::1"


def test_trusted_hop_count(settings):
    settings.ZHENGJI_TRUSTED_PROXIES = []
    settings.ZHENGJI_TRUSTED_PROXY_HOPS = 1
    assert ip_of("10.9.9.9", "8.8.8.8, 127.0.0.1, 198.51.100.4") == "198.51.100.4"
    settings.ZHENGJI_TRUSTED_PROXY_HOPS = 2
    assert ip_of("10.9.9.9", "8.8.8.8, 198.51.100.4, 10.1.2.3") == "198.51.100.4"


def test_bad_trusted_proxy_setting_is_reported(settings):
    settings.ZHENGJI_TRUSTED_PROXIES = ["not a network"]
    with pytest.raises(ImproperlyConfigured):
        ip_of("127.0.0.1", FORGED)


@pytest.mark.django_db(transaction=True)
def test_forged_addresses_do_not_multiply_the_code_limit(client, settings):
    """One client, ten numbers, ten made-up addresses (and one without the header): one SMS."""
    settings.OTP_IP_SEND_INTERVAL_SECONDS = 60
    settings.OTP_IP_MAX_PER_HOUR = 5
    url = reverse("accounts:register")
    for i in range(10):
        headers = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{i + 1}"} if i else {}
        r = client.post(url, {"phone": f"1381234{i:04d}", "action": "send_code"}, **headers)
        assert r.status_code == 200
    assert len(sms.outbox) == 1
    assert set(PhoneCode.objects.values_list("ip", flat=True)) == {"127.0.0.1"}


@pytest.mark.django_db(transaction=True)
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, settings):
    settings.ZHENGJI_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.OTP_IP_SEND_INTERVAL_SECONDS = 60
    settings.OTP_IP_MAX_PER_HOUR = 5
    url = reverse("accounts:register")
    for i in range(3):
        client.post(url, {"phone": f"1381234{i:04d}", "action": "send_code"},
                    HTTP_X_FORWARDED_FOR=f"8.8.8.8, 198.51.100.{i + 1}")
    assert len(sms.outbox) == 3
    assert sorted(PhoneCode.objects.values_list("ip", flat=True)) == ["198.51.100.1", "198.51.100.2", "198.51.100.3"]


@pytest.mark.django_db
def test_pledge_and_audit_use_the_real_address(client):
    world = World()
    e = world.complete_draft()
    client.force_login(world.worker)
    r = client.post(f"/api/entries/{e.pk}/submit", {"pledge": True}, content_type="application/json",
                    HTTP_X_FORWARDED_FOR=FORGED)
    assert r.status_code == 200, r.content
    assert Entry.objects.get(pk=e.pk).pledge_ip == "127.0.0.1"
    ips = set(AuditLog.objects.filter(object_type="entries.entry", object_id=str(e.pk), actor=world.worker)
              .exclude(ip=None).values_list("ip", flat=True))
    assert ips == {"127.0.0.1"}


def test_only_client_ip_reads_the_address_headers():
    """The class of bug: nothing but common.context.client_ip reads REMOTE_ADDR or the
    forwarded headers (limits, audit, pledge, uploads all go through it)."""
    root = Path(__file__).resolve().parents[2] / "zhengji"
    pattern = re.compile(r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|HTTP_X_REAL_IP|HTTP_FORWARDED\b"
                         r"|headers(\.get\(|\[)\s*['\"](x-forwarded-for|x-real-ip|forwarded)['\"]", re.I)
    readers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "migrations" not in p.parts and pattern.search(p.read_text(encoding="utf-8")))
    assert readers == ["common/context.py"]


def test_system_check_reports_a_bad_proxy_setting(settings):
    from zhengji.common.checks import trusted_proxies  # noqa: PLC0415 (only this test)

    settings.ZHENGJI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert trusted_proxies() == []
    settings.ZHENGJI_TRUSTED_PROXIES = ["10.0.0.0/33"]
    assert [e.id for e in trusted_proxies()] == ["zhengji.E001"]
    settings.ZHENGJI_TRUSTED_PROXIES = []
    settings.ZHENGJI_TRUSTED_PROXY_HOPS = -1
    assert [e.id for e in trusted_proxies()] == ["zhengji.E002"]
