"""The reporting chain's data: where each submitted entry waits, each level's opinion, the
per-level quota counter (the lock that makes quotas hold under concurrency), and batches (报送).

Nothing here adds a column to `entries.Entry`: an entry's place in the chain is its
`ChainPosition` row (one per entry, created on submission by `reporting.chain`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChainPosition(models.Model):
    """Where a submitted entry waits for a decision: the level (organisation) it is at, whether
    that level has recommended it, and its place in the level's ordered recommendation list."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, primary_key=True,
                                 related_name="chain_position")
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="waiting_entries",
                              verbose_name=_("level"))
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    recommended = models.BooleanField(_("recommended at this level"), default=False)
    recommended_at = models.DateTimeField(null=True, blank=True)
    rank = models.PositiveIntegerField(_("order"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["level", "track", "recommended", "rank"], name="chainpos_level_rank"),
            models.Index(fields=["level", "arrived_at", "entry"], name="chainpos_level_arrived"),
        ]
        verbose_name = _("place in the reporting chain")
        verbose_name_plural = _("places in the reporting chain")

    def __str__(self) -> str:
        return f"{self.entry_id} @ {self.level_id}"

    def audit_scope(self) -> dict:
        return {"org_path": self.level.path, "campaign_id": self.track.campaign_id}


class QuotaCounter(models.Model):
    """How many entries of a track one level has recommended upward. The row is locked
    (SELECT … FOR UPDATE) by every chain step of that level and track, so two admins
    recommending at once queue here and the quota holds."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    used = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "track"], name="uniq_quota_counter")]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.track_id}: {self.used}"


class UnitOpinion(models.Model):
    """A level's opinion (单位意见) on one entry, printed on the recommendation form and the
    summary table."""

    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="unit_opinions")
    level = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("level"))
    text = models.TextField(_("unit opinion"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "level"], name="uniq_unit_opinion")]
        verbose_name = _("unit opinion")
        verbose_name_plural = _("unit opinions")

    def __str__(self) -> str:
        return f"{self.entry_id} @ {self.level_id}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")


def stamp_path(batch: Batch, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reporting/stamps/{batch.created_at:%Y}/{batch.number}.{ext}"


class Batch(models.Model):
    """A level's report (报送) of its recommended entries of one track to the next level, or, at
    the top of the chain, to the track's host unit."""

    level = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="sent_batches",
                              verbose_name=_("reporting level"))
    track = models.ForeignKey("campaigns.Track", on_delete=models.PROTECT, related_name="report_batches",
                              verbose_name=_("track"))
    target = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="received_batches",
                               verbose_name=_("reported to"))
    to_host = models.BooleanField(_("to the host unit"), default=False)
    number = models.CharField(_("batch number"), max_length=80, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    stamp_scan = models.FileField(_("stamped summary scan"), upload_to=stamp_path, blank=True, max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["level", "track"], condition=models.Q(status="draft"),
                                               name="one_draft_batch_per_level_track")]
        indexes = [models.Index(fields=["target", "status", "-created_at"], name="batch_target")]
        verbose_name = _("reporting batch")
        verbose_name_plural = _("reporting batches")

    def __str__(self) -> str:
        return self.number

    def audit_scope(self) -> dict:
        return {"org_path": self.level.path, "campaign_id": self.track.campaign_id}


class BatchItem(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey("entries.Entry", on_delete=models.PROTECT, related_name="batch_items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["batch", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "entry"], name="uniq_batch_entry")]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.entry_id}"


class RenderedFile(models.Model):
    """A generated document (a recommendation form, a summary table) kept in storage for the
    export packages: the same bytes on every request while the data behind them is unchanged
    (`fingerprint`), so an interrupted package download resumes with a Range request. One row per
    `key` (e.g. `form:12:masked:pdf`); a changed fingerprint renders and replaces it. The payload
    is stored as it goes into the zip (raw deflate when `deflated`), with the sizes and CRC-32 the
    zip's headers need."""

    key = models.CharField(max_length=160, unique=True)
    fingerprint = models.CharField(max_length=64)
    file = models.FileField(upload_to="reporting/rendered/", max_length=300)
    size = models.PositiveBigIntegerField()
    stored_size = models.PositiveBigIntegerField()
    crc32 = models.PositiveBigIntegerField()
    deflated = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class MediaChecksum(models.Model):
    """The CRC-32 of a stored original, written the first time an export package streams the
    file whole; with it a resumed download skips the file without reading it."""

    media = models.OneToOneField("media.MediaFile", on_delete=models.CASCADE, primary_key=True, related_name="+")
    size = models.PositiveBigIntegerField()
    crc32 = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.media_id}: {self.crc32:08x}"
