"""Login helpers shared by the views and the API."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from zhengji.common.i18n import mask_phone
from zhengji.common.numbers import is_ascii_digits


def normalise_login(value: str | None) -> str:
    return (value or "").strip().replace(" ", "")


def axes_username(request, credentials: dict | None = None) -> str | None:
    """django-axes counts failures per (typed login, IP). Our form field is `phone` but
    authenticate() receives it as `username`; accept either."""
    if credentials:
        value = credentials.get("username") or credentials.get("phone")
    else:
        data = getattr(request, "data", None) or request.POST
        value = data.get("phone") or data.get("username")
    return normalise_login(value) or None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page: our translated template, 429, the wait in minutes."""
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    minutes = int(float(cooloff) * 60) if isinstance(cooloff, (int, float)) else None
    login_name = axes_username(request, credentials) or ""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
        "login_name": mask_phone(login_name) if is_ascii_digits(login_name) else login_name,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
