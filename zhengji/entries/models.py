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
    # Defaults to the submitter's number; shown masked to everyone but the submitter.
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # The originality pledge and licence grant (see entries.pledge): which text, when, from where.
    pledge_version = models.CharField(_("pledge version"), max_length=20, blank=True)
    pledged_at = models.DateTimeField(_("pledged"), null=True, blank=True)
    pledge_ip = models.GenericIPAddressField(_("pledge IP address"), null=True, blank=True)
    # Why a level returned the entry for changes (set by return_entry, cleared on resubmit).
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        ordering = ["-updated", "-id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def is_unit_entry(self) -> bool:
        return self.entrant_type == EntrantType.UNIT


class EntryAuthor(models.Model):
    """One author of an entry, in credit order. The submitter is the responsible person."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=60)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=60, blank=True)

    class Meta:
        ordering = ["entry", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "position"], name="uniq_entry_author_position")]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name


class TrackCounter(models.Model):
    """The last entry sequence number given in a track; locked with select_for_update while a
    number is assigned, so two concurrent first submissions never get the same number."""

    track = models.OneToOneField("campaigns.Track", on_delete=models.CASCADE, primary_key=True,
                                 related_name="entry_counter")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.track_id}: {self.last}"


class EntryFile(models.Model):
    """Which entry and file slot a stored file belongs to, in credit order. The media app is a
    generic file service and knows nothing of entries: this link is the entries app's record.
    Read and written only through `entries.files`."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="file_links")
    media = models.OneToOneField("media.MediaFile", on_delete=models.CASCADE, related_name="entry_link")
    slot = models.CharField(max_length=40)  # the form schema's file field key
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "slot", "position", "id"]
        constraints = [
            # One file sits in one place of one entry (the one-to-one field: in one entry at most).
            models.UniqueConstraint(fields=["entry", "slot", "position"], name="uniq_entry_file_place"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.slot}/{self.position}: {self.media_id}"
