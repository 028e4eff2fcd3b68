"""Issue 7 point 12: a Permissions-Policy on every response; no 'unsafe-inline' in the CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhengji.common.middleware import permissions_policy_header

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/health", "/api/me", "/no-such-page/"])
def test_permissions_policy_on_every_response(client, url):
    r = client.get(url)
    policy = r.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, (url, policy)
    assert "fullscreen=(self)" in policy


def test_permissions_policy_format():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"
    assert permissions_policy_header({}) == ""


def test_csp_allows_no_inline_style_or_script(client):
    r = client.get(reverse("accounts:login"))
    directives = dict(d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"].split(";") if d.strip())
    assert directives["style-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
