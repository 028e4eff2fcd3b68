"""Judging and results of a track: the review set-up (rounds, rubric, panel, tiers), conflicts of
interest, assignments, scores, decisions, frozen snapshots, publicity with objections, the results
notice and award certificates.

Slim data only. Every change goes through a domain function of `zhengji.review.domain`; who may do
what is `zhengji.review.rules`; what a judge sees of an entry is `entries.projections.blind`.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common.audit import AuditScope

__all__ = [
    "Aggregation", "Assignment", "AssignmentStatus", "AwardTier", "Certificate", "Conflict", "ConflictSource",
    "Criterion", "Holiday", "Notice", "Objection", "ObjectionStatus", "PanelMember", "Publicity",
    "PublicityStatus", "ResultLine", "ResultSnapshot", "ReviewSetup", "Round", "RoundEntry", "RoundKind",
    "RoundStatus", "Score", "ScoreStatus", "TieBreak",
]


def _track_scope(track) -> AuditScope:
    """Review records belong to the track's host unit and campaign; staff only."""
    return AuditScope(org_path=track.host_unit.path, campaign_id=track.campaign_id)


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED = "trimmed", _("Trimmed mean (without the highest and lowest)")
    MEDIAN = "median", _("Median")


class TieBreak(models.TextChoices):
    # Equal final scores: the higher score on the first rubric criterion, then the next, …
    CRITERIA = "criteria", _("Higher score on the criteria, in rubric order")
    # Equal final scores: the higher public vote (only when the track uses the vote).
    VOTES = "votes", _("More public votes")
    # Equal final scores: the panel decides in the final round (shown as a tie until then).
    PANEL = "panel", _("The panel decides in the final round")


class ReviewSetup(models.Model):
    """How one track is judged. Created on first use with the defaults below."""

    track = models.OneToOneField("campaigns.Track", on_delete=models.CASCADE, related_name="review_setup")
    blind = models.BooleanField(_("blind review"), default=True,
                                help_text=_("Judges do not see authors, phone numbers or units."))
    aggregation = models.CharField(_("score aggregation"), max_length=10, choices=Aggregation.choices,
                                   default=Aggregation.MEAN)
    normalise = models.BooleanField(_("normalise each judge's scores (z-score)"), default=False)
    public_vote_weight = models.PositiveSmallIntegerField(
        _("public vote weight (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(50)])
    tie_break = models.CharField(_("tie-break"), max_length=10, choices=TieBreak.choices, default=TieBreak.CRITERIA)
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity period (working days)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)])
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(public_vote_weight__lte=50),
                                              name="review_vote_weight_max_50")]

    def __str__(self) -> str:
        return f"review of track {self.track_id}"

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.track)


class RoundKind(models.TextChoices):
    VETTING = "vetting", _("Vetting (eligibility)")
    SCORING = "scoring", _("Scoring round")
    FINAL = "final", _("Final round")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being set up")
    OPEN = "open", pgettext_lazy("round status", "Open")
    CLOSED = "closed", _("Closed")


class Round(models.Model):
    """One review round of a track, in order: vetting, one or more scoring rounds, the final."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="review_rounds")
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    opens = models.DateTimeField(_("opens"))
    closes = models.DateTimeField(_("closes"))
    # Judges per entry (scoring and final rounds).
    judges_per_entry = models.PositiveSmallIntegerField(_("judges per entry"), default=3,
                                                        validators=[MinValueValidator(1), MaxValueValidator(15)])
    status = models.CharField(_("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    instructions = models.TextField(_("instructions for judges"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["track", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "position"], name="uniq_review_round_position"),
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="review_round_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.track)

    def is_open_at(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == RoundStatus.OPEN and self.opens <= at < self.closes


class Criterion(models.Model):
    """One line of a round's rubric: a score from 0 to `maximum`, counted with `weight`."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("criterion"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    maximum = models.DecimalField(_("maximum"), max_digits=6, decimal_places=2, default=Decimal("10"),
                                  validators=[MinValueValidator(Decimal("0.01"))])
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["round", "position", "id"]

    def __str__(self) -> str:
        return self.name


class AwardTier(models.Model):
    """An award level of a track with its quota (一等奖 1, 二等奖 2, …), best first."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="award_tiers")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    quota = models.PositiveIntegerField(_("quota"))

    class Meta:
        ordering = ["track", "position"]
        constraints = [models.UniqueConstraint(fields=["track", "position"], name="uniq_award_tier_position")]

    def __str__(self) -> str:
        return self.name


class PanelMember(models.Model):
    """A judge on a track's panel. Outside experts get a judge-only account on invitation."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    # The organisation the judge belongs to (None: an outside expert); different organisations on
    # one entry are preferred by the assignment, and entries of this subtree are conflicts.
    org = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", verbose_name=_("organisation"))
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True,
                                   help_text=_("For outside experts: where they work (not shown to entrants)."))
    cap = models.PositiveIntegerField(_("most entries per round"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["track", "id"]
        constraints = [models.UniqueConstraint(fields=["track", "user"], name="uniq_panel_member")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.track_id}"

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.track)


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the judge")
    STAFF = "staff", _("Set by staff")


class Conflict(models.Model):
    """A conflict of interest recorded by a judge or by staff. Automatic conflicts (the entry's unit
    in the judge's organisation subtree, the judge an author or a member of the entry's unit) are
    computed by `review.conflicts`, not stored."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_conflicts")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="review_conflicts")
    source = models.CharField(_("source"), max_length=10, choices=ConflictSource.choices)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["judge", "entry"], name="uniq_review_conflict")]

    def __str__(self) -> str:
        return f"{self.judge_id} × {self.entry_id}"

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.track)


class RoundEntry(models.Model):
    """An entry taking part in a round: every eligible entry in the first scoring round; the ones
    advanced by staff in the later rounds."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_entries")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "entry"], name="uniq_round_entry")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.entry_id}"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Assigned")
    REMOVED = "removed", _("Removed")


class Assignment(models.Model):
    """A judge's task: score one entry in one round. A removed assignment keeps its row (and any
    score) for the record; at most one active assignment per (round, entry, judge)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="review_assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    status = models.CharField(max_length=8, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE)
    manual = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "entry", "judge"],
                                               condition=models.Q(status="active"), name="uniq_active_assignment")]
        indexes = [models.Index(fields=["judge", "round", "status"], name="review_assign_judge"),
                   models.Index(fields=["round", "entry"], name="review_assign_entry")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.entry_id} → {self.judge_id}"


class ScoreStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Score(models.Model):
    """One judge's score of one entry in one round. `values` maps criterion id (as a string) to the
    points given; `total` is the weighted sum, kept in step by `domain.scoring`. Changes are
    allowed until the round closes."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="score")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="review_scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_scores")
    values = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["round", "entry", "status"], name="review_score_entry"),
                   models.Index(fields=["round", "judge", "status"], name="review_score_judge")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.entry_id} by {self.judge_id}"


class ResultLine(models.Model):
    """The decided result of one entry in a track: its rank, final score and award tier (None: not
    awarded). Written by the final decisions; copied into each frozen snapshot."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="result_lines")
    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, related_name="review_result")
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    tier = models.ForeignKey(AwardTier, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["track", "rank", "id"]
        indexes = [models.Index(fields=["track", "tier"], name="review_result_tier")]

    def __str__(self) -> str:
        return f"{self.track_id}: {self.entry_id} #{self.rank}"


class ResultSnapshot(models.Model):
    """A frozen copy of a track's results: the scores, decisions and ranking as canonical JSON and
    its SHA-256. The newest snapshot that is not reopened is the track's frozen state; a reopening
    is recorded on the snapshot (who, when, why) and shown on the results page."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="result_snapshots")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    sha256 = models.CharField(max_length=64)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    frozen_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["track", "-version"]
        constraints = [models.UniqueConstraint(fields=["track", "version"], name="uniq_result_snapshot_version")]

    def __str__(self) -> str:
        return f"{self.track_id} v{self.version} {self.sha256[:12]}"

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.track)


class Holiday(models.Model):
    """An official public holiday the campaign admin lists (skipped when counting working days);
    `workday=True` marks a weekend day that is worked (调休)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=60, blank=True)
    workday = models.BooleanField(_("worked weekend day"), default=False)

    class Meta:
        ordering = ["campaign", "date"]
        constraints = [models.UniqueConstraint(fields=["campaign", "date"], name="uniq_campaign_holiday")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)


class PublicityStatus(models.TextChoices):
    OPEN = "open", _("On public notice")
    ENDED = "ended", _("Notice period over")
    FINALISED = "finalised", _("Finalised")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Publicity(models.Model):
    """A track's proposed results on public notice (公示) from `starts` to `ends` (end of the last
    working day, Asia/Shanghai), built from a frozen snapshot."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="publicities")
    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.PROTECT, related_name="publicities")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    status = models.CharField(max_length=10, choices=PublicityStatus.choices, default=PublicityStatus.OPEN)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["track", "-starts"]
        verbose_name_plural = "publicities"

    def __str__(self) -> str:
        return f"{self.track_id} {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.track)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Being handled")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """A real-name objection (异议) to an entry on public notice. The objector's verified phone is
    their account's; evidence files and the sealed letter of a unit are media files."""

    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="objections")
    objector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("real name"), max_length=60)
    unit_name = models.CharField(_("work unit"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20)
    on_behalf_of_unit = models.BooleanField(_("on behalf of a unit"), default=False)
    reason = models.TextField(_("reason"))
    evidence = models.ManyToManyField("media.MediaFile", blank=True, related_name="+")
    sealed_letter = models.ForeignKey("media.MediaFile", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    status = models.CharField(max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    reply = models.TextField(_("reply"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["publicity", "status"], name="review_objection_status")]

    def __str__(self) -> str:
        return f"objection {self.pk} on {self.entry_id}"

    def audit_scope(self) -> AuditScope:
        return _track_scope(self.publicity.track)


class Notice(models.Model):
    """The official results notice (通报) of a campaign, laid out after GB/T 9704-2012."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="notices")
    issuer = models.CharField(_("issuing body"), max_length=200)
    number = models.CharField(_("document number"), max_length=60, help_text=_("For example 皖工办〔2026〕12号"))
    title = models.CharField(_("title"), max_length=200)
    recipients = models.CharField(_("addressed to"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    # Outstanding organising units and individuals (from the reporting indicators), chosen by staff:
    # [{"kind": "unit"|"person", "name": …, "unit": …}]
    honours = models.JSONField(default=list, blank=True)
    issued_on = models.DateField(_("date"))
    template = models.FileField(_("Word template"), upload_to="review/notice-templates/", blank=True)
    docx = models.FileField(upload_to="review/notices/", blank=True)
    pdf = models.FileField(upload_to="review/notices/", blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "-issued_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)


def _certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """An award certificate of one awarded entry; `code` is the public verification key in its QR."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(max_length=32, unique=True, default=_certificate_code)
    tier_name = models.CharField(max_length=60)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="review/certificates/", blank=True)

    def __str__(self) -> str:
        return self.code
