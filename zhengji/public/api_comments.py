"""JSON API of the public site's comments area (added to the public router, /api/public).

Public (no login): the published comments of a public entry or a published announcement, a page
of top comments with their first replies. Logged in: post a comment or a reply, report one,
the caller's own comments awaiting moderation. Moderators: the queue and bulk actions. Campaign
admins (superusers for the global list): the comment settings and the sensitive-word lists."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from zhengji.campaigns.models import Campaign
from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.context import client_ip

from . import comments_rules
from .domain import comments as domain
from .models import Comment

router = Router()

ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


class PublicCommentReplyOut(Schema):
    id: int
    nickname: str
    badge: str = Field(..., description='"author" (the entrant), "unit" (an admin of the entry\'s unit) or ""')
    body: str = Field(..., description="Plain text; line breaks kept. Escape it before showing it as HTML.")
    reply_to_nickname: str = Field(..., description="Set on a reply to a reply: the @mention.")
    created: dt.datetime


class PublicCommentOut(PublicCommentReplyOut):
    replies: list[PublicCommentReplyOut]
    reply_total: int


class PublicCommentPageOut(Schema):
    items: list[PublicCommentOut]
    page: int
    pages: int
    count: int


class PublicCommentIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=5000)
    reply_to: int | None = Field(None, ge=1, description="A published comment of the same entry or announcement.")
    nickname: str | None = Field(None, max_length=40, description="Required on the caller's first comment.")


class PublicCommentPostedOut(Schema):
    id: int
    status: str = Field(..., description='"published" or "pending" (awaiting moderation)')
    held_for: str = Field(..., description='"premod", "words" or ""')
    parent: int | None
    nickname: str
    badge: str


class PublicCommentReportIn(InputSchema):
    reason: str = Field("", max_length=200)


class PublicCommentReportOut(Schema):
    id: int
    reported: bool


class PublicCommentQueueItem(Schema):
    id: int
    campaign: int
    target: str = Field(..., description='"entry:<id>" or "announcement:<id>"')
    target_title: str
    parent: int | None
    nickname: str
    badge: str
    body: str
    status: str
    held_for: str
    held_words: list[str]
    held_spans: list[list[int]] = Field(..., description="[start, end) of each matched word in `body`.")
    reports: int
    open_reports: int
    created: dt.datetime
    reason: str


class PublicCommentQueueOut(Schema):
    items: list[PublicCommentQueueItem]
    page: int
    pages: int
    count: int
    counts: dict[str, int]


class PublicCommentModerateIn(InputSchema):
    ids: list[int] = Field(..., min_length=1, max_length=domain.MAX_BULK)
    action: Literal["approve", "reject", "delete"]
    reason: str = Field("", max_length=500, description="Required to reject.")


class PublicCommentModerateOut(Schema):
    changed: int


class PublicCommentSettingsIO(InputSchema):
    enabled: bool = True
    mode: Literal["pre", "post"]
    reports_to_hide: int = Field(3, ge=1, le=100)


class PublicSensitiveWordOut(Schema):
    id: int
    word: str
    campaign: int | None


class PublicSensitiveWordsIn(InputSchema):
    words: list[str] = Field(..., min_length=1, max_length=500)


def _reply_out(c: Comment) -> dict:
    return {"id": c.pk, "nickname": c.nickname, "badge": c.badge, "body": c.body,
            "reply_to_nickname": c.reply_to_nickname, "created": c.created}


def _page(tgt: domain.Target, page: int) -> PublicCommentPageOut:
    t = domain.thread(tgt, page)
    items = [PublicCommentOut(**_reply_out(c), replies=[PublicCommentReplyOut(**_reply_out(r))
                                                        for r in c.shown_replies],  # type: ignore[attr-defined]
                              reply_total=c.reply_total)  # type: ignore[attr-defined]
             for c in t.comments]
    return PublicCommentPageOut(items=items, page=t.page.number, pages=t.page.paginator.num_pages, count=t.total)


def _posted(c: Comment) -> PublicCommentPostedOut:
    return PublicCommentPostedOut(id=c.pk, status=c.status, held_for=c.hold, parent=c.parent_id, nickname=c.nickname,
                                  badge=c.badge)


def _post(request: HttpRequest, tgt: domain.Target, payload: PublicCommentIn) -> Status:
    c = domain.post(request.user, tgt, payload.body, reply_to=payload.reply_to, nickname=payload.nickname,
                    ip=client_ip(request))
    return Status(201, _posted(c))


@router.get("/entries/{int:pk}/comments", auth=None, response={200: PublicCommentPageOut, **ERRORS},
            summary="Published comments of a public entry")
def entry_comments(request: HttpRequest, pk: int, page: int = 1):
    """Top comments newest first (20 a page), each with its first three replies and the number
    of replies (all of them: `/comments/{id}/replies`)."""
    return _page(domain.entry_target(request.user, pk), page)


@router.get("/announcements/{int:pk}/comments", auth=None, response={200: PublicCommentPageOut, **ERRORS},
            summary="Published comments of an announcement")
def announcement_comments(request: HttpRequest, pk: int, page: int = 1):
    return _page(domain.announcement_target(pk), page)


@router.get("/comments/{int:pk}/replies", auth=None, response={200: list[PublicCommentReplyOut], **ERRORS},
            summary="All published replies of a comment")
def comment_replies(request: HttpRequest, pk: int):
    top = get_object_or_404(Comment.objects.select_related("entry", "announcement"), pk=pk, parent__isnull=True,
                            status=domain.S.PUBLISHED)
    tgt = (domain.entry_target(request.user, top.entry_id) if top.entry_id is not None
           else domain.announcement_target(top.announcement_id))  # type: ignore[arg-type]
    return [PublicCommentReplyOut(**_reply_out(r)) for r in domain.replies(tgt, top.pk)]


@router.post("/entries/{int:pk}/comments", response={201: PublicCommentPostedOut, 429: ApiError, **ERRORS},
             summary="Comment on (or reply under) a public entry")
def post_entry_comment(request: HttpRequest, pk: int, payload: PublicCommentIn):
    """Logged in with a verified phone. 201 with `status` "pending" under pre-moderation or when a
    sensitive word holds it; 400 `nickname_required` on the first comment without a nickname;
    429 `rate_limited`; 409 `closed`."""
    return _post(request, domain.entry_target(request.user, pk), payload)


@router.post("/announcements/{int:pk}/comments", response={201: PublicCommentPostedOut, 429: ApiError, **ERRORS},
             summary="Comment on (or reply under) an announcement")
def post_announcement_comment(request: HttpRequest, pk: int, payload: PublicCommentIn):
    return _post(request, domain.announcement_target(pk), payload)


@router.post("/comments/{int:pk}/report", response={201: PublicCommentReportOut, **ERRORS},
             summary="Report a comment")
def report_comment(request: HttpRequest, pk: int, payload: PublicCommentReportIn):
    """Once per user and comment (409 `already_reported`; 409 `own_comment`)."""
    c = domain.report(request.user, pk, payload.reason)
    return Status(201, PublicCommentReportOut(id=c.pk, reported=True))


@router.get("/comments/mine/waiting", response={200: list[PublicCommentPostedOut], **ERRORS},
            summary="My comments awaiting moderation or rejected")
def my_waiting(request: HttpRequest):
    qs = Comment.objects.filter(author_id=request.user.pk, status__in=(domain.S.PENDING, domain.S.REJECTED))
    return [_posted(c) for c in qs.order_by("-created")[:50]]


def _queue_item(c: Comment) -> PublicCommentQueueItem:
    target = f"entry:{c.entry_id}" if c.entry_id is not None else f"announcement:{c.announcement_id}"
    title = c.entry.title if c.entry_id is not None else c.announcement.title  # type: ignore[union-attr]
    return PublicCommentQueueItem(
        id=c.pk, campaign=c.campaign_id, target=target, target_title=title, parent=c.parent_id, nickname=c.nickname,
        badge=c.badge, body=c.body, status=c.status, held_for=c.hold, held_words=list(c.held_words or []),
        held_spans=[list(s) for s in (c.held_spans or [])], reports=c.reports, open_reports=c.open_reports,
        created=c.created, reason=c.reason)


@router.get("/comments/moderation", response={200: PublicCommentQueueOut, **ERRORS},
            summary="The comment moderation queue")
def moderation_queue(request: HttpRequest, state: Literal["pending", "reported", "held", "all"] = "pending",
                     campaign: int | None = None, page: int = 1):
    """The comments of the campaigns you moderate or administer (and of the tracks you host),
    30 a page: `pending`, `reported` (open reports), `held` (sensitive words), `all`."""
    if not comments_rules.may_moderate_any(request.user):
        raise PermissionDenied
    pg = Paginator(domain.queue(request.user, state, campaign), domain.QUEUE_PAGE).get_page(page)
    return PublicCommentQueueOut(items=[_queue_item(c) for c in pg.object_list], page=pg.number,
                                 pages=pg.paginator.num_pages, count=pg.paginator.count,
                                 counts=domain.queue_counts(request.user, campaign))


@router.post("/comments/moderation", response={200: PublicCommentModerateOut, **ERRORS},
             summary="Approve, reject or delete comments in bulk")
def moderate(request: HttpRequest, payload: PublicCommentModerateIn):
    """All or nothing: 403 if any comment is outside what you moderate. Audited."""
    return PublicCommentModerateOut(changed=domain.moderate(request.user, payload.ids, payload.action,
                                                            payload.reason))


def _campaign_for_settings(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm("public.manage_comment_settings", campaign):
        raise PermissionDenied
    return campaign


@router.get("/campaigns/{slug}/comment-settings", response={200: PublicCommentSettingsIO, **ERRORS},
            summary="A campaign's comment settings")
def get_settings(request: HttpRequest, slug: str):
    campaign = _campaign_for_settings(request, slug)
    s = domain.settings_for(campaign.pk)
    return PublicCommentSettingsIO(enabled=s.enabled, mode=s.mode, reports_to_hide=s.reports_to_hide)  # type: ignore[arg-type]


@router.put("/campaigns/{slug}/comment-settings", response={200: PublicCommentSettingsIO, **ERRORS},
            summary="Change a campaign's comment settings")
def put_settings(request: HttpRequest, slug: str, payload: PublicCommentSettingsIO):
    campaign = _campaign_for_settings(request, slug)
    s = domain.change_settings(request.user, campaign, mode=payload.mode, enabled=payload.enabled,
                               reports_to_hide=payload.reports_to_hide)
    return PublicCommentSettingsIO(enabled=s.enabled, mode=s.mode, reports_to_hide=s.reports_to_hide)  # type: ignore[arg-type]


def _words_campaign(request: HttpRequest, campaign: str | None) -> Campaign | None:
    found = get_object_or_404(Campaign, slug=campaign) if campaign else None
    allowed = (request.user.is_superuser if found is None
               else request.user.has_perm("public.manage_sensitive_words", found))
    if not allowed:
        raise PermissionDenied
    return found


def _word_out(w) -> PublicSensitiveWordOut:
    return PublicSensitiveWordOut(id=w.pk, word=w.word, campaign=w.campaign_id)


@router.get("/comment-words", response={200: list[PublicSensitiveWordOut], **ERRORS},
            summary="A sensitive-word list")
def list_words(request: HttpRequest, campaign: str | None = None):
    """The global list (superusers), or with `campaign=<slug>` that campaign's (its admins)."""
    found = _words_campaign(request, campaign)
    return [_word_out(w) for w in domain.words(found.pk if found else None)[:5000]]


@router.post("/comment-words", response={201: list[PublicSensitiveWordOut], **ERRORS},
             summary="Add sensitive words")
def add_words(request: HttpRequest, payload: PublicSensitiveWordsIn, campaign: str | None = None):
    """Words already on the list (after folding) are skipped; the answer lists those added."""
    found = _words_campaign(request, campaign)
    return Status(201, [_word_out(w) for w in domain.add_words(request.user, found, payload.words)])


@router.delete("/comment-words/{int:word_id}", response={204: None, **ERRORS}, summary="Remove a sensitive word")
def remove_word(request: HttpRequest, word_id: int):
    domain.remove_words(request.user, [word_id])
    return Status(204, None)
