"""Tables of the public site's votes area: a track's voting window, the per-day counters that hold
the limits in the database, the per-entry tallies, the vote log and the anomaly groups.

The limits cannot race: a vote increments `VoteDayCounter` rows (one per account, track and local
day; one per account, entry and day) with one `INSERT … ON CONFLICT DO UPDATE … WHERE used < quota`
each, and a CHECK constraint keeps `used <= quota` whatever code runs. Tallies are F() increments in
the same transaction, never a COUNT over the log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengji.common.audit import AuditScope

__all__ = ["AnomalyGroup", "AnomalyKind", "GroupState", "Vote", "VoteDayCounter", "VoteState", "VoteTally",
           "VoteWindow"]


class VoteWindow(models.Model):
    """A track's public vote: when it is open, its daily limits, whether counts are shown."""

    track = models.OneToOneField("campaigns.Track", on_delete=models.CASCADE, primary_key=True,
                                 related_name="vote_window")
    enabled = models.BooleanField(_("voting on"), default=False)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    per_entry_daily = models.PositiveSmallIntegerField(_("votes per entry per account per day"), default=1)
    per_account_daily = models.PositiveSmallIntegerField(_("votes per account per day in the track"), default=10)
    show_counts = models.BooleanField(_("show vote counts"), default=True)
    updated = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("voting window")
        verbose_name_plural = _("voting windows")
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="votewindow_order"),
            models.CheckConstraint(condition=models.Q(per_entry_daily__gte=1, per_account_daily__gte=1),
                                   name="votewindow_limits"),
        ]

    def __str__(self) -> str:
        return f"votes of track {self.track_id}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.track.campaign_id)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.enabled and self.opens_at <= at < self.closes_at


class VoteDayCounter(models.Model):
    """How many votes an account cast on one local day, per track (`entry` null) or per entry.
    `quota` is copied from the window when the row is made, so the CHECK holds the limit."""

    # No index of its own: the unique constraint below starts with it (one index less a vote).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey("entries.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # 0 for the track's counter: a real value keeps one unique constraint valid on every database
    # (NULLs are distinct in a unique index).
    entry_key = models.BigIntegerField(default=0)
    day = models.DateField()
    used = models.PositiveIntegerField(default=0)
    quota = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "track", "entry_key", "day"], name="votecounter_unique"),
            models.CheckConstraint(condition=models.Q(used__lte=models.F("quota")), name="votecounter_within_quota"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.track_id}/{self.entry_key} {self.day}: {self.used}/{self.quota}"


class VoteTally(models.Model):
    """An entry's counted votes (quarantined ones apart), kept by F() increments."""

    entry = models.OneToOneField("entries.Entry", on_delete=models.CASCADE, primary_key=True,
                                 related_name="vote_tally")
    # Indexed by votetally_track_counted (it starts with the track).
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+", db_index=False)
    counted = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["track", "-counted"], name="votetally_track_counted")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.counted} (+{self.held} held)"


class VoteState(models.TextChoices):
    COUNTED = "counted", _("counted")
    HELD = "held", _("held for review")
    EXCLUDED = "excluded", _("excluded")


class AnomalyKind(models.TextChoices):
    BURST = "burst", _("burst on one entry")
    FRESH = "fresh", _("many new accounts")
    NETWORK = "network", _("many votes from one network")
    DEVICE = "device", _("many votes from one device")


class GroupState(models.TextChoices):
    OPEN = "open", _("waiting for review")
    CONFIRMED = "confirmed", _("confirmed: excluded")
    RELEASED = "released", _("released: counted")


class AnomalyGroup(models.Model):
    """Votes flagged together for one reason (a network, a device, a burst on an entry, fresh
    accounts on an entry); held out of the tallies until a moderator decides."""

    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("reason"), max_length=16, choices=AnomalyKind.choices)
    key = models.CharField(max_length=80)  # the network, device hash or entry id it is about
    entry = models.ForeignKey("entries.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=GroupState.choices, default=GroupState.OPEN)
    created = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["track", "state", "-created"], name="anomaly_track_state")]
        verbose_name = _("flagged votes")
        verbose_name_plural = _("flagged votes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.track.campaign_id)


class Vote(models.Model):
    """One cast vote, logged with where it came from (the network, a hash of the device)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # entry, track and group are indexed by the Meta indexes that start with them (each index is
    # written by every vote: no second copy).
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+", db_index=False)
    track = models.ForeignKey("campaigns.Track", on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    day = models.DateField()  # the local (Asia/Shanghai) day the quota counted it on
    network = models.CharField(max_length=48, blank=True)  # /24 IPv4 or /64 IPv6
    device = models.CharField(max_length=16, blank=True)  # hash of the user agent and client hints
    challenged = models.BooleanField(default=False)  # a proof of work came with it
    state = models.CharField(max_length=10, choices=VoteState.choices, default=VoteState.COUNTED)
    group = models.ForeignKey(AnomalyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False)
    reviewed = models.BooleanField(default=False)  # released by a moderator: never flagged again

    class Meta:
        indexes = [
            models.Index(fields=["track", "at"], name="vote_track_at"),
            models.Index(fields=["entry", "at"], name="vote_entry_at"),
            models.Index(fields=["group"], name="vote_group"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.entry_id} {self.at:%Y-%m-%d %H:%M}"
