"""Statistics pages: the dashboard of a subtree (drill-down per child), the silent units, the
.xlsx export, and the outstanding units and individuals. Thin: parse, ask `stats.queries`,
render; picks go through `stats.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhengji.campaigns.models import Campaign
from zhengji.common import audit
from zhengji.common.errors import DomainError
from zhengji.orgs.models import Organization
from zhengji.orgs.queries import org_path_labels

from . import queries, services
from .exports import dashboard_xlsx
from .models import OutstandingPick
from .rules import can_view, is_stats_user
from .tally import ancestors


def to_id(value: Any) -> int | None:
    """A positive database id from user input, or None (never an overflow in the driver)."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def choose(user: Any, params: Any) -> tuple[Campaign | None, Organization | None, list[Organization]]:
    """The campaign and subtree root asked for (default: the newest campaign, the first root the
    user may see); Http404 for one the user may not see. Shared with the API."""
    if not is_stats_user(user):
        raise PermissionDenied
    campaigns = queries.campaigns_for(user)
    raw = params.get("campaign")
    if raw:
        pk = to_id(raw)
        campaign = campaigns.filter(pk=pk).first() if pk else None
        if campaign is None:
            raise Http404
    else:
        campaign = campaigns.first()
        if campaign is None:
            return None, None, []
    roots = queries.roots_for(user, campaign)
    raw = params.get("org")
    if raw:
        pk = to_id(raw)
        org = Organization.objects.filter(pk=pk).first() if pk else None
        if org is None or not can_view(user, campaign, org):
            raise Http404
    else:
        if not roots:
            raise Http404
        org = roots[0]
    return campaign, org, roots


def trail(org: Organization, roots: list[Organization]) -> list[Organization]:
    """The organisations from the user's visible root down to `org` (breadcrumbs)."""
    top = next((r for r in roots if org.path.startswith(r.path)), org)
    paths = [p for p in ancestors(org.path) if p.startswith(top.path)]
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def _chart_data(dash: queries.Dashboard) -> dict[str, Any]:
    return {
        "states": [label for _s, label in dash.states],
        "tracks": [{"name": t.track.name, "counts": t.counts} for t in dash.tracks],
        "children": [{"name": r.org.display_name, "participation": r.participation, "coverage": r.coverage}
                     for r in dash.children],
        "daily": [[d.isoformat(), n] for d, n in dash.daily],
        "labels": {"participation": _("Participation rate"), "coverage": _("Coverage rate"),
                   "submissions": _("Submissions")},
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    campaign, org, roots = choose(request.user, request.GET)
    if campaign is None or org is None:
        return render(request, "stats/dashboard.html", {"campaign": None})
    dash = queries.dashboard(campaign, org)
    here = {"campaign": campaign.pk, "org": org.pk}
    return render(request, "stats/dashboard.html", {
        "campaign": campaign, "org": org, "roots": roots, "dash": dash, "trail": trail(org, roots),
        "campaigns": queries.campaigns_for(request.user)[:50], "chart_data": _chart_data(dash),
        "query": urlencode(here),
    })


@login_required
@require_GET
def silent(request: HttpRequest) -> HttpResponse:
    campaign, org, roots = choose(request.user, request.GET)
    if campaign is None or org is None:
        raise Http404
    after = request.GET.get("after", "").replace("\x00", "")[:255]
    rows, cursor = queries.silent_page(campaign, org, after=after)
    here = {"campaign": campaign.pk, "org": org.pk}
    return render(request, "stats/silent.html", {
        "campaign": campaign, "org": org, "rows": rows, "trail": trail(org, roots), "query": urlencode(here),
        "next": urlencode({**here, "after": cursor}) if cursor else "",
    })


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    campaign, org, _roots = choose(request.user, request.GET)
    if campaign is None or org is None:
        raise Http404
    data = dashboard_xlsx(queries.dashboard(campaign, org))
    audit.record("stats.export", org, actor=request.user, after={"format": "xlsx", "campaign": campaign.pk},
                 scope=audit.AuditScope(org_path=org.path, campaign_id=campaign.pk))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="statistics-{campaign.pk}-{org.code}.xlsx"'
    return response


# --- outstanding units and individuals ---------------------------------------------------------------

def picker_campaigns(user: Any) -> list[Campaign]:
    if not user.is_authenticated:
        raise PermissionDenied
    found = [c for c in queries.campaigns_for(user)[:200] if user.has_perm("stats.pick_outstanding", c)]
    if not found:
        raise PermissionDenied
    return found


def pick_campaign(user: Any, raw: Any) -> tuple[Campaign, list[Campaign]]:
    found = picker_campaigns(user)
    if not raw:
        return found[0], found
    pk = to_id(raw)
    campaign = next((c for c in found if c.pk == pk), None)
    if campaign is None:
        raise Http404
    return campaign, found


@login_required
@require_GET
def outstanding(request: HttpRequest) -> HttpResponse:
    campaign, campaigns = pick_campaign(request.user, request.GET.get("campaign"))
    tab = "individuals" if request.GET.get("tab") == "individuals" else "units"
    levels = queries.candidate_levels(campaign)
    context: dict[str, Any] = {"campaign": campaign, "campaigns": campaigns, "tab": tab, "levels": levels,
                               "sort_keys": _sort_labels(),
                               "picks": OutstandingPick.objects.filter(campaign=campaign)
                               .select_related("org", "user", "picked_by")}
    if tab == "units":
        depth = to_id(request.GET.get("level"))
        valid = [d for d, _label in levels]
        depth = depth if depth in valid else (valid[0] if valid else 0)
        sort = request.GET.get("sort", "recommended")
        sort = sort if sort in queries.SORT_KEYS else "recommended"
        ranked = queries.unit_candidates(campaign, depth, sort) if depth else []
        units = Paginator(ranked, 50).get_page(request.GET.get("page"))
        labels = org_path_labels([c.org for c in units.object_list])
        for c in units.object_list:
            c.label = labels[c.org.pk]
        here = {"campaign": str(campaign.pk), "tab": tab, "level": str(depth or ""), "sort": sort}
        context.update(depth=depth, sort=sort, page=units, rank_start=units.start_index(), query=urlencode(here))
    else:
        people, rows = queries.individual_page(campaign, request.GET.get("page"))
        context.update(page=people, rows=rows, rank_start=people.start_index(),
                       query=urlencode({"campaign": str(campaign.pk), "tab": tab}))
    return render(request, "stats/outstanding.html", context)


def _sort_labels() -> list[tuple[str, str]]:
    return [("recommended", _("Entries recommended")), ("participation", _("Participation rate")),
            ("coverage", _("Coverage rate")), ("on_time", _("On-time reporting")), ("activities", _("Activities")),
            ("awards", _("Awards won"))]


@login_required
@require_POST
def pick(request: HttpRequest) -> HttpResponse:
    campaign, _found = pick_campaign(request.user, request.POST.get("campaign"))
    back = request.POST.get("back", "")
    target = reverse("stats:outstanding") + "?" + (back if back.startswith("campaign=") else
                                                   urlencode({"campaign": campaign.pk}))
    note = request.POST.get("note", "")
    try:
        if request.POST.get("kind") == "individual":
            user_id = to_id(request.POST.get("user"))
            if user_id is None:
                raise DomainError(_("Choose a worker."), code="invalid")
            services.pick_individual(request.user, campaign, user_id, note=note)
        else:
            org = Organization.objects.filter(pk=to_id(request.POST.get("org")) or 0).first()
            if org is None:
                raise DomainError(_("Choose a unit."), code="invalid")
            services.pick_unit(request.user, campaign, org, note=note)
    except DomainError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("Picked."))
    return redirect(target)


@login_required
@require_POST
def unpick(request: HttpRequest, pk: int) -> HttpResponse:
    found = OutstandingPick.objects.filter(pk=to_id(pk) or 0).select_related("campaign").first()
    if found is None or not request.user.has_perm("stats.pick_outstanding", found.campaign):
        raise Http404
    try:
        services.unpick(request.user, found, reason=request.POST.get("reason", ""))
    except DomainError as e:  # pragma: no cover - a concurrent unpick
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("Pick removed."))
    back = request.POST.get("back", "")
    return redirect(reverse("stats:outstanding") + "?" + (back if back.startswith("campaign=") else
                                                          urlencode({"campaign": found.campaign_id})))
