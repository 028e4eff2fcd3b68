"""Log a browser page in as a user: a session made by Django's test client, its cookie handed to
the page's context (no login form to fill in every test)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def log_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": page.base_url}])
