"""Pre-aggregated statistics (issue 9, points 5 and 8): counts kept up to date by the entry
workflow's hooks (`stats.tally`, inside each step's transaction) and rebuilt from scratch by
`manage.py rebuild_stats` (the same figures, computed from the entries and their events).

Keys are organisation *paths* (materialised paths of `orgs.Organization`), rolled up: a row for
path P counts everything in P's subtree, so a dashboard reads the few rows of one subtree root and
of its children instead of scanning entries. Moving organisations in the tree changes paths:
run `rebuild_stats` afterwards (the orgs app's move is rare and audited)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope

PATH_LEN = 255


class StatusTally(models.Model):
    """Entries of a subtree (all units under `path`, itself included) in a track and state."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=PATH_LEN)
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "path", "track", "status"],
                                               name="uniq_stats_status_tally")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.path} {self.track_id} {self.status}: {self.n}"


class UnitTally(models.Model):
    """A unit's own counted entries (not its subtree's): a unit with entries > 0 is covered."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=PATH_LEN)
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "path"], name="uniq_stats_unit_tally")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.path}: {self.entries}"


class Participant(models.Model):
    """A worker's counted entries (individual and team entries) in a campaign, per unit."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=PATH_LEN)
    entries = models.IntegerField(default=0)
    recommended = models.IntegerField(default=0)
    reported = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "user", "path"], name="uniq_stats_participant")]
        indexes = [models.Index(fields=["campaign", "recommended", "reported", "entries"],
                                name="stats_participant_rank")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.user_id} {self.path}: {self.entries}"


class SubtreeTally(models.Model):
    """Distinct participating workers of a subtree (a worker counted once however many entries)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=PATH_LEN)
    participants = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "path"], name="uniq_stats_subtree_tally")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.path}: {self.participants}"


class DailyTally(models.Model):
    """First submissions of a subtree's entries on one day (Asia/Shanghai)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=PATH_LEN)
    day = models.DateField()
    submissions = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "path", "day"], name="uniq_stats_daily_tally")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.path} {self.day}: {self.submissions}"


class LevelReport(models.Model):
    """A level's first report (batch sent) in a track, and whether it came by the level's own
    deadline (an extension makes it late)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=PATH_LEN)
    kind = models.CharField(max_length=20)
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField()
    on_time = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "org", "track"], name="uniq_stats_level_report")]
        indexes = [models.Index(fields=["campaign", "path"], name="stats_levelreport_path")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.path} {self.track_id}: {'on time' if self.on_time else 'late'}"


class PickKind(models.TextChoices):
    UNIT = "unit", _("Outstanding unit")
    INDIVIDUAL = "individual", _("Outstanding individual")


class OutstandingPick(models.Model):
    """A campaign admin's choice of an outstanding unit or individual for the year-end notice,
    with the indicators as they stood when picked."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="outstanding_picks")
    kind = models.CharField(_("kind"), max_length=12, choices=PickKind.choices)
    org = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                            verbose_name=_("unit"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("worker"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    indicators = models.JSONField(_("indicators when picked"), default=dict, blank=True)
    picked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    picked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "picked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org"], condition=models.Q(org__isnull=False),
                                    name="uniq_pick_campaign_org"),
            models.UniqueConstraint(fields=["campaign", "user"], condition=models.Q(user__isnull=False),
                                    name="uniq_pick_campaign_user"),
            models.CheckConstraint(condition=(models.Q(kind="unit", org__isnull=False, user__isnull=True)
                                              | models.Q(kind="individual", org__isnull=True, user__isnull=False)),
                                   name="pick_unit_or_individual"),
        ]
        verbose_name = _("outstanding pick")
        verbose_name_plural = _("outstanding picks")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind} {self.org_id or self.user_id}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(org_path=self.org.path if self.org is not None else "", campaign_id=self.campaign_id)
