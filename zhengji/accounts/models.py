from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope
from zhengji.common.i18n import mask_phone

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


class Role(models.TextChoices):
    UNIT_ADMIN = "unit_admin", _("Unit admin")
    HOST_STAFF = "host_staff", _("Host-unit staff")
    JUDGE = "judge", _("Judge")
    CAMPAIGN_ADMIN = "campaign_admin", _("Campaign admin")
    MODERATOR = "moderator", _("Moderator")


# Which scope each role needs: an organisation subtree, a track, or a campaign.
ROLE_SCOPE = {
    Role.UNIT_ADMIN: "org",
    Role.HOST_STAFF: "track",
    Role.JUDGE: "track",
    Role.CAMPAIGN_ADMIN: "campaign",
    Role.MODERATOR: "campaign",
}


class RoleAssignment(models.Model):
    """A scoped role. "Worker" is not stored: every registered user is one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    org = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="role_assignments", verbose_name=_("organisation"))
    track = models.ForeignKey("campaigns.Track", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="role_assignments", verbose_name=_("track"))
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="role_assignments", verbose_name=_("campaign"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        scope = self.org or self.track or self.campaign
        return f"{self.get_role_display()} · {scope}"

    def audit_scope(self) -> AuditScope:
        """The scope the role is held in: the organisation subtree, or the campaign (of the track)."""
        if self.campaign_id is not None:
            campaign_id: int | None = self.campaign_id
        else:
            campaign_id = self.track.campaign_id if self.track_id is not None else None
        return AuditScope(org_path=self.org.path if self.org_id is not None else "", campaign_id=campaign_id)

    @property
    def scope(self):
        return self.org or self.track or self.campaign


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
        return f"{self.purpose} {self.phone[:3]}****"

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
