"""Login throttling: per account with a growing delay, per address across accounts, and a
"known device" exemption for the account's owner. See docs/security.md.

- **Account** ("user:<pk>", or "login:<typed name>" for a name no account has, so both look the
  same from outside): the first `LOGIN_FREE_FAILURES - 1` wrong passwords in a row cost nothing;
  the next one locks the account for `LOGIN_BACKOFF_SECONDS`, each further one for twice as long,
  up to `LOGIN_BACKOFF_MAX_SECONDS`. Failures older than `LOGIN_FAILURE_MEMORY_SECONDS` are
  forgotten; the right password (or a password reset by SMS) clears them.
- **Address** ("address:<ip>", from `common.context.client_ip`): at most
  `LOGIN_ADDRESS_MAX_FAILURES` wrong passwords per `LOGIN_ADDRESS_WINDOW_SECONDS`, whatever the
  accounts; then the address waits for the end of the window. A success does not clear it (an
  attacker with one account of their own must not reset their count).
- **Known device** ("device:<id>"): a browser in which the account's owner logged in before
  carries a signed cookie naming (user, device id). For that account it is judged by its own
  counter (same backoff) instead of the account's and the address's, so an attacker who locks an
  account, or a shared office address, does not lock its owner out. Once the device's own counter
  locks, the browser is treated like any other.

The rows are created if missing, then locked in key order (SELECT … FOR UPDATE; SQLite's
IMMEDIATE transactions serialise writers anyway), so concurrent attempts in other processes
count exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengji.common import audit

from .models import LoginThrottle, User

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Lock:
    """An attempt is refused until `until` because of the account's or the address's count."""

    until: datetime
    reason: str  # ACCOUNT | ADDRESS

    def seconds(self, at: datetime | None = None) -> int:
        return max(1, math.ceil((self.until - (at or timezone.now())).total_seconds()))


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the throttle keys of one login attempt."""

    account: str
    user_id: int | None
    address: str | None
    device: str | None  # the device id from the known-device cookie, for this account only

    @property
    def keys(self) -> list[str]:
        if self.device:
            return [f"device:{self.device}"]
        return [self.account] + ([f"address:{self.address}"] if self.address else [])


def attempt_for(login_name: str, address: str | None, devices: dict[int, str]) -> Attempt:
    """`devices`: the known-device cookie's {user id: device id}."""
    login_name = (login_name or "")[:150]
    user_id = (User.objects.filter(Q(phone=login_name) | Q(username=login_name))
               .values_list("pk", flat=True).first()) if login_name else None
    account = f"user:{user_id}" if user_id is not None else f"login:{login_name}"
    device = devices.get(user_id) if user_id is not None else None
    return Attempt(account=account, user_id=user_id, address=address, device=device)


def _locked(row: LoginThrottle | None, now: datetime) -> bool:
    return row is not None and row.locked_until is not None and row.locked_until > now


def _rows(keys: list[str], *, lock: bool) -> dict[str, LoginThrottle]:
    if lock:
        LoginThrottle.objects.bulk_create([LoginThrottle(key=k) for k in keys], ignore_conflicts=True)
        qs = LoginThrottle.objects.select_for_update().filter(key__in=keys).order_by("key")
    else:
        qs = LoginThrottle.objects.filter(key__in=keys)
    return {row.key: row for row in qs}


def _untrusted(attempt: Attempt) -> Attempt:
    return Attempt(attempt.account, attempt.user_id, attempt.address, None)


def _effective(attempt: Attempt, now: datetime) -> Attempt:
    """A known device whose own count ran out is judged like any other browser."""
    if attempt.device and _locked(_rows(attempt.keys, lock=False).get(attempt.keys[0]), now):
        return _untrusted(attempt)
    return attempt


def refusal(attempt: Attempt, *, at: datetime | None = None) -> Lock | None:
    """The lock that refuses this attempt before its password is looked at, or None."""
    now = at or timezone.now()
    attempt = _effective(attempt, now)
    if attempt.device:
        return None
    rows = _rows(attempt.keys, lock=False)
    locks = []
    for key, reason in ((attempt.account, ACCOUNT), (f"address:{attempt.address}", ADDRESS)):
        row = rows.get(key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            locks.append(Lock(row.locked_until, reason))
    return max(locks, key=lambda lk: lk.until) if locks else None


def _backoff(row: LoginThrottle, now: datetime) -> bool:
    """Count one failure with the growing delay; True when this failure starts a lock."""
    memory = timedelta(seconds=settings.LOGIN_FAILURE_MEMORY_SECONDS)
    if row.last_failure is not None and now - row.last_failure > memory:
        row.failures = 0
    row.failures += 1
    row.last_failure = now
    over = row.failures - max(1, settings.LOGIN_FREE_FAILURES)
    if over < 0:
        return False
    delay = min(settings.LOGIN_BACKOFF_MAX_SECONDS, settings.LOGIN_BACKOFF_SECONDS * 2 ** min(over, 30))
    row.locked_until = now + timedelta(seconds=delay)
    return over == 0


def _window(row: LoginThrottle, now: datetime) -> bool:
    """Count one failure in the address's window; True when this failure starts a lock."""
    window = timedelta(seconds=settings.LOGIN_ADDRESS_WINDOW_SECONDS)
    if row.window_start is None or now - row.window_start >= window:
        row.window_start = now
        row.failures = 0
    row.failures += 1
    row.last_failure = now
    if row.failures >= settings.LOGIN_ADDRESS_MAX_FAILURES:
        starts = not _locked(row, now)
        row.locked_until = row.window_start + window
        return starts
    return False


def record_failure(attempt: Attempt, *, at: datetime | None = None) -> Lock | None:
    """Count a wrong password; returns the lock the next attempt will meet, if any."""
    now = at or timezone.now()
    effective = _effective(attempt, now)
    with transaction.atomic():
        rows = _rows(effective.keys, lock=True)
        for key, row in rows.items():
            started = _window(row, now) if key.startswith("address:") else _backoff(row, now)
            row.save(update_fields=["failures", "window_start", "last_failure", "locked_until"])
            if started:
                _audit_lock(key, row, attempt)
    return refusal(attempt, at=now)


def _audit_lock(key: str, row: LoginThrottle, attempt: Attempt) -> None:
    after = {"key": str(row), "failures": row.failures,
             "until": row.locked_until.isoformat() if row.locked_until else None}
    if key.startswith("user:") and attempt.user_id is not None:
        user = User.objects.get(pk=attempt.user_id)
        audit.record("login.locked", user, actor=None, after=after)
    elif not key.startswith("login:"):
        audit.record(f"login.{key.partition(':')[0]}_locked", row, actor=None, after=after)


def record_success(attempt: Attempt) -> None:
    """The right password clears the count it was judged by: a known device's own, else the
    account's. Not the address's (an attacker with one account of their own must not reset it),
    and not the account's after a known device's login (that would give an attacker a fresh
    round whenever the owner logs in)."""
    effective = _effective(attempt, timezone.now())
    key = f"device:{effective.device}" if effective.device else effective.account
    LoginThrottle.objects.filter(key=key).delete()


def clear_account(user: User) -> None:
    """After a password reset by SMS code: the owner proved they hold the number."""
    LoginThrottle.objects.filter(key=f"user:{user.pk}").delete()


def cleanup(*, at: datetime | None = None) -> int:
    """Periodic job: drop rows nobody failed on for longer than every limit remembers."""
    now = at or timezone.now()
    keep = max(settings.LOGIN_FAILURE_MEMORY_SECONDS, settings.LOGIN_ADDRESS_WINDOW_SECONDS,
               settings.LOGIN_BACKOFF_MAX_SECONDS)
    old = now - timedelta(seconds=keep)
    deleted, _ = (LoginThrottle.objects.filter(Q(last_failure__lt=old) | Q(last_failure__isnull=True))
                  .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now)).delete())
    return deleted
