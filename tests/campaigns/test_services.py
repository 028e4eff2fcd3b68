"""Domain rules: phases, dates in order, level-rule precedence, collection window, tracks,
announcements and campaign-scoped roles, each audited and permission-checked."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories as f
from tests.campaigns.conftest import FILE_FIELD
from zhengji.accounts.models import Role, RoleAssignment
from zhengji.campaigns import services
from zhengji.campaigns.models import Campaign, Phase
from zhengji.campaigns.policy import policy_for
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.orgs.models import OrgKind

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
D = dt.date

def deadline_for(track, kind):
    """The level's own deadline in the track (None without a rule), as the policy answers it."""
    rule = policy_for(track.campaign).level_rule(track, kind)
    return rule.deadline if rule else None


def quota_for(track, kind):
    return policy_for(track.campaign).quota(track, kind)



def dates(**over):
    base = dict(launch_date=D(2025, 5, 20), collect_start=D(2025, 6, 1), collect_end=D(2025, 9, 15),
                review_start=D(2025, 10, 1), review_end=D(2025, 11, 30), publicity_start=D(2025, 12, 1),
                publicity_end=D(2025, 12, 10), conclude_date=D(2025, 12, 31))
    base.update(over)
    return base


def png(w=800, h=200, fmt="PNG", name="b.png"):
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "red").save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


# --- phases and dates -------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "phase"), [
    (D(2025, 5, 1), Phase.LAUNCHED), (D(2025, 6, 1), Phase.COLLECTING), (D(2025, 9, 15), Phase.COLLECTING),
    (D(2025, 9, 30), Phase.CLOSED),
    (D(2025, 10, 1), Phase.REVIEWING), (D(2025, 12, 1), Phase.PUBLICITY), (D(2025, 12, 31), Phase.CONCLUDED),
])
def test_phase_on(world, day, phase):
    assert world.a.phase_on(day) == phase


def test_unpublished_is_draft(world):
    world.a.is_published = False
    assert world.a.phase_on(D(2025, 7, 1)) == Phase.DRAFT


def test_dates_in_order_pass():
    services.validate_phase_dates(dates())
    services.validate_phase_dates(dates(collect_end=D(2025, 6, 1)))  # same day is allowed


@pytest.mark.parametrize("field", ["collect_start", "review_start", "publicity_end", "conclude_date"])
def test_date_before_previous_is_rejected(field):
    with pytest.raises(ValidationError) as exc:
        services.validate_phase_dates(dates(**{field: D(2025, 1, 1)}))
    assert field in exc.value.message_dict


def test_missing_date_is_rejected():
    with pytest.raises(ValidationError) as exc:
        services.validate_phase_dates(dates(review_end=None))
    assert "review_end" in exc.value.message_dict


def test_collecting(world):
    c = world.a

    def collecting(at):
        return policy_for(c, at).is_collecting()

    assert collecting(dt.datetime(2025, 6, 1, 0, 5, tzinfo=SH))
    assert collecting(dt.datetime(2025, 9, 15, 23, 59, tzinfo=SH))
    # 16:30 UTC on the 15th is already the 16th in Shanghai.
    assert not collecting(dt.datetime(2025, 9, 15, 16, 30, tzinfo=dt.UTC))
    assert not collecting(dt.datetime(2025, 5, 31, 23, 0, tzinfo=SH))
    c.is_published = False
    assert not collecting(dt.datetime(2025, 7, 1, tzinfo=SH))


@time_machine.travel(dt.datetime(2025, 7, 1, 12, tzinfo=SH), tick=False)
def test_collecting_defaults_to_now(world):
    assert policy_for(world.a).is_collecting()


# --- campaigns --------------------------------------------------------------------------------

def test_superuser_creates_campaign_and_becomes_its_admin(world):
    c = services.create_campaign(world.superuser, org=world.tree["city"], slug="new-one", name="新活动", year=2026,
                                 **dates())
    assert not c.is_published and c.created_by == world.superuser
    assert RoleAssignment.objects.filter(user=world.superuser, role=Role.CAMPAIGN_ADMIN, campaign=c).exists()
    assert AuditLog.objects.filter(action="campaign.create", object_id=str(c.pk)).exists()
    assert AuditLog.objects.filter(action="role.grant").exists()


def test_unit_admin_creates_campaign_in_own_subtree_only(world):
    c = services.create_campaign(world.yian_admin, org=world.tree["ya1"], slug="ya", name="义安活动", year=2026,
                                 **dates())
    assert RoleAssignment.objects.filter(user=world.yian_admin, role=Role.CAMPAIGN_ADMIN, campaign=c).exists()
    with pytest.raises(NotPermitted):
        services.create_campaign(world.yian_admin, org=world.tree["jiao"], slug="jq", name="x", year=2026, **dates())
    with pytest.raises(NotPermitted):
        services.create_campaign(world.worker, org=world.tree["ya1"], slug="w", name="x", year=2026, **dates())
    with pytest.raises(NotPermitted):
        services.create_campaign(world.admin_a, org=world.tree["city"], slug="w", name="x", year=2026, **dates())


def test_create_campaign_rejects_bad_dates_and_duplicate_slug(world):
    with pytest.raises(DomainError) as exc:
        services.create_campaign(world.superuser, org=world.tree["city"], slug="x", name="x", year=2026,
                                 **dates(review_start=D(2025, 1, 1)))
    assert exc.value.field == "review_start"
    with pytest.raises(DomainError) as exc:
        services.create_campaign(world.superuser, org=world.tree["city"], slug="camp-a", name="x", year=2026,
                                 **dates())
    assert exc.value.field == "slug"
    with pytest.raises(DomainError) as exc:
        services.create_campaign(world.superuser, org=world.tree["city"], slug="new", name="x", year=2026, **dates())
    assert exc.value.field == "slug"
    assert not Campaign.objects.filter(slug__in=["x", "new"]).exists()


def test_update_campaign_and_publish(world):
    services.update_campaign(world.admin_a, world.a, name="改名", collect_end=D(2025, 9, 20), banner=png())
    world.a.refresh_from_db()
    assert world.a.name == "改名" and world.a.banner.name.startswith("banners/")
    with pytest.raises(DomainError):
        services.update_campaign(world.admin_a, world.a, collect_end=D(2025, 12, 25))
    with pytest.raises(NotPermitted):
        services.update_campaign(world.admin_b, world.a, name="偷改")
    with pytest.raises(NotPermitted):
        services.update_campaign(world.host1, world.a, name="偷改")
    services.set_campaign_published(world.admin_a, world.a, False)
    assert not Campaign.objects.get(pk=world.a.pk).is_published
    assert AuditLog.objects.filter(action="campaign.unpublish").count() == 1


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("x.png", b"not an image"),
    "gif", "tiny", "huge",
])
def test_banner_validation(world, settings, upload):
    settings.CAMPAIGN_BANNER_MAX_MB = 1
    if upload == "gif":
        upload = png(fmt="GIF", name="b.gif")
    elif upload == "tiny":
        upload = png(10, 10)
    elif upload == "huge":
        buf = io.BytesIO()
        Image.effect_noise((1200, 1200), 100).convert("RGB").save(buf, "PNG")
        upload = SimpleUploadedFile("big.png", buf.getvalue())
        assert upload.size > 1024 * 1024
    with pytest.raises(DomainError) as exc:
        services.update_campaign(world.admin_a, world.a, banner=upload)
    assert exc.value.field == "banner"


# --- tracks -----------------------------------------------------------------------------------

def test_create_track_sanitises_and_validates(world):
    t = services.create_track(world.admin_a, world.a, slug="essays", name="征文", host_unit=world.tree["yian"],
                              rules="<p>规则</p><script>x()</script>", work_kind="text",
                              entrant_types=["individual", "team"], form_schema=[FILE_FIELD])
    assert t.number == 3 and t.rules == "<p>规则</p>" and t.form_schema[0]["key"] == "video"
    with pytest.raises(DomainError) as exc:
        services.create_track(world.admin_a, world.a, slug="songs", name="x", host_unit=world.tree["yian"])
    assert exc.value.field == "slug"
    with pytest.raises(DomainError) as exc:
        services.create_track(world.admin_a, world.a, slug="y", name="x", host_unit=world.tree["yian"], number=1)
    assert exc.value.field == "number"
    with pytest.raises(DomainError) as exc:
        services.create_track(world.admin_a, world.a, slug="z", name="x", host_unit=world.tree["yian"],
                              entrant_types=["alien"])
    assert exc.value.field == "entrant_types"
    with pytest.raises(services.SchemaInvalid):
        services.create_track(world.admin_a, world.a, slug="w", name="x", host_unit=world.tree["yian"],
                              form_schema=[{"key": "x", "type": "file", "label": "x"}])
    with pytest.raises(NotPermitted):
        services.create_track(world.admin_b, world.a, slug="v", name="x", host_unit=world.tree["yian"])
    with pytest.raises(NotPermitted):
        services.create_track(world.host1, world.a, slug="v", name="x", host_unit=world.tree["yian"])


def test_host_unit_must_be_in_campaign_tree(world):
    other_root = f.org("外省总工会", OrgKind.PROVINCE, code="ZJ")
    with pytest.raises(DomainError) as exc:
        services.create_track(world.admin_a, world.a, slug="x", name="x", host_unit=other_root)
    assert exc.value.field == "host_unit"


def test_host_staff_edit_only_content_of_own_track(world):
    services.update_track(world.host1, world.t1, rules='<p onmouseover="x">新规则</p>', description="说明")
    world.t1.refresh_from_db()
    assert world.t1.rules == "<p>新规则</p>"
    services.set_track_form(world.host1, world.t1, [FILE_FIELD])
    with pytest.raises(NotPermitted):
        services.update_track(world.host1, world.t1, name="改名")
    with pytest.raises(NotPermitted):
        services.update_track(world.host1, world.t2, rules="x")
    with pytest.raises(NotPermitted):
        services.set_track_form(world.host1, world.t2, [])
    with pytest.raises(NotPermitted):
        services.update_track(world.admin_b, world.t1, rules="x")
    assert AuditLog.objects.filter(action="track.form", object_id=str(world.t1.pk)).count() == 1


def test_set_track_form_errors_keep_old_form(world):
    services.set_track_form(world.admin_a, world.t1, [FILE_FIELD])
    with pytest.raises(services.SchemaInvalid) as exc:
        services.set_track_form(world.admin_a, world.t1, [{"key": "a", "type": "number", "label": "a",
                                                           "min_value": 5, "max_value": 1}])
    assert exc.value.errors[0][0] == 1
    world.t1.refresh_from_db()
    assert world.t1.form_schema[0]["key"] == "video"


def test_reorder_tracks(world):
    t3 = f.track(world.a, world.tree["yian"], 3, slug="t3")
    services.move_track(world.admin_a, t3, -1)
    order = list(world.a.tracks.order_by("number").values_list("slug", flat=True))
    assert order == ["songs", "t3", "videos"]
    with pytest.raises(DomainError):
        services.reorder_tracks(world.admin_a, world.a, [world.t1.pk])
    with pytest.raises(NotPermitted):
        services.reorder_tracks(world.host1, world.a, [world.t2.pk, world.t1.pk, t3.pk])


# --- level rules ------------------------------------------------------------------------------

def test_deadline_and_quota_precedence(world):
    county_deadline = dt.datetime(2025, 9, 5, 18, 0)
    services.set_level_rules(world.admin_a, world.a, [
        {"org_kind": "county", "deadline": county_deadline, "quota": 5},
        {"org_kind": "grassroots", "deadline": dt.datetime(2025, 8, 30, 17, 0), "quota": None},
    ])
    services.set_level_rules(world.admin_a, world.a, [
        {"org_kind": "county", "deadline": dt.datetime(2025, 9, 1, 12, 0, tzinfo=SH), "quota": 2}], track=world.t2)
    # The campaign rule, with the naive time read as Shanghai time.
    assert deadline_for(world.t1, "county") == county_deadline.replace(tzinfo=SH)
    assert quota_for(world.t1, "county") == 5
    # The track override wins.
    assert deadline_for(world.t2, "county") == dt.datetime(2025, 9, 1, 12, tzinfo=SH)
    assert quota_for(world.t2, "county") == 2
    # Falls back to the campaign for levels the track does not override; None = unlimited.
    assert quota_for(world.t2, "grassroots") is None
    assert deadline_for(world.t2, "grassroots") is not None
    # No rule at all.
    assert deadline_for(world.t1, "industry") is None and quota_for(world.t1, "industry") is None
    # Another campaign's rules never leak.
    assert deadline_for(world.tb, "county") is None


def test_set_level_rules_replaces_and_checks(world):
    services.set_level_rules(world.admin_a, world.a, [{"org_kind": "county", "deadline": dt.datetime(2025, 9, 5),
                                                      "quota": 5}])
    services.set_level_rules(world.admin_a, world.a, [{"org_kind": "city", "deadline": dt.datetime(2025, 9, 15),
                                                      "quota": 10}])
    assert quota_for(world.t1, "county") is None and quota_for(world.t1, "city") == 10
    with pytest.raises(DomainError):
        services.set_level_rules(world.admin_a, world.a, [{"org_kind": "planet", "deadline": dt.datetime(2025, 1, 1)}])
    with pytest.raises(DomainError):
        services.set_level_rules(world.admin_a, world.a, [{"org_kind": "city", "deadline": None, "quota": 1}])
    with pytest.raises(NotPermitted):
        services.set_level_rules(world.host1, world.a, [])
    with pytest.raises(NotFound):
        services.set_level_rules(world.admin_a, world.a, [], track=world.tb)
    assert AuditLog.objects.filter(action="levelrules.set").count() == 2


# --- announcements ----------------------------------------------------------------------------

def test_announcement_lifecycle(world):
    a = services.create_announcement(world.admin_a, world.a, title="通知", body="<p>正文</p><script>1</script>")
    assert a.body == "<p>正文</p>" and not a.is_visible
    services.publish_announcement(world.admin_a, a)
    assert a.is_visible
    with pytest.raises(DomainError):
        services.publish_announcement(world.admin_a, a, at=dt.datetime(2000, 1, 1, tzinfo=SH))
    future = dt.datetime.now(SH) + dt.timedelta(days=2)
    services.publish_announcement(world.admin_a, a, at=future)
    assert not a.is_visible and a.publish_at == future
    services.set_announcement_pinned(world.admin_a, a, True)
    services.unpublish_announcement(world.admin_a, a)
    assert a.publish_at is None and a.pinned
    with pytest.raises(NotPermitted):
        services.delete_announcement(world.admin_b, a)
    with pytest.raises(NotPermitted):
        services.update_announcement(world.host1, a, title="x")
    services.delete_announcement(world.admin_a, a)
    actions = list(AuditLog.objects.filter(object_type="campaigns.announcement").values_list("action", flat=True))
    for act in ("announcement.create", "announcement.publish", "announcement.pin", "announcement.unpublish",
                "announcement.delete"):
        assert act in actions
    with pytest.raises(DomainError):
        services.create_announcement(world.admin_a, world.a, title="  ")


# --- people -----------------------------------------------------------------------------------

def test_grant_and_revoke_campaign_roles(world):
    ra = services.grant_campaign_role(world.admin_a, world.a, phone="13900000004", role=Role.MODERATOR)
    assert ra.campaign == world.a
    ra2 = services.grant_campaign_role(world.admin_a, world.a, phone="139 0000 0004", role=Role.JUDGE,
                                       track=world.t2)
    assert ra2.track == world.t2
    with pytest.raises(DomainError) as exc:
        services.grant_campaign_role(world.admin_a, world.a, phone="13812345678", role=Role.MODERATOR)
    assert exc.value.field == "phone"
    with pytest.raises(DomainError):
        services.grant_campaign_role(world.admin_a, world.a, phone="13900000004", role=Role.JUDGE, track=world.tb)
    with pytest.raises(DomainError):
        services.grant_campaign_role(world.admin_a, world.a, phone="13900000004", role=Role.UNIT_ADMIN)
    with pytest.raises(NotPermitted):
        services.grant_campaign_role(world.admin_b, world.a, phone="13900000004", role=Role.MODERATOR)
    with pytest.raises(NotPermitted):
        services.grant_campaign_role(world.host1, world.a, phone="13900000004", role=Role.JUDGE, track=world.t1)
    holders = list(services.campaign_role_holders(world.a))
    assert {h.role for h in holders} == {Role.CAMPAIGN_ADMIN, Role.MODERATOR, Role.HOST_STAFF, Role.JUDGE}
    assert all(h.campaign_id == world.a.pk or h.track.campaign_id == world.a.pk for h in holders)
    services.revoke_campaign_role(world.admin_a, world.a, ra.pk)
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    other = RoleAssignment.objects.get(campaign=world.b)
    with pytest.raises(NotFound):
        services.revoke_campaign_role(world.admin_a, world.a, other.pk)
    own = RoleAssignment.objects.get(user=world.admin_a, campaign=world.a)
    with pytest.raises(DomainError) as exc:
        services.revoke_campaign_role(world.admin_a, world.a, own.pk)
    assert exc.value.code == "last_admin"
