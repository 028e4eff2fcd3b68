from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.campaigns.models import EntrantType
from zhengji.common.audit import AuditScope

__all__ = ["AIDeclaration", "EntrantType", "Entry", "EntryAuthor", "EntryDecision", "EntryEvent", "EntryStatus",
           "LevelDecision", "TrackCounter"]


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


class AIDeclaration(models.TextChoices):
    """The entrant's declaration of AI-generated content (GB 45438-2025), made with the pledge."""

    NONE = "none", _("No AI-generated content")
    PARTLY = "partly", _("Partly generated with AI")
    WHOLLY = "wholly", _("Wholly generated with AI")


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
    # Declared with the pledge ("" : not declared, e.g. entered before the declaration existed).
    ai_declaration = models.CharField(_("AI-generated content"), max_length=8, choices=AIDeclaration.choices,
                                      blank=True)
    ai_tools = models.CharField(_("AI tools used"), max_length=200, blank=True)

    class Meta:
        ordering = ["-updated", "-id"]
        indexes = [models.Index(fields=["submitter", "-updated"], name="entry_submitter_updated")]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        return self.number or self.title

    def audit_scope(self) -> AuditScope:
        """The entry's unit subtree and its track's campaign; the entrant may read its records
        (a review action on the entry passes its own staff-only scope)."""
        return AuditScope(org_path=self.unit.path if self.unit_id is not None else "",
                          campaign_id=self.track.campaign_id, audience="entrant")

    @property
    def is_unit_entry(self) -> bool:
        return self.entrant_type == EntrantType.UNIT


class EntryAuthor(models.Model):
    """One author of an entry, in credit order. The submitter is the responsible person."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
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


class EntryEvent(models.Model):
    """One step of an entry's life, written only by `entries.workflow`: a transition (or an edit,
    which keeps the status). The entrant's timeline and the staff history are built from these,
    filtered by audience."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    transition = models.CharField(_("step"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    # The organisation at whose level the step happened (a unit's decision), if any.
    level = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    # False: staff only (e.g. review steps); the entrant's timeline leaves it out.
    entrant_visible = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["entry", "at"], name="entryevent_entry_at")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.transition} {self.from_status}→{self.to_status}"


class LevelDecision(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Not recommended")


class EntryDecision(models.Model):
    """What one level of the hierarchy decided about an entry, with why, by whom and when.
    Append-only: a later decision of the same level (after a resubmission) is a new row."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="decisions")
    level = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="entry_decisions",
                              verbose_name=_("level"))
    decision = models.CharField(_("decision"), max_length=16, choices=LevelDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)
    event = models.OneToOneField(EntryEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["level", "decision"], name="entrydecision_level"),
                   models.Index(fields=["entry", "at"], name="entrydecision_entry_at")]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.decision} @ {self.level_id}"


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
