"""Pages of the votes area: the vote box (a live fragment the cached entry page loads with htmx),
the vote page, the challenge endpoint, the window form and the moderators' queue. Thin: each
parses the request and calls one domain function or query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from zhengji.campaigns.models import Track
from zhengji.common.context import client_ip
from zhengji.common.errors import DomainError
from zhengji.common.i18n import localized
from zhengji.entries.queries import View, entry_for

from . import votes_challenge
from .domain import votes as domain
from .models import AnomalyGroup, GroupState, Vote, VoteState
from .votes_rules import can_manage_votes, managed_tracks_q, manages_any


def origin_of(request: HttpRequest) -> domain.Origin:
    meta = request.META  # not request.headers: building that map of every header costs the vote path
    hints = "|".join(meta.get(h, "") for h in ("HTTP_SEC_CH_UA", "HTTP_SEC_CH_UA_PLATFORM", "HTTP_ACCEPT_LANGUAGE"))
    return domain.Origin(network=domain.network_of(client_ip(request)),
                         device=domain.device_of(meta.get("HTTP_USER_AGENT", ""), hints))


def _box(request: HttpRequest, entry: Any, *, message: str = "", level: str = "info",
         status: int = 200) -> HttpResponse:
    state = domain.box_state(request.user, entry, network=origin_of(request).network)
    response = render(request, "public/votes/_box_inner.html", {
        "entry": entry, "state": state, "message": message, "level": level,
        "login_url": f"{reverse('accounts:login')}?next={reverse('public:vote', args=[entry.pk])}",
    }, status=status)
    return response


@never_cache
@require_safe
def vote_box(request: HttpRequest, pk: int) -> HttpResponse:
    """The box's live state (per visitor, never cached)."""
    entry = entry_for(request.user, pk, permission=None, view=View.PUBLIC)
    return _box(request, entry)


@never_cache
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the vote page of an entry (the box on its own page). POST: cast a vote."""
    entry = entry_for(request.user, pk, permission=None, view=View.PUBLIC)
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "GET":
        return render(request, "public/votes/vote.html", {"entry": entry})
    if not request.user.is_authenticated:
        if htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{reverse('accounts:login')}?next={reverse('public:vote', args=[pk])}"
            return response
        return redirect_to_login(reverse("public:vote", args=[pk]))
    proof = request.POST.get("altcha") or request.POST.get("proof") or None
    try:
        domain.cast(request.user, pk, origin=origin_of(request), proof=proof)
    except DomainError as exc:
        if htmx:
            return _box(request, entry, message=str(exc.message), level="warning")
        messages.warning(request, str(exc.message))
        return redirect("public:vote", pk=pk)
    text = _("Thank you, your vote was recorded.")
    if htmx:
        return _box(request, entry, message=text, level="success")
    messages.success(request, text)
    return redirect("public:vote", pk=pk)


@never_cache
@require_safe
def vote_challenge(request: HttpRequest) -> HttpResponse:
    """A fresh ALTCHA challenge for the logged-in account (the widget fetches it)."""
    if not request.user.is_authenticated:
        return JsonResponse({"code": "unauthenticated", "message": _("Please log in.")}, status=401)
    return JsonResponse(votes_challenge.create(request.user.pk))


# --- staff: the window ----------------------------------------------------------------------------

class WindowForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Voting on"), required=False)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens (Beijing time)"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes (Beijing time)"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    per_entry_daily = forms.IntegerField(label=gettext_lazy("Votes per entry per account per day"), min_value=1,
                                         max_value=100, initial=1)
    per_account_daily = forms.IntegerField(label=gettext_lazy("Votes per account per day in the track"),
                                           min_value=1, max_value=1000, initial=10)
    show_counts = forms.BooleanField(label=gettext_lazy("Show vote counts on the public pages"), required=False,
                                     initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for k in ("opens_at", "closes_at"):
            if isinstance(data.get(k), dt.datetime) and timezone.is_naive(data[k]):
                data[k] = data[k].replace(tzinfo=domain.ZONE)
        return data


def _local_input(value: dt.datetime) -> str:
    return value.astimezone(domain.ZONE).strftime("%Y-%m-%dT%H:%M")


@require_http_methods(["GET", "POST"])
def vote_window(request: HttpRequest, track_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    track = get_object_or_404(Track.objects.select_related("campaign"), pk=track_id)
    if not can_manage_votes(request.user, track):
        raise PermissionDenied
    w = domain.window_of(track)
    if request.method == "POST":
        form = WindowForm(request.POST)
        if form.is_valid():
            try:
                domain.set_window(request.user, track, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("The vote settings were saved."))
                return redirect("public:vote_window", track_id=track.pk)
    else:
        now = timezone.now()
        initial = {"enabled": False, "opens_at": _local_input(now),
                   "closes_at": _local_input(now + dt.timedelta(days=7)),
                   "per_entry_daily": 1, "per_account_daily": 10, "show_counts": True}
        if w is not None:
            initial = {"enabled": w.enabled, "opens_at": _local_input(w.opens_at),
                       "closes_at": _local_input(w.closes_at),
                       "per_entry_daily": w.per_entry_daily, "per_account_daily": w.per_account_daily,
                       "show_counts": w.show_counts}
        form = WindowForm(initial=initial)
    return render(request, "public/votes/window.html", {"track": track, "form": form, "window": w,
                                                         "track_name": localized(track, "name")})


# --- staff: the anomaly queue ---------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def vote_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not manages_any(request.user):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            ids = [int(x) for x in request.POST.getlist("group")]
        except ValueError:
            ids = []
        if not ids:
            messages.warning(request, _("Select at least one group."))
        else:
            try:
                n = domain.decide(request.user, ids, action)
            except DomainError as exc:
                messages.warning(request, str(exc.message))
            else:
                messages.success(request, _("%(n)d group(s) decided.") % {"n": n})
        return redirect("public:vote_queue")
    state = request.GET.get("state", GroupState.OPEN)
    if state not in GroupState.values:
        state = GroupState.OPEN
    groups = (AnomalyGroup.objects.filter(managed_tracks_q(request.user, "track__"), state=state)
              .select_related("track", "entry").order_by("-created"))
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    held = dict(Vote.objects.filter(group__in=[g.pk for g in page], state=VoteState.HELD).values("group")
                .annotate(n=Count("id")).values_list("group", "n"))
    for g in page:
        g.held_now = held.get(g.pk, 0)  # type: ignore[attr-defined]  # for the template
    return render(request, "public/votes/queue.html", {"page": page, "state": state, "states": GroupState.choices})

