"""Which entries the public may see before (and beside) the results: display approval by host
staff or campaign admins, the entrant's choice of credit, and the entry's public counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope

__all__ = ["Credit", "Showcase"]


class Credit(models.TextChoices):
    """How the entrant wants to be named on the public site (chosen by the entrant)."""

    AUTHORS_AND_UNIT = "authors_unit", _("Authors and unit")
    AUTHORS = "authors", _("Authors only")
    UNIT = "unit", _("Unit only")


class Showcase(models.Model):
    """An entry's public life: approved for display (or not), how it is credited, how often it
    was viewed. One row per entry, made when someone first decides or chooses something."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, related_name="showcase")
    # Copied from the entry for the gallery's indexes (a gallery is per track, filtered by city).
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    city = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("city"))
    approved = models.BooleanField(_("shown in the gallery"), default=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reason = models.TextField(_("reason"), blank=True)  # why it was withdrawn from display
    credit = models.CharField(_("credit"), max_length=16, choices=Credit.choices, default=Credit.AUTHORS_AND_UNIT)
    views = models.PositiveIntegerField(_("views"), default=0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["track", "approved", "-approved_at"], name="showcase_track_new"),
            models.Index(fields=["track", "approved", "-views"], name="showcase_track_views"),
            models.Index(fields=["track", "approved", "city"], name="showcase_track_city"),
        ]
        verbose_name = _("showcase")
        verbose_name_plural = _("showcases")

    def __str__(self) -> str:
        return f"{self.entry_id} {'shown' if self.approved else 'hidden'}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path="", campaign_id=self.track.campaign_id, audience="staff")
