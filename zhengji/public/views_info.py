"""The information area's own pages: a page's QR code, the default share picture, the winners'
gallery of a campaign. Read only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from zhengji.common.i18n import localized
from zhengji.common.registry import PublicAward, public_awards
from zhengji.entries.models import EntryAuthor
from zhengji.entries.queries import View, entries_for

from . import presenters, projection, qr
from .cache import cached_page
from .models import Credit
from .share import default_image_png, share_context
from .views import _visible_campaign, campaign_tags

YEAR = 365 * 24 * 3600
WINNERS_PER_PAGE = 60


def _long_lived(response: HttpResponse) -> HttpResponse:
    # The content depends only on the address (and SITE_URL): cache it anywhere, for a year.
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def qr_code(request: HttpRequest) -> HttpResponse:
    """GET /qr.svg?path=/c/2026/t1/ : the SVG QR code of one of this site's pages (400 otherwise)."""
    try:
        path = qr.site_path(request.GET.get("path"))
    except qr.BadTarget:
        return HttpResponseBadRequest(_("Only the addresses of this site's pages have a QR code."),
                                      content_type="text/plain; charset=utf-8")
    response = HttpResponse(qr.svg(path), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = 'attachment; filename="qr.svg"'
    return _long_lived(response)


@require_safe
def share_image(request: HttpRequest) -> HttpResponse:
    """The picture link previews show for a page without its own (a campaign's banner)."""
    return _long_lived(HttpResponse(default_image_png(), content_type="image/png"))


# --- winners ------------------------------------------------------------------------------------

@dataclass
class WinnerCard:
    entry_id: int
    number: str
    title: str
    authors: list[str]
    unit: str | None
    tier: str


@dataclass
class TierGroup:
    label: str
    order: int
    cards: list[WinnerCard] = field(default_factory=list)


@dataclass
class TrackGroup:
    track: Any
    tiers: list[TierGroup] = field(default_factory=list)


def visible_winners(user: Any, track_ids: list[int]) -> tuple[list[int], dict[int, PublicAward]]:
    """The ids of the awarded entries of these tracks that the public may see, in display order
    (track number, tier, entry number), and their awards. Only ids and numbers are read here; the
    caller loads the details of one page."""
    awards = public_awards.awards(track_ids)
    if not awards:
        return [], {}
    rows = (entries_for(user, View.PUBLIC).filter(pk__in=list(awards), track_id__in=track_ids)
            .values_list("pk", "track__number", "number"))
    rows_sorted = sorted(rows, key=lambda r: (r[1], awards[r[0]].order, r[2] or "", r[0]))
    return [r[0] for r in rows_sorted], awards


def winner_cards(user: Any, ids: list[int], awards: dict[int, PublicAward]) -> list[tuple[Any, WinnerCard]]:
    """(track, card) of each id, in the order given: three queries whatever the number."""
    qs = (entries_for(user, View.PUBLIC).filter(pk__in=ids).select_related("showcase")
          .prefetch_related(Prefetch("authors", queryset=EntryAuthor.objects.order_by("position", "id"))))
    by_id = {e.pk: e for e in qs}
    out = []
    for pk in ids:
        e = by_id.get(pk)
        if e is None:
            continue
        showcase = getattr(e, "showcase", None)
        names, unit = projection.credit(e, showcase.credit if showcase else Credit.AUTHORS_AND_UNIT,
                                        [a.name for a in e.authors.all() if a.name])
        out.append((e.track, WinnerCard(e.pk, e.number or "", e.title, names, unit, awards[pk].label)))
    return out


def group(cards: list[tuple[Any, WinnerCard]], awards: dict[int, PublicAward]) -> list[TrackGroup]:
    groups: list[TrackGroup] = []
    for track, card in cards:
        if not groups or groups[-1].track.pk != track.pk:
            groups.append(TrackGroup(track))
        tiers = groups[-1].tiers
        order = awards[card.entry_id].order
        if not tiers or tiers[-1].order != order:
            tiers.append(TierGroup(card.tier, order))
        tiers[-1].cards.append(card)
    return groups


def winners_tags(request: HttpRequest, slug: str) -> list[str]:
    return campaign_tags(request, slug) + ["results"]


@require_safe
@cached_page(winners_tags)
def winners(request: HttpRequest, slug: str) -> HttpResponse:
    """The winners' gallery: the awarded entries of every track whose results are public, by
    tier, best first; only entries the public gate shows (each card links to the entry page)."""
    campaign = _visible_campaign(request, slug)
    tracks = list(campaign.tracks.only("id", "number", "slug", "name", "name_en", "campaign_id").order_by("number"))
    ids, awards = visible_winners(request.user, [t.pk for t in tracks])
    page = Paginator(ids, WINNERS_PER_PAGE).get_page(request.GET.get("page"))
    groups = group(winner_cards(request.user, list(page.object_list), awards), awards)
    with_results = presenters.tracks_with_results(awards)
    results_tracks = [t for t in tracks if t.pk in with_results]
    name = localized(campaign, "name")
    return render(request, "public/info/winners.html", {
        "campaign": campaign, "preview": not campaign.is_published, "page": page, "groups": groups,
        "results_tracks": results_tracks, "any_awards": bool(awards),
        "share": share_context(request, title=_("Winners · %(campaign)s") % {"campaign": name},
                               description=_("The award-winning works of %(campaign)s, by track and award tier.")
                               % {"campaign": name},
                               image=campaign.banner.url if campaign.banner else ""),
    })
