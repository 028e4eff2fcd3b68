from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope
from zhengji.common.i18n import mask_phone
from zhengji.common.numbers import is_ascii_digits

from . import roles

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter a valid mainland mobile number (11 digits)."))


class ZhengjiUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log in with a phone number or a username.
        return self.get(models.Q(phone=username) | models.Q(username=username))


class User(AbstractUser):
    """Identity is the mobile number; `username` is kept for staff accounts and Django's admin."""

    phone = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True,
                             validators=[phone_validator])
    phone_verified = models.BooleanField(_("number verified"), default=False)
    real_name = models.CharField(_("real name"), max_length=60, blank=True)

    objects = ZhengjiUserManager()

    def __str__(self) -> str:
        return self.real_name or self.username or self.masked_phone

    def audit_scope(self) -> AuditScope:
        # An account belongs to no subtree or campaign: platform (super) admins read its records.
        return AuditScope()

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def display_name(self) -> str:
        return self.real_name or self.masked_phone or self.username


class RoleAssignmentQuerySet(models.QuerySet):
    def in_scope(self, obj: models.Model) -> RoleAssignmentQuerySet:
        """The assignments scoped to this one object."""
        return self.filter(scope_type=obj._meta.label_lower, scope_id=obj.pk)


class RoleAssignment(models.Model):
    """A scoped role. "Worker" is not stored: every registered user is one.

    The role is one of the kinds registered in `accounts.roles` by the app that owns its scope;
    the scope is any model row (its label and primary key), so `accounts` needs no foreign key
    into the apps above it. Deleting a scope object deletes its assignments (see `roles.py`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=40, validators=[roles.validate_role])
    scope_type = models.CharField(_("scope type"), max_length=100)  # model label: "orgs.organization"
    scope_id = models.PositiveBigIntegerField(_("scope"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "scope_type", "scope_id"], name="accounts_role_unique"),
        ]
        indexes = [models.Index(fields=["scope_type", "scope_id"], name="accounts_role_scope_idx")]

    def __str__(self) -> str:
        return f"{self.role_label} · {self.scope_display}"

    @property
    def role_label(self) -> str:
        return roles.label(self.role)

    def get_role_display(self) -> str:  # the name templates and admin used with static choices
        return self.role_label

    @property
    def scope(self) -> models.Model | None:
        """The scope object (loaded on first use; `attach_scopes` loads many in bulk)."""
        if not hasattr(self, "_scope_cache"):
            self._scope_cache = None
            try:
                model = apps.get_model(self.scope_type)
            except (LookupError, ValueError):
                return None
            manager = model._default_manager
            if roles.is_registered(self.role) and roles.get(self.role).related:
                manager = manager.select_related(*roles.get(self.role).related)
            self._scope_cache = manager.filter(pk=self.scope_id).first()
        return self._scope_cache

    @scope.setter
    def scope(self, obj: models.Model | None) -> None:
        self._scope_cache = obj
        if obj is not None:
            self.scope_type = obj._meta.label_lower
            self.scope_id = obj.pk

    @property
    def scope_display(self) -> str:
        obj = self.scope
        if obj is None:
            return ""
        if roles.is_registered(self.role):
            return roles.get(self.role).describe(obj)
        return str(obj)

    def clean(self) -> None:
        super().clean()
        if roles.is_registered(self.role) and self.scope_type != roles.get(self.role).scope_model:
            raise ValidationError({"scope_type": _("This role needs a scope of another kind.")})

    def audit_scope(self) -> AuditScope:
        """The scope the role is held in, as its registered kind says (the organisation subtree,
        or the campaign of the campaign or track)."""
        obj = self.scope
        if obj is None or not roles.is_registered(self.role):
            return AuditScope()
        found = dict(roles.get(self.role).audit_scope(obj))
        return AuditScope(org_path=str(found.get("org_path") or ""), campaign_id=found.get("campaign_id"))


def attach_scopes(assignments) -> list[RoleAssignment]:
    """Load the scope objects of many assignments in one query per scope type."""
    assignments = list(assignments)
    by_type: dict[tuple[str, tuple[str, ...]], set[int]] = {}
    for ra in assignments:
        related = roles.get(ra.role).related if roles.is_registered(ra.role) else ()
        by_type.setdefault((ra.scope_type, related), set()).add(ra.scope_id)
    loaded: dict[tuple[str, int], models.Model] = {}
    for (label, related), ids in by_type.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        qs = model._default_manager.filter(pk__in=ids)
        if related:
            qs = qs.select_related(*related)
        for obj in qs:
            loaded[(label, obj.pk)] = obj
    for ra in assignments:
        ra._scope_cache = loaded.get((ra.scope_type, ra.scope_id))
    return assignments


class PhoneCode(models.Model):
    """A one-time SMS code: single use, expires, attempts limited. Only a hash is stored."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("registration")
        RESET = "reset", _("password reset")
        LOGIN = "login", _("login")
        CHANGE = "change", _("change number")

    phone = models.CharField(max_length=11, db_index=True)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} {mask_phone(self.phone)}"

    def audit_scope(self) -> AuditScope:
        return AuditScope()


class ApiToken(models.Model):
    """Bearer token for the API. Only a hash is stored; the key is shown once on creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=128, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_scope(self) -> AuditScope:
        return AuditScope()


class SendThrottle(models.Model):
    """One row per rate-limit key ("phone:…", "ip:…"). Sending a code locks these rows
    (SELECT … FOR UPDATE) before counting recent codes, so concurrent requests for the same
    number or address queue up instead of both passing the check."""

    key = models.CharField(max_length=80, unique=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class LoginThrottle(models.Model):
    """Failed-login counters, one row per key: "user:<pk>" / "login:<name>" (an account, whatever
    address the attempts come from), "address:<ip>" (across accounts) and "device:<id>" (a
    browser its owner logged in from before). zhengji/accounts/throttle.py locks the rows
    (SELECT … FOR UPDATE) before changing them, so the limits hold across processes."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(null=True, blank=True)
    last_failure = models.DateTimeField(null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        kind, _sep, rest = self.key.partition(":")
        return f"{kind}:{mask_phone(rest)}" if is_ascii_digits(rest) and len(rest) == 11 else self.key

    def audit_scope(self) -> AuditScope:
        return AuditScope()
