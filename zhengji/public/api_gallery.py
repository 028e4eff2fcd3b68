"""JSON API of the public site's gallery area (added to the public router, /api/public): the
gallery listing (anonymous), display approval in bulk (host staff, campaign admins) and the
entrant's credit choice. Errors are the API's one JSON shape ({code, message, field}), translated
(zhengji.api.errors)."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from zhengji.campaigns.models import Campaign, Track
from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.entries.queries import View, entry_for

from . import gallery_queries as gq
from .domain import showcase as domain
from .models import Credit, Showcase
from .views import _can_preview
from .views_gallery import day_seed

router = Router()
ERRORS = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError}


class GalleryFilters(Schema):
    track: str | None = Field(None, description="Track slug (default: the first track).")
    city: int | None = Field(None, description="Organisation id of a city federation.")
    tier: int | None = Field(None, description="Award tier id (as listed in `tiers`).")
    q: str = Field("", max_length=100, description="Chinese search: title, summary, number, credited makers.")
    sort: Literal["new", "views", "random"] = "new"
    after: str = Field("", max_length=200, description="The `next` cursor of the previous page.")
    seed: int | None = Field(None, ge=0, description="Random sort: the seed of page 1 (returned as `seed`).")
    size: int = Field(gq.PAGE_SIZE, ge=1, le=gq.MAX_PAGE_SIZE)


class AwardOut(Schema):
    tier: int
    label: str
    order: int


class CardOut(Schema):
    id: int
    title: str
    number: str | None
    url: str
    thumb: str
    authors: list[str]
    unit: str | None
    city: str
    views: int
    award: AwardOut | None


class TierOut(Schema):
    id: int
    label: str


class GalleryOut(Schema):
    track: str
    sort: str
    seed: int
    total: int = Field(description=f"How many match, counted up to {gq.COUNT_CAP} (see `capped`).")
    capped: bool
    next: str = Field(description="Cursor of the next page (`after`), empty on the last page.")
    tiers: list[TierOut]
    items: list[CardOut]


class DisplayIn(InputSchema):
    entries: list[int] = Field(..., min_length=1, max_length=domain.MAX_BULK)
    approved: bool
    reason: str = Field("", max_length=1000, description="Required when withdrawing from display.")


class DisplayOut(Schema):
    changed: int


class CreditIn(InputSchema):
    credit: Literal["authors_unit", "authors", "unit"]


class CreditOut(Schema):
    entry: int
    credit: str
    credit_label: str
    listed: bool


@router.get("/campaigns/{slug}/gallery", response={200: GalleryOut, 404: ApiError}, auth=None,
            summary="The gallery of a campaign's track: filters, Chinese search, sort, keyset pages")
def gallery(request: HttpRequest, slug: str, filters: Query[GalleryFilters]):
    campaign = get_object_or_404(Campaign, slug=slug)
    if not campaign.is_published and not _can_preview(request.user, campaign):
        raise Http404
    tracks = list(campaign.tracks.order_by("number").only("pk", "slug", "campaign_id"))
    track = next((t for t in tracks if t.slug == filters.track), None) if filters.track else (
        tracks[0] if tracks else None)
    if track is None:
        raise Http404
    query = gq.GalleryQuery(track_id=track.pk, city_id=filters.city, tier_id=filters.tier, q=filters.q,
                            sort=filters.sort, cursor=filters.after, size=filters.size,
                            seed=filters.seed if filters.seed is not None else day_seed(track.pk))
    page = gq.gallery_page(request.user, query)
    return {"track": track.slug, "sort": query.sort, "seed": query.seed % gq.SEED_SPACE, "total": page.total,
            "capped": page.capped, "next": page.next_cursor,
            "tiers": [{"id": i, "label": label} for i, label in page.tiers],
            "items": [{"id": c.entry_id, "title": c.title, "number": c.number, "url": c.url, "thumb": c.thumb,
                       "authors": c.authors, "unit": c.unit, "city": c.city, "views": c.views,
                       "award": {"tier": c.award.tier_id, "label": c.award.label, "order": c.award.order}
                       if c.award else None} for c in page.cards]}


@router.post("/tracks/{track_id}/display", response={200: DisplayOut, **ERRORS},
             summary="Approve entries of a track for display, or withdraw them (with a reason); staff only")
def display(request: HttpRequest, track_id: int, body: DisplayIn):
    track = get_object_or_404(Track.objects.select_related("campaign"), pk=track_id)
    return {"changed": domain.set_display(request.user, track, body.entries, approved=body.approved,
                                          reason=body.reason)}


@router.put("/entries/{entry_id}/credit", response={200: CreditOut, **ERRORS},
            summary="The entrant chooses how the entry's makers are named in public")
def set_credit(request: HttpRequest, entry_id: int, body: CreditIn):
    entry = entry_for(request.user, entry_id, permission=None, view=View.MINE)
    row: Showcase = domain.choose_credit(request.user, entry, body.credit)
    return {"entry": entry.pk, "credit": row.credit, "credit_label": str(Credit(row.credit).label),
            "listed": row.listed}
