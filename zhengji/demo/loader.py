"""Write the demo definitions into the database, idempotently: every object is found by its
natural key (organisation code, campaign and track slug, username, announcement key) and only
created or updated when it differs, so a second run changes nothing and writes no audit rows."""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.services import grant_role
from zhengji.campaigns.models import Announcement, Campaign, LevelRule, Track
from zhengji.campaigns.schema import parse_schema
from zhengji.common import audit
from zhengji.common.context import acting
from zhengji.common.models import AuditLog
from zhengji.entries import services as entries
from zhengji.entries.file_targets import track_slot_target
from zhengji.entries.models import Entry
from zhengji.media import samples
from zhengji.media.models import MediaFile
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.orgs.models import Membership, MembershipStatus, Organization

from . import accounts as demo_accounts
from . import campaign as demo_campaign
from . import entries as demo_entries
from . import orgs as demo_orgs

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTION = "demo.load"


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, created: bool, changed: bool = False) -> None:
        if created:
            self.created[what] = self.created.get(what, 0) + 1
        elif changed:
            self.updated[what] = self.updated.get(what, 0) + 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def _sync(obj, values: dict) -> dict:
    """Set the values that differ; return {field: (old, new)} of what changed."""
    changes = {}
    for k, v in values.items():
        old = getattr(obj, k)
        if old != v:
            changes[k] = (old, v)
            setattr(obj, k, v)
    return changes


def _record(obj, created: bool, changes: dict, actor=None) -> None:
    if created:
        audit.record(ACTION, obj, actor=actor, after=audit.snapshot(obj), reason="demo data")
    elif changes:
        audit.record(ACTION, obj, actor=actor, before={k: str(o) for k, (o, _n) in changes.items()},
                     after={k: str(n) for k, (_o, n) in changes.items()}, reason="demo data")


def _upsert(report: Report, label: str, model, lookup: dict, values: dict, actor=None, *,
            create=None, create_extra: dict | None = None):
    """Find the row by `lookup`; create it with `values` (through `create` when given), or set the
    values that differ. Audited and counted in the report either way."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        fields = {**lookup, **values, **(create_extra or {})}
        obj = create(fields) if create else model.objects.create(**fields)
        _record(obj, True, {}, actor)
        report.add(label, True)
        return obj
    changes = _sync(obj, values)
    if changes:
        obj.save()
        _record(obj, False, changes, actor)
    report.add(label, False, bool(changes))
    return obj


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def load_orgs(report: Report) -> dict[str, Organization]:
    for code, parent_code, name, name_en, kind, members, short in demo_orgs.org_rows():
        values = {"name": name, "name_en": name_en, "kind": kind, "member_count": members, "short_name": short}
        if parent_code is None:
            create = Organization.objects.add_root
        else:
            # Re-read the parent: inserting ordered siblings may have moved paths in memory.
            def create(fields, parent_code=parent_code):
                return Organization.objects.add_child(Organization.objects.get(code=parent_code), fields)
        _upsert(report, "organisations", Organization, {"code": code}, values, create=create)
    return {o.code: o for o in Organization.objects.filter(code__in=[r[0] for r in demo_orgs.org_rows()])}


def load_campaign(report: Report, orgs: dict[str, Organization], actor=None, *, data: dict | None = None,
                  tracks: list[dict] | None = None, level_rules: list[tuple] | None = None) -> Campaign:
    """The 2025 campaign by default; the live copy passes its own data, track rows and rules."""
    data = dict(data or demo_campaign.CAMPAIGN)
    slug = data.pop("slug")
    data["org"] = orgs[data.pop("org_code")]
    campaign = _upsert(report, "campaigns", Campaign, {"slug": slug}, data, actor,
                       create_extra={"created_by": actor})

    for row in tracks or demo_campaign.track_rows():
        parse_schema(row["schema"])  # a broken definition fails loudly here, not in a form
        values = {
            "number": row["number"], "name": row["name"], "name_en": row["name_en"],
            "description": row["description"], "description_en": row["description_en"],
            "host_unit": orgs[row["host"]], "rules": row["rules"], "rules_en": row["rules_en"],
            "work_kind": row["kind"], "entrant_types": row["entrants"], "form_schema": row["schema"],
        }
        _upsert(report, "tracks", Track, {"campaign": campaign, "slug": row["slug"]}, values, actor)

    for kind, day, quota in level_rules or demo_campaign.LEVEL_RULES:
        values = {"deadline": _end_of_day(day), "quota": quota}
        _upsert(report, "level rules", LevelRule, {"campaign": campaign, "track": None, "org_kind": kind},
                values, actor)
    return campaign


def load_live_campaign(report: Report, orgs: dict[str, Organization], actor=None,
                       today: dt.date | None = None) -> Campaign:
    """The live copy: the same tracks with the phases moved so that collection is open today.
    Re-run on a later day, it moves the dates again (reported as updated)."""
    today = today or timezone.localdate()
    return load_campaign(report, orgs, actor, data=demo_campaign.live_campaign(today),
                         tracks=demo_campaign.track_rows(demo_campaign.live_common_rules(today)),
                         level_rules=demo_campaign.live_level_rules(today))


def load_announcements(report: Report, campaign: Campaign, actor=None, rows: list[tuple] | None = None) -> None:
    for _key, title, title_en, body, body_en, when, pinned in rows or demo_campaign.ANNOUNCEMENTS:
        values = {"title_en": title_en, "body": body, "body_en": body_en,
                  "publish_at": when.replace(tzinfo=SHANGHAI), "pinned": pinned}
        _upsert(report, "announcements", Announcement, {"campaign": campaign, "title": title}, values, actor,
                create_extra={"author": actor})


def _scope(spec: str | None, campaign: Campaign, orgs: dict[str, Organization]) -> dict:
    if spec is None:
        return {}
    if spec == "campaign":
        return {"campaign": campaign}
    kind, _sep, key = spec.partition(":")
    if kind == "track":
        return {"track": Track.objects.get(campaign=campaign, slug=key)}
    return {"org": orgs[key]}


def load_users(report: Report) -> dict[str, User]:
    """Create the demo users. The password is set only when a user is created, so a changed
    password survives a re-run."""
    users: dict[str, User] = {}
    for spec in demo_accounts.ACCOUNTS:
        user = User.objects.filter(username=spec["username"]).first()
        superuser = spec["role"] == "superuser"
        if user is None:
            user = User(username=spec["username"], phone=spec["phone"], phone_verified=True,
                        real_name=spec["real_name"], is_superuser=superuser, is_staff=superuser)
            user.set_password(demo_accounts.DEMO_PASSWORD)
            user.save()
            audit.record(ACTION, user, actor=None, after={"username": user.username, "role": spec["role"]},
                         reason="demo data")
            report.add("users", True)
        users[spec["username"]] = user
    return users


def load_roles(report: Report, users: dict[str, User], campaigns: list[Campaign],
               orgs: dict[str, Organization]) -> None:
    """Roles through the domain function (audited, notified), granted by the demo superuser;
    the workers' memberships confirmed. Campaign and track roles are held in every demo campaign
    loaded (the 2025 one, and the live copy with --live)."""
    admin = users["admin"]
    for spec in demo_accounts.ACCOUNTS:
        user, role = users[spec["username"]], spec["role"]
        if role == "superuser":
            continue
        if role == "worker":
            org = _scope(spec["scope"], campaigns[0], orgs)["org"]
            m = Membership.objects.filter(user=user).first()
            if m is None:
                m = Membership.objects.create(user=user, org=org, status=MembershipStatus.CONFIRMED,
                                              confirmed_at=timezone.now(), confirmed_by=admin)
                audit.record("membership.confirm", m, actor=admin, after={"org": org.pk, "status": m.status},
                             reason="demo data", scope=audit.AuditScope(org_path=org.path))
                report.add("memberships", True)
            continue
        per_campaign = spec["scope"] == "campaign" or spec["scope"].startswith("track:")
        for campaign in campaigns if per_campaign else campaigns[:1]:
            (scope,) = _scope(spec["scope"], campaign, orgs).values()
            if not RoleAssignment.objects.filter(user=user, role=role, scope_type=scope._meta.label_lower,
                                                 scope_id=scope.pk).exists():
                grant_role(admin, user, role, scope)  # audited and notified by the domain function
                report.add("roles", True)


# --- sample entries -------------------------------------------------------------------------------

_sample_dir: Path | None = None


def _sample_file(kind: str, filename: str, params) -> Path:
    """Generate a sample file once per process (tests load the demo many times) in a temporary
    folder removed at exit (only loading sample entries needs ffmpeg and espeak-ng)."""
    global _sample_dir
    if _sample_dir is None:
        _sample_dir = Path(tempfile.mkdtemp(prefix="zj-demo-samples-"))
        atexit.register(shutil.rmtree, _sample_dir, True)
    path = _sample_dir / f"{kind}-{abs(hash((filename, str(params)))):x}{Path(filename).suffix}"
    if path.exists():
        return path
    tmp = path.with_name("part-" + path.name)
    if kind == "jpeg":
        samples.make_jpeg(tmp, *params, quality=80)
    elif kind == "png":
        samples.make_png(tmp, *params)
    elif kind == "video":
        seconds, w, h = params
        samples.make_video(tmp, seconds, w, h, fmt="mp4", faststart=True)
    elif kind == "speech":
        samples.make_audio(tmp, fmt="mp3", speech=params)
    else:
        raise ValueError(f"unknown sample generator {kind!r}")
    tmp.rename(path)
    return path


def _load_sample_entry(report: Report, spec: dict, track: Track, user: User,
                       orgs: dict[str, Organization], label: str = "sample entries") -> None:
    # Generate first, outside the savepoint: a missing tool skips this entry only.
    try:
        files = {slot: [(name, _sample_file(kind, name, params)) for kind, name, params in items]
                 for slot, items in spec["files"].items()}
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("Sample entry %r skipped: its files could not be generated (%s)", spec["title"], exc)
        return
    when = spec["when"].replace(tzinfo=SHANGHAI)
    unit = orgs[spec["unit"]] if spec.get("unit") else None
    changes = entries.Changes(title=spec["title"], summary=spec["summary"], data=spec["data"],
                              authors=spec.get("authors"))
    # Back-dated into the 2025 collection period by asking the domain functions about that moment
    # (`at=`): the campaign policy, the events, decisions and audit records take it; the row
    # timestamps Django stamps itself are set to it afterwards. The pledge IP is the loader's own.
    created_at, edited_at = when - dt.timedelta(minutes=40), when - dt.timedelta(minutes=15)
    with transaction.atomic(), acting(user, ip="127.0.0.1"):
        entry = entries.create_draft(user, track, entrant_type=spec["entrant_type"], unit=unit, changes=changes,
                                     at=created_at)
        ids: dict[str, list[int]] = {}
        for slot, items in files.items():
            for name, path in items:
                media = create_media_from_file(path, owner=user, target=track_slot_target(track, slot),
                                               filename=name)
                ids.setdefault(slot, []).append(media.pk)
                report.add("media files", True)
        if ids:
            entries.save_draft(user, entry, entries.Changes(files=ids), at=edited_at)
        entries.submit(user, entry, pledge=True, at=when)
        Entry.objects.filter(pk=entry.pk).update(created=created_at, updated=when)
        media_ids = [pk for pks in ids.values() for pk in pks]
        MediaFile.objects.filter(pk__in=media_ids).update(created=edited_at)
        AuditLog.objects.filter(object_type="media.mediafile", object_id__in=[str(pk) for pk in media_ids]).update(
            at=edited_at)
    report.add(label, True)


def load_sample_entries(report: Report, campaign: Campaign, users: dict[str, User] | None = None,
                        orgs: dict[str, Organization] | None = None) -> None:
    """Submitted entries of the 2025 campaign with real files, through the entries and media
    domain functions (numbers, pledge records, audit, notifications, renditions queued on commit).
    Idempotent: an entry is found again by track, submitter and title (in any status, so one the
    demo user withdrew is not made again)."""
    users = users or {u.username: u for u in User.objects.filter(
        username__in={s["username"] for s in demo_entries.SAMPLE_ENTRIES})}
    orgs = orgs or {o.code: o for o in Organization.objects.filter(
        code__in={s["unit"] for s in demo_entries.SAMPLE_ENTRIES if s.get("unit")})}
    tracks = {t.slug: t for t in campaign.tracks.all()}
    for spec in demo_entries.SAMPLE_ENTRIES:
        track, user = tracks[spec["track"]], users[spec["username"]]
        if Entry.objects.filter(track=track, submitter=user, title=spec["title"]).exists():
            continue
        _load_sample_entry(report, spec, track, user, orgs)


@transaction.atomic
def load_demo(*, live: bool = False, samples: bool = True) -> Report:
    """The 2025 campaign (with sample entries unless samples=False) and, with live=True, the live
    copy whose collection is open today."""
    report = Report()
    orgs = load_orgs(report)
    users = load_users(report)
    admin = users["admin"]
    campaign = load_campaign(report, orgs, actor=admin)
    campaigns = [campaign]
    if live:
        campaigns.append(load_live_campaign(report, orgs, actor=admin))
    load_roles(report, users, campaigns, orgs)
    load_announcements(report, campaign, actor=admin)
    if live:
        load_announcements(report, campaigns[1], actor=admin,
                           rows=demo_campaign.live_announcements(timezone.localdate()))
    if samples:
        load_sample_entries(report, campaign, users, orgs)
        from .archive import load_results_archive  # noqa: PLC0415 (archive.py builds on this module)

        load_results_archive(report, campaign, users)
        if live:
            from .public import load_public_demo  # noqa: PLC0415 (public.py builds on this module)

            load_public_demo(report, campaigns[1], users, orgs)
    return report
