from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHED = "launched", _("Launched")
    COLLECTING = "collecting", _("Collecting")
    # Between the end of collection and the start of review, when the two are not adjacent.
    CLOSED = "closed", _("Collection closed")
    REVIEWING = "reviewing", _("Reviewing")
    PUBLICITY = "publicity", _("Publicity")
    CONCLUDED = "concluded", _("Concluded")


class PendingMembers(models.TextChoices):
    """What a worker whose membership still awaits confirmation may do in a campaign."""

    NOTHING = "nothing", _("Nothing until the membership is confirmed")
    DRAFTS = "drafts", _("Save drafts, submit once confirmed")
    SUBMIT = "submit", _("Save drafts and submit")


class Campaign(models.Model):
    """One year's activity of an organisation, covering that organisation's subtree."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="campaigns",
                            verbose_name=_("organisation"))
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    year = models.PositiveIntegerField(_("year"))
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    banner = models.ImageField(_("banner"), upload_to="banners/", blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    pending_members = models.CharField(
        _("members awaiting confirmation"), max_length=10, choices=PendingMembers.choices,
        default=PendingMembers.DRAFTS,
        help_text=_("What a worker may do while their grassroots union has not yet confirmed them."))
    # Phase dates (Asia/Shanghai dates; a phase runs from its start date to the next one's).
    launch_date = models.DateField(_("launch"))
    collect_start = models.DateField(_("collection starts"))
    collect_end = models.DateField(_("collection ends"))
    review_start = models.DateField(_("review starts"))
    review_end = models.DateField(_("review ends"))
    publicity_start = models.DateField(_("publicity starts"))
    publicity_end = models.DateField(_("publicity ends"))
    conclude_date = models.DateField(_("conclusion"))
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path, campaign_id=self.pk)

    def phase_on(self, day: dt.date) -> str:
        """The phase on a day (Asia/Shanghai). The one definition; `campaigns.policy` uses it."""
        if not self.is_published:
            return Phase.DRAFT
        return self.dated_phase_on(day)

    def dated_phase_on(self, day: dt.date) -> str:
        """The phase the dates give, published or not (a draft's preview places itself by them)."""
        if day >= self.conclude_date:
            return Phase.CONCLUDED
        if day >= self.publicity_start:
            return Phase.PUBLICITY
        if day >= self.review_start:
            return Phase.REVIEWING
        if day > self.collect_end:
            return Phase.CLOSED
        if day >= self.collect_start:
            return Phase.COLLECTING
        return Phase.LAUNCHED

    @property
    def phase(self) -> str:
        return self.phase_on(timezone.localdate())

    def timeline(self) -> list[dict]:
        """The phases in order with dates, for the public timeline."""
        bounds = [
            (Phase.LAUNCHED, self.launch_date, self.collect_start),
            (Phase.COLLECTING, self.collect_start, self.collect_end),
            (Phase.REVIEWING, self.review_start, self.review_end),
            (Phase.PUBLICITY, self.publicity_start, self.publicity_end),
            (Phase.CONCLUDED, self.conclude_date, None),
        ]
        return [{"key": k, "label": k.label, "start": s, "end": e} for k, s, e in bounds]


class EntrantType(models.TextChoices):
    """Who may enter a track (a track lists the kinds it accepts; an entry has one)."""

    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Team")
    UNIT = "unit", _("Unit")


class WorkKind(models.TextChoices):
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    IMAGE = "image", _("Images")
    TEXT = "text", _("Text")
    ACCOUNT = "account", _("Online account")
    CASE = "case", _("Case / project")


class Track(models.Model):
    """A sub-project of a campaign, hosted by one organisation, with its own form and rules."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tracks",
                                 verbose_name=_("campaign"))
    number = models.PositiveSmallIntegerField(_("number"))
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    host_unit = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="hosted_tracks",
                                  verbose_name=_("host unit"))
    rules = models.TextField(_("rules"), blank=True, help_text=_("Rich text; sanitised on save."))
    rules_en = models.TextField(_("English rules"), blank=True)
    work_kind = models.CharField(_("kind of work"), max_length=12, choices=WorkKind.choices, default=WorkKind.CASE)
    # Who may enter: any of "individual", "team", "unit".
    entrant_types = models.JSONField(_("who may enter"), default=list)
    # The entry form: a list of field definitions, validated by campaigns.schema.
    form_schema = models.JSONField(_("entry form"), default=list, blank=True)
    is_open = models.BooleanField(_("open for entries"), default=True)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="uniq_track_slug"),
            models.UniqueConstraint(fields=["campaign", "number"], name="uniq_track_number"),
        ]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> AuditScope:
        # The host unit's admins read the records of the tracks it hosts.
        return AuditScope(org_path=self.host_unit.path, campaign_id=self.campaign_id)


class LevelRule(models.Model):
    """Deadline and quota for one level of the hierarchy reporting upward, for a campaign (track
    empty) or overriding it for one track. E.g. county: report by 5 Sept, at most 5 per track."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="level_rules")
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.CASCADE, related_name="level_rules")
    org_kind = models.CharField(_("level"), max_length=20)
    deadline = models.DateTimeField(_("report deadline"))
    quota = models.PositiveIntegerField(_("quota per track"), null=True, blank=True,
                                        help_text=_("Empty: no limit."))

    class Meta:
        # One rule per level for the campaign, and at most one override per level per track.
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org_kind"], condition=models.Q(track__isnull=True),
                                    name="uniq_levelrule_campaign_kind"),
            models.UniqueConstraint(fields=["track", "org_kind"], condition=models.Q(track__isnull=False),
                                    name="uniq_levelrule_track_kind"),
        ]
        verbose_name = _("level deadline and quota")
        verbose_name_plural = _("level deadlines and quotas")

    def __str__(self) -> str:
        return f"{self.org_kind} {self.deadline:%Y-%m-%d}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)


class Announcement(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    body_en = models.TextField(_("English body"), blank=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True,
                                      help_text=_("Empty: not published."))
    pinned = models.BooleanField(_("pinned"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-publish_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)

    @property
    def is_visible(self) -> bool:
        return self.publish_at is not None and self.publish_at <= timezone.now()


class DeadlineExtension(models.Model):
    """A later report deadline granted to one organisation (and its entrants) by the level above
    or a campaign admin, for the whole campaign (track empty) or one track."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="extensions")
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.CASCADE, related_name="extensions")
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="deadline_extensions",
                            verbose_name=_("organisation"))
    until = models.DateTimeField(_("extended until"))
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org"], condition=models.Q(track__isnull=True),
                                    name="uniq_extension_campaign_org"),
            models.UniqueConstraint(fields=["track", "org"], condition=models.Q(track__isnull=False),
                                    name="uniq_extension_track_org"),
        ]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.org_id} → {self.until:%Y-%m-%d %H:%M}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path, campaign_id=self.campaign_id)
