"""Activities API (mounted at /api/activities): list, create, read, update and delete activities,
brand projects and volunteers, with the pages' permissions. Lists are keyset pages (pass
`next_cursor` back as `cursor`). Errors are JSON `{"code", "message"}`: 401 not logged in, 403 not
permitted, 404 not found (or not yours to see), 409 a duplicate volunteer phone, 422 invalid input
(`errors` per field)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhengji.campaigns.models import Campaign
from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.errors import DomainError
from zhengji.orgs.models import Organization

from . import queries, rules, services
from .models import Activity, BrandProject, Volunteer
from .photos import MAX_PHOTOS

router = Router()

ERRORS: dict[int, Any] = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError,
                          422: ApiError}


class UnitRef(Schema):
    id: int
    name: str


class ListParams(Schema):
    campaign: int = Field(..., description="The campaign.")
    unit: int | None = Field(None, description="A unit: its rows and those of the units below it.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = Field("", max_length=100, description="Search text.")
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE)


class ActivityParams(ListParams):
    kind: Literal["", "online", "offline"] = ""


class PhotoOut(Schema):
    id: int
    filename: str
    status: str
    position: int


class ActivityOut(Schema):
    id: int
    campaign: int
    unit: UnitRef
    kind: str
    title: str
    held_on: dt.date
    place: str
    participants: int
    description: str
    link: str
    photos: list[PhotoOut] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class ActivityIn(InputSchema):
    campaign: int
    unit: int
    kind: Literal["online", "offline"] = "offline"
    title: str = Field(..., max_length=services.LIMITS["title"])
    held_on: dt.date
    place: str = Field("", max_length=services.LIMITS["place"])
    participants: int = Field(0, ge=0, le=services.MAX_PARTICIPANTS)
    description: str = Field("", max_length=services.LIMITS["description"])
    link: str = Field("", max_length=services.LIMITS["link"], description="http:// or https:// only.")
    photos: list[int] = Field(default_factory=list, max_length=MAX_PHOTOS,
                              description="Ids of image files ingested with target activity_photo, in order.")


class ActivityUpdate(InputSchema):
    """Every field optional: what is left out stays as it is. `photos` is the whole ordered list."""

    unit: int | None = None
    kind: Literal["online", "offline"] | None = None
    title: str | None = Field(None, max_length=services.LIMITS["title"])
    held_on: dt.date | None = None
    place: str | None = Field(None, max_length=services.LIMITS["place"])
    participants: int | None = Field(None, ge=0, le=services.MAX_PARTICIPANTS)
    description: str | None = Field(None, max_length=services.LIMITS["description"])
    link: str | None = Field(None, max_length=services.LIMITS["link"])
    photos: list[int] | None = Field(None, max_length=MAX_PHOTOS)


class BrandProjectOut(Schema):
    id: int
    campaign: int
    unit: UnitRef
    name: str
    started_on: dt.date | None
    description: str
    link: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BrandProjectPage(Schema):
    items: list[BrandProjectOut]
    next_cursor: str | None


class BrandProjectIn(InputSchema):
    campaign: int
    unit: int
    name: str = Field(..., max_length=services.LIMITS["name"])
    started_on: dt.date | None = None
    description: str = Field("", max_length=services.LIMITS["description"])
    link: str = Field("", max_length=services.LIMITS["link"])


class BrandProjectUpdate(InputSchema):
    unit: int | None = None
    name: str | None = Field(None, max_length=services.LIMITS["name"])
    started_on: dt.date | None = None
    description: str | None = Field(None, max_length=services.LIMITS["description"])
    link: str | None = Field(None, max_length=services.LIMITS["link"])


class VolunteerOut(Schema):
    id: int
    campaign: int
    unit: UnitRef
    name: str
    phone: str = Field(..., description="Whole for the admins of the volunteer's unit subtree, else masked.")
    skills: str
    created_at: dt.datetime


class VolunteerPage(Schema):
    items: list[VolunteerOut]
    next_cursor: str | None


class VolunteerIn(InputSchema):
    campaign: int
    unit: int
    name: str = Field(..., max_length=services.LIMITS["volunteer_name"])
    phone: str = Field(..., max_length=20)
    skills: str = Field("", max_length=services.LIMITS["skills"])


class VolunteerUpdate(InputSchema):
    unit: int | None = None
    name: str | None = Field(None, max_length=services.LIMITS["volunteer_name"])
    phone: str | None = Field(None, max_length=20)
    skills: str | None = Field(None, max_length=services.LIMITS["skills"])


# --- helpers ---------------------------------------------------------------------------------------

def _require_access(request: HttpRequest) -> None:
    if not request.user.has_perm("activities.access"):
        raise PermissionDenied


def _campaign(request: HttpRequest, cid: int) -> Campaign:
    _require_access(request)
    campaign = queries.campaign_for(request.user, cid)
    if campaign is None or not request.user.has_perm("activities.view_campaign", campaign):
        raise Http404
    return campaign


def _ref(org: Organization) -> UnitRef:
    return UnitRef(id=org.pk, name=org.name)


def _page(qs: Any, params: ListParams, date_key: str | None = None) -> queries.Page[Any]:
    try:
        return queries.page(qs, params.cursor, params.limit, date_key=date_key)
    except queries.BadCursor:
        raise DomainError(_("This page link is no longer valid; start from the first page."),
                          code="bad_cursor") from None


def _activity_out(a: Activity, *, photos: bool = False) -> ActivityOut:
    out = ActivityOut(id=a.pk, campaign=a.campaign_id, unit=_ref(a.org), kind=a.kind, title=a.title,
                      held_on=a.held_on, place=a.place, participants=a.participants, description=a.description,
                      link=a.link, created_at=a.created_at, updated_at=a.updated_at)
    if photos:
        out.photos = [PhotoOut(id=link.media.pk, filename=link.media.filename, status=link.media.status,
                               position=link.position)
                      for link in a.photo_links.select_related("media").order_by("position", "id")]
    return out


def _brand_out(b: BrandProject) -> BrandProjectOut:
    return BrandProjectOut(id=b.pk, campaign=b.campaign_id, unit=_ref(b.org), name=b.name, started_on=b.started_on,
                           description=b.description, link=b.link, created_at=b.created_at, updated_at=b.updated_at)


def _volunteer_out(user: Any, v: Volunteer) -> VolunteerOut:
    return VolunteerOut(id=v.pk, campaign=v.campaign_id, unit=_ref(v.org), name=v.name,
                        phone=rules.shown_phone(user, v), skills=v.skills, created_at=v.created_at)


def _get(request: HttpRequest, getter: Any, pk: int) -> Any:
    _require_access(request)
    obj = getter(request.user, pk)
    if obj is None:
        raise Http404
    return obj


def _invalid(exc: services.Invalid) -> tuple[int, ApiError]:
    return exc.status, ApiError(code=exc.code, message=str(exc.message), field=exc.field, errors=exc.errors)


def _merge(current: dict[str, Any], update: Any) -> dict[str, Any]:
    changes = {k: v for k, v in update.dict(exclude_unset=True).items() if v is not None or k == "started_on"}
    return {**current, **changes}


# --- activities ------------------------------------------------------------------------------------

@router.get("", response={200: ActivityPage, **ERRORS})
def list_activities(request: HttpRequest, params: Query[ActivityParams]) -> ActivityPage:
    """Activities of the campaign that you may see, latest date first."""
    campaign = _campaign(request, params.campaign)
    filters = queries.Filters.from_params(params.dict())
    pg = _page(queries.filter_activities(queries.activities_for(request.user, campaign.pk), filters), params,
               "held_on")
    return ActivityPage(items=[_activity_out(a) for a in pg.rows], next_cursor=pg.next_cursor)


@router.post("", response={201: ActivityOut, **ERRORS})
def create_activity(request: HttpRequest, payload: ActivityIn) -> tuple[int, ActivityOut | ApiError]:
    """Record an activity of a unit you administer."""
    campaign = _campaign(request, payload.campaign)
    data = services.ActivityData(org_id=payload.unit, kind=payload.kind, title=payload.title,
                                 held_on=payload.held_on, place=payload.place, participants=payload.participants,
                                 description=payload.description, link=payload.link, photos=payload.photos)
    try:
        a = services.create_activity(request.user, campaign, data)
    except services.Invalid as exc:
        return _invalid(exc)
    return 201, _activity_out(a, photos=True)


@router.get("/{int:activity_id}", response={200: ActivityOut, **ERRORS})
def get_activity(request: HttpRequest, activity_id: int) -> ActivityOut:
    return _activity_out(_get(request, queries.activity_for, activity_id), photos=True)


@router.patch("/{int:activity_id}", response={200: ActivityOut, **ERRORS})
def update_activity(request: HttpRequest, activity_id: int,
                    payload: ActivityUpdate) -> tuple[int, ActivityOut | ApiError]:
    a: Activity = _get(request, queries.activity_for, activity_id)
    current = {"org_id": a.org_id, "kind": a.kind, "title": a.title, "held_on": a.held_on, "place": a.place,
               "participants": a.participants, "description": a.description, "link": a.link, "photos": None}
    merged = _merge(current, payload)
    if "unit" in merged:
        merged["org_id"] = merged.pop("unit")
    try:
        a = services.update_activity(request.user, a, services.ActivityData(**merged))
    except services.Invalid as exc:
        return _invalid(exc)
    return 200, _activity_out(a, photos=True)


@router.delete("/{int:activity_id}", response={204: None, **ERRORS})
def delete_activity(request: HttpRequest, activity_id: int) -> tuple[int, None]:
    services.delete_activity(request.user, _get(request, queries.activity_for, activity_id))
    return 204, None


# --- brand projects --------------------------------------------------------------------------------

@router.get("/brand-projects", response={200: BrandProjectPage, **ERRORS})
def list_brand_projects(request: HttpRequest, params: Query[ListParams]) -> BrandProjectPage:
    """Brand projects of the campaign that you may see, newest first (dates filter the start date)."""
    campaign = _campaign(request, params.campaign)
    filters = queries.Filters.from_params(params.dict())
    pg = _page(queries.filter_brand_projects(queries.brand_projects_for(request.user, campaign.pk), filters), params)
    return BrandProjectPage(items=[_brand_out(b) for b in pg.rows], next_cursor=pg.next_cursor)


@router.post("/brand-projects", response={201: BrandProjectOut, **ERRORS})
def create_brand_project(request: HttpRequest, payload: BrandProjectIn) -> tuple[int, BrandProjectOut | ApiError]:
    campaign = _campaign(request, payload.campaign)
    data = services.BrandProjectData(org_id=payload.unit, name=payload.name, started_on=payload.started_on,
                                     description=payload.description, link=payload.link)
    try:
        return 201, _brand_out(services.create_brand_project(request.user, campaign, data))
    except services.Invalid as exc:
        return _invalid(exc)


@router.get("/brand-projects/{int:project_id}", response={200: BrandProjectOut, **ERRORS})
def get_brand_project(request: HttpRequest, project_id: int) -> BrandProjectOut:
    return _brand_out(_get(request, queries.brand_project_for, project_id))


@router.patch("/brand-projects/{int:project_id}", response={200: BrandProjectOut, **ERRORS})
def update_brand_project(request: HttpRequest, project_id: int,
                         payload: BrandProjectUpdate) -> tuple[int, BrandProjectOut | ApiError]:
    b: BrandProject = _get(request, queries.brand_project_for, project_id)
    current = {"org_id": b.org_id, "name": b.name, "started_on": b.started_on, "description": b.description,
               "link": b.link}
    merged = _merge(current, payload)
    if "unit" in merged:
        merged["org_id"] = merged.pop("unit")
    try:
        return 200, _brand_out(services.update_brand_project(request.user, b, services.BrandProjectData(**merged)))
    except services.Invalid as exc:
        return _invalid(exc)


@router.delete("/brand-projects/{int:project_id}", response={204: None, **ERRORS})
def delete_brand_project(request: HttpRequest, project_id: int) -> tuple[int, None]:
    services.delete_brand_project(request.user, _get(request, queries.brand_project_for, project_id))
    return 204, None


# --- volunteers ------------------------------------------------------------------------------------

@router.get("/volunteers", response={200: VolunteerPage, **ERRORS})
def list_volunteers(request: HttpRequest, params: Query[ListParams]) -> VolunteerPage:
    """Volunteers of the campaign that you may see, newest first; phones masked unless you
    administer the volunteer's unit subtree. `q` matches names, skills, or a whole phone number."""
    campaign = _campaign(request, params.campaign)
    filters = queries.Filters.from_params(params.dict())
    pg = _page(queries.filter_volunteers(queries.volunteers_for(request.user, campaign.pk), filters), params)
    return VolunteerPage(items=[_volunteer_out(request.user, v) for v in pg.rows], next_cursor=pg.next_cursor)


@router.post("/volunteers", response={201: VolunteerOut, **ERRORS})
def create_volunteer(request: HttpRequest, payload: VolunteerIn) -> tuple[int, VolunteerOut | ApiError]:
    """Register a volunteer; 409 `duplicate_phone` when the number is registered in the campaign."""
    campaign = _campaign(request, payload.campaign)
    data = services.VolunteerData(org_id=payload.unit, name=payload.name, phone=payload.phone, skills=payload.skills)
    try:
        return 201, _volunteer_out(request.user, services.create_volunteer(request.user, campaign, data))
    except services.Invalid as exc:
        return _invalid(exc)


@router.get("/volunteers/{int:volunteer_id}", response={200: VolunteerOut, **ERRORS})
def get_volunteer(request: HttpRequest, volunteer_id: int) -> VolunteerOut:
    return _volunteer_out(request.user, _get(request, queries.volunteer_for, volunteer_id))


@router.patch("/volunteers/{int:volunteer_id}", response={200: VolunteerOut, **ERRORS})
def update_volunteer(request: HttpRequest, volunteer_id: int,
                     payload: VolunteerUpdate) -> tuple[int, VolunteerOut | ApiError]:
    v: Volunteer = _get(request, queries.volunteer_for, volunteer_id)
    current = {"org_id": v.org_id, "name": v.name, "phone": v.phone, "skills": v.skills}
    merged = _merge(current, payload)
    if "unit" in merged:
        merged["org_id"] = merged.pop("unit")
    try:
        return 200, _volunteer_out(request.user, services.update_volunteer(request.user, v,
                                                                           services.VolunteerData(**merged)))
    except services.Invalid as exc:
        return _invalid(exc)


@router.delete("/volunteers/{int:volunteer_id}", response={204: None, **ERRORS})
def delete_volunteer(request: HttpRequest, volunteer_id: int) -> tuple[int, None]:
    services.delete_volunteer(request.user, _get(request, queries.volunteer_for, volunteer_id))
    return 204, None
