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
            # The queue's default order (newest arrival first): walked in index order and
            # filtered by subtree, it stops after one page instead of sorting every entry.
            models.Index(fields=["arrived_at", "entry"], name="chainpos_arrived"),
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


# --- reminders ---------------------------------------------------------------------------------------

class ReminderKind(models.TextChoices):
    SILENT = "silent", _("Units that have not taken part")
    DRAFTS = "drafts", _("Entrants with unfinished drafts")
    QUEUE = "queue", _("Levels with entries waiting")


class ReminderSetting(models.Model):
    """Automatic reminders of one campaign: sent `days_before` days before each deadline (0: off)."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, primary_key=True,
                                    related_name="reminder_setting")
    days_before = models.PositiveSmallIntegerField(_("days before each deadline"), default=0,
                                                   help_text=_("0: no automatic reminders."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder setting")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.days_before}"

    def audit_scope(self) -> dict:
        return {"org_path": "", "campaign_id": self.campaign_id}


class ReminderRound(models.Model):
    """One sending of one reminder text to a set of recipients: a unit admin's manual round, or an
    automatic round for one deadline. `key` is unique: an automatic round exists once per
    (campaign, track, kind, deadline), a manual one once per (level, campaign, track, kind, day)."""

    key = models.CharField(max_length=200, unique=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey("campaigns.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("track"))
    kind = models.CharField(_("recipients"), max_length=8, choices=ReminderKind.choices)
    scope = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+", verbose_name=_("level"))
    automatic = models.BooleanField(_("automatic"), default=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("sent by"))
    deadline = models.DateTimeField(_("deadline"))
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), max_length=500)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    skipped = models.PositiveIntegerField(_("skipped (reminded recently)"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder round")
        verbose_name_plural = _("reminder rounds")

    def __str__(self) -> str:
        return self.key

    def audit_scope(self) -> dict:
        return {"org_path": self.scope.path if self.scope is not None else "", "campaign_id": self.campaign_id}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReminderDelivery(models.Model):
    """One reminder to one person in one round. The row is inserted (unique per round and
    recipient) before anything is sent, and a sender claims it by switching it from pending to
    sending in one UPDATE: however many schedulers or workers run, each message goes out once."""

    round = models.ForeignKey(ReminderRound, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    org = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    channels = models.CharField(_("channels"), max_length=40, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "recipient"], name="uniq_reminder_recipient")]
        indexes = [models.Index(fields=["status", "round"], name="reminder_status"),
                   models.Index(fields=["recipient", "created_at"], name="reminder_recipient_recent")]
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")

    def __str__(self) -> str:
        return f"{self.round_id} → {self.recipient_id}: {self.status}"
# --- entries on behalf of workers (代报) and their batch import ----------------------------------------

class OnBehalf(models.Model):
    """An entry a unit admin entered for a named worker (代报): who the worker is (name, phone),
    who entered it and made the pledge on their behalf, and, once the worker has verified that
    phone number, when they claimed it (the entry's submitter is then the worker)."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, primary_key=True,
                                 related_name="on_behalf")
    worker_name = models.CharField(_("worker's name"), max_length=60)
    phone = models.CharField(_("worker's mobile number"), max_length=11, db_index=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)
    source = models.ForeignKey("EntryImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_row = models.PositiveIntegerField(null=True, blank=True)
    pledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("pledge made by"))
    pledged_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("claimed by"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "claimed_at"], name="onbehalf_phone_claimed")]
        verbose_name = _("entry on behalf of a worker")
        verbose_name_plural = _("entries on behalf of workers")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.worker_name}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    INVALID = "invalid", _("Has errors")
    READY = "ready", _("Ready to apply")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class EntryImport(models.Model):
    """A batch import of entries on behalf of workers: the uploaded sheet and zip (kept in a
    private storage between preview and apply), the check's result per row, the apply's outcome."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("track"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sheet_name = models.CharField(_("sheet"), max_length=200)
    archive_name = models.CharField(_("files (zip)"), max_length=200, blank=True)
    sheet_key = models.CharField(max_length=300)
    archive_key = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.CHECKING, db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    # An error of the whole upload (unreadable sheet, zip refused, apply failed), shown above the rows.
    message = models.TextField(blank=True)
    created_entries = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    files_removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="entryimport_user")]
        verbose_name = _("entry import")
        verbose_name_plural = _("entry imports")

    def __str__(self) -> str:
        return f"{self.pk}: {self.sheet_name}"


class ImportRow(models.Model):
    """One row of an import's sheet as checked: what it says (for the preview) and its errors in
    the user's language (column + message each)."""

    source = models.ForeignKey(EntryImport, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("row"))
    title = models.CharField(max_length=200, blank=True)
    worker_name = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    unit_name = models.CharField(max_length=200, blank=True)
    values = models.JSONField(default=dict, blank=True)  # the row's cells as parsed, for the apply
    errors = models.JSONField(default=list, blank=True)  # [{"column": str, "message": str}]
    entry = models.ForeignKey("entries.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["source", "row"]
        constraints = [models.UniqueConstraint(fields=["source", "row"], name="uniq_import_row")]

    def __str__(self) -> str:
        return f"{self.source_id}#{self.row}"


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


class CleanChecksum(models.Model):
    """The CRC-32 of a file's copy without metadata (`media.stripping`, the package ships it
    instead of the original), by the copy's storage name and size: written the first time an
    export package streams the copy whole, like `MediaChecksum` for originals."""

    name = models.CharField(max_length=300, unique=True)
    size = models.PositiveBigIntegerField()
    crc32 = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.crc32:08x}"
