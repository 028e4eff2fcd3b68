"""Originality: similarity flags, AI-content labels, the reference set, staff decisions
(docs/originality.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common.audit import STAFF, AuditScope


class FlagKind(models.TextChoices):
    SIMILAR = "similar", _("Similar to another work")
    AI_LABEL = "ai_label", _("AI-generated label in a file")
    AI_CONTRADICTION = "ai_contradiction", _("AI label contradicts the declaration")
    AI_FORBIDDEN = "ai_forbidden", _("AI-generated work in a track that forbids it")


class FlagScope(models.TextChoices):
    CAMPAIGN = "campaign", _("This campaign")
    ARCHIVE = "archive", _("Previously awarded")
    REFERENCE = "reference", _("Reference set")
    AI = "ai", _("AI-generated content")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "Open")
    CLEARED = "cleared", _("Cleared")
    DISQUALIFIED = "disqualified", _("Disqualified")


class ReferenceItem(models.Model):
    """A known published work staff import for a campaign (a file or a text), fingerprinted like
    an entry's files: `("media", media_id)` for a file, `("ref", pk)` for a text."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("campaign"))
    title = models.CharField(_("title"), max_length=200)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    media = models.OneToOneField("media.MediaFile", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="originality_reference")
    text = models.TextField(_("text"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["campaign", "-created"], name="origref_campaign")]
        verbose_name = _("reference work")
        verbose_name_plural = _("reference works")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path="", campaign_id=self.campaign_id, audience=STAFF)


class TrackAIPolicy(models.Model):
    """Whether a track accepts AI-generated works (no row: it does). A forbidding track flags
    declared or labelled works for staff; nothing is rejected automatically."""

    track = models.OneToOneField("campaigns.Track", on_delete=models.CASCADE, primary_key=True,
                                 related_name="ai_policy")
    allow_generated = models.BooleanField(_("AI-generated works allowed"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.track_id}: {self.allow_generated}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path="", campaign_id=self.track.campaign_id, audience=STAFF)


class MediaAILabel(models.Model):
    """The implicit AI label read from one stored file's metadata (GB 45438-2025 `AIGC` field,
    C2PA manifest); a row with found=False says the file was read and carries none."""

    media = models.OneToOneField("media.MediaFile", on_delete=models.CASCADE, primary_key=True,
                                 related_name="ai_label")
    found = models.BooleanField(default=False)
    generated = models.BooleanField(default=False, db_index=True)
    source = models.CharField(max_length=40, blank=True)  # png-text, exif, xmp, id3, mp4, c2pa, raw
    label = models.JSONField(default=dict, blank=True)
    c2pa_generator = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.media_id}: {self.source or '-'}"


class Flag(models.Model):
    """Something staff should look at before recommending or judging an entry. One row per
    (entry, kind, key): `key` names the matched work ("entry:12", "ref:3") or is "" for the
    entry-level AI flags, so a re-run updates the row instead of adding one."""

    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="originality_flags")
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    scope = models.CharField(_("scope"), max_length=12, choices=FlagScope.choices)
    key = models.CharField(max_length=40, blank=True)
    matched_entry = models.ForeignKey("entries.Entry", null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="+")
    reference = models.ForeignKey(ReferenceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    medium = models.CharField(_("medium"), max_length=12, blank=True)
    score = models.FloatField(_("score"), default=0)
    # {"pairs": [{"subject": "media:1", "other": "media:2", "medium": "exact", "score": 1.0, "detail": {}}]}
    # for similarity; {"labels": [...], "declared": "none"} for the AI kinds.
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=FlagStatus.choices, default=FlagStatus.OPEN,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "kind", "key"], name="uniq_origflag_entry_kind_key")]
        indexes = [models.Index(fields=["entry", "status"], name="origflag_entry_status")]
        verbose_name = _("originality flag")
        verbose_name_plural = _("originality flags")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} {self.key}"

    def audit_scope(self) -> AuditScope:
        """The entry's unit subtree and campaign, staff only (the entrant does not see flags)."""
        entry = self.entry
        return AuditScope(org_path=entry.unit.path, campaign_id=entry.track.campaign_id, audience=STAFF)

    @property
    def previously_awarded(self) -> bool:
        return self.scope == FlagScope.ARCHIVE


class AISuspicion(models.Model):
    """Staff's mark that an entry is suspected of being AI-generated although neither the entrant
    nor its files say so (GB 45438-2025 asks a platform to label suspected content too). One row
    per entry ever marked; withdrawing keeps the row with `active=False` (the audit log has the
    history). While active, the published work carries the "suspected" label (`labels.ai_labels`)."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, primary_key=True,
                                 related_name="ai_suspicion")
    active = models.BooleanField(default=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("suspected AI-generated content")
        verbose_name_plural = _("suspected AI-generated content")

    def __str__(self) -> str:
        return str(self.entry)

    def audit_scope(self) -> AuditScope:
        entry = self.entry
        return AuditScope(org_path=entry.unit.path, campaign_id=entry.track.campaign_id, audience=STAFF)
