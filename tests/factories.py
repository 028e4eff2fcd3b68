"""Small builders shared by the tests: an organisation tree, users, roles, a campaign."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db.models import Model

from zhengji.accounts.models import RoleAssignment, User
from zhengji.campaigns.models import Campaign, Track, WorkKind
from zhengji.orgs.models import Organization, OrgKind
from zhengji.orgs.roles import OrgRole

_seq = itertools.count(1)
DEFAULT_PASSWORD = "Zj-test-pass-2025"


def org(name: str, kind: str = OrgKind.GRASSROOTS, parent: Organization | None = None, **kw) -> Organization:
    code = kw.pop("code", None) or f"T{next(_seq):06d}"
    fields = {"name": name, "kind": kind, "code": code, **kw}
    if parent is None:
        return Organization.objects.add_root(fields)
    parent.refresh_from_db()
    return Organization.objects.add_child(parent, fields)


def tongling_tree() -> dict[str, Organization]:
    """Province → Tongling city → 义安区, 郊区 → two grassroots unions each."""
    province = org("安徽省总工会", OrgKind.PROVINCE, code="AH")
    city = org("铜陵市总工会", OrgKind.CITY, province, code="AH-TL")
    yian = org("义安区总工会", OrgKind.COUNTY, city, code="AH-TL-YA", member_count=0)
    jiao = org("郊区总工会", OrgKind.COUNTY, city, code="AH-TL-JQ")
    ya1 = org("义安区某公司工会", OrgKind.GRASSROOTS, yian, code="AH-TL-YA-01", member_count=120)
    ya2 = org("义安区某学校工会", OrgKind.GRASSROOTS, yian, code="AH-TL-YA-02", member_count=80)
    jq1 = org("郊区某厂工会", OrgKind.GRASSROOTS, jiao, code="AH-TL-JQ-01", member_count=200)
    jq2 = org("郊区某医院工会", OrgKind.GRASSROOTS, jiao, code="AH-TL-JQ-02", member_count=90)
    return {k: Organization.objects.get(pk=v.pk) for k, v in dict(
        province=province, city=city, yian=yian, jiao=jiao, ya1=ya1, ya2=ya2, jq1=jq1, jq2=jq2).items()}


def user(phone: str | None = None, password: str = DEFAULT_PASSWORD, **kw) -> User:
    n = next(_seq)
    phone = phone or f"139{n:08d}"
    u = User.objects.create_user(username=kw.pop("username", f"u{phone}"), password=password, phone=phone,
                                 phone_verified=True, **kw)
    return u


def grant(u: User, role: str, scope: Model | None = None, *, org=None, track=None, campaign=None) -> RoleAssignment:
    """A role assignment written directly (no permission check, no audit): the scope is the one
    object given, positionally or as org=/track=/campaign=."""
    (obj,) = [o for o in (scope, org, track, campaign) if o is not None]
    return RoleAssignment.objects.create(user=u, role=str(role), scope_type=obj._meta.label_lower, scope_id=obj.pk)


def unit_admin(of: Organization, **kw) -> User:
    u = user(**kw)
    grant(u, OrgRole.UNIT_ADMIN, org=of)
    return u


def campaign(owner: Organization, *, published: bool = True, year: int = 2025, **kw) -> Campaign:
    d = dt.date
    fields = dict(
        slug=kw.pop("slug", f"c{next(_seq)}"), name=kw.pop("name", "皖美职工正能量 争做中国好网民"),
        name_en="Strive to be a Good Chinese Netizen", year=year, is_published=published,
        launch_date=d(year, 5, 20), collect_start=d(year, 6, 1), collect_end=d(year, 9, 15),
        review_start=d(year, 10, 1), review_end=d(year, 11, 30), publicity_start=d(year, 12, 1),
        publicity_end=d(year, 12, 10), conclude_date=d(year, 12, 31),
    )
    fields.update(kw)
    return Campaign.objects.create(org=owner, **fields)


def track(c: Campaign, host: Organization, number: int = 1, **kw) -> Track:
    fields = dict(slug=f"t{number}", name=f"子项目{number}", name_en=f"Track {number}", work_kind=WorkKind.IMAGE,
                  entrant_types=["individual"])
    fields.update(kw)
    return Track.objects.create(campaign=c, host_unit=host, number=number, **fields)
