"""Pages of the comments area. Thin: parse, call `domain.comments`, render.

Public and cached (anonymous visitors; tags "entry:<pk>" / "announcement:<pk>"): the comments
page of an entry or announcement, its thread fragment (pages), all replies of one comment.
Live, never cached: the comment form fragment (the login prompt, the nickname, "your comment
awaits moderation"), posting, reporting. Staff: the moderation queue with bulk actions, a
campaign's comment settings, the sensitive-word lists."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhengji.campaigns.models import Campaign
from zhengji.common.context import client_ip
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id

from . import comments_rules
from .cache import cached_page
from .domain import comments as domain
from .models import Comment, CommentMode, CommentStatus
from .sensitive import highlight

KINDS = {"e": "entry", "a": "announcement"}


def _tags(request: HttpRequest, kind: str, pk: int, *args: object) -> list[str]:
    return [f"{KINDS.get(kind, 'x')}:{pk}"]


def _target(request: HttpRequest, kind: str, pk: int) -> domain.Target:
    if kind not in KINDS:
        raise Http404
    try:
        return domain.target(request.user, kind, pk)
    except DomainError:
        raise Http404 from None


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_safe
@cached_page(_tags)
def comments_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """All comments of an entry or announcement, paginated (the page the thread's pager links)."""
    tgt = _target(request, kind, pk)
    return render(request, "public/comments/page.html", {"target": tgt, "thread": domain.thread(
        tgt, request.GET.get("page"))})


@require_safe
@cached_page(_tags)
def thread_fragment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    tgt = _target(request, kind, pk)
    return render(request, "public/comments/_list.html", {"target": tgt, "thread": domain.thread(
        tgt, request.GET.get("page"))})


@require_safe
@cached_page(_tags)
def replies_fragment(request: HttpRequest, kind: str, pk: int, parent: int) -> HttpResponse:
    tgt = _target(request, kind, pk)
    return render(request, "public/comments/_replies.html", {"target": tgt, "replies": domain.replies(tgt, parent)})


def _form_context(request: HttpRequest, tgt: domain.Target, **extra: object) -> dict:
    user = request.user
    reply_to = parse_id(str(extra.pop("reply_to", None) or request.GET.get("reply_to", "") or ""))
    rules = domain.settings_for(tgt.campaign_id)
    ctx: dict[str, object] = {
        "target": tgt, "reply_to": reply_to, "rules": rules, "pre": rules.mode == CommentMode.PRE,
        "max_length": domain.max_length(), "nickname": domain.nickname_of(user),
        "may_comment": user.has_perm("public.comment") if user.is_authenticated else False,
        "waiting": domain.mine_waiting(user, tgt) if not reply_to else [],
        "body": "", "error": "", "field": "", "posted": None,
    }
    if reply_to:
        ctx["replied"] = Comment.objects.filter(tgt.q, pk=reply_to, status=CommentStatus.PUBLISHED).only(
            "id", "nickname").first()
    ctx.update(extra)
    return ctx


def _form_response(request: HttpRequest, ctx: dict, status: int = 200) -> HttpResponse:
    template = "public/comments/_form.html" if _htmx(request) else "public/comments/form_page.html"
    response = render(request, template, ctx, status=status if not _htmx(request) else 200)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def comment_form(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The live part of a thread: GET the form (or the login prompt) and the visitor's own
    comments awaiting moderation; POST a comment or reply."""
    tgt = _target(request, kind, pk)
    if request.method == "GET":
        return _form_response(request, _form_context(request, tgt))
    if not request.user.is_authenticated:
        return redirect_to_login(tgt.page_url)
    body = request.POST.get("body", "")
    reply_to = parse_id(request.POST.get("reply_to", ""))
    try:
        comment = domain.post(request.user, tgt, body, reply_to=reply_to,
                              nickname=request.POST.get("nickname") or None, ip=client_ip(request))
    except DomainError as exc:
        ctx = _form_context(request, tgt, reply_to=reply_to, body=body, error=str(exc.message),
                            field=exc.field or "")
        return _form_response(request, ctx, status=exc.status)
    ctx = _form_context(request, tgt, reply_to=None, posted=comment)
    response = _form_response(request, ctx)
    if comment.status == CommentStatus.PUBLISHED:
        response["HX-Trigger"] = "comments-changed"
    return response


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a comment (logged-in, once). Answers with a short note in place of the button."""
    if not request.user.is_authenticated:
        if _htmx(request):
            return render(request, "public/comments/_reported.html", {"login": True, "pk": pk})
        return redirect_to_login(request.headers.get("Referer") or "/")
    try:
        domain.report(request.user, pk, request.POST.get("reason", ""))
        note, ok = _("Reported. Thank you: the moderators will look at it."), True
    except DomainError as exc:
        note, ok = str(exc.message), False
    if _htmx(request):
        return render(request, "public/comments/_reported.html", {"note": note, "ok": ok, "pk": pk})
    (messages.success if ok else messages.error)(request, note)
    back = request.headers.get("Referer") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "/"
    return redirect(back)


# --- moderation ----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """The moderators' queue: filters (pending, reported, held for words, all; a campaign) and
    bulk approve / reject with a reason / delete."""
    user = request.user
    if not comments_rules.may_moderate_any(user):
        raise PermissionDenied
    state = request.GET.get("state", "pending")
    if state not in domain.QUEUE_STATES:
        state = "pending"
    campaign_id = parse_id(request.GET.get("campaign", ""))
    params = {"state": state, **({"campaign": campaign_id} if campaign_id else {})}
    if request.method == "POST":
        ids = [i for i in (parse_id(v) for v in request.POST.getlist("ids")) if i]
        action = request.POST.get("action", "")
        try:
            n = domain.moderate(user, ids, action, request.POST.get("reason", ""))
            messages.success(request, _("%(n)d comments updated.") % {"n": n})
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect(f"{request.path}?{urlencode(params)}")
    page = Paginator(domain.queue(user, state, campaign_id), domain.QUEUE_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for c in items:
        c.marked = highlight(c.body, c.held_spans or [])  # type: ignore[attr-defined]
    counts = domain.queue_counts(user, campaign_id)
    states = [("pending", _("Awaiting moderation"), counts["pending"]), ("reported", _("Reported"), counts["reported"]),
              ("held", _("Held for sensitive words"), counts["held"]), ("all", _("All"), None)]
    return render(request, "public/comments/queue.html", {
        "page": page, "items": items, "state": state, "states": states, "campaign_id": campaign_id,
        "campaigns": list(domain.moderated_campaigns(user).only("pk", "name", "name_en", "year")),
        "query": urlencode(params),
    })


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm("public.manage_comment_settings", campaign):
        raise PermissionDenied
    rules = domain.settings_for(campaign.pk)
    if request.method == "POST":
        try:
            threshold = int(request.POST.get("reports_to_hide") or 0)
        except ValueError:
            threshold = 0
        try:
            domain.change_settings(request.user, campaign, mode=request.POST.get("mode", ""),
                                   enabled=request.POST.get("enabled") == "on", reports_to_hide=threshold)
            messages.success(request, _("The comment settings were saved."))
            return redirect("public:comment_settings", slug=campaign.slug)
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(request, "public/comments/settings.html", {
        "campaign": campaign, "rules": rules, "modes": CommentMode.choices})


@login_required
@require_http_methods(["GET", "POST"])
def words_page(request: HttpRequest) -> HttpResponse:
    """The global list (superusers) or, with ?campaign=<slug>, a campaign's (its admins)."""
    slug = request.GET.get("campaign", "")
    campaign = get_object_or_404(Campaign, slug=slug) if slug else None
    allowed = (request.user.is_superuser if campaign is None
               else request.user.has_perm("public.manage_sensitive_words", campaign))
    if not allowed:
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                ids = [i for i in (parse_id(v) for v in request.POST.getlist("ids")) if i]
                n = domain.remove_words(request.user, ids)
                messages.success(request, _("%(n)d words removed.") % {"n": n})
            else:
                added = domain.add_words(request.user, campaign, request.POST.get("words", "").splitlines())
                messages.success(request, _("%(n)d words added.") % {"n": len(added)})
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect(request.get_full_path())
    page = Paginator(domain.words(campaign.pk if campaign else None), 200).get_page(request.GET.get("page"))
    return render(request, "public/comments/words.html", {"campaign": campaign, "page": page})
