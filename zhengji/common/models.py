from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAudience(models.TextChoices):
    STAFF = "staff", _("Staff of the scope")
    ENTRANT = "entrant", _("Also the entrant")


class AuditLog(models.Model):
    """One row per state change, written by every domain function through common.audit.record."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Scope keys (common.audit.AuditScope) let staff browse the log for what they administer
    # without joins; `audience` says whether the entrant/owner of the object may read it too.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    campaign_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    audience = models.CharField(_("audience"), max_length=8, choices=AuditAudience.choices,
                                default=AuditAudience.STAFF)

    class Meta:
        ordering = ["-at", "-id"]
        # The next record on the same object (the audit log folds autosave sessions with it).
        indexes = [models.Index(fields=["object_type", "object_id", "at", "id"], name="audit_object_time")]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title
