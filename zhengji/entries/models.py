from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECOMMENDED = "recommended", _("Recommended")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Not recommended")
    REPORTED = "reported", _("Reported to host unit")
    ELIGIBLE = "eligible", _("Eligible")
    DISQUALIFIED = "disqualified", _("Disqualified")
    SCORED = "scored", _("Scored")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EntrantType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Team")
    UNIT = "unit", _("Unit")


class Entry(models.Model):
    """One submitted work (or account, case, project) in a track."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.PROTECT, related_name="entries",
                              verbose_name=_("track"))
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entries",
                                  verbose_name=_("submitter"))
    # The entrant's unit: the grassroots union of a worker, or the unit itself for unit entries.
    unit = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="entries",
                             verbose_name=_("unit"))
    entrant_type = models.CharField(_("entrant"), max_length=12, choices=EntrantType.choices,
                                    default=EntrantType.INDIVIDUAL)
    number = models.CharField(_("entry number"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    data = models.JSONField(_("form answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT,
                              db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-updated", "-id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return self.number or self.title
