"""Domain functions for campaigns, tracks, level rules, announcements and campaign-scoped roles.

Every state change is one function here: permission-checked, in one transaction, audited. Views
and the API only call these. Questions about the rules at a moment (phases, deadlines, quotas,
extensions) are answered by `campaigns.policy`, nowhere else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from zhengji.accounts.models import RoleAssignment, User, attach_scopes
from zhengji.accounts.scopes import scopes_for
from zhengji.accounts.services import grant_role, revoke_role
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.orgs.models import Organization, OrgKind

from .models import Announcement, Campaign, DeadlineExtension, EntrantType, LevelRule, PendingMembers, Track, WorkKind
from .roles import CAMPAIGN_ROLES, TRACK_ROLES, CampaignRole
from .sanitize import clean_html
from .schema import FieldDef, check_schema, dump_schema

# The phase dates in the order they must keep (each on or after the one before).
PHASE_DATE_FIELDS = ["launch_date", "collect_start", "collect_end", "review_start", "review_end",
                     "publicity_start", "publicity_end", "conclude_date"]
CAMPAIGN_FIELDS = ["name", "name_en", "year", "slug", "summary", "summary_en", *PHASE_DATE_FIELDS,
                   "pending_members"]
ENTRANT_TYPES = {t.value: t.label for t in EntrantType}
# What host-unit staff may change on their own track; everything else is the campaign admin's.
TRACK_CONTENT_FIELDS = ["description", "description_en", "rules", "rules_en"]
TRACK_SETTING_FIELDS = ["number", "slug", "name", "name_en", "host_unit", "work_kind", "entrant_types", "is_open"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Campaign pages live at /manage/<slug>/, next to /manage/new/.
RESERVED_SLUGS = {"new"}


class SchemaInvalid(DomainError):
    """An entry form schema that does not validate; `errors` are (field number or None, message)."""

    code = "invalid_form"
    status = 422

    def __init__(self, errors: list[tuple[int | None, str]]):
        super().__init__(_("The entry form has errors."), field="form_schema")
        self.errors = errors


def _require(actor, perm: str, obj=None) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm, obj):
        raise NotPermitted(_("You do not have permission to do this."))


def _field_error(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", field=field)


def _save_unique(obj, field: str, message: str) -> None:
    """Save; a unique constraint hit by a concurrent request becomes a field error, not a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise _field_error(field, message)


# --- campaigns --------------------------------------------------------------------------------

def validate_phase_dates(values: dict[str, Any]) -> None:
    """Raise ValidationError {field: message} unless every phase date is set and none comes
    before the previous one."""
    errors: dict[str, str] = {}
    previous = None
    labels = {f: Campaign._meta.get_field(f).verbose_name for f in PHASE_DATE_FIELDS}
    for name in PHASE_DATE_FIELDS:
        value = values.get(name)
        if value is None:
            errors[name] = _("This date is required.")
            continue
        if previous is not None and value < values[previous]:
            errors[name] = _("“%(this)s” cannot be before “%(prev)s”.") % {
                "this": labels[name], "prev": labels[previous]}
        previous = name
    if errors:
        raise ValidationError(errors)


def validate_banner(upload) -> None:
    """A banner is a JPEG, PNG or WebP image within the size limit that Pillow can read."""
    limit_mb = getattr(settings, "CAMPAIGN_BANNER_MAX_MB", 5)
    if upload.size > limit_mb * 1024 * 1024:
        raise _field_error("banner", _("The banner is larger than %(mb)s MB.") % {"mb": limit_mb})
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            width, height = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _field_error("banner", _("The banner is not an image we can read."))
    finally:
        upload.seek(0)
    if fmt not in {"JPEG", "PNG", "WEBP"}:
        raise _field_error("banner", _("The banner must be a JPEG, PNG or WebP image."))
    max_px = getattr(settings, "CAMPAIGN_BANNER_MAX_PIXELS", 40_000_000)
    if width * height > max_px or width < 200 or height < 50:
        raise _field_error("banner", _("The banner must be at least 200×50 pixels and not enormous."))


def free_slug(base: str, taken) -> str:
    """`base`, or `base-2`, `base-3`, … : the first that `taken(slug) -> bool` says is free.
    Slugs are only generated when left empty; once set they stay (links are shared)."""
    slug, n = base, 1
    while taken(slug) or slug in RESERVED_SLUGS:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_campaign_values(values: dict[str, Any], instance: Campaign | None) -> None:
    try:
        validate_phase_dates(values)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise _field_error(field, messages[0])
    if not values.get("name"):
        raise _field_error("name", _("The name is required."))
    if values.get("pending_members", PendingMembers.DRAFTS) not in PendingMembers.values:
        raise _field_error("pending_members", _("Choose what members awaiting confirmation may do."))
    slug = values.get("slug") or ""
    if slug in RESERVED_SLUGS:
        raise _field_error("slug", _("This slug is reserved; choose another."))
    qs = Campaign.objects.filter(slug=slug)
    if instance is not None:
        qs = qs.exclude(pk=instance.pk)
    if qs.exists():
        raise _field_error("slug", _("Another campaign already uses this slug."))


@transaction.atomic
def create_campaign(actor, *, org: Organization, banner=None, **values) -> Campaign:
    """Create a (draft) campaign owned by `org`; the creator becomes its campaign admin."""
    _require(actor, "campaigns.add_campaign_for_org", org)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if not values.get("slug"):
        values["slug"] = free_slug(str(values.get("year") or "campaign"),
                                   lambda s: Campaign.objects.filter(slug=s).exists())
    _check_campaign_values(values, None)
    if banner:
        validate_banner(banner)
    campaign = Campaign(org=org, created_by=actor, is_published=False, **values)
    if banner:
        campaign.banner = banner
    _save_unique(campaign, "slug", _("Another campaign already uses this slug."))
    audit.record("campaign.create", campaign, actor=actor, after=audit.snapshot(campaign))
    # Creating a campaign makes one its admin: let this actor's scopes say so for the grant check
    # (can_grant has no "creator" rule), then record the grant like any other.
    scopes_for(actor).campaign_admin.add(campaign.pk)
    grant_role(actor, actor, CampaignRole.CAMPAIGN_ADMIN, campaign)
    return campaign


@transaction.atomic
def update_campaign(actor, campaign: Campaign, *, banner=None, clear_banner: bool = False, **values) -> Campaign:
    _require(actor, "campaigns.change_campaign", campaign)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "slug" in values and not values["slug"]:
        values.pop("slug")  # left empty: keep the one it has
    before = audit.snapshot(campaign)
    merged = {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS} | values
    _check_campaign_values(merged, campaign)
    if banner:
        validate_banner(banner)
    for k, v in values.items():
        setattr(campaign, k, v)
    if banner:
        campaign.banner = banner
    elif clear_banner:
        campaign.banner = ""
    _save_unique(campaign, "slug", _("Another campaign already uses this slug."))
    audit.record("campaign.update", campaign, actor=actor, before=before, after=audit.snapshot(campaign))
    return campaign


@transaction.atomic
def set_campaign_published(actor, campaign: Campaign, published: bool) -> Campaign:
    _require(actor, "campaigns.publish_campaign", campaign)
    if campaign.is_published == published:
        return campaign
    campaign.is_published = published
    campaign.save(update_fields=["is_published"])
    audit.record("campaign.publish" if published else "campaign.unpublish", campaign, actor=actor,
                 before={"is_published": not published}, after={"is_published": published})
    return campaign


# --- tracks -----------------------------------------------------------------------------------

def _check_track_values(campaign: Campaign, values: dict[str, Any], instance: Track | None) -> dict[str, Any]:
    out = dict(values)
    if "name" in out and not out["name"]:
        raise _field_error("name", _("The name is required."))
    if "number" in out:
        if not isinstance(out["number"], int) or out["number"] < 1:
            raise _field_error("number", _("The number must be 1 or more."))
        qs = campaign.tracks.filter(number=out["number"])
        if instance is not None:
            qs = qs.exclude(pk=instance.pk)
        if qs.exists():
            raise _field_error("number", _("Another track of this campaign has this number."))
    if "slug" in out:
        qs = campaign.tracks.filter(slug=out["slug"])
        if instance is not None:
            qs = qs.exclude(pk=instance.pk)
        if not out["slug"]:
            raise _field_error("slug", _("The slug is required."))
        if qs.exists():
            raise _field_error("slug", _("Another track of this campaign uses this slug."))
    if "host_unit" in out:
        host = out["host_unit"]
        if host is None:
            raise _field_error("host_unit", _("Choose the host unit."))
        if not host.is_within(campaign.org):
            raise _field_error("host_unit", _("The host unit must belong to the campaign's organisation tree."))
    if "work_kind" in out and out["work_kind"] not in WorkKind.values:
        raise _field_error("work_kind", _("Choose a kind of work."))
    if "entrant_types" in out:
        types = list(dict.fromkeys(out["entrant_types"] or []))
        if not types or any(t not in ENTRANT_TYPES for t in types):
            raise _field_error("entrant_types", _("Choose who may enter: individual, team and/or unit."))
        out["entrant_types"] = types
    for f in ("rules", "rules_en"):
        if f in out:
            out[f] = clean_html(out[f])
    if "form_schema" in out:
        fields, errors = check_schema(out["form_schema"])
        if errors:
            raise SchemaInvalid(errors)
        out["form_schema"] = dump_schema(fields)
    return out


@transaction.atomic
def create_track(actor, campaign: Campaign, **values) -> Track:
    _require(actor, "campaigns.add_track", campaign)
    allowed = set(TRACK_CONTENT_FIELDS) | set(TRACK_SETTING_FIELDS) | {"form_schema"}
    unknown = set(values) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "number" not in values or values["number"] is None:
        last = campaign.tracks.order_by("-number").values_list("number", flat=True).first()
        values["number"] = (last or 0) + 1
    if not values.get("slug"):
        values["slug"] = free_slug(f"track-{values['number']}", lambda s: campaign.tracks.filter(slug=s).exists())
    for required in ("name", "host_unit"):
        values.setdefault(required, None if required == "host_unit" else "")
    values.setdefault("entrant_types", ["individual"])
    values = _check_track_values(campaign, values, None)
    track = Track(campaign=campaign, **values)
    _save_unique(track, "number", _("Another track of this campaign has this number or slug."))
    audit.record("track.create", track, actor=actor, after=audit.snapshot(track))
    return track


@transaction.atomic
def update_track(actor, track: Track, **values) -> Track:
    """Change a track. Host-unit staff may change only its rules and descriptions (and, through
    set_track_form, its entry form); campaign admins change everything."""
    _require(actor, "campaigns.change_track", track)
    settings_touched = set(values) & (set(TRACK_SETTING_FIELDS) | {"form_schema"})
    unknown = set(values) - set(TRACK_CONTENT_FIELDS) - set(TRACK_SETTING_FIELDS) - {"form_schema"}
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "slug" in values and not values["slug"]:
        values.pop("slug")  # left empty: keep the one it has
        settings_touched.discard("slug")
    if settings_touched - {"form_schema"}:
        _require(actor, "campaigns.configure_track", track)
    before = audit.snapshot(track)
    values = _check_track_values(track.campaign, values, track)
    for k, v in values.items():
        setattr(track, k, v)
    _save_unique(track, "number", _("Another track of this campaign has this number or slug."))
    audit.record("track.update", track, actor=actor, before=before, after=audit.snapshot(track))
    return track


@transaction.atomic
def set_track_form(actor, track: Track, schema: list | None, *, for_people: bool = False) -> list[FieldDef]:
    """Replace the entry form schema; raises SchemaInvalid with per-field translated errors."""
    _require(actor, "campaigns.change_track", track)
    fields, errors = check_schema(schema, for_people=for_people)
    if errors:
        raise SchemaInvalid(errors)
    before = {"form_schema": track.form_schema}
    track.form_schema = dump_schema(fields)
    track.save(update_fields=["form_schema"])
    audit.record("track.form", track, actor=actor, before=before, after={"form_schema": track.form_schema})
    return fields


@transaction.atomic
def reorder_tracks(actor, campaign: Campaign, ordered_ids: list[int]) -> list[Track]:
    """Renumber the campaign's tracks 1..n in the given order."""
    _require(actor, "campaigns.add_track", campaign)
    tracks = {t.pk: t for t in campaign.tracks.select_for_update()}
    if sorted(ordered_ids) != sorted(tracks):
        raise DomainError(_("The new order must list every track of the campaign once."))
    before = {str(pk): t.number for pk, t in tracks.items()}
    # Two passes so the unique (campaign, number) constraint never sees a duplicate.
    offset = max([t.number for t in tracks.values()] + [len(tracks)]) + 1
    for i, pk in enumerate(ordered_ids):
        Track.objects.filter(pk=pk).update(number=offset + i)
    for i, pk in enumerate(ordered_ids, start=1):
        Track.objects.filter(pk=pk).update(number=i)
    audit.record("track.reorder", campaign, actor=actor, before=before,
                 after={str(pk): i for i, pk in enumerate(ordered_ids, start=1)})
    return list(campaign.tracks.order_by("number"))


def move_track(actor, track: Track, delta: int) -> list[Track]:
    """Move a track up (-1) or down (+1) in its campaign's order."""
    ids = list(track.campaign.tracks.order_by("number").values_list("pk", flat=True))
    i = ids.index(track.pk)
    j = max(0, min(len(ids) - 1, i + delta))
    ids[i], ids[j] = ids[j], ids[i]
    return reorder_tracks(actor, track.campaign, ids)


# --- level rules ------------------------------------------------------------------------------

def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, SHANGHAI)


@transaction.atomic
def set_level_rules(actor, campaign: Campaign, rows: list[dict], *, track: Track | None = None) -> list[LevelRule]:
    """Replace the deadlines and quotas of the campaign (track None) or one track's overrides.
    Each row: {"org_kind", "deadline" (datetime), "quota" (int or None: no limit)}."""
    _require(actor, "campaigns.manage_level_rules", campaign)
    if track is not None and track.campaign_id != campaign.pk:
        raise NotFound(_("Not found."))
    seen: set[str] = set()
    clean: list[LevelRule] = []
    for row in rows:
        kind = row.get("org_kind")
        if kind not in OrgKind.values:
            raise _field_error("org_kind", _("Unknown level: %(kind)s") % {"kind": kind})
        if kind in seen:
            raise _field_error(kind, _("The level %(kind)s is given twice.") % {"kind": OrgKind(kind).label})
        seen.add(kind)
        deadline = row.get("deadline")
        quota = row.get("quota")
        if deadline is None:
            raise _field_error(f"deadline_{kind}", _("A deadline is required for %(kind)s.")
                               % {"kind": OrgKind(kind).label})
        if quota is not None and (not isinstance(quota, int) or quota < 0):
            raise _field_error(f"quota_{kind}", _("The quota must be a whole number, 0 or more."))
        clean.append(LevelRule(campaign=campaign, track=track, org_kind=kind, deadline=_aware(deadline),
                               quota=quota))
    existing = LevelRule.objects.filter(campaign=campaign, track=track)
    before = [{"org_kind": r.org_kind, "deadline": r.deadline.isoformat(), "quota": r.quota} for r in existing]
    existing.delete()
    LevelRule.objects.bulk_create(clean)
    audit.record("levelrules.set", track or campaign, actor=actor, before={"rules": before},
                 after={"rules": [{"org_kind": r.org_kind, "deadline": r.deadline.isoformat(), "quota": r.quota}
                                  for r in clean]})
    return list(LevelRule.objects.filter(campaign=campaign, track=track))


def can_grant_extension(actor: Any, campaign: Campaign, org: Organization) -> bool:
    """Campaign admins, and admins of a level above the organisation (not of the organisation
    itself: no unit extends its own deadline)."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser or campaign.pk in scopes_for(actor).campaign_admin:
        return True
    return any(org.path.startswith(p) and org.path != p for p in scopes_for(actor).admin_org_paths)


@transaction.atomic
def grant_extension(actor: Any, campaign: Campaign, org: Organization, until: dt.datetime, *,
                    track: Track | None = None, reason: str = "") -> DeadlineExtension:
    """Give one organisation (and its entrants) a later deadline, for one track or the whole
    campaign. Granting again replaces the date; the organisation must lie in the campaign's tree."""
    if not can_grant_extension(actor, campaign, org):
        raise NotPermitted(_("Only the level above or a campaign admin can extend this unit's deadline."))
    if track is not None and track.campaign_id != campaign.pk:
        raise NotFound(_("Not found."))
    if not org.is_within(campaign.org):
        raise _field_error("org", _("The organisation is not part of this campaign."))
    until = _aware(until)
    if until <= timezone.now():
        raise _field_error("until", _("The extended deadline must be in the future."))
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise _field_error("reason", _("Say why the deadline is extended."))
    ext = (DeadlineExtension.objects.select_for_update()
           .filter(campaign=campaign, track=track, org=org).first())
    before = {"until": ext.until.isoformat()} if ext else None
    if ext is None:
        ext = DeadlineExtension(campaign=campaign, track=track, org=org)
    ext.until, ext.reason, ext.granted_by = until, reason, actor
    ext.save()
    audit.record("deadline.extend", ext, actor=actor, before=before,
                 after={"until": until.isoformat(), "org": org.pk, "track": track.pk if track else None},
                 reason=reason)
    return ext


@transaction.atomic
def revoke_extension(actor: Any, extension: DeadlineExtension) -> None:
    if not can_grant_extension(actor, extension.campaign, extension.org):
        raise NotPermitted(_("Only the level above or a campaign admin can extend this unit's deadline."))
    audit.record("deadline.unextend", extension, actor=actor, before={"until": extension.until.isoformat()},
                 after=None)
    extension.delete()


# --- announcements ----------------------------------------------------------------------------

ANNOUNCEMENT_FIELDS = ["title", "title_en", "body", "body_en", "pinned"]


def _clean_announcement(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    out = dict(values)
    if "title" in out and not (out["title"] or "").strip():
        raise _field_error("title", _("The title is required."))
    for f in ("body", "body_en"):
        if f in out:
            out[f] = clean_html(out[f])
    return out


@transaction.atomic
def create_announcement(actor, campaign: Campaign, *, publish_at: dt.datetime | None = None,
                        **values) -> Announcement:
    """Write an announcement; it stays unpublished unless publish_at is given (now or later)."""
    _require(actor, "campaigns.manage_announcements", campaign)
    values.setdefault("title", "")
    values = _clean_announcement(values)
    a = Announcement.objects.create(campaign=campaign, author=actor, **values)
    audit.record("announcement.create", a, actor=actor, after=audit.snapshot(a))
    if publish_at is not None:
        publish_announcement(actor, a, at=publish_at)
    return a


@transaction.atomic
def update_announcement(actor, announcement: Announcement, **values) -> Announcement:
    _require(actor, "campaigns.manage_announcements", announcement.campaign)
    before = audit.snapshot(announcement)
    for k, v in _clean_announcement(values).items():
        setattr(announcement, k, v)
    announcement.save()
    audit.record("announcement.update", announcement, actor=actor, before=before,
                 after=audit.snapshot(announcement))
    return announcement


@transaction.atomic
def save_announcement(actor, campaign: Campaign, announcement: Announcement | None, *, mode: str,
                      publish_at: dt.datetime | None = None, **values) -> Announcement:
    """The announcement editor's one save: write, then keep as a draft ("draft"), publish ("now")
    or schedule ("schedule" at publish_at), all or nothing."""
    if announcement is None:
        announcement = create_announcement(actor, campaign, **values)
    else:
        update_announcement(actor, announcement, **values)
    current = announcement.publish_at
    if mode == "now":
        if not announcement.is_visible:  # already published ones keep their date
            publish_announcement(actor, announcement)
    elif mode == "schedule":
        if publish_at is None:
            raise _field_error("publish_at", _("Give the time to publish at."))
        # The editor shows times to the minute: the same minute means "unchanged".
        unchanged = current is not None and abs((_aware(publish_at) - current).total_seconds()) < 60
        if not unchanged:
            publish_announcement(actor, announcement, at=publish_at)
    elif announcement.publish_at is not None:
        unpublish_announcement(actor, announcement)
    return announcement


@transaction.atomic
def publish_announcement(actor, announcement: Announcement, *, at: dt.datetime | None = None) -> Announcement:
    """Publish now (at None) or schedule for a later time."""
    _require(actor, "campaigns.manage_announcements", announcement.campaign)
    now = timezone.now()
    if at is not None:
        at = _aware(at)
        if at < now - dt.timedelta(minutes=1):
            raise _field_error("publish_at", _("A scheduled time must be in the future."))
    before = {"publish_at": announcement.publish_at.isoformat() if announcement.publish_at else None}
    announcement.publish_at = at or now
    announcement.save(update_fields=["publish_at", "updated"])
    audit.record("announcement.publish", announcement, actor=actor, before=before,
                 after={"publish_at": announcement.publish_at.isoformat()})
    return announcement


@transaction.atomic
def unpublish_announcement(actor, announcement: Announcement) -> Announcement:
    _require(actor, "campaigns.manage_announcements", announcement.campaign)
    before = {"publish_at": announcement.publish_at.isoformat() if announcement.publish_at else None}
    announcement.publish_at = None
    announcement.save(update_fields=["publish_at", "updated"])
    audit.record("announcement.unpublish", announcement, actor=actor, before=before, after={"publish_at": None})
    return announcement


@transaction.atomic
def set_announcement_pinned(actor, announcement: Announcement, pinned: bool) -> Announcement:
    _require(actor, "campaigns.manage_announcements", announcement.campaign)
    if announcement.pinned != pinned:
        announcement.pinned = pinned
        announcement.save(update_fields=["pinned", "updated"])
        audit.record("announcement.pin" if pinned else "announcement.unpin", announcement, actor=actor,
                     before={"pinned": not pinned}, after={"pinned": pinned})
    return announcement


@transaction.atomic
def delete_announcement(actor, announcement: Announcement) -> None:
    _require(actor, "campaigns.manage_announcements", announcement.campaign)
    audit.record("announcement.delete", announcement, actor=actor, before=audit.snapshot(announcement))
    announcement.delete()


# --- people (campaign-scoped roles) ----------------------------------------------------------

def campaign_role_holders(campaign: Campaign) -> QuerySet[RoleAssignment]:
    """Everyone holding a campaign-scoped or track-scoped role in this campaign (one query),
    ordered by role, then track number. `holders_with_scopes` adds the tracks for display."""
    track_number = Subquery(Track.objects.filter(pk=OuterRef("scope_id")).values("number")[:1])
    return (RoleAssignment.objects
            .filter(Q(scope_type="campaigns.campaign", scope_id=campaign.pk, role__in=CAMPAIGN_ROLES)
                    | Q(scope_type="campaigns.track", scope_id__in=campaign.tracks.values("pk"), role__in=TRACK_ROLES))
            .annotate(track_number=Case(When(scope_type="campaigns.track", then=track_number)))
            .select_related("user")
            .order_by("role", F("track_number").asc(nulls_first=True), "id"))


def holders_with_scopes(campaign: Campaign) -> list[RoleAssignment]:
    """The role holders with `.track` set (None for a campaign-wide role), for the People page."""
    holders = attach_scopes(campaign_role_holders(campaign))
    for ra in holders:
        ra.track = ra.scope if ra.scope_type == "campaigns.track" else None
    return holders


def grant_campaign_role(actor, campaign: Campaign, *, phone: str, role: str, track: Track | None = None
                        ) -> RoleAssignment:
    """Give an existing user (found by mobile number) a role in this campaign or one of its tracks."""
    _require(actor, "campaigns.manage_roles", campaign)
    phone = (phone or "").strip().replace(" ", "")
    user = User.objects.filter(phone=phone, is_active=True).first() if phone else None
    if user is None:
        raise _field_error("phone", _("No user is registered with this mobile number."))
    if role in CAMPAIGN_ROLES:
        return grant_role(actor, user, role, campaign)
    if role in TRACK_ROLES:
        if track is None or track.campaign_id != campaign.pk:
            raise _field_error("track", _("Choose a track of this campaign for this role."))
        return grant_role(actor, user, role, track)
    raise _field_error("role", _("This role cannot be granted here."))


@transaction.atomic
def revoke_campaign_role(actor, campaign: Campaign, assignment_id: int) -> None:
    _require(actor, "campaigns.manage_roles", campaign)
    ra = campaign_role_holders(campaign).filter(pk=assignment_id).first()
    if ra is None:
        raise NotFound(_("Not found."))
    if ra.role == CampaignRole.CAMPAIGN_ADMIN and not (
            RoleAssignment.objects.filter(scope_type="campaigns.campaign", scope_id=campaign.pk,
                                          role=CampaignRole.CAMPAIGN_ADMIN).exclude(pk=ra.pk).exists()):
        raise DomainError(_("A campaign needs at least one campaign admin."), code="last_admin")
    revoke_role(actor, ra)
