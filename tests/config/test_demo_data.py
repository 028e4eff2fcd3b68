"""The demo data is realistic and valid, and every demo account logs in with the printed password.

These tests only read, so the demo is loaded once for the module (inside a transaction that is
rolled back at the end) instead of once per test: the load is the slow part."""

from __future__ import annotations

import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings

from zhengji.accounts import roles as role_registry
from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign, LevelRule, Track
from zhengji.campaigns.schema import parse_schema
from zhengji.common.models import AuditLog
from zhengji.demo import campaign as demo_campaign
from zhengji.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from zhengji.orgs.models import Membership, MembershipStatus, Organization, OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # The function-scoped test settings (fast hasher) are not active yet at module scope.
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                call_command("load_demo", force=True, stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connections.close_all()


@pytest.fixture
def demo(_demo_loaded):
    return Campaign.objects.get(slug="good-netizen-2025")


def test_campaign_and_phases(demo):
    assert demo.name == "皖美职工正能量 争做中国好网民"
    assert demo.name_en and demo.is_published and demo.year == 2025
    assert demo.org.code == "AH" and demo.org.kind == OrgKind.PROVINCE
    assert [str(p["start"]) for p in demo.timeline()] == [
        "2025-05-20", "2025-06-01", "2025-10-01", "2025-12-01", "2025-12-31"]
    assert (str(demo.collect_end), str(demo.review_end), str(demo.publicity_end)) == (
        "2025-09-15", "2025-11-30", "2025-12-10")


def test_organisation_tree(demo):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    province = Organization.objects.get(code="AH")
    cities = Organization.objects.get_children(province)
    assert cities.count() == 16 and all(c.kind == OrgKind.CITY for c in cities)
    assert {c.name for c in cities} >= {"合肥市总工会", "铜陵市总工会", "亳州市总工会", "池州市总工会"}
    tl = Organization.objects.get(code="AH-TL")
    children = {o.name: o.kind for o in Organization.objects.get_children(tl)}
    assert {"铜官区总工会", "义安区总工会", "郊区总工会", "枞阳县总工会"} <= set(children)
    assert sum(k in (OrgKind.DIRECT, OrgKind.INDUSTRY) for k in children.values()) >= 3
    grassroots = Organization.objects.get_descendants(tl).filter(kind=OrgKind.GRASSROOTS)
    assert grassroots.count() >= 12 and all(g.member_count > 0 for g in grassroots)
    for g in grassroots:
        parent = Organization.objects.get_parent(g)
        assert g.code.startswith(parent.code + "-")
    yian, jiao = Organization.objects.get(code="AH-TL-YA"), Organization.objects.get(code="AH-TL-JQ")
    assert not any(o.is_within(yian) for o in Organization.objects.get_descendants(jiao))


def test_ten_tracks_with_host_units_and_rules(demo):
    tracks = list(demo.tracks.select_related("host_unit"))
    assert [t.number for t in tracks] == list(range(1, 11))
    hosts = [t.host_unit.name for t in tracks]
    assert hosts == ["淮北市总工会", "马鞍山市总工会", "芜湖市总工会", "宣城市总工会", "六安市总工会",
                     "滁州市总工会", "阜阳市总工会", "亳州市总工会", "合肥市总工会", "蚌埠市总工会"]
    kinds = [t.work_kind for t in tracks]
    assert kinds == ["audio", "video", "video", "image", "audio", "account", "text", "account", "case", "case"]
    by_slug = {t.slug: t for t in tracks}
    assert by_slug["union-accounts"].entrant_types == ["unit"]
    assert by_slug["public-benefit"].entrant_types == ["unit"]
    phone = re.compile(r"1[3-9]\d{9}")
    for t in tracks:
        assert t.name and t.name_en and t.description and t.description_en
        assert "原创" in t.rules and "版权" in t.rules and "导向" in t.rules
        assert "original" in t.rules_en.lower() and "copyright" in t.rules_en.lower()
        text = " ".join([t.description, t.rules, t.description_en, t.rules_en])
        assert not phone.search(text) and "联系人" not in text


def test_every_demo_form_schema_is_valid(demo):
    for t in demo.tracks.all():
        fields = {f.key: f for f in parse_schema(t.form_schema)}
        assert fields and not {"title", "summary"} & set(fields), t.slug  # those are Entry's own fields
    # The definitions themselves, independent of the database.
    for row in demo_campaign.TRACKS:
        parse_schema(row["schema"])


def test_demo_schemas_carry_the_media_limits(demo):
    f = {t.slug: {d.key: d for d in parse_schema(t.form_schema)} for t in demo.tracks.all()}
    video = f["micro-dramas"]["video"].file
    assert (video.extensions, video.max_duration_s, video.max_size_mb, video.min_width, video.min_height) == (
        ["mp4"], 600, 2048, 1280, 720)
    song = f["songs"]["audio"].file
    assert set(song.extensions) == {"mp3", "wav", "m4a"} and song.max_duration_s == 360
    assert f["animation"]["video"].file.max_duration_s == 600
    photos = f["photography"]["photos"].file
    assert photos.min_megapixels == 3 and photos.max_count == 6 and photos.extensions == ["jpg", "jpeg"]
    assert f["recitation"]["audio"].file.max_duration_s == 300
    assert f["commentary"]["body"].type == "richtext" and f["commentary"]["body"].max_words == 3000
    assert f["commentary"]["document"].file.kinds == ["document"]
    for slug in ("influencers", "union-accounts"):
        acc = f[slug]
        assert [c.value for c in acc["platform"].choices] == [
            "weibo", "wechat", "toutiao", "douyin", "bilibili", "xiaohongshu", "other"]
        assert acc["followers"].type == "number" and acc["url"].type == "url"
        assert acc["verification"].file.kinds == ["image"]
        assert acc["post_screenshots"].file.max_count == 6
        assert acc["posts"].type == "longtext" and acc["stats_period"].type == "text"
    ai = f["ai-cases"]
    assert [c.value for c in ai["category"].choices] == ["ai_service", "ai_office"]
    assert all(ai[k].type == "longtext" and ai[k].max_words for k in ("background", "solution", "effect"))
    assert ai["attachments"].file.max_count == 3


def test_level_rules(demo):
    rules = {r.org_kind: r for r in LevelRule.objects.filter(campaign=demo, track=None)}
    sh = ZoneInfo("Asia/Shanghai")
    dates = {k: (str(r.deadline.astimezone(sh).date()), r.quota) for k, r in rules.items()}
    assert dates == {"grassroots": ("2025-09-05", None), "county": ("2025-09-10", 5), "direct": ("2025-09-10", 5),
                     "industry": ("2025-09-10", 5), "city": ("2025-09-15", 10)}


def test_announcements_published_one_pinned(demo):
    anns = list(demo.announcements.all())
    assert len(anns) >= 3 and all(a.is_visible for a in anns)
    assert [a.pinned for a in anns].count(True) == 1 and anns[0].pinned


def test_one_account_per_role_with_scopes(demo):
    roles = {r.role for r in RoleAssignment.objects.all()}
    assert roles == set(role_registry.names())
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert scopes_for(User.objects.get(username="campaign_admin")).campaign_admin == {demo.pk}
    assert scopes_for(User.objects.get(username="moderator")).moderator == {demo.pk}
    photo = Track.objects.get(campaign=demo, slug="photography")
    assert scopes_for(User.objects.get(username="host_photo")).host_tracks == {photo.pk}
    # The photography judge; the 2025 results archive invited them to judge that year's other
    # tracks with a sample entry too (closed rounds now).
    judged = scopes_for(User.objects.get(username="judge_photo")).judge_tracks
    assert photo.pk in judged
    assert set(Track.objects.filter(pk__in=judged - {photo.pk}).values_list("campaign__slug", flat=True)) <= {
        "good-netizen-2025"}
    yian = scopes_for(User.objects.get(username="admin_yian"))
    assert yian.administers_path(Organization.objects.get(code="AH-TL-YA-001").path)
    assert not yian.administers_path(Organization.objects.get(code="AH-TL-JQ-001").path)
    for username, code in (("worker_yian", "AH-TL-YA"), ("worker_jiaoqu", "AH-TL-JQ")):
        m = Membership.objects.select_related("org").get(user__username=username)
        assert m.status == MembershipStatus.CONFIRMED and m.org.kind == OrgKind.GRASSROOTS
        assert m.org.is_within(Organization.objects.get(code=code))
    # Roles went through the domain function: audited.
    assert AuditLog.objects.filter(action="role.grant").count() == RoleAssignment.objects.count()
    for u in User.objects.all():
        assert re.fullmatch(r"1380000\d{4}", u.phone)


def test_every_demo_account_logs_in_with_the_printed_password(demo, client, rf, settings):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    table = out.getvalue().splitlines()
    for spec in ACCOUNTS:  # one demo load for all accounts: the load is the slow part
        printed = [line for line in table if f"| {spec['username']} " in line]
        assert len(printed) == 1 and DEMO_PASSWORD in printed[0] and spec["phone"] in printed[0], spec
        # Through every authentication backend.
        user = authenticate(rf.post("/accounts/login/"), username=spec["phone"], password=DEMO_PASSWORD)
        assert user is not None and user.username == spec["username"]
    for spec in ACCOUNTS:
        user = User.objects.get(username=spec["username"])
        assert client.login(username=spec["username"], password=DEMO_PASSWORD), spec["username"]
        assert client.session["_auth_user_id"] == str(user.pk)
        client.logout()
        assert client.login(username=spec["phone"], password=DEMO_PASSWORD), spec["phone"]
        client.logout()
        assert not client.login(username=spec["username"], password="wrong-password")
