"""What units do besides collecting entries (issue 9, point 7): online and offline activities,
local brand projects, and registered network-civility volunteers. Activities and brand projects
count towards a unit's coverage (a unit "covered" has at least one entry or activity); volunteers
are counted on the dashboard.

Each row belongs to one campaign and one organisation (the unit that recorded it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope


class ActivityKind(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class Activity(models.Model):
    """An activity a unit held for the campaign (征文讲座, 网络文明宣传, …)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="activities")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="activities",
                            verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.OFFLINE)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    photos = models.ManyToManyField("media.MediaFile", through="ActivityPhoto", related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "org"], name="activity_campaign_org"),
            models.Index(fields=["campaign", "held_on"], name="activity_campaign_date"),
        ]
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path, campaign_id=self.campaign_id)


class ActivityPhoto(models.Model):
    """A photo of an activity, in the order the unit chose."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photo_links")
    media = models.ForeignKey("media.MediaFile", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "media"], name="uniq_activity_photo")]

    def __str__(self) -> str:
        return f"{self.activity_id}#{self.position}"


class BrandProject(models.Model):
    """A local brand project (品牌项目) of a unit in the field of network civility."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="brand_projects")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="brand_projects",
                            verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=200)
    started_on = models.DateField(_("started"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["campaign", "org"], name="brand_campaign_org")]
        ordering = ["-id"]
        verbose_name = _("brand project")
        verbose_name_plural = _("brand projects")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path, campaign_id=self.campaign_id)


class Volunteer(models.Model):
    """A network-civility volunteer (网络文明志愿者) a unit registered. The phone number is kept
    whole for the unit's admins; everyone else sees it masked."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="volunteers")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="volunteers",
                            verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    skills = models.CharField(_("skills"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["campaign", "org"], name="volunteer_campaign_org")]
        constraints = [models.UniqueConstraint(fields=["campaign", "phone"], name="uniq_volunteer_phone")]
        ordering = ["-id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path, campaign_id=self.campaign_id)
