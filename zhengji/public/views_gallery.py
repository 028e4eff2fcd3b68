"""Pages of the gallery area: the public gallery of a campaign (per track), the staff page that
approves a track's entries for display, and the entrant's choice of credit. Thin: parse, call one
query or domain function, render."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from zhengji.campaigns.models import Campaign, Track
from zhengji.common.errors import DomainError
from zhengji.entries.models import EntryStatus
from zhengji.entries.queries import View, entries_for, entry_for
from zhengji.orgs.models import Organization, OrgKind

from . import gallery_queries as gq
from .cache import cached_page, remember
from .domain import showcase as domain
from .domain.showcase import gallery_tag
from .gate import SHOWABLE_STATES
from .models import Credit, Showcase
from .views import _visible_campaign

MANAGE_PAGE_SIZE = 25


def _int(value: Any) -> int | None:
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def day_seed(track_id: int, day: dt.date | None = None) -> int:
    """The random sort's seed: one per track and day, the same for every visitor (so the page
    can be cached); the "more" link carries it, so a visitor's pages never mix two days."""
    day = day or timezone.localdate()
    digest = hashlib.sha256(f"{day.isoformat()}:{track_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % gq.SEED_SPACE


def _tracks(slug: str) -> list[tuple[int, str, int]]:
    """(pk, slug, campaign id) of the campaign's tracks, remembered until a campaign or a track is
    saved (hooks_info bumps "site"): the gallery's cache hits cost no query."""
    def load() -> list[tuple[int, str, int]]:
        rows = Track.objects.filter(campaign__slug=slug).order_by("number").values_list("pk", "slug", "campaign_id")
        return [(int(pk), str(s), int(c)) for pk, s, c in rows]

    return remember(f"tracks:{slug}", ["site"], load, 3600)


def _first_with_works(slug: str, tracks: list[tuple[int, str, int]]) -> int | None:
    """The first track (in order) whose gallery lists a work, remembered until a listing changes:
    a visitor who opens the gallery without choosing sees works, not an empty first track."""
    def load() -> int | None:
        listed = Showcase.objects.filter(track_id=OuterRef("pk"), listed=True)
        rows = (Track.objects.filter(pk__in=[t[0] for t in tracks]).annotate(has=Exists(listed))
                .filter(has=True).order_by("number").values_list("pk", flat=True)[:1])
        return next(iter(rows), None)

    return remember(f"first-track:{slug}", ["site", *(gallery_tag(t[0]) for t in tracks)], load, 3600)


def _chosen(tracks: list[tuple[int, str, int]], wanted: str, slug: str) -> tuple[int, str, int] | None:
    for t in tracks:
        if t[1] == wanted:
            return t
    if not tracks:
        return None
    first = _first_with_works(slug, tracks)
    return next((t for t in tracks if t[0] == first), tracks[0])


def _gallery_tags(request: HttpRequest, slug: str) -> list[str]:
    tracks = _tracks(slug)
    t = _chosen(tracks, request.GET.get("track", ""), slug)
    if t is None:
        return [f"campaign-slug:{slug}"]
    return [f"campaign:{t[2]}", f"track:{t[0]}", gallery_tag(t[0])]


def cities_under(campaign: Campaign) -> list[Organization]:
    return list(Organization.objects.filter(kind=OrgKind.CITY, path__startswith=campaign.org.path)
                .only("pk", "name", "name_en", "short_name", "path").order_by("path"))


def query_from(params: Any, track_id: int) -> gq.GalleryQuery:
    """The gallery query of request parameters (bad values are ignored, never an error)."""
    sort = params.get("sort", "new")
    seed = _int(params.get("seed"))
    size = _int(params.get("size")) or gq.PAGE_SIZE
    return gq.GalleryQuery(track_id=track_id, city_id=_int(params.get("city")), tier_id=_int(params.get("tier")),
                           q=str(params.get("q", ""))[:100], sort=sort if sort in gq.SORTS else "new",
                           cursor=str(params.get("after", ""))[:200],
                           seed=seed if seed is not None else day_seed(track_id), size=size)


@require_safe
@cached_page(_gallery_tags)
def gallery(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _visible_campaign(request, slug)
    tracks = list(campaign.tracks.only("pk", "slug", "number", "name", "name_en", "campaign_id").order_by("number"))
    chosen = _chosen([(t.pk, t.slug, t.campaign_id) for t in tracks], request.GET.get("track", ""), slug)
    track = next((t for t in tracks if chosen and t.pk == chosen[0]), tracks[0] if tracks else None)
    ctx: dict[str, Any] = {"campaign": campaign, "tracks": tracks, "track": track,
                           "preview": not campaign.is_published}
    if track is not None:
        query = query_from(request.GET, track.pk)
        page = gq.gallery_page(request.user, query)
        params = request.GET.copy()
        params.pop("after", None)
        params["seed"] = str(query.seed)
        more = ""
        if page.next_cursor:
            params["after"] = page.next_cursor
            more = "?" + params.urlencode()
        ctx.update(query=query, page=page, cards=page.cards, more_url=more, cities=cities_under(campaign),
                   sorts=[("new", _("Newest")), ("views", _("Most viewed")), ("random", _("Random"))])
    template = "public/gallery/_cards.html" if request.headers.get("HX-Request") and request.GET.get("after") \
        else "public/gallery/index.html"
    return render(request, template, ctx)


# --- staff: display approval -----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def showcase_manage(request: HttpRequest, track_id: int) -> HttpResponse:
    track = get_object_or_404(Track.objects.select_related("campaign__org", "host_unit"), pk=track_id)
    if not request.user.has_perm("public.manage_showcase", track):
        raise PermissionDenied
    if request.method == "POST":
        ids = [i for i in (_int(v) for v in request.POST.getlist("entries")) if i is not None]
        action = request.POST.get("action", "")
        try:
            if action not in ("approve", "withdraw"):
                raise DomainError(_("Choose an action."), code="invalid_action")
            n = domain.set_display(request.user, track, ids, approved=action == "approve",
                                   reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if action == "approve":
                messages.success(request, _("%(n)d entries are now shown in the gallery.") % {"n": n})
            else:
                messages.success(request, _("%(n)d entries were withdrawn from display.") % {"n": n})
        back = request.POST.get("back", "")
        return redirect(back if back.startswith(request.path) else request.path)
    qs = (entries_for(request.user, View.HOST).filter(track=track, status__in=SHOWABLE_STATES)
          .select_related("showcase").order_by("-id"))
    shown = request.GET.get("shown", "")
    if shown == "yes":
        qs = qs.filter(showcase__approved=True)
    elif shown == "no":
        qs = qs.filter(Q(showcase__isnull=True) | Q(showcase__approved=False))
    cities = cities_under(track.campaign)
    city = next((c for c in cities if c.pk == _int(request.GET.get("city"))), None)
    if city is not None:
        qs = qs.filter(unit__path__startswith=city.path)
    status = request.GET.get("status", "")
    if status in SHOWABLE_STATES:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q) | Q(unit__name__icontains=q))
    page = Paginator(qs, MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "public/gallery/manage.html", {
        "track": track, "campaign": track.campaign, "page": page, "entries": page.object_list, "cities": cities,
        "city": city, "shown": shown, "status": status, "q": q, "query": params.urlencode(),
        "statuses": [(s, EntryStatus(s).label) for s in EntryStatus.values if s in SHOWABLE_STATES],
    })


# --- the entrant: credit ---------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def credit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_for(request.user, pk, permission=None, view=View.MINE)
    row = Showcase.objects.filter(entry=entry).first()
    current = row.credit if row else Credit.AUTHORS_AND_UNIT
    error = ""
    if request.method == "POST":
        try:
            domain.choose_credit(request.user, entry, request.POST.get("credit", ""))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Your choice was saved."))
            return redirect("public:credit", pk=entry.pk)
    return render(request, "public/gallery/credit.html", {
        "entry": entry, "current": current, "choices": Credit.choices, "error": error,
        "listed": bool(row and row.listed)}, status=400 if error else 200)
