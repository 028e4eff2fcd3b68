"""The setup area's pages: the tracks whose review the user runs, a track's review home (tabs to
every area and a checklist), settings, rounds with their rubric, the panel, award tiers, the
vetting queue and the campaign's holidays. Thin: parse the request, call one domain function
(`review.domain.setup`) or read, render."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.forms import OrgPickerWidget
from zhengji.campaigns.models import Campaign, Track
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_count, parse_id
from zhengji.entries import projections
from zhengji.entries.models import EntryStatus
from zhengji.entries.queries import View, entry_for
from zhengji.orgs.models import Organization

from .domain import setup as domain
from .models import (
    Aggregation,
    AwardTier,
    Criterion,
    Holiday,
    PanelMember,
    ReviewSetup,
    Round,
    RoundKind,
    RoundStatus,
    TieBreak,
)
from .queries import frozen_snapshot

PAGE_SIZE = 50
VETTING_PAGE_SIZE = 25
S = EntryStatus


def safe_url(name: str, *args: Any) -> str:
    """The URL of another area's page, or "" while that area is not installed yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _track(request: HttpRequest, track_id: int) -> Track:
    track = get_object_or_404(Track.objects.select_related("campaign", "host_unit"), pk=track_id)
    if not request.user.has_perm("review.run_review", track):
        raise PermissionDenied
    return track


def _round(request: HttpRequest, round_id: int) -> Round:
    rnd = get_object_or_404(Round.objects.select_related("track__campaign", "track__host_unit"), pk=round_id)
    if not request.user.has_perm("review.run_review", rnd.track):
        raise PermissionDenied
    return rnd


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


def _local_input(when: dt.datetime | None) -> str:
    """A moment for <input type="datetime-local">, in Asia/Shanghai."""
    return timezone.localtime(when, domain.SHANGHAI).strftime("%Y-%m-%dT%H:%M") if when else ""


def _tabs(track: Track, here: str, rounds: list[Round] | None = None) -> dict[str, Any]:
    """The tabs of a track's review pages: this area's pages and the other areas' (those installed)."""
    rounds = rounds if rounds is not None else list(Round.objects.filter(track=track).order_by("position"))
    main = [("track", _("Overview"), reverse("review:track", args=[track.pk])),
            ("setup", _("Settings"), reverse("review:setup", args=[track.pk])),
            ("rounds", _("Rounds and rubric"), reverse("review:rounds", args=[track.pk])),
            ("panel", _("Panel"), reverse("review:panel", args=[track.pk])),
            ("tiers", _("Award tiers"), reverse("review:tiers", args=[track.pk])),
            ("vetting", _("Vetting"), reverse("review:vetting", args=[track.pk])),
            ("conflicts", _("Conflicts of interest"), safe_url("review:conflicts", track.pk)),
            ("ranking", _("Ranking"), safe_url("review:ranking", track.pk)),
            ("freeze", _("Freeze"), safe_url("review:freeze", track.pk)),
            ("publicity", _("Public notice"), safe_url("review:publicity_manage", track.pk))]
    per_round = [{"round": r, "assign": safe_url("review:assign", r.pk), "progress": safe_url("review:progress", r.pk),
                  "scores": safe_url("review:scores", r.pk), "edit": reverse("review:round_edit", args=[r.pk])}
                 for r in rounds if r.kind != RoundKind.VETTING]
    return {"tabs": [{"key": k, "label": label, "url": url, "active": k == here} for k, label, url in main],
            "round_links": per_round, "track": track}


# --- tracks and a track's home --------------------------------------------------------------------

@login_required
@require_GET
def tracks(request: HttpRequest) -> HttpResponse:
    if not domain.runs_any_review(request.user):
        raise PermissionDenied
    page = Paginator(domain.run_tracks(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    ids = [t.pk for t in rows]
    counts = domain.status_counts(ids)
    rounds: dict[int, list[Round]] = {}
    for r in Round.objects.filter(track_id__in=ids).order_by("track_id", "position"):
        rounds.setdefault(r.track_id, []).append(r)
    panels = dict(PanelMember.objects.filter(track_id__in=ids, active=True).values_list("track_id")
                  .annotate(n=Count("pk")).values_list("track_id", "n"))
    items = [{"track": t, "counts": counts.get(t.pk, {}), "rounds": rounds.get(t.pk, []),
              "panel": panels.get(t.pk, 0)} for t in rows]
    # The campaigns whose public holidays this user lists (campaign admins; superusers: those shown).
    admin_of = scopes_for(request.user).campaign_admin
    campaign_ids = {t.campaign_id for t in rows} | admin_of if request.user.is_superuser else admin_of
    campaigns = list(Campaign.objects.filter(pk__in=campaign_ids).order_by("-pk")[:20])
    return render(request, "review/setup/tracks.html", {"items": items, "page": page, "campaigns": campaigns})


@login_required
@require_GET
def track(request: HttpRequest, track_id: int) -> HttpResponse:
    t = _track(request, track_id)
    rounds = domain.rounds_with_counts(t)
    counts = domain.status_counts([t.pk]).get(t.pk, {})
    panel = PanelMember.objects.filter(track=t, active=True).count()
    tiers = AwardTier.objects.filter(track=t).count()
    steps = domain.checklist(t, rounds, counts, panel, tiers, safe_url)
    context = {**_tabs(t, "track", rounds), "rounds": rounds, "counts": counts, "steps": steps,
               "next_step": next((s for s in steps if not s.done), None), "panel_count": panel,
               "frozen": frozen_snapshot(t)}
    return render(request, "review/setup/track.html", context)


# --- settings ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, track_id: int) -> HttpResponse:
    t = _track(request, track_id)
    current = domain.settings_of(t)
    if request.method == "POST":
        p = request.POST
        fields = {"blind": "blind" in p, "normalise": "normalise" in p, "aggregation": p.get("aggregation", ""),
                  "tie_break": p.get("tie_break", ""), "public_vote_weight": p.get("public_vote_weight", ""),
                  "publicity_days": p.get("publicity_days", "")}
        try:
            domain.update_setup(request.user, t, **fields)
        except DomainError as exc:
            _error(request, exc)
            for k, v in fields.items():
                setattr(current, k, v)
        else:
            messages.success(request, _("The review settings were saved."))
            return redirect("review:setup", track_id=t.pk)
    context = {**_tabs(t, "setup"), "s": current, "aggregations": Aggregation.choices,
               "tie_breaks": TieBreak.choices, "frozen": frozen_snapshot(t) is not None,
               "fields": {f.name: f for f in ReviewSetup._meta.get_fields() if hasattr(f, "verbose_name")}}
    return render(request, "review/setup/setup.html", context)


# --- rounds -----------------------------------------------------------------------------------------

def _round_fields(request: HttpRequest) -> dict[str, Any]:
    p = request.POST
    return {"name": p.get("name", ""), "name_en": p.get("name_en", ""), "opens": p.get("opens", ""),
            "closes": p.get("closes", ""), "judges_per_entry": p.get("judges_per_entry", ""),
            "instructions": p.get("instructions", "")}


@login_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest, track_id: int) -> HttpResponse:
    """The rounds in order with their state and counts; add a round; open, close or delete one."""
    t = _track(request, track_id)
    form: dict[str, Any] = {"kind": RoundKind.SCORING, "judges_per_entry": 3}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                form = {**_round_fields(request), "kind": request.POST.get("kind", "")}
                rnd = domain.create_round(request.user, t, form["kind"], form["name"], form["opens"], form["closes"],
                                          judges_per_entry=form["judges_per_entry"],
                                          instructions=form["instructions"], name_en=form["name_en"])
                messages.success(request, _("The round “%(name)s” was added. Set up its rubric now.")
                                 % {"name": rnd.name})
                return redirect("review:round_edit", round_id=rnd.pk)
            rnd = get_object_or_404(Round, pk=parse_id(request.POST.get("round", "")) or 0, track=t)
            if action == "open":
                opened = domain.open_round(request.user, rnd)
                messages.success(request, _("The round “%(name)s” is open. Entries in it: %(n)d (added now: "
                                            "%(added)d).") % {"name": rnd.name, "n": opened.total,
                                                              "added": opened.added})
            elif action == "close":
                closed = domain.close_round(request.user, rnd)
                msg = _("The round “%(name)s” is closed.") % {"name": rnd.name}
                if closed.scored or closed.unscored:
                    msg += " " + _("Entries scored: %(n)d; entries of the round without a submitted score: %(m)d.") % {
                        "n": len(closed.scored), "m": len(closed.unscored)}
                messages.success(request, msg)
            elif action == "delete":
                domain.delete_round(request.user, rnd)
                messages.success(request, _("The round “%(name)s” was deleted.") % {"name": rnd.name})
            else:
                raise DomainError(_("Choose an action."), code="invalid")
        except DomainError as exc:
            _error(request, exc)
            if action != "create":
                return redirect("review:rounds", track_id=t.pk)
        else:
            return redirect("review:rounds", track_id=t.pk)
    all_rounds = domain.rounds_with_counts(t)
    for r in all_rounds:
        r.opens_local, r.closes_local = domain.local(r.opens), domain.local(r.closes)  # type: ignore[attr-defined]
    context = {**_tabs(t, "rounds", all_rounds), "rounds": all_rounds, "kinds": RoundKind.choices, "form": form,
               "default_opens": _local_input(timezone.now().replace(minute=0, second=0, microsecond=0)
                                             + dt.timedelta(days=1))}
    return render(request, "review/setup/rounds.html", context)


def _posted_rows(request: HttpRequest, prefix: str, names: tuple[str, ...], key: str = "name") -> list[dict[str, str]]:
    """Rows posted as parallel lists (`<prefix>_<name>` for each name); rows with an empty `key`
    field are left out (emptying the name removes a row without the script)."""
    lists = {n: request.POST.getlist(f"{prefix}_{n}") for n in names}
    rows = []
    for i in range(len(lists[key])):
        row = {n: (lists[n][i] if i < len(lists[n]) else "") for n in names}
        if str(row[key]).strip():
            rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    """One round: its name, dates (Asia/Shanghai), judges per entry and instructions; and its
    rubric (criteria with description, maximum and weight; add, remove, reorder)."""
    rnd = _round(request, round_id)
    t = rnd.track
    posted_rows: list[dict[str, str]] | None = None
    values: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "round":
                values = _round_fields(request)
                domain.update_round(request.user, rnd, **values)
                messages.success(request, _("The round was saved."))
            elif action == "criteria":
                posted_rows = _posted_rows(request, "c", ("id", "name", "name_en", "description", "maximum", "weight"))
                domain.set_criteria(request.user, rnd, posted_rows)
                messages.success(request, _("The rubric was saved."))
            else:
                raise DomainError(_("Choose an action."), code="invalid")
        except DomainError as exc:
            _error(request, exc)
        else:
            return redirect("review:round_edit", round_id=rnd.pk)
    rnd.refresh_from_db()
    criteria = posted_rows if posted_rows is not None else [
        {"id": c.pk, "name": c.name, "name_en": c.name_en, "description": c.description,
         "maximum": domain.plain(c.maximum), "weight": domain.plain(c.weight)}
        for c in Criterion.objects.filter(round=rnd)]
    locked = rnd.scores.filter(status="submitted").exists()
    form = {"name": rnd.name, "name_en": rnd.name_en, "opens": _local_input(rnd.opens),
            "closes": _local_input(rnd.closes), "judges_per_entry": rnd.judges_per_entry,
            "instructions": rnd.instructions}
    if values:
        form.update(values)
    total = sum((float(str(c["maximum"])) * float(str(c["weight"])) for c in criteria
                 if _is_number(c.get("maximum")) and _is_number(c.get("weight"))), 0.0)
    context = {**_tabs(t, "rounds"), "round": rnd, "form": form, "criteria": criteria, "locked": locked,
               "editable": rnd.status != RoundStatus.CLOSED, "open": rnd.status == RoundStatus.OPEN,
               "weighted_total": round(total, 2)}
    return render(request, "review/setup/round_edit.html", context)


def _is_number(value: Any) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


# --- panel ------------------------------------------------------------------------------------------

def _org_widget(track: Track, org: Organization | None) -> str:
    widget = OrgPickerWidget(search_url=reverse("review:panel_org_search", args=[track.pk]))
    return str(widget.render("org", org.pk if org else "", attrs={"id": "invite-org",
                                                                    "class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest, track_id: int) -> HttpResponse:
    """The panel: invite by mobile number (name, organisation, affiliation, cap); each seat with its
    load; change the cap, remove or bring back a judge."""
    t = _track(request, track_id)
    form: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        p = request.POST
        try:
            if action == "invite":
                form = {k: p.get(k, "") for k in ("phone", "name", "affiliation", "cap")}
                org_id = parse_id(p.get("org", "")) if p.get("org") else None
                if org_id is None and p.get("org_q", "").strip():
                    raise DomainError(_("Choose an organisation from the list."), code="bad_org", field="org")
                inv = domain.invite_judge(request.user, t, form["phone"], form["name"], org=org_id,
                                          affiliation=form["affiliation"], cap=form["cap"])
                if inv.new_account:
                    msg = _("%(name)s was invited: a judge-only account was created; they log in with a code "
                            "sent to their phone.") % {"name": inv.seat.user.display_name}
                elif inv.reactivated:
                    msg = _("%(name)s is back on the panel.") % {"name": inv.seat.user.display_name}
                else:
                    msg = _("%(name)s was invited.") % {"name": inv.seat.user.display_name}
                messages.success(request, msg)
                return redirect("review:panel", track_id=t.pk)
            seat = get_object_or_404(PanelMember, pk=parse_id(p.get("seat", "")) or 0, track=t)
            seat.track = t
            if action == "remove":
                domain.remove_judge(request.user, seat, p.get("reason", ""))
                messages.success(request, _("%(name)s left the panel. Their open assignments stay until the judge "
                                            "is replaced on the assignment page.") % {"name": seat.user.display_name})
            elif action == "update":
                domain.update_judge(request.user, seat, cap=p.get("cap", ""), affiliation=p.get("affiliation", ""))
                messages.success(request, _("The seat of %(name)s was saved.") % {"name": seat.user.display_name})
            elif action == "reactivate":
                domain.update_judge(request.user, seat, active=True)
                messages.success(request, _("%(name)s is back on the panel.") % {"name": seat.user.display_name})
            else:
                raise DomainError(_("Choose an action."), code="invalid")
        except DomainError as exc:
            _error(request, exc)
            if action != "invite":
                return redirect("review:panel", track_id=t.pk)
        else:
            return redirect("review:panel", track_id=t.pk)
    page = Paginator(domain.panel_of(t), PAGE_SIZE).get_page(request.GET.get("page"))
    org = None
    if form and parse_id(request.POST.get("org", "")):
        org = Organization.objects.filter(pk=parse_id(request.POST.get("org", ""))).first()
    assign_urls = [(r, safe_url("review:assign", r.pk)) for r in Round.objects.filter(
        track=t, kind__in=(RoundKind.SCORING, RoundKind.FINAL), status=RoundStatus.OPEN)]
    context = {**_tabs(t, "panel"), "page": page, "form": form, "org_widget": _org_widget(t, org),
               "assign_urls": [(r, u) for r, u in assign_urls if u],
               "active_count": PanelMember.objects.filter(track=t, active=True).count()}
    return render(request, "review/setup/panel.html", context)


@login_required
@require_GET
def panel_org_search(request: HttpRequest, track_id: int) -> HttpResponse:
    """Options for the organisation search box of the invitation (at most 20)."""
    _track(request, track_id)
    q = (request.GET.get("org_q") or request.GET.get("q") or "").strip()[:60]
    orgs: list[Organization] = []
    if q:
        orgs = list(Organization.objects.filter(is_active=True)
                    .filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__istartswith=q))
                    .order_by("path")[:20])
        step = Organization.steplen
        parents = dict(Organization.objects.filter(path__in={o.path[:-step] for o in orgs if o.depth > 1})
                       .values_list("path", "name"))
        for o in orgs:
            o.parent_name = parents.get(o.path[:-step], "")
    return render(request, "campaigns/_org_options.html", {"orgs": orgs, "q": q})


# --- tiers ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def tiers(request: HttpRequest, track_id: int) -> HttpResponse:
    t = _track(request, track_id)
    rows: list[dict[str, Any]] | None = None
    if request.method == "POST":
        rows = _posted_rows(request, "t", ("id", "name", "name_en", "quota"))
        try:
            domain.set_tiers(request.user, t, rows)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The award tiers were saved."))
            return redirect("review:tiers", track_id=t.pk)
    if rows is None:
        rows = [{"id": x.pk, "name": x.name, "name_en": x.name_en, "quota": x.quota}
                for x in AwardTier.objects.filter(track=t)]
    total = sum(parse_count(str(r.get("quota", ""))) or 0 for r in rows)
    context = {**_tabs(t, "tiers"), "rows": rows, "total": total, "frozen": frozen_snapshot(t) is not None,
               "example": [("一等奖", 1), ("二等奖", 2), ("三等奖", 3), ("优秀奖", 10)]}
    return render(request, "review/setup/tiers.html", context)


# --- vetting ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def vetting(request: HttpRequest, track_id: int) -> HttpResponse:
    """The reported entries of the track, a page at a time, with filters; chosen entries found
    eligible or disqualified (with a reason) in bulk; the result of each entry said."""
    t = _track(request, track_id)
    if request.method == "POST":
        ids = [pk for v in request.POST.getlist("entry") if (pk := parse_id(v))]
        action = request.POST.get("action", "")
        try:
            if action not in ("eligible", "disqualify"):
                raise DomainError(_("Choose an action."), code="invalid")
            results = domain.vet(request.user, ids, action == "eligible", request.POST.get("reason", ""))
        except DomainError as exc:
            _error(request, exc)
        else:
            done = [r for r in results if r.ok]
            if done:
                messages.success(request, (_("Entries found eligible: %(n)d.") if action == "eligible"
                                           else _("Entries disqualified: %(n)d.")) % {"n": len(done)})
            numbers = dict(t.entries.filter(pk__in=[r.entry_id for r in results if not r.ok])
                           .values_list("pk", "number"))
            for r in results:
                if not r.ok:
                    messages.error(request, _("Entry %(number)s: %(message)s")
                                   % {"number": numbers.get(r.entry_id) or r.entry_id, "message": r.message})
        back = request.POST.get("back", "")
        return redirect(f"{reverse('review:vetting', args=[t.pk])}?{back}" if back.isascii() and back else
                        reverse("review:vetting", args=[t.pk]))
    filters = domain.VettingFilters.from_params(request.GET)
    page = Paginator(domain.vetting_entries(request.user, t, filters), VETTING_PAGE_SIZE).get_page(
        request.GET.get("page"))
    counts = domain.status_counts([t.pk]).get(t.pk, {})
    params = filters.as_params()
    context = {**_tabs(t, "vetting"), "page": page, "filters": filters, "units": domain.vetting_units(t),
               "counts": counts, "query": urlencode(params),
               "back": urlencode({**params, "page": page.number}),
               "states": [(S.REPORTED, _("Waiting for vetting")), (S.ELIGIBLE, _("Eligible")),
                          (S.DISQUALIFIED, _("Disqualified"))]}
    return render(request, "review/setup/vetting.html", context)


@login_required
@require_GET
def vetting_entry(request: HttpRequest, track_id: int, entry_id: int) -> HttpResponse:
    """One entry as the host unit sees it (entries.projections.host), for the queue's detail."""
    t = _track(request, track_id)
    entry = entry_for(request.user, entry_id, None, view=View.HOST)
    if entry.track_id != t.pk:
        raise PermissionDenied
    return render(request, "review/setup/_vetting_entry.html", {"e": projections.host(entry, request.user)})


# --- holidays ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm("review.manage_holidays", campaign):
        raise PermissionDenied
    rows: list[dict[str, Any]] | None = None
    if request.method == "POST":
        raw = _posted_rows(request, "h", ("date", "name", "workday"), key="date")
        rows = [{**r, "workday": r.get("workday") == "1"} for r in raw]
        try:
            domain.set_holidays(request.user, campaign, rows)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The holidays were saved."))
            return redirect("review:holidays", slug=campaign.slug)
    if rows is None:
        rows = [{"date": h.date.isoformat(), "name": h.name, "workday": h.workday}
                for h in Holiday.objects.filter(campaign=campaign)]
    return render(request, "review/setup/holidays.html", {"campaign": campaign, "rows": rows})
