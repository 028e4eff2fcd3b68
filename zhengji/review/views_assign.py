"""Pages of judging's assign area: a round's assignment (the proposal with its loads and the
entries it cannot cover, apply, manual additions and removals, replacing a judge who drops out)
and a track's recorded conflicts of interest. Thin: parse, call a domain function, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhengji.campaigns.models import Track
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.entries.models import Entry

from .domain import assignment as assign
from .domain import conflicts as conflicts_domain
from .models import Assignment, AssignmentStatus, Conflict, PanelMember, Round

PAGE_SIZE = 50


def _round(request: HttpRequest, round_id: int) -> Round:
    rnd = Round.objects.select_related("track", "track__campaign", "track__host_unit").filter(pk=round_id).first()
    if rnd is None:
        raise Http404
    if not request.user.has_perm("review.run_review", rnd.track):
        raise PermissionDenied
    return rnd


def _track(request: HttpRequest, track_id: int) -> Track:
    track = Track.objects.select_related("campaign", "host_unit").filter(pk=track_id).first()
    if track is None:
        raise Http404
    if not request.user.has_perm("review.run_review", track):
        raise PermissionDenied
    return track


def _track_home(track: Track) -> str:
    """The track's review home (the set-up area's page), or the list of tracks until it exists."""
    try:
        return reverse("review:track", args=[track.pk])
    except NoReverseMatch:
        return reverse("review:tracks")


def _entry_of(rnd_track_id: int, value: str) -> Entry | None:
    """An entry of the track by its number (as staff see it) or its id."""
    value = (value or "").strip()
    if not value:
        return None
    qs = Entry.objects.filter(track_id=rnd_track_id)
    e = qs.filter(number=value).first()
    if e is None and (pk := parse_id(value)):
        e = qs.filter(pk=pk).first()
    return e


def _user(pk: Any) -> Any:
    pk = parse_id(str(pk or ""))
    return get_user_model().objects.filter(pk=pk).first() if pk else None


def _post_round(request: HttpRequest, rnd: Round) -> None:
    action = request.POST.get("action", "")
    if action == "apply":
        plan = assign.apply(request.user, rnd, request.POST.get("hash", ""))
        st = plan.stats()
        messages.success(request, _("Assignment applied: %(create)d added, %(remove)d removed, %(keep)d kept.")
                         % st)
    elif action == "add":
        entry = _entry_of(rnd.track_id, request.POST.get("entry", ""))
        judge = _user(request.POST.get("judge"))
        if entry is None:
            raise DomainError(_("No entry of this track has that number."), code="not_found", field="entry")
        if judge is None:
            raise DomainError(_("Choose a judge."), code="not_found", field="judge")
        assign.add(request.user, rnd, entry, judge)
        messages.success(request, _("Judge assigned."))
    elif action == "remove":
        a = Assignment.objects.select_related("round__track").filter(
            pk=parse_id(request.POST.get("assignment", "")) or 0, round=rnd).first()
        if a is None:
            raise DomainError(_("This assignment does not exist."), code="not_found")
        assign.remove(request.user, a, request.POST.get("reason", ""))
        messages.success(request, _("Judge removed from the entry."))
    elif action == "replace":
        judge = _user(request.POST.get("judge"))
        if judge is None:
            raise DomainError(_("Choose a judge."), code="not_found", field="judge")
        result = assign.replace_judge(request.user, rnd, judge, request.POST.get("reason", ""))
        messages.success(request, _("%(moved)d open assignments moved to other judges; %(kept)d submitted "
                                    "scores kept.") % {"moved": len(result.moved), "kept": result.kept})
    else:
        raise DomainError(_("Choose an action."), code="invalid")


@login_required
@require_http_methods(["GET", "POST"])
def assign_page(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _round(request, round_id)
    if request.method == "POST":
        try:
            _post_round(request, rnd)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("review:assign", round_id=rnd.pk)
    try:
        plan = assign.preview(request.user, rnd)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        plan = None
    return render(request, "review/assign/assign.html", _context(request, rnd, plan))


def _context(request: HttpRequest, rnd: Round, plan: assign.Plan | None) -> dict[str, Any]:
    ctx: dict[str, Any] = {"round": rnd, "track": rnd.track, "plan": plan, "home": _track_home(rnd.track)}
    seats = plan.seats if plan else {s.user_id: s for s in PanelMember.objects.filter(
        track_id=rnd.track_id, active=True).select_related("user", "org")}
    ctx["seats"] = sorted(seats.values(), key=lambda s: s.user_id)
    entry_ids = list(plan.problem.entries) if plan else []
    page = Paginator(entry_ids, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    entries = {e.pk: e for e in Entry.objects.filter(pk__in=ids).only("id", "number", "title")}
    current = (Assignment.objects.filter(round=rnd, entry_id__in=ids, status=AssignmentStatus.ACTIVE)
               .select_related("judge").order_by("entry_id", "judge_id"))
    by_entry: dict[int, list[Assignment]] = {}
    for a in current:
        by_entry.setdefault(a.entry_id, []).append(a)
    proposed: dict[int, list[int]] = {}
    if plan is not None and plan.feasible:
        wanted = set(ids)
        for j, e in plan.solution.pairs:
            if e in wanted:
                proposed.setdefault(e, []).append(j)
        for j, e in plan.kept:
            if e in wanted:
                proposed.setdefault(e, []).append(j)
    names = {s.user_id: _name(s.user) for s in seats.values()}
    names.update({a.judge_id: _name(a.judge) for a in current if a.judge_id not in names})
    ctx["rows"] = [{"entry": entries.get(e), "id": e, "current": by_entry.get(e, []),
                    "proposed": [names.get(j, str(j)) for j in sorted(proposed.get(e, []))]} for e in ids]
    ctx["page"] = page
    ctx["names"] = names
    if plan is not None:
        ctx["stats"] = plan.stats()
        loads_now = dict(Assignment.objects.filter(round=rnd, status=AssignmentStatus.ACTIVE).order_by()
                         .values("judge_id").annotate(n=Count("id")).values_list("judge_id", "n"))
        ctx["loads"] = [{"seat": s, "name": names.get(s.user_id), "proposed": plan.loads.get(s.user_id, 0),
                         "now": loads_now.get(s.user_id, 0)} for s in ctx["seats"]]
        unc = plan.solution.uncovered
        shown = {e.pk: e for e in Entry.objects.filter(pk__in=[u.entry for u in unc[:100]]).only("id", "number",
                                                                                                  "title")}
        ctx["uncovered"] = [{"u": u, "entry": shown.get(u.entry), "why": assign.reason_text(u)} for u in unc[:100]]
        ctx["uncovered_more"] = max(0, len(unc) - 100)
        ctx["uncovered_message"] = assign.uncovered_message(unc) if unc else ""
    return ctx


def _name(user: Any) -> str:
    return getattr(user, "real_name", "") or user.get_username()


@login_required
@require_http_methods(["GET", "POST"])
def conflicts_page(request: HttpRequest, track_id: int) -> HttpResponse:
    track = _track(request, track_id)
    if request.method == "POST":
        try:
            _post_conflict(request, track)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("review:conflicts", track_id=track.pk)
    qs = (Conflict.objects.filter(track=track).select_related("judge", "entry", "created_by")
          .order_by("-created", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    seats = list(PanelMember.objects.filter(track=track).select_related("user", "org").order_by("user_id"))
    return render(request, "review/assign/conflicts.html", {
        "track": track, "page": page, "seats": seats, "home": _track_home(track),
        "names": {s.user_id: _name(s.user) for s in seats}})


def _post_conflict(request: HttpRequest, track: Track) -> None:
    action = request.POST.get("action", "")
    if action == "add":
        judge = _user(request.POST.get("judge"))
        entry = _entry_of(track.pk, request.POST.get("entry", ""))
        if judge is None:
            raise DomainError(_("Choose a judge."), code="not_found", field="judge")
        if entry is None:
            raise DomainError(_("No entry of this track has that number."), code="not_found", field="entry")
        c = conflicts_domain.set_conflict(request.user, track, judge, entry, request.POST.get("reason", ""))
        removed = getattr(c, "removed_assignments", 0)
        messages.success(request, _("Conflict of interest recorded; %(n)d assignments removed.") % {"n": removed})
    elif action == "remove":
        found = Conflict.objects.select_related("track").filter(
            pk=parse_id(request.POST.get("conflict", "")) or 0, track=track).first()
        if found is None:
            raise DomainError(_("This conflict of interest does not exist."), code="not_found")
        conflicts_domain.remove_conflict(request.user, found)
        messages.success(request, _("Conflict of interest removed."))
    else:
        raise DomainError(_("Choose an action."), code="invalid")
