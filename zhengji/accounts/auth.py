"""Password login shared by the views: the throttle (throttle.py), the known-device cookie and
the lockout page."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.common.context import client_ip
from zhengji.common.numbers import parse_id

from . import throttle
from .models import User

DEVICE_SALT = "zhengji.accounts.known-device"
MAX_DEVICES = 5  # accounts remembered per browser (a shared office PC)


def normalise_login(value: str | None) -> str:
    return (value or "").strip().replace(" ", "")


def _device_max_age() -> int:
    return settings.LOGIN_DEVICE_COOKIE_DAYS * 24 * 3600


def known_devices(request: HttpRequest) -> dict[int, str]:
    """{user id: device id} from the signed known-device cookie, newest login first."""
    raw = request.get_signed_cookie(settings.LOGIN_DEVICE_COOKIE, default=None, salt=DEVICE_SALT,
                                    max_age=_device_max_age())
    devices: dict[int, str] = {}
    for part in (raw or "").split("|"):
        uid, _sep, device = part.partition(":")
        if (pk := parse_id(uid)) and device and pk not in devices:
            devices[pk] = device
    return devices


def remember_device(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """After a complete login: this browser is a known device of `user` (keeps its id)."""
    devices = known_devices(request)
    device = devices.pop(user.pk, None) or secrets.token_urlsafe(16)
    entries = [(user.pk, device), *list(devices.items())[:MAX_DEVICES - 1]]
    response.set_signed_cookie(settings.LOGIN_DEVICE_COOKIE, "|".join(f"{u}:{d}" for u, d in entries),
                               salt=DEVICE_SALT, max_age=_device_max_age(), httponly=True,
                               secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")


def password_login(request: HttpRequest, login_name: str, password: str) -> tuple[User | None, throttle.Lock | None]:
    """Check a password under the throttle: (user, None) when right, (None, lock) when this
    attempt was refused or the next one will be, (None, None) when wrong."""
    attempt = throttle.attempt_for(login_name, client_ip(request), known_devices(request))
    lock = throttle.refusal(attempt)
    if lock is not None:
        return None, lock  # the password is not even looked at
    user = authenticate(request, username=login_name, password=password)
    if user is None:
        return None, throttle.record_failure(attempt)
    throttle.record_success(attempt)
    return user, None


def wait_text(lock: throttle.Lock) -> str:
    seconds = lock.seconds()
    when = timezone.localtime(lock.until).strftime("%H:%M:%S")
    if seconds < 120:
        return _("Try again in %(seconds)d seconds (at %(time)s).") % {"seconds": seconds, "time": when}
    return _("Try again in %(minutes)d minutes (at %(time)s).") % {"minutes": -(-seconds // 60), "time": when}


def lockout_response(request: HttpRequest, lock: throttle.Lock) -> HttpResponse:
    """Our translated lockout page, 429, with the moment to try again (and Retry-After)."""
    context = {"address": lock.reason == throttle.ADDRESS, "wait": wait_text(lock)}
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(lock.seconds())
    return response
