from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("Receiving")
    COMPLETE = "complete", _("Complete")
    ATTACHED = "attached", _("Attached")
    ABORTED = "aborted", _("Aborted")


class Upload(models.Model):
    """A resumable (tus) upload in staging. Bytes go to `storage_key` through Django's storage
    API (or S3 multipart at scale); on completion a MediaFile is created from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=255, blank=True)
    length = models.BigIntegerField(null=True, blank=True)  # Upload-Length (None while deferred)
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    storage_key = models.CharField(max_length=300, blank=True)
    # S3 multipart state (upload id, part etags) when uploads go straight to object storage.
    multipart = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=UploadStatus.choices, default=UploadStatus.RECEIVING,
                              db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    # Write lease: one PATCH at a time may append (set in a short locked transaction, so a
    # long body transfer does not hold a database lock).
    writer = models.CharField(max_length=32, blank=True)
    writer_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"

    def audit_scope(self) -> AuditScope:
        return AuditScope()


class MediaStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Processing failed")


class MediaFile(models.Model):
    """A validated stored file with its probe data and renditions. Which object it belongs to
    (an entry's slot, …) is recorded by the app that owns that object, not here.
    Originals stay private; only renditions are ever shown publicly."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="media_files")
    # What the file was uploaded for, as the ingest target said (e.g. the form field's key); the
    # owning app may require it to match where the file is attached.
    purpose = models.CharField(max_length=40, blank=True)
    original = models.FileField(max_length=300, upload_to="originals/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=12, blank=True)  # video / audio / image / document
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    probe = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=MediaStatus.choices, default=MediaStatus.PENDING,
                              db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when a worker claims the file and renewed while it works (runner.Heartbeat): processing
    # whose heartbeat has been silent for MEDIA_HEARTBEAT_STALE_SECONDS lost its worker.
    heartbeat = models.DateTimeField(null=True, blank=True)
    thumbnail = models.FileField(max_length=300, upload_to="renditions/", blank=True)
    web = models.FileField(max_length=300, upload_to="renditions/", blank=True)  # image web size / poster
    preview = models.FileField(max_length=300, upload_to="renditions/", blank=True)  # mp4 / m4a preview
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    def audit_scope(self) -> AuditScope:
        # A file service record; callers that know the campaign pass scope= (media.created).
        return AuditScope()
