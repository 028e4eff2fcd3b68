"""Which entries the public may see before (and beside) the results: display approval by host
staff or campaign admins, the entrant's choice of credit, and the entry's public counters."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope

__all__ = ["Credit", "GallerySearch", "Showcase"]


class Credit(models.TextChoices):
    """How the entrant wants to be named on the public site (chosen by the entrant)."""

    AUTHORS_AND_UNIT = "authors_unit", _("Authors and unit")
    AUTHORS = "authors", _("Authors only")
    UNIT = "unit", _("Unit only")


def _random_key() -> int:
    return secrets.randbelow(2**31)


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
    # In the gallery now: what the public gate says (published, or approved while showable),
    # kept in step by public.domain.showcase so the gallery reads one indexed table.
    listed = models.BooleanField(_("in the gallery"), default=False)
    listed_at = models.DateTimeField(null=True, blank=True)  # "newest" is newest in the gallery
    # A random position fixed at creation: the "random" sort starts at a seed of the day and
    # wraps around, an index walk that gives the same order on every page (domain/showcase.py).
    sort_key = models.PositiveIntegerField(default=_random_key)

    class Meta:
        # Partial indexes over the gallery's rows, one per sort (and city with newest first): a
        # page is an index walk from the keyset cursor (gallery_queries).
        indexes = [
            models.Index(fields=["track", "-listed_at", "-entry"], condition=Q(listed=True), name="showcase_track_new"),
            models.Index(fields=["track", "-views", "-entry"], condition=Q(listed=True), name="showcase_track_views"),
            models.Index(fields=["track", "sort_key", "entry"], condition=Q(listed=True), name="showcase_track_random"),
            models.Index(fields=["track", "city", "-listed_at", "-entry"], condition=Q(listed=True),
                         name="showcase_track_city"),
        ]
        verbose_name = _("showcase")
        verbose_name_plural = _("showcases")

    def __str__(self) -> str:
        return f"{self.entry_id} {'shown' if self.approved else 'hidden'}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path="", campaign_id=self.track.campaign_id, audience="staff")


class GallerySearch(models.Model):
    """The gallery's search document of one entry: title, summary, entry number and the makers as
    credited, normalised (public.search). SQLite indexes it in FTS5 tables, PostgreSQL with a GIN
    index over its characters and character pairs; both are made by this app's migrations."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.text[:40]}"
