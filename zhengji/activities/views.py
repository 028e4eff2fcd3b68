"""Pages of activities, brand projects and volunteers (per campaign): filtered keyset lists,
create/edit/delete forms, an activity's photos, the volunteers' .xlsx. Thin: parse, call one
domain function or query, render."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.campaigns.models import Campaign
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.media.filerules import FileRule

from . import exports, queries, rules, services
from .forms import ActivityForm, BrandProjectForm, VolunteerForm
from .models import Activity, ActivityKind, BrandProject, Volunteer
from .photos import MAX_PHOTOS, PHOTO_RULE, TARGET_NAME


@dataclass(frozen=True)
class UploadSlot:
    """What the uploader widget (`media/_uploader.html`) reads of its field."""

    key: str
    label: str
    file: FileRule
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False


def _require_access(request: HttpRequest) -> None:
    if not request.user.has_perm("activities.access"):
        raise PermissionDenied


def _campaign(request: HttpRequest, cid: int) -> Campaign:
    _require_access(request)
    campaign = queries.campaign_for(request.user, cid)
    if campaign is None or not request.user.has_perm("activities.view_campaign", campaign):
        raise Http404
    return campaign


def _require_recorder(request: HttpRequest) -> None:
    if not rules.may_record(request.user):
        raise PermissionDenied


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose activities the user may see (straight to the only one)."""
    _require_access(request)
    campaigns = list(queries.campaigns_for(request.user)[:50])
    if len(campaigns) == 1:
        return redirect("activities:activities", cid=campaigns[0].pk)
    return render(request, "activities/index.html", {"campaigns": campaigns})


def _list_context(request: HttpRequest, campaign: Campaign, tab: str, filters: queries.Filters,
                  pg: queries.Page[Any], cursor: str | None) -> dict[str, Any]:
    params = filters.as_params()
    return {
        "campaign": campaign, "tab": tab, "filters": filters, "rows": pg.rows,
        "units": queries.unit_choices(request.user, campaign),
        "kinds": ActivityKind.choices,
        "can_record": rules.may_record(request.user),
        "next_url": f"{request.path}?{urlencode({**params, 'cursor': pg.next_cursor})}" if pg.next_cursor else "",
        "first_url": f"{request.path}?{urlencode(params)}" if cursor else "",
        "query": urlencode(params),
    }


def _page(request: HttpRequest, qs: Any, date_key: str | None = None) -> tuple[queries.Page[Any] | None, str | None]:
    cursor = request.GET.get("cursor") or None
    try:
        return queries.page(qs, cursor, date_key=date_key), cursor
    except queries.BadCursor:
        messages.info(request, _("This page link is no longer valid; start from the first page."))
        return None, cursor


def _restart(request: HttpRequest, filters: queries.Filters) -> HttpResponse:
    return redirect(f"{request.path}?{urlencode(filters.as_params())}")


@login_required
@require_GET
def activities(request: HttpRequest, cid: int) -> HttpResponse:
    campaign = _campaign(request, cid)
    filters = queries.Filters.from_params(request.GET)
    qs = queries.filter_activities(queries.activities_for(request.user, campaign.pk), filters)
    pg, cursor = _page(request, qs, "held_on")
    if pg is None:
        return _restart(request, filters)
    context = _list_context(request, campaign, "activities", filters, pg, cursor)
    context["photo_counts"] = queries.photo_counts([a.pk for a in pg.rows])
    for a in pg.rows:
        a.photo_count = context["photo_counts"].get(a.pk, 0)
    return render(request, "activities/activities.html", context)


@login_required
@require_GET
def brand_projects(request: HttpRequest, cid: int) -> HttpResponse:
    campaign = _campaign(request, cid)
    filters = queries.Filters.from_params(request.GET)
    qs = queries.filter_brand_projects(queries.brand_projects_for(request.user, campaign.pk), filters)
    pg, cursor = _page(request, qs)
    if pg is None:
        return _restart(request, filters)
    return render(request, "activities/brand_projects.html",
                  _list_context(request, campaign, "brands", filters, pg, cursor))


@login_required
@require_GET
def volunteers(request: HttpRequest, cid: int) -> HttpResponse:
    campaign = _campaign(request, cid)
    filters = queries.Filters.from_params(request.GET)
    qs = queries.filter_volunteers(queries.volunteers_for(request.user, campaign.pk), filters)
    pg, cursor = _page(request, qs)
    if pg is None:
        return _restart(request, filters)
    context = _list_context(request, campaign, "volunteers", filters, pg, cursor)
    for v in pg.rows:
        v.shown_phone = rules.shown_phone(request.user, v)
        v.can_change = request.user.has_perm("activities.change_record", v)
    return render(request, "activities/volunteers.html", context)


@login_required
@require_GET
def volunteers_xlsx(request: HttpRequest, cid: int) -> HttpResponseBase:
    campaign = _campaign(request, cid)
    filters = queries.Filters.from_params(request.GET)
    qs = queries.filter_volunteers(queries.volunteers_for(request.user, campaign.pk), filters)
    return exports.volunteers_response(request.user, campaign, qs)


# --- forms ------------------------------------------------------------------------------------------

FORMS: dict[str, Any] = {"activity": ActivityForm, "brand": BrandProjectForm, "volunteer": VolunteerForm}
CREATE: dict[str, Any] = {"activity": services.create_activity, "brand": services.create_brand_project,
          "volunteer": services.create_volunteer}
UPDATE: dict[str, Any] = {"activity": services.update_activity, "brand": services.update_brand_project,
          "volunteer": services.update_volunteer}
DELETE: dict[str, Any] = {"activity": services.delete_activity, "brand": services.delete_brand_project,
          "volunteer": services.delete_volunteer}
LISTS = {"activity": "activities:activities", "brand": "activities:brand_projects",
         "volunteer": "activities:volunteers"}
GETTERS: dict[str, Any] = {"activity": queries.activity_for, "brand": queries.brand_project_for,
                           "volunteer": queries.volunteer_for}


def _initial(kind: str, obj: Model) -> dict[str, Any]:
    if isinstance(obj, Activity):
        return {"org": obj.org_id, "kind": obj.kind, "title": obj.title, "held_on": obj.held_on,
                "place": obj.place, "participants": obj.participants, "description": obj.description,
                "link": obj.link, "photos": ",".join(str(m) for m in obj.photo_links.order_by("position", "id")
                                                     .values_list("media_id", flat=True))}
    if isinstance(obj, BrandProject):
        return {"org": obj.org_id, "name": obj.name, "started_on": obj.started_on, "description": obj.description,
                "link": obj.link}
    assert isinstance(obj, Volunteer)
    return {"org": obj.org_id, "name": obj.name, "phone": obj.phone, "skills": obj.skills}


def _form_page(request: HttpRequest, kind: str, campaign: Campaign, obj: Model | None) -> HttpResponse:
    units = queries.unit_choices(request.user, campaign)
    current = getattr(obj, "org", None)
    form_class = FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, campaign=campaign, units=units, current=current)
        if form.is_valid():
            try:
                if obj is None:
                    obj = CREATE[kind](request.user, campaign, form.to_data())
                    messages.success(request, _("Saved."))
                else:
                    obj = UPDATE[kind](request.user, obj, form.to_data())
                    messages.success(request, _("Changes saved."))
            except services.Invalid as exc:
                form._merge(exc.errors)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                if kind == "activity":
                    return redirect("activities:activity", pk=obj.pk)
                return redirect(LISTS[kind], cid=campaign.pk)
    else:
        form = form_class(initial=_initial(kind, obj) if obj is not None else None, campaign=campaign, units=units,
                          current=current)
    context: dict[str, Any] = {"form": form, "campaign": campaign, "obj": obj, "kind": kind,
                               "list_url": reverse(LISTS[kind], kwargs={"cid": campaign.pk})}
    if kind == "activity":
        photos_value = form["photos"].value() or ""
        existing = _photo_files(obj) if isinstance(obj, Activity) else []
        context.update({
            "upload_field": UploadSlot(key="photos", label=_("Photos"), label_en="Photos", file=PHOTO_RULE),
            "ingest_fields": json.dumps({"target": TARGET_NAME, "campaign": str(campaign.pk)}),
            "existing": existing,
            # After a refused save, the ids as posted win over the stored photos.
            "photos_value": photos_value if request.method == "POST" else None,
            "max_photos": MAX_PHOTOS,
        })
    return render(request, "activities/form.html", context)


def _photo_files(activity: Activity) -> list[Any]:
    """The activity's files in their order (one query)."""
    return [link.media for link in activity.photo_links.select_related("media").order_by("position", "id")]


def _obj(request: HttpRequest, kind: str, pk: int) -> Any:
    _require_access(request)
    obj = GETTERS[kind](request.user, pk)
    if obj is None:
        raise Http404
    return obj


def _new(kind: str) -> Any:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, cid: int) -> HttpResponse:
        campaign = _campaign(request, cid)
        _require_recorder(request)
        return _form_page(request, kind, campaign, None)

    view.__name__ = f"new_{kind}"
    return view


def _edit(kind: str) -> Any:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = _obj(request, kind, pk)
        if not request.user.has_perm("activities.change_record", obj):
            raise PermissionDenied
        return _form_page(request, kind, obj.campaign, obj)

    view.__name__ = f"edit_{kind}"
    return view


def _delete(kind: str) -> Any:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = _obj(request, kind, pk)
        if not request.user.has_perm("activities.change_record", obj):
            raise PermissionDenied
        if request.method == "POST":
            try:
                DELETE[kind](request.user, obj)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Deleted."))
            return redirect(LISTS[kind], cid=obj.campaign_id)
        return render(request, "activities/delete.html",
                      {"obj": obj, "kind": kind, "campaign": obj.campaign,
                       "list_url": reverse(LISTS[kind], kwargs={"cid": obj.campaign_id})})

    view.__name__ = f"delete_{kind}"
    return view


new_activity, edit_activity, delete_activity = _new("activity"), _edit("activity"), _delete("activity")
new_brand, edit_brand, delete_brand = _new("brand"), _edit("brand"), _delete("brand")
new_volunteer, edit_volunteer, delete_volunteer = _new("volunteer"), _edit("volunteer"), _delete("volunteer")


@login_required
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity with its photos in order (move up/down, remove)."""
    a: Activity = _obj(request, "activity", pk)
    context = {"a": a, "campaign": a.campaign, "photos": _photo_files(a),
               "can_change": request.user.has_perm("activities.change_record", a)}
    return render(request, "activities/activity.html", context)


@login_required
@require_POST
def activity_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a photo up or down, or remove it from the activity."""
    a: Activity = _obj(request, "activity", pk)
    if not request.user.has_perm("activities.change_record", a):
        raise PermissionDenied
    media = request.POST.get("media", "")
    try:
        services.move_photo(request.user, a, parse_id(media) or 0, request.POST.get("action", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("activities:activity", pk=a.pk)
