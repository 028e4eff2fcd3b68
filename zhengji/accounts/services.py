"""Domain functions for accounts: one-time codes, registration, passwords, API tokens,
two-factor devices and roles. Every change is one transaction with an audit record.

Code checks are the one exception to "raise inside the transaction": a wrong code must still
count as an attempt, so the functions that check a code commit the attempt first and raise
afterwards (see `_check_code`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.i18n import mask_phone
from zhengji.common.notify import notify
from zhengji.common.numbers import is_ascii_digits
from zhengji.common.sms import send_sms

from . import roles, throttle
from .models import ApiToken, PhoneCode, RoleAssignment, SendThrottle, User, phone_validator
from .rules import can_grant, is_staff_of_anything
from .scopes import forget_scopes
from .tokens import hash_key

Purpose = PhoneCode.Purpose


# --- helpers ---------------------------------------------------------------------------------

def normalise_phone(phone: str | None) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def check_phone(phone: str | None) -> str:
    phone = normalise_phone(phone)
    try:
        phone_validator(phone)
    except ValidationError:
        raise DomainError(_("Enter a valid mainland mobile number (11 digits)."), code="bad_phone",
                          field="phone") from None
    return phone


def _code_hash(phone: str, purpose: str, code: str) -> str:
    # Keyed with SECRET_KEY: a leaked table does not give away codes by brute force.
    msg = f"{phone}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).hexdigest()


def _check_password(password: str, user: User | None = None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", field=field) from None


# --- one-time codes ---------------------------------------------------------------------------

@dataclass
class SentCode:
    phone: str
    purpose: str
    expires_at: object
    sent: bool  # False when no code was sent on purpose (reset for an unknown number, register for a known one)


@transaction.atomic
def send_code(phone: str, purpose: str, *, ip: str | None = None) -> SentCode:
    """Send a 6-digit code by SMS. Limits (per number and per IP address): one send per
    OTP_SEND_INTERVAL_SECONDS and at most OTP_MAX_PER_HOUR per hour. The limit rows are locked
    first, so two concurrent requests cannot both pass the check."""
    phone = check_phone(phone)
    if purpose not in Purpose.values:
        raise DomainError(_("Unknown purpose."), code="bad_purpose")

    keys = sorted({f"phone:{phone}"} | ({f"ip:{ip}"} if ip else set()))
    SendThrottle.objects.bulk_create([SendThrottle(key=k) for k in keys], ignore_conflicts=True)
    list(SendThrottle.objects.select_for_update().filter(key__in=keys).order_by("key"))

    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    limits = [(PhoneCode.objects.filter(phone=phone), settings.OTP_SEND_INTERVAL_SECONDS, settings.OTP_MAX_PER_HOUR)]
    if ip:
        limits.append((PhoneCode.objects.filter(ip=ip), settings.OTP_IP_SEND_INTERVAL_SECONDS,
                       settings.OTP_IP_MAX_PER_HOUR))
    for qs, interval, per_hour in limits:
        recent = list(qs.filter(created__gte=hour_ago).order_by("-created").values_list("created", flat=True))
        if recent and interval and (now - recent[0]).total_seconds() < interval:
            wait = int(interval - (now - recent[0]).total_seconds()) + 1
            raise DomainError(_("Please wait %(seconds)d seconds before asking for another code.")
                              % {"seconds": wait}, code="rate_limited", status=429, field="phone")
        if len(recent) >= per_hour:
            raise DomainError(_("Too many codes were requested. Please try again in an hour."),
                              code="rate_limited", status=429, field="phone")

    # Only now, after the limits, does the answer depend on the number; and the caller sees the
    # same answer either way (no enumeration): only the SMS itself differs.
    registered = User.objects.filter(phone=phone).exists()
    expires = now + timedelta(seconds=settings.OTP_CODE_TTL_SECONDS)
    if purpose == Purpose.REGISTER and registered:
        pc = PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash="-", expires_at=now, ip=ip,
                                      used_at=now)
        audit.record("code.send_registered", pc, actor=None, after={"purpose": purpose})
        notice = _("Someone asked to register this number, but it already has an account. "
                   "Log in, or reset your password if you forgot it. If it was not you, ignore this message.")
        transaction.on_commit(lambda: send_sms(phone, notice))
        return SentCode(phone, purpose, expires, sent=False)
    if purpose == Purpose.RESET and not registered:
        # Do not reveal whether a number is registered; count the request all the same.
        pc = PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash="-", expires_at=now, ip=ip,
                                      used_at=now)
        audit.record("code.send_unknown", pc, actor=None, after={"purpose": purpose})
        return SentCode(phone, purpose, expires, sent=False)

    code = f"{secrets.randbelow(10**6):06d}"
    pc = PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=_code_hash(phone, purpose, code),
                                  expires_at=expires, ip=ip)
    audit.record("code.send", pc, after={"purpose": purpose, "expires_at": expires.isoformat()})
    minutes = max(1, settings.OTP_CODE_TTL_SECONDS // 60)
    # Sent on commit: a rolled-back request sends nothing.
    message = _("Your verification code is %(code)s. It expires in %(minutes)d minutes. "
                "Do not tell anyone.") % {"code": code, "minutes": minutes}
    transaction.on_commit(lambda: send_sms(phone, message))
    return SentCode(phone, purpose, expires, sent=True)


def _check_code(phone: str, purpose: str, code: str) -> tuple[PhoneCode | None, DomainError | None]:
    """Inside the caller's transaction: find the newest code for (phone, purpose), count this
    attempt, and mark it used when it matches. Returns the error instead of raising so the
    caller can commit the attempt count before raising."""
    code = (code or "").strip()
    pc = (PhoneCode.objects.select_for_update().filter(phone=phone, purpose=purpose)
          .order_by("-created", "-pk").first())
    now = timezone.now()
    if pc is None or pc.used_at is not None or pc.code_hash == "-":
        return None, DomainError(_("This code is not valid. Request a new code."), code="code_invalid",
                                 field="code")
    if pc.expires_at <= now:
        return None, DomainError(_("This code has expired. Request a new code."), code="code_expired",
                                 field="code")
    if pc.attempts >= settings.OTP_MAX_ATTEMPTS:
        return None, DomainError(_("Too many wrong attempts. Request a new code."), code="code_locked",
                                 field="code")
    pc.attempts += 1
    if not (len(code) == 6 and is_ascii_digits(code)
            and hmac.compare_digest(pc.code_hash, _code_hash(phone, purpose, code))):
        pc.save(update_fields=["attempts"])
        left = settings.OTP_MAX_ATTEMPTS - pc.attempts
        if left <= 0:
            return None, DomainError(_("Too many wrong attempts. Request a new code."), code="code_locked",
                                     field="code")
        return None, DomainError(_("The code is wrong. %(left)d attempts left.") % {"left": left},
                                 code="code_wrong", field="code")
    pc.used_at = now
    pc.save(update_fields=["attempts", "used_at"])
    return pc, None


def verify_code(phone: str, purpose: str, code: str) -> PhoneCode:
    """Check and use up a code (single use). A wrong code counts as an attempt."""
    phone = check_phone(phone)
    with transaction.atomic():
        pc, error = _check_code(phone, purpose, code)
        if pc is not None:
            audit.record("code.verify", pc, after={"purpose": purpose})
    if error:
        raise error
    assert pc is not None  # _check_code returns a code or an error
    return pc


# --- registration and passwords -------------------------------------------------------------

def register(phone: str, code: str, password: str, real_name: str) -> User:
    """A worker registers with a verified number, a password and their real name."""
    phone = check_phone(phone)
    real_name = (real_name or "").strip()
    if not real_name or len(real_name) > 60:
        raise DomainError(_("Enter your real name."), code="bad_name", field="real_name")
    # No "already registered" answer before the code is checked: a registered number never
    # receives a registration code, so its check fails like any wrong code (no enumeration).
    _check_password(password, User(username=phone, phone=phone, real_name=real_name))
    error = None
    user = None
    try:
        with transaction.atomic():
            pc, error = _check_code(phone, Purpose.REGISTER, code)
            if pc is not None:
                user = User(username=phone, phone=phone, phone_verified=True, real_name=real_name)
                user.set_password(password)
                user.save()
                audit.record("user.register", user, actor=user, after={"phone": mask_phone(phone),
                                                                       "real_name": real_name})
    except IntegrityError:
        raise DomainError(_("This number is already registered. Log in or reset your password."),
                          code="phone_taken", field="phone") from None
    if error:
        raise error
    assert user is not None  # _check_code returned a code, so the user was created
    return user


def reset_password(phone: str, code: str, new_password: str) -> User:
    phone = check_phone(phone)
    user: User | None = User.objects.filter(phone=phone, is_active=True).first()
    if user is not None:
        _check_password(new_password, user, field="new_password")
    with transaction.atomic():
        pc, error = _check_code(phone, Purpose.RESET, code)
        if pc is not None and user is not None:
            user.set_password(new_password)
            user.save(update_fields=["password"])
            audit.record("user.reset_password", user, actor=user)
            throttle.clear_account(user)  # the owner proved they hold the number
    if error:
        raise error
    if user is None:  # unreachable in practice: no code is sent to unknown numbers
        raise DomainError(_("This code is not valid. Request a new code."), code="code_invalid", field="code")
    return user


@transaction.atomic
def change_password(user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password or ""):
        raise DomainError(_("Your current password is wrong."), code="wrong_password", field="old_password")
    _check_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record("user.change_password", user, actor=user)


@transaction.atomic
def update_profile(user: User, real_name: str) -> User:
    real_name = (real_name or "").strip()
    if not real_name or len(real_name) > 60:
        raise DomainError(_("Enter your real name."), code="bad_name", field="real_name")
    before = {"real_name": user.real_name}
    user.real_name = real_name
    user.save(update_fields=["real_name"])
    audit.record("user.update_profile", user, actor=user, before=before, after={"real_name": real_name})
    return user


# --- API tokens -------------------------------------------------------------------------------

MAX_TOKENS = 20


@transaction.atomic
def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the key; the key is shown once and only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 60 or "\x00" in name:
        raise DomainError(_("Give the token a name (at most 60 characters)."), code="bad_name", field="name")
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise the count below
    if ApiToken.objects.filter(user=user, revoked=False).count() >= MAX_TOKENS:
        raise DomainError(_("You have too many tokens. Revoke one first."), code="too_many_tokens", status=409)
    key = "zj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_key(key))
    audit.record("token.create", token, actor=user, after={"name": name, "prefix": token.prefix})
    return token, key


@transaction.atomic
def revoke_token(user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("No such token."))
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit.record("token.revoke", token, actor=user, before={"revoked": False}, after={"revoked": True})
    return token


# --- two-factor (TOTP) ------------------------------------------------------------------------

def may_use_two_factor(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or is_staff_of_anything(user)))


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def start_totp(user: User) -> TOTPDevice:
    """An unconfirmed device (new key) for the QR code; confirmed by `confirm_totp`."""
    if not may_use_two_factor(user):
        raise NotPermitted(_("Two-factor login is for staff accounts."))
    if confirmed_totp(user) is not None:
        raise DomainError(_("Two-factor login is already on."), code="totp_exists")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    audit.record("totp.start", device, actor=user, scope=audit.AuditScope())
    return device


def confirm_totp(user: User, token: str) -> TOTPDevice:
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise DomainError(_("Start again: scan a new QR code."), code="totp_missing")
        ok = device.verify_token((token or "").strip())  # saves the throttle counter
        if ok:
            device.confirmed = True
            device.save()
            audit.record("totp.enable", device, actor=user, scope=audit.AuditScope())
    if not ok:
        raise DomainError(_("The code from your app is wrong. Check the time on your phone and try again."),
                          code="totp_wrong", field="token")
    return device


@transaction.atomic
def disable_totp(user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise DomainError(_("Your password is wrong."), code="wrong_password", field="password")
    devices = list(TOTPDevice.objects.filter(user=user))
    if not devices:
        raise DomainError(_("Two-factor login is not on."), code="totp_missing")
    for d in devices:
        audit.record("totp.disable", d, actor=user, scope=audit.AuditScope())
    TOTPDevice.objects.filter(user=user).delete()


def verify_totp_login(user: User, token: str) -> TOTPDevice:
    """The second step of a staff login. Returns the device or raises; wrong tokens are
    throttled by django-otp (the delay doubles after each failure)."""
    with transaction.atomic():
        device = confirmed_totp(user)
        if device is None:
            raise DomainError(_("Two-factor login is not on."), code="totp_missing")
        allowed, _info = device.verify_is_allowed()
        ok = bool(allowed) and device.verify_token((token or "").strip())
        audit.record("totp.login" if ok else "totp.login_failed", device, actor=user,
                     scope=audit.AuditScope())
    if not ok:
        raise DomainError(_("The code from your app is wrong or was already used. Wait for the next code."),
                          code="totp_wrong", field="token")
    return device


# --- roles --------------------------------------------------------------------------------------

def _one_scope(role: str, scope: Model | None, org: Model | None, track: Model | None,
               campaign: Model | None) -> tuple[roles.RoleKind, Model]:
    """The role kind and its one scope object; `org=`/`track=`/`campaign=` are accepted for the
    call sites that name the scope by keyword."""
    if not roles.is_registered(role):
        raise DomainError(_("Unknown role."), code="bad_role", field="role")
    kind = roles.get(role)
    given = [obj for obj in (scope, org, track, campaign) if obj is not None]
    if len(given) != 1 or given[0]._meta.label_lower != kind.scope_model:
        raise DomainError(_("This role needs exactly one scope: %(scope)s.") % {"scope": kind.scope_name()},
                          code="bad_scope")
    return kind, given[0]


@transaction.atomic
def grant_role(actor: User | None, user: User, role: str, scope: Model | None = None, *, org: Model | None = None,
               track: Model | None = None, campaign: Model | None = None) -> RoleAssignment:
    """Give `user` the registered `role` in `scope` (idempotent: an existing grant is returned)."""
    kind, obj = _one_scope(role, scope, org, track, campaign)
    if not can_grant(actor, role, obj):
        raise NotPermitted(_("You may not grant this role in this scope."))
    ra, created = RoleAssignment.objects.get_or_create(
        user=user, role=str(role), scope_type=kind.scope_model, scope_id=obj.pk, defaults={"granted_by": actor})
    ra.scope = obj
    if created:
        audit.record("role.grant", ra, actor=actor, after={"user": user.pk, "role": str(role)},
                     scope=ra.audit_scope())
        notify(user, _("You were given the role %(role)s for %(scope)s.")
               % {"role": roles.label(role), "scope": obj})
        forget_scopes(user)
    return ra


@transaction.atomic
def revoke_role(actor: User | None, assignment: RoleAssignment) -> None:
    obj = assignment.scope
    if obj is None or not can_grant(actor, assignment.role, obj):
        raise NotPermitted(_("You may not revoke this role."))
    audit.record("role.revoke", assignment, actor=actor,
                 before={"user": assignment.user_id, "role": assignment.role},
                 scope=assignment.audit_scope())
    user = assignment.user
    assignment.delete()
    forget_scopes(user)
