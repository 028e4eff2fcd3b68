"""Comments (互动交流): post, reply, report, moderate; the campaign's settings and word lists.

Every change is one function here: one transaction, the permission checked inside, audited; the
public page cache is bumped on commit when what the public sees changed (a comment became
visible or stopped being visible). Reads for the pages and the API (the thread, the queue) are
at the end. See docs/public-comments.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Announcement, Campaign, Track
from zhengji.campaigns.policy import local_day, start_of_day
from zhengji.common import audit
from zhengji.common.audit import AuditRecord
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.network import network_of as common_network_of
from zhengji.entries.models import Entry
from zhengji.entries.queries import View, entry_for

from .. import cache, sensitive
from ..comments_rules import queue_q
from ..models import (
    Comment,
    CommentBadge,
    CommentHold,
    CommentMode,
    CommentProfile,
    CommentReport,
    CommentSettings,
    CommentStatus,
    SensitiveWord,
)

S = CommentStatus


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_length() -> int:
    return _setting("COMMENT_MAX_LENGTH", 500)


PAGE_SIZE = 20  # top comments per page of a thread
REPLIES_SHOWN = 3  # replies shown under each top comment (the rest: "all N replies")
QUEUE_PAGE = 30
MAX_BULK = 200
NICKNAME_MIN, NICKNAME_MAX = 2, 20
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


# --- targets: what a comment is on ------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A public entry or a published announcement."""

    kind: str  # "entry" | "announcement"
    obj: Entry | Announcement
    campaign_id: int
    track_id: int | None

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def code(self) -> str:
        """The short form in URLs: "e" or "a"."""
        return "e" if self.kind == "entry" else "a"

    @property
    def q(self) -> Q:
        return Q(entry_id=self.pk) if self.kind == "entry" else Q(announcement_id=self.pk)

    @property
    def tags(self) -> list[str]:
        """The page-cache tags of the pages that show this target's comments."""
        return [f"{self.kind}:{self.pk}", f"campaign:{self.campaign_id}"]

    @property
    def title(self) -> str:
        return str(self.obj.title)

    @property
    def page_url(self) -> str:
        if self.kind == "entry":
            return reverse("public:entry", args=[self.pk])
        ann: Any = self.obj
        return reverse("public:announcement", args=[ann.campaign.slug, self.pk])


def entry_target(user: Any, pk: int) -> Target:
    """A public entry (404 otherwise: the public gate decides)."""
    entry = entry_for(user, pk, permission=None, view=View.PUBLIC)
    return Target("entry", entry, entry.track.campaign_id, entry.track_id)


def announcement_target(pk: int) -> Target:
    """A published announcement of a published campaign."""
    ann = (Announcement.objects.select_related("campaign")
           .filter(pk=pk, campaign__is_published=True, publish_at__isnull=False, publish_at__lte=timezone.now())
           .first())
    if ann is None:
        raise NotFound(_("Not found."))
    return Target("announcement", ann, ann.campaign_id, None)


def target(user: Any, code: str, pk: int) -> Target:
    if code == "e":
        return entry_target(user, pk)
    if code == "a":
        return announcement_target(pk)
    raise NotFound(_("Not found."))


def target_of(comment: Comment) -> Target:
    """The target of a stored comment, without the public gate (for moderation)."""
    if comment.entry_id is not None:
        return Target("entry", comment.entry, comment.campaign_id, comment.track_id)  # type: ignore[arg-type]
    return Target("announcement", comment.announcement, comment.campaign_id, None)  # type: ignore[arg-type]


def _bump_on_commit(tags: set[str]) -> None:
    if tags:
        transaction.on_commit(lambda: cache.bump(*sorted(tags)), robust=True)


def _tags(comments: Sequence[Comment]) -> set[str]:
    out: set[str] = set()
    for c in comments:
        kind, pk = ("entry", c.entry_id) if c.entry_id is not None else ("announcement", c.announcement_id)
        out |= {f"{kind}:{pk}", f"campaign:{c.campaign_id}"}
    return out


# --- settings -----------------------------------------------------------------------------------

def settings_for(campaign_id: int) -> CommentSettings:
    """The campaign's comment settings (the defaults, unsaved, when nobody changed them)."""
    found = CommentSettings.objects.filter(campaign_id=campaign_id).first()
    return found if found is not None else CommentSettings(campaign_id=campaign_id)


def change_settings(actor: Any, campaign: Campaign, *, mode: str, enabled: bool = True,
                    reports_to_hide: int = 3) -> CommentSettings:
    if mode not in CommentMode.values:
        raise DomainError(_("Choose pre-moderation or post-moderation."), field="mode")
    if not 1 <= int(reports_to_hide) <= 100:
        raise DomainError(_("The number of reports that hide a comment must be between 1 and 100."),
                          field="reports_to_hide")
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if actor is None or not actor.has_perm("public.manage_comment_settings", locked):
            raise NotPermitted(_("You do not have permission to do this."))
        row, _created = CommentSettings.objects.get_or_create(campaign=locked)
        before = {"mode": row.mode, "enabled": row.enabled, "reports_to_hide": row.reports_to_hide}
        row.mode, row.enabled, row.reports_to_hide = mode, bool(enabled), int(reports_to_hide)
        row.updated = timezone.now()
        row.save()
        after = {"mode": row.mode, "enabled": row.enabled, "reports_to_hide": row.reports_to_hide}
        if before != after:
            audit.record("comment.settings", row, actor=actor, before=before, after=after)
    return row


# --- nickname -------------------------------------------------------------------------------------

def clean_nickname(actor: Any, nickname: str) -> str:
    name = CONTROL.sub("", " ".join((nickname or "").split()))
    if len(name) < NICKNAME_MIN or len(name) > NICKNAME_MAX:
        raise DomainError(_("A nickname has %(a)d to %(b)d characters.") % {"a": NICKNAME_MIN, "b": NICKNAME_MAX},
                          code="nickname_invalid", field="nickname")
    if len(re.sub(r"\D", "", name)) >= 7:
        raise DomainError(_("A nickname must not contain a phone number."), code="nickname_invalid",
                          field="nickname")
    real = (getattr(actor, "real_name", "") or "").strip()
    if real and real in name:
        raise DomainError(_("Choose a nickname other than your real name: it is shown in public."),
                          code="nickname_invalid", field="nickname")
    if sensitive.find(name):
        raise DomainError(_("This nickname is not allowed; please choose another."), code="nickname_invalid",
                          field="nickname")
    return name


def nickname_of(user: Any) -> str:
    """The user's public nickname, or "" when they have not chosen one yet."""
    if user is None or not user.is_authenticated:
        return ""
    return CommentProfile.objects.filter(user_id=user.pk).values_list("nickname", flat=True).first() or ""


def set_nickname(actor: Any, nickname: str) -> CommentProfile:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    name = clean_nickname(actor, nickname)
    with transaction.atomic():
        profile, _created = CommentProfile.objects.select_for_update().get_or_create(
            user_id=actor.pk, defaults={"nickname": name})
        if not _created and profile.nickname == name:
            return profile
        before = None if _created else {"nickname": profile.nickname}
        profile.nickname = name
        profile.save(update_fields=["nickname"])
        audit.record("comment.nickname", profile, actor=actor, before=before, after={"nickname": name})
    return profile


# --- posting ------------------------------------------------------------------------------------

def clean_body(body: str) -> str:
    """Plain text: no control characters, at most two line breaks in a row, trimmed."""
    text = CONTROL.sub("", (body or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise DomainError(_("Write a comment first."), code="required", field="body")
    if len(text) > max_length():
        raise DomainError(_("A comment has at most %(n)d characters.") % {"n": max_length()}, code="too_long",
                          field="body")
    return text


def network_of(ip: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) of an address: the unit of the per-network comment limit."""
    return common_network_of(ip, v6_prefix=48)


def _check_rate(actor: Any, network: str, now: dt.datetime) -> None:
    per_minute = _setting("COMMENTS_PER_MINUTE", 3)
    per_day = _setting("COMMENTS_PER_DAY", 50)
    per_network = _setting("COMMENTS_PER_NETWORK_HOUR", 200)
    mine = Comment.objects.filter(author_id=actor.pk)
    if mine.filter(created__gt=now - dt.timedelta(minutes=1)).count() >= per_minute:
        raise RateLimited(_("You are commenting too fast. Please wait a minute and try again."))
    if mine.filter(created__gte=start_of_day(local_day(now))).count() >= per_day:
        raise RateLimited(_("You have posted %(n)d comments today, the most allowed. Please come back tomorrow.")
                          % {"n": per_day})
    if network and Comment.objects.filter(network=network, created__gt=now - dt.timedelta(hours=1)).count() \
            >= per_network:
        raise RateLimited(_("Too many comments come from your network just now. Please try again later."))


def badge_for(actor: Any, tgt: Target) -> str:
    """"Author" for the entrant of the entry, "Unit" for an admin of the entry's unit."""
    if tgt.kind != "entry":
        return CommentBadge.NONE
    entry: Any = tgt.obj
    if entry.submitter_id == actor.pk:
        return CommentBadge.AUTHOR
    if entry.unit_id in scopes_for(actor).admin_org_ids:
        return CommentBadge.UNIT
    return CommentBadge.NONE


def post(actor: Any, tgt: Target, body: str, *, reply_to: int | None = None, nickname: str | None = None,
         ip: str | None = None, at: dt.datetime | None = None) -> Comment:
    """A comment (or, with `reply_to`, a reply) by a logged-in account. It shows at once under
    post-moderation, else waits; a sensitive word holds it whatever the mode."""
    now = at or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in to comment."), code="login_required")
    if not actor.has_perm("public.comment"):
        raise NotPermitted(_("Verify your mobile number before commenting."), code="phone_unverified")
    text = clean_body(body)
    rules = settings_for(tgt.campaign_id)
    if not rules.enabled:
        raise DomainError(_("Comments are closed here."), code="closed", status=409)
    new_name = clean_nickname(actor, nickname) if nickname else None
    network = network_of(ip)
    with transaction.atomic():
        # The commenter's profile row serialises their posts, so the per-account limits hold.
        profile = CommentProfile.objects.select_for_update().filter(user_id=actor.pk).first()
        if profile is None:
            if new_name is None:
                raise DomainError(_("Choose a public nickname: it is shown with your comments instead of your "
                                    "name."), code="nickname_required", field="nickname")
            try:
                with transaction.atomic():
                    profile = CommentProfile.objects.create(user_id=actor.pk, nickname=new_name)
                audit.record("comment.nickname", profile, actor=actor, after={"nickname": new_name})
            except IntegrityError:  # a first comment posted twice at once: the other one made it
                profile = CommentProfile.objects.select_for_update().get(user_id=actor.pk)
        elif new_name is not None and new_name != profile.nickname:
            audit.record("comment.nickname", profile, actor=actor, before={"nickname": profile.nickname},
                         after={"nickname": new_name})
            profile.nickname = new_name
            profile.save(update_fields=["nickname"])
        _check_rate(actor, network, now)
        parent_id, mention = None, ""
        replied: Comment | None = None
        if reply_to is not None:
            replied = Comment.objects.filter(tgt.q, pk=reply_to, status=S.PUBLISHED).first()
            if replied is None:
                raise DomainError(_("The comment you reply to is no longer shown."), code="reply_gone",
                                  field="reply_to")
            parent_id = replied.parent_id or replied.pk
            mention = replied.nickname if replied.parent_id else ""
        hits = sensitive.find(text, tgt.campaign_id)
        if hits:
            status, hold = S.PENDING, CommentHold.WORDS
        elif rules.mode == CommentMode.PRE:
            status, hold = S.PENDING, CommentHold.PREMODERATION
        else:
            status, hold = S.PUBLISHED, CommentHold.NONE
        comment = Comment.objects.create(
            campaign_id=tgt.campaign_id, track_id=tgt.track_id, parent_id=parent_id,
            reply_to=replied if replied is not None else None, reply_to_nickname=mention,
            author=actor, nickname=profile.nickname, badge=badge_for(actor, tgt), body=text, status=status,
            hold=hold, held_words=sorted({h.word for h in hits}), held_spans=[[h.start, h.end] for h in hits],
            ip=ip or None, network=network, created=now,
            **({"entry_id": tgt.pk} if tgt.kind == "entry" else {"announcement_id": tgt.pk}))
        audit.record("comment.post", comment, actor=actor,
                     after={"target": f"{tgt.kind}:{tgt.pk}", "parent": parent_id, "status": status, "hold": hold,
                            "words": comment.held_words, "length": len(text)})
        if status == S.PUBLISHED:
            _bump_on_commit(set(tgt.tags))
    return comment


# --- reports ------------------------------------------------------------------------------------

def report(actor: Any, comment_id: int, reason: str = "", *, at: dt.datetime | None = None) -> Comment:
    """One report per user per comment. Under post-moderation, `reports_to_hide` open reports
    hide the comment until a moderator looks at it."""
    now = at or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in to report a comment."), code="login_required")
    reason = CONTROL.sub("", (reason or "").strip())[:200]
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id, status=S.PUBLISHED).first()
        if comment is None:
            raise NotFound(_("This comment is no longer shown."))
        if comment.author_id == actor.pk:
            raise DomainError(_("You cannot report your own comment."), code="own_comment", status=409)
        try:
            with transaction.atomic():
                row = CommentReport.objects.create(comment=comment, user=actor, reason=reason, created=now)
        except IntegrityError:
            raise DomainError(_("You have already reported this comment; the moderators will look at it."),
                              code="already_reported", status=409) from None
        comment.reports = F("reports") + 1
        comment.open_reports = F("open_reports") + 1
        comment.save(update_fields=["reports", "open_reports"])
        comment.refresh_from_db(fields=["reports", "open_reports"])
        audit.record("comment.report", row, actor=actor, after={"comment": comment.pk, "reason": reason})
        rules = settings_for(comment.campaign_id)
        if rules.mode == CommentMode.POST and comment.open_reports >= rules.reports_to_hide:
            comment.status, comment.hold = S.PENDING, CommentHold.REPORTS
            comment.save(update_fields=["status", "hold"])
            audit.record("comment.auto_hide", comment, actor=None,
                         before={"status": S.PUBLISHED}, after={"status": S.PENDING, "reports": comment.open_reports})
            _bump_on_commit(_tags([comment]))
    return comment


# --- moderation -------------------------------------------------------------------------------------

ACTIONS = {"approve": S.PUBLISHED, "reject": S.REJECTED, "delete": S.DELETED}


def moderate(actor: Any, ids: Sequence[int], action: str, reason: str = "",
             *, at: dt.datetime | None = None) -> int:
    """Approve, reject (with a reason) or delete comments in one go; all or nothing: a comment the
    actor may not moderate refuses the whole batch. Returns how many changed."""
    now = at or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if action not in ACTIONS:
        raise DomainError(_("Choose approve, reject or delete."), code="invalid_action", field="action")
    reason = CONTROL.sub("", (reason or "").strip())
    if action == "reject" and not reason:
        raise DomainError(_("Give a reason for rejecting: the commenter will see it."), code="reason_required",
                          field="reason")
    if len(reason) > 500:
        raise DomainError(_("At most %(n)d characters.") % {"n": 500}, code="too_long", field="reason")
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise DomainError(_("Choose at least one comment."), code="none_chosen", field="ids")
    if len(wanted) > MAX_BULK:
        raise DomainError(_("At most %(n)d comments at once.") % {"n": MAX_BULK}, code="too_many", field="ids")
    new_status = ACTIONS[action]
    with transaction.atomic():
        rows = list(Comment.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
        if len(rows) != len(wanted):
            raise NotFound(_("Some of the chosen comments no longer exist."))
        for c in rows:
            if not actor.has_perm("public.moderate_comment", c):
                raise NotPermitted(_("You do not have permission to moderate comment %(id)s.") % {"id": c.pk})
        changed = [c for c in rows if c.status != new_status or (action == "approve" and c.open_reports)]
        if not changed:
            return 0
        tags = _tags([c for c in changed if c.status == S.PUBLISHED or new_status == S.PUBLISHED])
        records = []
        for c in changed:
            before = {"status": c.status, "hold": c.hold, "open_reports": c.open_reports}
            c.status, c.moderated_at, c.moderated_by = new_status, now, actor
            c.hold = CommentHold.NONE
            c.open_reports = 0
            c.reason = reason if action != "approve" else ""
            after = {"status": c.status}
            if action == "approve":
                records.append(AuditRecord("comment.approve", c, before=before, after=after))
            elif action == "reject":
                records.append(AuditRecord("comment.reject", c, before=before, after=after, reason=reason))
            else:
                records.append(AuditRecord("comment.delete", c, before=before, after=after, reason=reason))
        Comment.objects.bulk_update(changed, ["status", "hold", "open_reports", "moderated_at", "moderated_by",
                                              "reason"])
        audit.record_many(records, actor=actor)
        _bump_on_commit(tags)
    return len(changed)


# --- sensitive words ---------------------------------------------------------------------------------

def _may_manage_words(actor: Any, campaign_id: int | None) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if campaign_id is None:
        return bool(actor.is_superuser)
    return bool(actor.has_perm("public.manage_sensitive_words", Campaign(pk=campaign_id)))


def add_words(actor: Any, campaign: Campaign | None, words: Sequence[str]) -> list[SensitiveWord]:
    """Add words to the global list (campaign None: superusers) or a campaign's; words already on
    the list (after folding) are skipped. Returns the words added."""
    cid = campaign.pk if campaign is not None else None
    if not _may_manage_words(actor, cid):
        raise NotPermitted(_("You do not have permission to do this."))
    cleaned: dict[str, str] = {}
    for raw in words:
        word = CONTROL.sub("", (raw or "").strip())
        if not word:
            continue
        if len(word) > 50:
            raise DomainError(_("A word has at most %(n)d characters: “%(w)s…”") % {"n": 50, "w": word[:10]},
                              code="too_long", field="words")
        norm = sensitive.normalize(word)
        if not norm:
            raise DomainError(_("“%(w)s” has no letters or characters to match.") % {"w": word},
                              code="nothing_to_match", field="words")
        cleaned.setdefault(norm, word)
    if not cleaned:
        raise DomainError(_("Enter at least one word."), code="required", field="words")
    with transaction.atomic():
        existing = set(_words_of(cid).filter(normalized__in=list(cleaned))
                       .values_list("normalized", flat=True))
        added = [SensitiveWord.objects.create(campaign_id=cid, word=w, normalized=n, created_by=actor)
                 for n, w in cleaned.items() if n not in existing]
        if added:
            audit.record_many([AuditRecord("comment.word_add", w, after={"word": w.word}) for w in added],
                              actor=actor)
            sensitive.bump(cid)
    return added


def remove_words(actor: Any, ids: Sequence[int]) -> int:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise DomainError(_("Choose at least one word."), code="none_chosen", field="ids")
    with transaction.atomic():
        rows = list(SensitiveWord.objects.select_for_update().filter(pk__in=wanted))
        if len(rows) != len(wanted):
            raise NotFound(_("Some of the chosen words no longer exist."))
        for w in rows:
            if not _may_manage_words(actor, w.campaign_id):
                raise NotPermitted(_("You do not have permission to do this."))
        audit.record_many([AuditRecord("comment.word_remove", w, before={"word": w.word}) for w in rows],
                          actor=actor)
        SensitiveWord.objects.filter(pk__in=wanted).delete()
        for cid in {w.campaign_id for w in rows}:
            sensitive.bump(cid)
    return len(rows)


# --- reads ----------------------------------------------------------------------------------------

@dataclass
class Thread:
    page: Page
    comments: list[Comment]  # the page's top comments, each with `.shown_replies` and `.reply_total`
    total: int


def thread(tgt: Target, page: int | str | None = 1, *, per_page: int = PAGE_SIZE) -> Thread:
    """A page of published top comments, newest first, each with its first replies (oldest
    first): three queries whatever the page size (the count, the page, the replies)."""
    tops = Comment.objects.filter(tgt.q, parent__isnull=True, status=S.PUBLISHED).order_by("-created", "-id").only(
        "id", "nickname", "badge", "body", "created", "reply_to_nickname", "parent_id")
    pg = Paginator(tops, per_page).get_page(page)
    comments = list(pg.object_list)
    by_parent: dict[int, list[Comment]] = {c.pk: [] for c in comments}
    totals: dict[int, int] = {}
    if comments:
        replies = (Comment.objects.filter(parent_id__in=list(by_parent), status=S.PUBLISHED)
                   .annotate(rn=Window(RowNumber(), partition_by=[F("parent_id")], order_by=[F("created"), F("id")]),
                             total=Window(Count("id"), partition_by=[F("parent_id")]))
                   .filter(rn__lte=REPLIES_SHOWN)
                   .only("id", "nickname", "badge", "body", "created", "reply_to_nickname", "parent_id")
                   .order_by("parent_id", "created", "id"))
        for r in replies:
            by_parent[r.parent_id].append(r)  # type: ignore[index]
            totals[r.parent_id] = r.total  # type: ignore[index]
    for c in comments:
        c.shown_replies = by_parent[c.pk]  # type: ignore[attr-defined]
        c.reply_total = totals.get(c.pk, 0)  # type: ignore[attr-defined]
        c.more_replies = max(0, c.reply_total - len(c.shown_replies))  # type: ignore[attr-defined]
    return Thread(pg, comments, pg.paginator.count)


def replies(tgt: Target, parent_id: int, limit: int = 200) -> list[Comment]:
    """All published replies of one top comment (oldest first; at most `limit`)."""
    return list(Comment.objects.filter(tgt.q, parent_id=parent_id, status=S.PUBLISHED).order_by("created", "id")
                [:limit])


def mine_waiting(user: Any, tgt: Target, limit: int = 10) -> list[Comment]:
    """The user's own comments on the target that the public does not see (awaiting moderation
    or rejected), newest first: shown only to them, live, never from the page cache."""
    if user is None or not user.is_authenticated:
        return []
    return list(Comment.objects.filter(tgt.q, author_id=user.pk, status__in=(S.PENDING, S.REJECTED))
                .order_by("-created")[:limit])


QUEUE_STATES = ("pending", "reported", "held", "all")


def queue(user: Any, state: str = "pending", campaign_id: int | None = None) -> QuerySet[Comment]:
    """The comments this user moderates: `pending` (oldest first), `reported` (open reports),
    `held` (held for sensitive words), `all` (not deleted, newest first)."""
    qs = Comment.objects.filter(queue_q(user)).select_related("entry", "announcement__campaign", "campaign")
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if state == "reported":
        return qs.filter(open_reports__gt=0, status__in=(S.PENDING, S.PUBLISHED)).order_by("-open_reports", "created")
    if state == "held":
        return qs.filter(status=S.PENDING, hold=CommentHold.WORDS).order_by("created", "id")
    if state == "all":
        return qs.exclude(status=S.DELETED).order_by("-created", "-id")
    return qs.filter(status=S.PENDING).order_by("created", "id")


def queue_counts(user: Any, campaign_id: int | None = None) -> dict[str, int]:
    qs = Comment.objects.filter(queue_q(user))
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.aggregate(
        pending=Count("id", filter=Q(status=S.PENDING)),
        reported=Count("id", filter=Q(open_reports__gt=0, status__in=(S.PENDING, S.PUBLISHED))),
        held=Count("id", filter=Q(status=S.PENDING, hold=CommentHold.WORDS)),
    )


def moderated_campaigns(user: Any) -> QuerySet[Campaign]:
    """The campaigns in which the user moderates comments (for the queue's filter)."""
    if user.is_superuser:
        return Campaign.objects.all().order_by("-year", "pk")
    s = scopes_for(user)
    ids = set(s.campaign_admin) | set(s.moderator) | set(
        Track.objects.filter(pk__in=s.host_tracks).values_list("campaign_id", flat=True))
    return Campaign.objects.filter(pk__in=ids).order_by("-year", "pk")


def _words_of(campaign_id: int | None) -> QuerySet[SensitiveWord]:
    if campaign_id is None:
        return SensitiveWord.objects.filter(campaign__isnull=True)
    return SensitiveWord.objects.filter(campaign_id=campaign_id)


def words(campaign_id: int | None) -> QuerySet[SensitiveWord]:
    return _words_of(campaign_id).order_by("normalized")
