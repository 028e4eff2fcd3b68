"""Publicity pages for staff and moderators: a track's publicity (publish, the period with its
dates, objection counts, withdraw, finalise), the moderators' objection queue and one objection
(details, evidence, uphold or dismiss with a reply). Thin: parse, call a domain function or a
query, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhengji.campaigns.models import Track
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id

from . import publicity_queries as pq
from .domain import publicity as domain
from .queries import frozen_snapshot, setup_for
from .workdays import working_days_left

PAGE_SIZE = 50
STATES = ("open", "handled", "all")


def _track(request: HttpRequest, track_id: int) -> Track:
    track = get_object_or_404(Track.objects.select_related("campaign", "host_unit"), pk=track_id)
    if not request.user.has_perm("review.run_review", track):
        raise PermissionDenied
    return track


@login_required
@require_http_methods(["GET", "POST"])
def publicity_manage(request: HttpRequest, track_id: int) -> HttpResponse:
    """The track's publicity: publish the frozen results, the period, objections, finalise."""
    track = _track(request, track_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                pub = domain.publish(request.user, track)
                messages.success(request, _("The results are on public notice until %(end)s.")
                                 % {"end": timezone.localtime(pub.ends).strftime("%Y-%m-%d %H:%M")})
            elif action == "withdraw":
                current = pq.current_publicity(track)
                if current is None:
                    raise DomainError(_("The results of this track are not on public notice."))
                domain.withdraw(request.user, current, request.POST.get("reason", ""))
                messages.success(request, _("The results were taken off public notice."))
            elif action == "finalise":
                pub = domain.finalise(request.user, track)
                messages.success(request, _("The results are final."))
            else:
                raise DomainError(_("Choose an action."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("review:publicity_manage", track_id=track.pk)
    now = timezone.now()
    current = pq.current_publicity(track)
    history = list(pq.publicities_of(track)[:20])
    context = {
        "track": track, "current": current, "history": history, "now": now,
        "state": pq.state(current, now) if current else "",
        "snapshot": frozen_snapshot(track), "setup": setup_for(track),
        "counts": pq.objection_counts(current) if current else None,
        "days_left": working_days_left(track.campaign, current.ends, now) if current else 0,
        "reopenings": pq.reopenings(track.pk),
    }
    return render(request, "review/publicity/manage.html", context)


@login_required
@require_http_methods(["GET"])
def objections(request: HttpRequest) -> HttpResponse:
    """The objections of the campaigns the user moderates (and the tracks whose review they
    run): open ones oldest first, or handled ones; 50 a page."""
    if not pq.may_see_queue(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    track_id = parse_id(request.GET.get("track", ""))
    page = Paginator(pq.objection_queue(request.user, state, track_id), PAGE_SIZE).get_page(request.GET.get("page"))
    params = {"state": state, **({"track": track_id} if track_id else {})}
    return render(request, "review/publicity/objections.html", {
        "page": page, "state": state, "track_id": track_id, "query": urlencode(params),
        "states": [("open", _("Being handled")), ("handled", _("Handled")), ("all", _("All"))]})


@login_required
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, objection_id: int) -> HttpResponse:
    """One objection: who, on which entry, why, the evidence; uphold or dismiss with a reply."""
    obj = pq.objection_for(request.user, objection_id)
    if obj is None or not request.user.has_perm("review.view_objection", obj):
        raise Http404
    can_handle = request.user.has_perm("review.moderate", obj)
    if request.method == "POST":
        if not can_handle:
            raise PermissionDenied
        action = request.POST.get("action", "")
        reply = request.POST.get("reply", "")
        try:
            if action == "uphold":
                domain.uphold(request.user, obj, reply)
                messages.success(request, _("Objection upheld; the track's staff have been told."))
            elif action == "dismiss":
                domain.dismiss(request.user, obj, reply)
                messages.success(request, _("Objection dismissed; the objector has been told."))
            else:
                raise DomainError(_("Choose an action."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return render(request, "review/publicity/objection.html",
                          {"obj": obj, "can_handle": can_handle, "reply": reply,
                           "evidence": list(obj.evidence.all())}, status=400)
        return redirect("review:objection", objection_id=obj.pk)
    return render(request, "review/publicity/objection.html",
                  {"obj": obj, "can_handle": can_handle, "reply": "", "evidence": list(obj.evidence.all())})
