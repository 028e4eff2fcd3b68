"""Domain functions for activities, brand projects and volunteers: create, update, delete each
(one transaction, the row locked, the permission predicate of `activities.rules`, an audit record
with before/after), and the ordered photos of an activity.

Validation lives here (`check_*` return every error per field, for the forms; the domain
functions raise `Invalid`, a DomainError carrying them): dates within reason, participants from 0
to `MAX_PARTICIPANTS`, links http(s) only, phones as accounts validates them, one volunteer per
phone number in a campaign (the database constraint decides a race).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.services import check_phone
from zhengji.campaigns.models import Campaign
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.i18n import mask_phone
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.orgs.models import Organization

from .models import Activity, ActivityKind, ActivityPhoto, BrandProject, Volunteer
from .photos import MAX_PHOTOS, PURPOSE

MAX_PARTICIPANTS = 10_000_000
EARLIEST_BRAND_DATE = dt.date(1949, 10, 1)
LIMITS = {"title": 200, "place": 200, "description": 5000, "link": 500, "name": 200, "volunteer_name": 50,
          "skills": 500}

_url = URLValidator(schemes=["http", "https"])


class Invalid(DomainError):
    """Input that fails validation: `errors` maps each field to its messages."""

    code = "invalid"
    status = 422

    def __init__(self, errors: dict[str, list[str]], code: str | None = None, status: int | None = None):
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], code=code, status=status, field=first_field)
        self.errors = errors


# --- input ------------------------------------------------------------------------------------------

@dataclass
class ActivityData:
    org_id: int | None = None
    kind: str = ActivityKind.OFFLINE
    title: str = ""
    held_on: dt.date | None = None
    place: str = ""
    participants: int | None = 0
    description: str = ""
    link: str = ""
    photos: list[int] | None = None  # MediaFile ids in order; None = leave the photos as they are


@dataclass
class BrandProjectData:
    org_id: int | None = None
    name: str = ""
    started_on: dt.date | None = None
    description: str = ""
    link: str = ""


@dataclass
class VolunteerData:
    org_id: int | None = None
    name: str = ""
    phone: str = ""
    skills: str = ""


def _today() -> dt.date:
    return timezone.localdate()


def _text(errors: dict[str, list[str]], name: str, value: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": limit})
    return value


def _link(errors: dict[str, list[str]], value: str) -> str:
    value = _text(errors, "link", value, LIMITS["link"])
    if value and "link" not in errors:
        try:
            _url(value)
        except ValidationError:
            errors.setdefault("link", []).append(_("Enter a web address starting with http:// or https://."))
    return value


def check_activity(campaign: Campaign, data: ActivityData, *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Every error of the activity's fields (cleaning the text fields of `data` in place)."""
    errors: dict[str, list[str]] = {}
    today = today or _today()
    if data.kind not in ActivityKind.values:
        errors.setdefault("kind", []).append(_("Choose online or offline."))
    data.title = _text(errors, "title", data.title, LIMITS["title"], required=True)
    data.place = _text(errors, "place", data.place, LIMITS["place"])
    data.description = _text(errors, "description", data.description, LIMITS["description"])
    data.link = _link(errors, data.link)
    earliest = dt.date(campaign.year - 1, 1, 1)
    if data.held_on is None:
        errors.setdefault("held_on", []).append(_("Enter the date of the activity."))
    elif data.held_on > today:
        errors.setdefault("held_on", []).append(_("The date cannot be in the future."))
    elif data.held_on < earliest:
        errors.setdefault("held_on", []).append(
            _("The date cannot be before %(date)s.") % {"date": earliest.isoformat()})
    if data.participants is None or not 0 <= data.participants <= MAX_PARTICIPANTS:
        errors.setdefault("participants", []).append(
            _("Enter a number of participants from 0 to %(n)d.") % {"n": MAX_PARTICIPANTS})
    if data.photos is not None and len(data.photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    return errors


def check_brand_project(data: BrandProjectData, *, today: dt.date | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = today or _today()
    data.name = _text(errors, "name", data.name, LIMITS["name"], required=True)
    data.description = _text(errors, "description", data.description, LIMITS["description"])
    data.link = _link(errors, data.link)
    if data.started_on is not None and not EARLIEST_BRAND_DATE <= data.started_on <= today:
        errors.setdefault("started_on", []).append(
            _("Enter a date from %(first)s to today.") % {"first": EARLIEST_BRAND_DATE.isoformat()})
    return errors


def check_volunteer(data: VolunteerData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    data.name = _text(errors, "name", data.name, LIMITS["volunteer_name"], required=True)
    data.skills = _text(errors, "skills", data.skills, LIMITS["skills"])
    try:
        data.phone = check_phone(data.phone)
    except DomainError as exc:
        errors.setdefault("phone", []).append(str(exc.message))
    return errors


def _date(value: dt.date | None) -> dt.date:
    assert value is not None  # checked: the date is required
    return value


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(errors)


# --- permission and the unit --------------------------------------------------------------------------

def _require_login(actor: Any) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))


def _unit(actor: Any, campaign: Campaign, org_id: int | None) -> Organization:
    """The unit a record is for: an active organisation of the campaign's tree that the actor
    administers (a superuser: any of the tree)."""
    _require_login(actor)
    org: Organization | None = (Organization.objects.filter(pk=org_id).first()
                                if org_id and 0 < org_id < 2**63 else None)
    if org is None:
        raise Invalid({"org": [_("Choose a unit.")]})
    if not actor.has_perm("activities.record_for_org", org):
        raise NotPermitted(_("You do not administer this unit."))
    if not org.path.startswith(campaign.org.path):
        raise Invalid({"org": [_("This unit does not take part in this campaign.")]})
    if not org.is_active:
        raise Invalid({"org": [_("This unit is no longer active.")]})
    return org


def _lock(model: type[Any], obj: Model) -> Any:
    return model.objects.select_for_update().select_related("org", "campaign__org").get(pk=obj.pk)


def _require_change(actor: Any, obj: Model) -> None:
    _require_login(actor)
    if not actor.has_perm("activities.change_record", obj):
        raise NotPermitted(_("You may not change this record."))


# --- activities ----------------------------------------------------------------------------------------

ACTIVITY_FIELDS = ["org", "kind", "title", "held_on", "place", "participants", "description", "link"]


def _activity_snapshot(a: Activity) -> dict[str, Any]:
    data = audit.snapshot(a, ACTIVITY_FIELDS)
    data["photos"] = list(a.photo_links.order_by("position", "id").values_list("media_id", flat=True))
    return data


def create_activity(actor: Any, campaign: Campaign, data: ActivityData, *,
                    today: dt.date | None = None) -> Activity:
    """Record an activity of a unit the actor administers."""
    with transaction.atomic():
        org = _unit(actor, campaign, data.org_id)
        _raise(check_activity(campaign, data, today=today))
        now = timezone.now()
        activity = Activity.objects.create(
            campaign=campaign, org=org, kind=data.kind, title=data.title, held_on=_date(data.held_on),
            place=data.place, participants=data.participants or 0, description=data.description, link=data.link,
            created_by=actor, created_at=now, updated_at=now)
        if data.photos:
            _place_photos(actor, activity, data.photos)
        audit.record("activity.create", activity, actor=actor, before=None, after=_activity_snapshot(activity))
    return activity


def update_activity(actor: Any, activity: Activity, data: ActivityData, *,
                    today: dt.date | None = None) -> Activity:
    """Change an activity (its unit may move within the actor's subtree); `data.photos`, when
    given, is the whole ordered list of its photos."""
    with transaction.atomic():
        locked: Activity = _lock(Activity, activity)
        _require_change(actor, locked)
        org = locked.org if data.org_id in (None, locked.org_id) else _unit(actor, locked.campaign, data.org_id)
        _raise(check_activity(locked.campaign, data, today=today))
        before = _activity_snapshot(locked)
        locked.org, locked.kind, locked.title, locked.held_on = org, data.kind, data.title, _date(data.held_on)
        locked.place, locked.participants = data.place, data.participants or 0
        locked.description, locked.link, locked.updated_at = data.description, data.link, timezone.now()
        locked.save()
        if data.photos is not None:
            _place_photos(actor, locked, data.photos)
        after = _activity_snapshot(locked)
        audit.record("activity.update", locked, actor=actor, before=before, after=after)
    return locked


def delete_activity(actor: Any, activity: Activity) -> None:
    """Delete the activity and its photo links (the files stay with their owners)."""
    with transaction.atomic():
        locked: Activity = _lock(Activity, activity)
        _require_change(actor, locked)
        before = _activity_snapshot(locked)
        scope = locked.audit_scope()
        audit.record("activity.delete", locked, actor=actor, before=before, after=None, scope=scope)
        locked.delete()


def set_photos(actor: Any, activity: Activity, media_ids: Sequence[int]) -> list[int]:
    """Make the activity's photos exactly `media_ids`, in that order (reorder, add, remove)."""
    ids = list(media_ids)
    with transaction.atomic():
        locked: Activity = _lock(Activity, activity)
        _require_change(actor, locked)
        if len(ids) > MAX_PHOTOS:
            raise Invalid({"photos": [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]})
        before = _activity_snapshot(locked)["photos"]
        placed = _place_photos(actor, locked, ids)
        if placed != before:
            audit.record("activity.photos", locked, actor=actor, before={"photos": before}, after={"photos": placed})
    return placed


def _place_photos(actor: Any, activity: Activity, media_ids: Sequence[int]) -> list[int]:
    """Write the photo links in order. A photo is a file of this activity already, or an image the
    actor uploaded for activity photos that no activity holds yet, and not one that failed."""
    ids: list[int] = []
    for pk in media_ids:
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_PHOTOS:
        raise Invalid({"photos": [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]})
    found = {m.pk: m for m in MediaFile.objects.select_for_update().filter(pk__in=ids).order_by()}
    linked = dict(ActivityPhoto.objects.filter(media_id__in=list(found)).values_list("media_id", "activity_id"))
    for pk in ids:
        m = found.get(pk)
        ours = linked.get(pk) == activity.pk
        usable = m is not None and (ours or (pk not in linked and m.owner_id == actor.pk and m.purpose == PURPOSE
                                             and m.kind == "image"))
        if not usable:
            raise Invalid({"photos": [_("Photo %(id)s cannot be used here.") % {"id": pk}]})
        assert m is not None
        if m.status == MediaStatus.FAILED:
            raise Invalid({"photos": [_("“%(name)s” could not be processed; remove it and upload again.")
                                      % {"name": m.filename}]})
    current = list(activity.photo_links.order_by("position", "id").values_list("media_id", flat=True))
    if current != ids:
        ActivityPhoto.objects.filter(activity=activity).delete()
        ActivityPhoto.objects.bulk_create([ActivityPhoto(activity=activity, media_id=pk, position=n)
                                           for n, pk in enumerate(ids)])
    return ids


def move_photo(actor: Any, activity: Activity, media_id: int, action: str) -> list[int]:
    """One step of reordering from the page: "up", "down" or "remove" a photo."""
    order = list(activity.photo_links.order_by("position", "id").values_list("media_id", flat=True))
    if media_id not in order:
        raise DomainError(_("This photo is not part of the activity."), code="not_found", status=404)
    i = order.index(media_id)
    if action == "remove":
        order.pop(i)
    elif action in ("up", "down"):
        j = i - 1 if action == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
    else:
        raise DomainError(_("Choose an action."), code="invalid")
    return set_photos(actor, activity, order)


# --- brand projects ------------------------------------------------------------------------------------

BRAND_FIELDS = ["org", "name", "started_on", "description", "link"]


def create_brand_project(actor: Any, campaign: Campaign, data: BrandProjectData, *,
                         today: dt.date | None = None) -> BrandProject:
    with transaction.atomic():
        org = _unit(actor, campaign, data.org_id)
        _raise(check_brand_project(data, today=today))
        now = timezone.now()
        project = BrandProject.objects.create(campaign=campaign, org=org, name=data.name, started_on=data.started_on,
                                              description=data.description, link=data.link, created_by=actor,
                                              created_at=now, updated_at=now)
        audit.record("brand_project.create", project, actor=actor, before=None,
                     after=audit.snapshot(project, BRAND_FIELDS))
    return project


def update_brand_project(actor: Any, project: BrandProject, data: BrandProjectData, *,
                         today: dt.date | None = None) -> BrandProject:
    with transaction.atomic():
        locked: BrandProject = _lock(BrandProject, project)
        _require_change(actor, locked)
        org = locked.org if data.org_id in (None, locked.org_id) else _unit(actor, locked.campaign, data.org_id)
        _raise(check_brand_project(data, today=today))
        before = audit.snapshot(locked, BRAND_FIELDS)
        locked.org, locked.name, locked.started_on = org, data.name, data.started_on
        locked.description, locked.link, locked.updated_at = data.description, data.link, timezone.now()
        locked.save()
        audit.record("brand_project.update", locked, actor=actor, before=before,
                     after=audit.snapshot(locked, BRAND_FIELDS))
    return locked


def delete_brand_project(actor: Any, project: BrandProject) -> None:
    with transaction.atomic():
        locked: BrandProject = _lock(BrandProject, project)
        _require_change(actor, locked)
        audit.record("brand_project.delete", locked, actor=actor, before=audit.snapshot(locked, BRAND_FIELDS),
                     after=None, scope=locked.audit_scope())
        locked.delete()


# --- volunteers ----------------------------------------------------------------------------------------

def _volunteer_snapshot(v: Volunteer) -> dict[str, Any]:
    """The audit view of a volunteer: the phone masked (audit readers include campaign admins, who
    see volunteers' numbers masked)."""
    data = audit.snapshot(v, ["org", "name", "skills"])
    data["phone"] = mask_phone(v.phone)
    return data


def _duplicate() -> Invalid:
    return Invalid({"phone": [_("A volunteer with this phone number is already registered in this campaign.")]},
                   code="duplicate_phone", status=409)


def _phone_taken(campaign_id: int, phone: str, exclude: int | None = None) -> bool:
    qs = Volunteer.objects.filter(campaign_id=campaign_id, phone=phone)
    return qs.exclude(pk=exclude).exists() if exclude else qs.exists()


def create_volunteer(actor: Any, campaign: Campaign, data: VolunteerData) -> Volunteer:
    """Register a volunteer; one per phone number in a campaign (409 `duplicate_phone`)."""
    with transaction.atomic():
        org = _unit(actor, campaign, data.org_id)
        _raise(check_volunteer(data))
        if _phone_taken(campaign.pk, data.phone):
            raise _duplicate()
        try:
            with transaction.atomic():  # a savepoint: the race's IntegrityError leaves the outer block usable
                volunteer = Volunteer.objects.create(campaign=campaign, org=org, name=data.name, phone=data.phone,
                                                     skills=data.skills, created_by=actor, created_at=timezone.now())
        except IntegrityError:
            raise _duplicate() from None
        audit.record("volunteer.create", volunteer, actor=actor, before=None, after=_volunteer_snapshot(volunteer))
    return volunteer


def update_volunteer(actor: Any, volunteer: Volunteer, data: VolunteerData) -> Volunteer:
    with transaction.atomic():
        locked: Volunteer = _lock(Volunteer, volunteer)
        _require_change(actor, locked)
        org = locked.org if data.org_id in (None, locked.org_id) else _unit(actor, locked.campaign, data.org_id)
        _raise(check_volunteer(data))
        if _phone_taken(locked.campaign_id, data.phone, exclude=locked.pk):
            raise _duplicate()
        before = _volunteer_snapshot(locked)
        locked.org, locked.name, locked.phone, locked.skills = org, data.name, data.phone, data.skills
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise _duplicate() from None
        audit.record("volunteer.update", locked, actor=actor, before=before, after=_volunteer_snapshot(locked))
    return locked


def delete_volunteer(actor: Any, volunteer: Volunteer) -> None:
    with transaction.atomic():
        locked: Volunteer = _lock(Volunteer, volunteer)
        _require_change(actor, locked)
        audit.record("volunteer.delete", locked, actor=actor, before=_volunteer_snapshot(locked), after=None,
                     scope=locked.audit_scope())
        locked.delete()
