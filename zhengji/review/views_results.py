"""Results pages for a track's review staff: progress per judge (with reminders), the score table
(with its .xlsx export), the ranking preview with tier cut-offs, advancing and the final
decisions, freezing and reopening, and the trace of one entry's result. Thin: parse, call a
domain function of `review.domain.results`, render. Staff of the track only (`review.run_review`);
anyone else gets 404."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import xlsxwriter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengji.campaigns.models import Track
from zhengji.common import audit
from zhengji.common.audit_log import describe_html
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.entries.models import Entry

from . import results as calc
from .domain import results as domain
from .models import AwardTier, ResultLine, ResultSnapshot, Round

SCORES_PAGE = 25
RANKING_PAGE = 100
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def staff_track(user: Any, track_id: int) -> Track:
    track = Track.objects.select_related("campaign", "host_unit").filter(pk=track_id).first()
    if track is None or not user.is_authenticated or not user.has_perm("review.run_review", track):
        raise Http404
    return track


def staff_round(user: Any, round_id: int) -> Round:
    rnd = Round.objects.select_related("track__campaign", "track__host_unit").filter(pk=round_id).first()
    if rnd is None or not user.is_authenticated or not user.has_perm("review.run_review", rnd.track):
        raise Http404
    return rnd


def _nav(track: Track, rnd: Round | None = None) -> dict[str, Any]:
    return {"track": track, "round": rnd, "rounds": domain.scoring_rounds(track)}


def _names(ids: set[int]) -> dict[int, str]:
    return {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids)}


# --- progress -----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = staff_round(request.user, round_id)
    if request.method == "POST":
        judge = parse_id(request.POST.get("judge", ""))
        try:
            n = domain.remind_judges(request.user, rnd, [judge] if judge else None)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(n)d judges reminded.") % {"n": n})
        return redirect("review:progress", round_id=rnd.pk)
    rows = domain.progress(rnd)
    totals = {"assigned": sum(p.assigned for p in rows), "draft": sum(p.draft for p in rows),
              "submitted": sum(p.submitted for p in rows)}
    return render(request, "review/results/progress.html",
                  {**_nav(rnd.track, rnd), "rows": rows, "totals": totals,
                   "unfinished": any(p.unfinished for p in rows)})


# --- scores -------------------------------------------------------------------------------------------

def _score_rows(data: domain.RoundData, res: calc.RoundResult, entry_ids: list[int]) -> list[dict[str, Any]]:
    """The table's rows for the given entries: per judge the total, the points per criterion, the
    normalised number and the outlier flag; the entry's aggregate and rank."""
    wanted = set(entry_ids)
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for r in data.rows:
        if r["entry_id"] in wanted:
            by_entry.setdefault(r["entry_id"], []).append(r)
    entries = Entry.objects.filter(pk__in=wanted).only("pk", "number", "title").in_bulk()
    names = _names({r["judge_id"] for rows in by_entry.values() for r in rows})
    flagged = {(o.entry_id, o.judge_id): o for o in res.outliers}
    norm = res.normalisation
    out = []
    for e in entry_ids:
        judges = []
        for r in by_entry.get(e, []):
            values = r["values"] or {}
            judges.append({"id": r["judge_id"], "name": names.get(r["judge_id"], ""), "total": r["total"],
                           "values": [(c, values.get(str(c.pk))) for c in data.criteria],
                           "normalised": norm.value(e, r["judge_id"]) if norm is not None else None,
                           "outlier": flagged.get((e, r["judge_id"])),
                           "no_spread": r["judge_id"] in res.no_spread})
        out.append({"entry": entries.get(e), "entry_id": e, "result": res.entries.get(e), "judges": judges})
    return out


@login_required
@require_GET
def scores(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = staff_round(request.user, round_id)
    data, res = domain.compute_round(rnd)
    ordered = [er.entry_id for er in res.ordered()]
    page = Paginator(ordered, SCORES_PAGE).get_page(request.GET.get("page"))
    rows = _score_rows(data, res, list(page.object_list))
    return render(request, "review/results/scores.html",
                  {**_nav(rnd.track, rnd), "page": page, "rows": rows, "res": res, "data": data,
                   "no_spread": _names(set(res.no_spread)), "outlier_count": len(res.outliers)})


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@login_required
@require_GET
def scores_xlsx(request: HttpRequest, round_id: int) -> HttpResponse:
    """Every submitted score of the round, one row per entry and judge (xlsxwriter, constant memory)."""
    rnd = staff_round(request.user, round_id)
    data, res = domain.compute_round(rnd)
    entries = {e.pk: e for e in Entry.objects.filter(pk__in=data.entry_ids).only("pk", "number", "title")}
    names = _names({r["judge_id"] for r in data.rows})
    flagged = {(o.entry_id, o.judge_id) for o in res.outliers}
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for r in data.rows:
        by_entry.setdefault(r["entry_id"], []).append(r)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(_("Scores"))
    bold = wb.add_format({"bold": True})
    head = [_("Rank"), _("Entry number"), _("Title"), _("Judge")] + [c.name for c in data.criteria] + [
        _("Total"), _("Normalised"), _("Outlier"), _("Aggregated"), _("Final score")]
    for col, text in enumerate(head):
        ws.write_string(0, col, _safe(text), bold)
    row = 1
    for er in res.ordered():
        e = entries.get(er.entry_id)
        judged: list[dict[str, Any] | None] = list(by_entry.get(er.entry_id, [])) or [None]
        for sc in judged:
            cells: list[Any] = [er.ranked.rank if er.ranked else "", e.number if e else "", e.title if e else "",
                                names.get(sc["judge_id"], "") if sc else ""]
            values = (sc["values"] or {}) if sc else {}
            cells += [values.get(str(c.pk), "") for c in data.criteria]
            cells += [sc["total"] if sc else "",
                      res.normalisation.value(er.entry_id, sc["judge_id"]) if sc and res.normalisation else "",
                      _("yes") if sc and (er.entry_id, sc["judge_id"]) in flagged else "",
                      er.aggregate.value if er.aggregate else "", er.final if er.final is not None else ""]
            for col, value in enumerate(cells):
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    ws.write_number(row, col, float(value))
                else:
                    ws.write_string(row, col, _safe(value))
            row += 1
    ws.set_column(0, 0, 6)
    ws.set_column(1, 3, 18)
    wb.close()
    audit.record("review.export", rnd, actor=request.user, after={"format": "xlsx", "rows": row - 1})
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="scores-round-{rnd.pk}.xlsx"'
    return response


# --- ranking, advancing, decisions ----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest, track_id: int) -> HttpResponse:
    track = staff_track(request.user, track_id)
    params = request.POST if request.method == "POST" else request.GET
    rnd = domain.ranking_round(track, parse_id(params.get("round", "")) if params.get("round") else None)
    if request.method == "POST":
        return _ranking_post(request, track, rnd)
    if rnd is None:
        return render(request, "review/results/ranking.html", {**_nav(track), "rows": [], "page": None})
    tiers = domain.tiers_of(track)
    data, res = domain.compute_round(rnd, tiers=tiers)
    page = Paginator(res.ordered(), RANKING_PAGE).get_page(request.GET.get("page"))
    ids = [er.entry_id for er in page.object_list]
    entries = Entry.objects.filter(pk__in=ids).select_related("unit").only(
        "pk", "number", "title", "status", "unit__name").in_bulk()
    lines = {line.entry_id: line for line in ResultLine.objects.filter(track=track, entry_id__in=ids)}
    tier_names = {t.pk: t.name for t in tiers}
    rows: list[dict[str, Any]] = []
    for er in page.object_list:
        line = lines.get(er.entry_id)
        rows.append({"er": er, "entry": entries.get(er.entry_id), "line": line,
                     "tier": line.tier_id if line is not None else er.tier_id,
                     "suggested": tier_names.get(er.tier_id or 0, ""), "note": line.note if line else "",
                     "boundary": False})
    for a, b in zip(rows, rows[1:], strict=False):
        a["boundary"] = a["er"].tier_id is not None and a["er"].tier_id != b["er"].tier_id
    decided = dict(ResultLine.objects.filter(track=track, tier__isnull=False).values("tier_id")
                   .annotate(n=Count("id")).values_list("tier_id", "n"))
    tier_use = [{"tier": t, "decided": decided.get(t.pk, 0), "over": decided.get(t.pk, 0) > t.quota} for t in tiers]
    nxt = domain.next_round(rnd)
    return render(request, "review/results/ranking.html", {
        "tier_use": tier_use,
        **_nav(track, rnd), "rank_round": rnd, "page": page, "rows": rows, "tiers": tiers, "res": res,
        "cutoffs": [(tier_names.get(t, ""), last) for t, last in res.cut.cutoffs],
        "straddles": [(tier_names.get(s.tier_id, ""), s) for s in res.cut.straddles],
        "next_round": nxt, "frozen": domain.current_snapshot(track), "query": urlencode({"round": rnd.pk}),
    })


def _ranking_post(request: HttpRequest, track: Track, rnd: Round | None) -> HttpResponse:
    action = request.POST.get("action", "")
    back = redirect(f"{request.path}?{urlencode({'round': rnd.pk})}" if rnd else request.path)
    if rnd is None:
        messages.error(request, _("This track has no scoring round yet."))
        return back
    try:
        if action == "advance":
            ids = [pk for v in request.POST.getlist("entry") if (pk := parse_id(v))]
            added = domain.advance(request.user, rnd, ids)
            messages.success(request, _("%(n)d entries advanced to the next round.") % {"n": len(added)})
        elif action == "decide":
            tiers = {t.pk for t in AwardTier.objects.filter(track=track)}
            decisions = []
            for v in request.POST.getlist("row"):
                pk = parse_id(v)
                if not pk:
                    continue
                tier = parse_id(request.POST.get(f"tier_{pk}", ""))
                if tier is not None and tier not in tiers:
                    raise DomainError(_("An award tier does not belong to this track."), code="bad_tier")
                decisions.append(domain.Decision(pk, tier, request.POST.get(f"note_{pk}", "")))
            saved = domain.decide(request.user, track, decisions, round_id=rnd.pk)
            messages.success(request, _("%(n)d decisions saved.") % {"n": len(saved)})
        else:
            raise DomainError(_("Choose an action."), code="invalid")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return back


# --- freezing -------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def freeze(request: HttpRequest, track_id: int) -> HttpResponse:
    track = staff_track(request.user, track_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "freeze":
                snap = domain.freeze(request.user, track)
                messages.success(request, _("Results frozen (version %(v)d).") % {"v": snap.version})
            elif action == "reopen":
                snap = domain.reopen(request.user, track, request.POST.get("reason", ""))
                messages.success(request, _("Results reopened (version %(v)d).") % {"v": snap.version})
            else:
                raise DomainError(_("Choose an action."), code="invalid")
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("review:freeze", track_id=track.pk)
    snaps = domain.snapshots(track)
    current = snaps[0] if snaps and snaps[0].reopened_at is None else None
    decided = ResultLine.objects.filter(track=track).count()
    rank_round = domain.ranking_round(track)
    unfinished = sum(p.unfinished for p in domain.progress(rank_round)) if rank_round is not None else 0
    return render(request, "review/results/freeze.html",
                  {**_nav(track), "snapshots": snaps, "current": current, "decided": decided,
                   "rank_round": rank_round, "unfinished": unfinished})


@login_required
@require_GET
def snapshot_json(request: HttpRequest, track_id: int, version: int) -> HttpResponse:
    """A snapshot's data as its canonical JSON: `sha256sum` of the file is the snapshot's hash."""
    track = staff_track(request.user, track_id)
    snap = ResultSnapshot.objects.filter(track=track, version=version).first()
    if snap is None:
        raise Http404
    response = HttpResponse(domain.canonical(snap.data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-track-{track.pk}-v{snap.version}.json"'
    return response


# --- trace ----------------------------------------------------------------------------------------------

@login_required
@require_GET
def trace(request: HttpRequest, track_id: int, entry_id: int) -> HttpResponse:
    track = staff_track(request.user, track_id)
    entry = Entry.objects.select_related("unit").filter(pk=entry_id, track=track).first()
    if entry is None:
        raise Http404
    t = domain.entry_trace(track, entry)
    events = [{"row": row, "sentence": describe_html(row)} for row in t.events]
    return render(request, "review/results/trace.html", {**_nav(track), "t": t, "entry": entry, "events": events})
