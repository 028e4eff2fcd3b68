"""The judge's workspace: the queue of their assignments in open rounds (progress, deadline, to-do
and done), one entry through the blind projection with the rubric form (draft, autosave on blur,
submit), the conflict declaration, and the clean copy of a file (metadata removed).

A judge reaches an assignment only when it is theirs, active, in a round open now, and the entry
is in their judge view (`entries_for(user, View.JUDGE)`); anything else is 404 (its existence is
not revealed). Pages show `entries.projections.blind` only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from zhengji.common.errors import DomainError
from zhengji.common.i18n import localized
from zhengji.entries import files as entry_files
from zhengji.entries import projections
from zhengji.entries.queries import View, entries_for
from zhengji.media import stripping
from zhengji.media.models import MediaFile
from zhengji.media.views_media import serve_fieldfile

from .domain import scoring
from .domain.scoring import ScoreInvalid
from .models import Assignment, Criterion, Round, Score, ScoreStatus
from .queries import open_assignments, open_credits

PAGE_SIZE = 25
ORDER = ("round__closes", "round_id", "entry__number", "entry_id")
STATES = ("todo", "done")


# --- reading (shared with api_judge) -------------------------------------------------------------

def my_assignments(user: Any) -> QuerySet[Assignment]:
    """The user's active assignments in rounds open now whose entry the judge gate gives them,
    with the score's status annotated (None: not started)."""
    visible = entries_for(user, View.JUDGE).values("pk")
    qs: QuerySet[Assignment] = (open_assignments(user).filter(entry_id__in=visible)
                                .select_related("round", "entry").annotate(score_status=F("score__status")))
    return qs


def filtered(qs: QuerySet[Assignment], state: str) -> QuerySet[Assignment]:
    if state == "todo":
        return qs.filter(Q(score__isnull=True) | ~Q(score__status=ScoreStatus.SUBMITTED))
    if state == "done":
        return qs.filter(score__status=ScoreStatus.SUBMITTED)
    return qs


@dataclass
class RoundProgress:
    round: Round
    total: int
    done: int
    drafts: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress(user: Any) -> list[RoundProgress]:
    """Per open round: how many of the judge's entries are submitted, drafted, assigned."""
    rows = (my_assignments(user).order_by().values("round_id")
            .annotate(total=Count("id"), done=Count("id", filter=Q(score__status=ScoreStatus.SUBMITTED)),
                      drafts=Count("id", filter=Q(score__status=ScoreStatus.DRAFT))))
    counts = {r["round_id"]: r for r in rows}
    rounds = Round.objects.filter(pk__in=list(counts)).select_related("track").order_by("closes", "pk")
    return [RoundProgress(r, counts[r.pk]["total"], counts[r.pk]["done"], counts[r.pk]["drafts"]) for r in rounds]


def assignment_for(user: Any, assignment_id: int) -> Assignment:
    """The judge's own assignment, with its entry (404 for anything else)."""
    a = (my_assignments(user).select_related("round__track", "entry__track", "entry__track__campaign")
         .filter(pk=assignment_id).first())
    if a is None:
        raise Http404
    return a


def neighbours(user: Any, a: Assignment) -> tuple[int | None, int | None, int, int, int | None]:
    """(previous, next, position from 1, count, next not yet submitted) in the queue's order."""
    rows = list(my_assignments(user).order_by(*ORDER).values_list("pk", "score__status"))
    ids = [pk for pk, _s in rows]
    i = ids.index(a.pk) if a.pk in ids else 0
    prev_id = ids[i - 1] if i > 0 else None
    next_id = ids[i + 1] if i + 1 < len(ids) else None
    later = rows[i + 1:] + rows[:i]
    next_todo = next((pk for pk, s in later if s != ScoreStatus.SUBMITTED), None)
    return prev_id, next_id, i + 1, len(ids), next_todo


def file_names(entry: Any, view: projections.BlindEntry) -> dict[int, MediaFile]:
    """The entry's files that have a clean copy, by id."""
    return {m.pk: m for m in entry_files.files_of(entry) if stripping.can_strip(m)}


def download_name(view: projections.BlindEntry, media: MediaFile) -> str:
    """The neutral name of the blind projection, with the clean copy's extension."""
    name = next((f.name for f in view.files if f.id == media.pk), f"file-{media.pk}")
    return f"{os.path.splitext(name)[0]}.{stripping.copy_ext(media)}"


def answers(entry: Any) -> list[tuple[Any, Any]]:
    """The blind form answers with choice values shown as their labels (in the reader's language)."""
    out = []
    for f, value in projections.blind_fields(entry):
        if f.type in ("choice", "multichoice") and f.choices:
            labels = {c.value: localized(c, "label") for c in f.choices}
            value = [labels.get(v, v) for v in value] if isinstance(value, list) else labels.get(value, value)
        out.append((f, value))
    return out


def score_of(a: Assignment) -> Score | None:
    return Score.objects.filter(assignment=a).first()


# --- pages --------------------------------------------------------------------------------------

@login_required
@require_GET
def judge_queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    qs = filtered(my_assignments(request.user), state).order_by(*ORDER)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rounds": progress(request.user), "state": state,
               "states": [("", _("All")), ("todo", _("To do")), ("done", _("Submitted"))], "now": timezone.now()}
    return render(request, "review/judge/queue.html", context)


def _form_values(request: HttpRequest, criteria: list[Criterion]) -> dict[str, str]:
    return {str(c.pk): request.POST.get(f"c_{c.pk}", "") for c in criteria}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _entry_context(request: HttpRequest, a: Assignment, *, values: dict[str, Any] | None = None,
                   comment: str | None = None, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    entry = a.entry
    view = projections.blind(entry)
    criteria = list(a.round.criteria.all())
    score = score_of(a)
    if values is None:
        values = {k: _plain(v) for k, v in (score.values if score else {}).items()}
    errors = errors or {}
    rows = [{"c": c, "value": values.get(str(c.pk), ""), "errors": errors.get(f"values.{c.pk}", []),
             "last": i == len(criteria) - 1} for i, c in enumerate(criteria)]
    downloadable = file_names(entry, view)
    prev_id, next_id, position, count, next_todo = neighbours(request.user, a)
    return {"a": a, "round": a.round, "view": view, "answers": answers(entry), "rows": rows,
            "score": score, "comment": score.comment if comment is None and score else (comment or ""),
            "errors": errors, "other_errors": errors.get("values", []) + errors.get("comment", []),
            "downloads": {pk: reverse("review:judge_file", args=[a.pk, pk]) for pk in downloadable},
            "prev_id": prev_id, "next_id": next_id, "position": position, "count": count, "next_todo": next_todo,
            "credits": open_credits(entry)}


def _plain(v: Any) -> str:
    text = f"{float(v):.2f}".rstrip("0").rstrip(".")
    return text or "0"


@login_required
@require_http_methods(["GET", "POST"])
def judge_entry(request: HttpRequest, assignment_id: int) -> HttpResponse:
    a = assignment_for(request.user, assignment_id)
    if request.method == "GET":
        return render(request, "review/judge/entry.html", _entry_context(request, a))
    action = request.POST.get("action", "save")
    criteria = list(a.round.criteria.all())
    values = _form_values(request, criteria)
    comment = request.POST.get("comment", "")
    try:
        score = scoring.save_score(request.user, a, values, comment, submit=action == "submit")
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ScoreInvalid) else {exc.field or "values": [str(exc.message)]}
        if _wants_json(request):
            return JsonResponse({"ok": False, "code": exc.code, "message": str(exc.message), "errors": errors},
                                status=exc.status)
        messages.error(request, str(exc.message))
        ctx = _entry_context(request, a, values=values, comment=comment, errors=errors)
        return render(request, "review/judge/entry.html", ctx, status=exc.status)
    if score.status == ScoreStatus.SUBMITTED:
        message = _("Score submitted (%(total)s). You can change it until the round closes.") % {
            "total": _plain(score.total)}
    else:
        message = _("Draft saved at %(time)s.") % {"time": timezone.localtime(score.updated).strftime("%H:%M")}
    if _wants_json(request):
        return JsonResponse({"ok": True, "status": score.status, "total": _plain(score.total or 0),
                             "message": message})
    messages.success(request, message)
    if action == "submit":
        _prev, _next, _pos, _count, next_todo = neighbours(request.user, a)
        if next_todo is not None:
            return redirect("review:judge_entry", assignment_id=next_todo)
        return redirect("review:judge_queue")
    return redirect("review:judge_entry", assignment_id=a.pk)


@login_required
@require_POST
def judge_conflict(request: HttpRequest, assignment_id: int) -> HttpResponse:
    a = assignment_for(request.user, assignment_id)
    try:
        scoring.declare_conflict(request.user, a, request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("review:judge_entry", assignment_id=a.pk)
    messages.success(request, _("Thank you. The entry was taken off your queue; the organisers will give it to "
                                "another judge."))
    return redirect("review:judge_queue")


def serve_clean_copy(request: HttpRequest, a: Assignment, media_id: int) -> HttpResponseBase:
    """The clean copy of one of the assignment's entry files, under its neutral name (shared
    with the API). Range requests are honoured; the download is audited once (not per range)."""
    media = entry_files.files_of(a.entry).filter(pk=media_id).first()
    if media is None:
        raise Http404
    try:
        copy = stripping.stripped_copy(media)
    except stripping.StrippingRefused as exc:
        raise Http404 from exc
    view = projections.blind(a.entry)
    name = download_name(view, media)
    rng = request.headers.get("Range", "").strip()
    if request.method == "GET" and (not rng or rng.startswith("bytes=0-")):
        scoring.record_download(request.user, a, media.pk, name)
    resp = serve_fieldfile(request, copy, content_type=copy.content_type, download_name=name, as_attachment=True)
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
@require_safe
def judge_file(request: HttpRequest, assignment_id: int, media_id: int) -> HttpResponseBase:
    return serve_clean_copy(request, assignment_for(request.user, assignment_id), media_id)
