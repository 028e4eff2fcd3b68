from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from zhengji.common.audit import AuditScope
from zhengji.common.i18n import localized


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("Province federation")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County/district federation")
    INDUSTRY = "industry", _("Industry union")
    DIRECT = "direct", _("Union directly under the city")
    GRASSROOTS = "grassroots", _("Grassroots union")
    OTHER = "other", _("Other")


# Levels of the federation (and the intermediate industry and directly affiliated unions): they
# receive reports from the unions below them and have no members of their own; a worker joins a
# grassroots union (or an "other" organisation that takes members).
LEVEL_KINDS = frozenset({OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.INDUSTRY, OrgKind.DIRECT})


class Organization(MP_Node):
    """A union in the federation tree. Materialized path (treebeard): a subtree is one indexed
    `path LIKE 'prefix%'` query, and "is X under Y" is a string prefix test with no query."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, default=OrgKind.GRASSROOTS)
    code = models.CharField(_("code"), max_length=40, unique=True)
    member_count = models.PositiveIntegerField(_("member count"), default=0)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.path)

    def is_within(self, ancestor: Organization) -> bool:
        """True when self is ancestor or lies in its subtree (no query)."""
        return self.path.startswith(ancestor.path)

    @property
    def takes_members(self) -> bool:
        """Workers may ask to join it (a grassroots union), unlike a level of the federation."""
        return self.kind not in LEVEL_KINDS

    @property
    def display_name(self) -> str:
        """The short name (Chinese pages), or the English name on English pages where it exists."""
        english = localized(self, "name")
        return english if english != self.name else (self.short_name or self.name)


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Declined")


class Membership(models.Model):
    """A worker's membership of a grassroots union (one current membership per user)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships",
                            verbose_name=_("organisation"))
    status = models.CharField(_("status"), max_length=12, choices=MembershipStatus.choices,
                              default=MembershipStatus.PENDING)
    via_invite = models.ForeignKey("orgs.Invite", null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # When the request was (last) made, and the reason given with a decline (shown to the worker).
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["status", "id"], name="membership_status_id")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path)


class Invite(models.Model):
    """An invite code/link a unit admin issues; joining through it confirms membership at once."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(_("invite code"), max_length=16, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.code

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path)
