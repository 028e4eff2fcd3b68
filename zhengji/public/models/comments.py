"""Tables of the public site's comments area (互动交流): comments and replies on public entries
and published announcements, reports, each campaign's moderation settings, the sensitive-word
lists and the public nickname of a commenter. See docs/public-comments.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common.audit import AuditScope

__all__ = ["Comment", "CommentBadge", "CommentHold", "CommentMode", "CommentProfile", "CommentReport",
           "CommentSettings", "CommentStatus", "SensitiveWord", "WordListVersion"]


class CommentMode(models.TextChoices):
    PRE = "pre", _("Pre-moderation: comments show after approval")
    POST = "post", _("Post-moderation: comments show at once and can be removed")


class CommentSettings(models.Model):
    """A campaign's comment rules (made on first change; without a row the defaults hold)."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="comment_settings")
    enabled = models.BooleanField(_("comments open"), default=True)
    mode = models.CharField(_("moderation"), max_length=4, choices=CommentMode.choices, default=CommentMode.PRE)
    # Post-moderation: this many reports hide a comment until a moderator looks at it.
    reports_to_hide = models.PositiveSmallIntegerField(_("reports that hide a comment"), default=3)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment settings")
        verbose_name_plural = _("comment settings")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.mode}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)


class CommentProfile(models.Model):
    """The name a commenter shows in public (never the real name or the phone)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_profile")
    nickname = models.CharField(_("nickname"), max_length=20)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("commenter")
        verbose_name_plural = _("commenters")

    def __str__(self) -> str:
        return self.nickname

    def audit_scope(self) -> AuditScope:
        return AuditScope()


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    DELETED = "deleted", _("Deleted")


class CommentHold(models.TextChoices):
    """Why a comment waits for a moderator."""

    NONE = "", _("Not held")
    PREMODERATION = "premod", _("Pre-moderation")
    WORDS = "words", _("Sensitive words")
    REPORTS = "reports", _("Reported")


class CommentBadge(models.TextChoices):
    NONE = "", _("None")
    AUTHOR = "author", _("Author")
    UNIT = "unit", _("Unit")


class Comment(models.Model):
    """A comment on an entry or an announcement (exactly one), or a reply to one (`parent` is the
    top comment; `reply_to` the comment answered, named with an @mention)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey("entries.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey("campaigns.Announcement", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    # Copied from the entry: host staff of the track moderate its entries' comments.
    track = models.ForeignKey("campaigns.Track", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply_to_nickname = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nickname = models.CharField(_("nickname"), max_length=20)  # as it was when posted
    badge = models.CharField(_("badge"), max_length=8, choices=CommentBadge.choices, blank=True)
    body = models.TextField(pgettext_lazy("public comment", "comment"))
    status = models.CharField(_("status"), max_length=10, choices=CommentStatus.choices,
                              default=CommentStatus.PENDING)
    hold = models.CharField(_("held for"), max_length=8, choices=CommentHold.choices, blank=True)
    held_words = models.JSONField(default=list, blank=True)  # the list words that matched
    held_spans = models.JSONField(default=list, blank=True)  # [[start, end], ...] in `body`
    reports = models.PositiveIntegerField(default=0)
    open_reports = models.PositiveIntegerField(default=0)  # not yet looked at by a moderator
    ip = models.GenericIPAddressField(null=True, blank=True)
    network = models.CharField(max_length=50, blank=True)  # /24 or /48 of `ip`, for the rate limit
    created = models.DateTimeField(default=timezone.now)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("public comment", "comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(condition=Q(entry__isnull=False, announcement__isnull=True)
                                   | Q(entry__isnull=True, announcement__isnull=False), name="comment_one_target"),
        ]
        indexes = [
            models.Index(fields=["entry", "parent", "status", "-created"], name="comment_entry_thread"),
            models.Index(fields=["announcement", "parent", "status", "-created"], name="comment_ann_thread"),
            models.Index(fields=["campaign", "status", "created"], name="comment_queue"),
            models.Index(fields=["campaign", "open_reports"], name="comment_reported"),
            models.Index(fields=["author", "-created"], name="comment_author_recent"),
            models.Index(fields=["network", "-created"], name="comment_network_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.nickname}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


class CommentReport(models.Model):
    """One user's report of one comment (once each)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="report_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="comment_report_once")]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")

    def __str__(self) -> str:
        return f"{self.comment_id} by {self.user_id}"

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.comment.campaign_id)


class SensitiveWord(models.Model):
    """A word that holds a comment for moderation: global (no campaign) or one campaign's."""

    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    word = models.CharField(_("word"), max_length=50)
    normalized = models.CharField(max_length=50)  # textnorm.for_matching(word): what is matched
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["normalized"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "normalized"], name="sensitive_word_once"),
            models.UniqueConstraint(fields=["normalized"], condition=Q(campaign__isnull=True),
                                    name="sensitive_word_global_once"),
        ]
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")

    def __str__(self) -> str:
        return self.word

    def audit_scope(self) -> AuditScope:
        return AuditScope(campaign_id=self.campaign_id)


class WordListVersion(models.Model):
    """The version of one word list (scope 0: the global list; else a campaign id), raised on
    every change so each process rebuilds its automaton once."""

    scope = models.PositiveBigIntegerField(unique=True)
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}@{self.version}"
