"""Write the demo definitions into the database, idempotently: every object is found by its
natural key (organisation code, campaign and track slug, username, announcement key) and only
created or updated when it differs, so a second run changes nothing and writes no audit rows."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.services import grant_role
from zhengji.campaigns.models import Announcement, Campaign, LevelRule, Track
from zhengji.campaigns.schema import parse_schema
from zhengji.common import audit
from zhengji.orgs.models import Membership, MembershipStatus, Organization

from . import accounts as demo_accounts
from . import campaign as demo_campaign
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


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def load_orgs(report: Report) -> dict[str, Organization]:
    for code, parent_code, name, name_en, kind, members, short in demo_orgs.org_rows():
        values = {"name": name, "name_en": name_en, "kind": kind, "member_count": members, "short_name": short}
        org = Organization.objects.filter(code=code).first()
        if org is None:
            if parent_code is None:
                org = Organization.objects.add_root({"code": code, **values})
            else:
                # Re-read the parent: inserting ordered siblings may have moved paths in memory.
                parent = Organization.objects.get(code=parent_code)
                org = Organization.objects.add_child(parent, {"code": code, **values})
            _record(org, True, {})
            report.add("organisations", True)
        else:
            changes = _sync(org, values)
            if changes:
                org.save()
                _record(org, False, changes)
            report.add("organisations", False, bool(changes))
    return {o.code: o for o in Organization.objects.filter(code__in=[r[0] for r in demo_orgs.org_rows()])}


def load_campaign(report: Report, orgs: dict[str, Organization], actor=None) -> Campaign:
    data = dict(demo_campaign.CAMPAIGN)
    slug = data.pop("slug")
    data["org"] = orgs[data.pop("org_code")]
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        campaign = Campaign.objects.create(slug=slug, created_by=actor, **data)
        _record(campaign, True, {}, actor)
        report.add("campaigns", True)
    else:
        changes = _sync(campaign, data)
        if changes:
            campaign.save()
            _record(campaign, False, changes, actor)
        report.add("campaigns", False, bool(changes))

    for row in demo_campaign.track_rows():
        parse_schema(row["schema"])  # a broken definition fails loudly here, not in a form
        values = {
            "number": row["number"], "name": row["name"], "name_en": row["name_en"],
            "description": row["description"], "description_en": row["description_en"],
            "host_unit": orgs[row["host"]], "rules": row["rules"], "rules_en": row["rules_en"],
            "work_kind": row["kind"], "entrant_types": row["entrants"], "form_schema": row["schema"],
        }
        track = Track.objects.filter(campaign=campaign, slug=row["slug"]).first()
        if track is None:
            track = Track.objects.create(campaign=campaign, slug=row["slug"], **values)
            _record(track, True, {}, actor)
            report.add("tracks", True)
        else:
            changes = _sync(track, values)
            if changes:
                track.save()
                _record(track, False, changes, actor)
            report.add("tracks", False, bool(changes))

    for kind, day, quota in demo_campaign.LEVEL_RULES:
        values = {"deadline": _end_of_day(day), "quota": quota}
        rule = LevelRule.objects.filter(campaign=campaign, track=None, org_kind=kind).first()
        if rule is None:
            rule = LevelRule.objects.create(campaign=campaign, track=None, org_kind=kind, **values)
            _record(rule, True, {}, actor)
            report.add("level rules", True)
        else:
            changes = _sync(rule, values)
            if changes:
                rule.save()
                _record(rule, False, changes, actor)
            report.add("level rules", False, bool(changes))
    return campaign


def load_announcements(report: Report, campaign: Campaign, actor=None) -> None:
    for _key, title, title_en, body, body_en, when, pinned in demo_campaign.ANNOUNCEMENTS:
        values = {"title_en": title_en, "body": body, "body_en": body_en,
                  "publish_at": when.replace(tzinfo=SHANGHAI), "pinned": pinned}
        ann = Announcement.objects.filter(campaign=campaign, title=title).first()
        if ann is None:
            ann = Announcement.objects.create(campaign=campaign, title=title, author=actor, **values)
            _record(ann, True, {}, actor)
            report.add("announcements", True)
        else:
            changes = _sync(ann, values)
            if changes:
                ann.save()
                _record(ann, False, changes, actor)
            report.add("announcements", False, bool(changes))


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


def load_roles(report: Report, users: dict[str, User], campaign: Campaign, orgs: dict[str, Organization]) -> None:
    """Roles through the domain function (audited, notified), granted by the demo superuser;
    the workers' memberships confirmed."""
    admin = users["admin"]
    for spec in demo_accounts.ACCOUNTS:
        user, role = users[spec["username"]], spec["role"]
        scope = _scope(spec["scope"], campaign, orgs)
        if role == "superuser":
            continue
        if role == "worker":
            org = scope["org"]
            m = Membership.objects.filter(user=user).first()
            if m is None:
                m = Membership.objects.create(user=user, org=org, status=MembershipStatus.CONFIRMED,
                                              confirmed_at=timezone.now(), confirmed_by=admin)
                audit.record("membership.confirm", m, actor=admin, after={"org": org.pk, "status": m.status},
                             reason="demo data", org_path=org.path)
                report.add("memberships", True)
            continue
        exists = RoleAssignment.objects.filter(user=user, role=role, **scope).exists()
        if not exists:
            grant_role(admin, user, role, **scope)  # audited and notified by the domain function
            report.add("roles", True)


def load_sample_entries(report: Report, campaign: Campaign) -> None:
    """Hook for sample entries with media generated at load time (Pillow, ffmpeg, espeak-ng).
    A no-op until the entries and media apps provide their domain functions."""
    return None


@transaction.atomic
def load_demo() -> Report:
    report = Report()
    orgs = load_orgs(report)
    users = load_users(report)
    admin = users["admin"]
    campaign = load_campaign(report, orgs, actor=admin)
    load_roles(report, users, campaign, orgs)
    load_announcements(report, campaign, actor=admin)
    load_sample_entries(report, campaign)
    return report
