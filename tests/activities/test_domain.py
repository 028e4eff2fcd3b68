"""Domain rules of activities, brand projects and volunteers: who records and changes what,
validation, duplicate phones (incl. the race), photos in order, audit before/after, visibility,
and the dashboard's counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils.translation import gettext

from tests import factories as f
from zhengji.activities import queries, rules, services
from zhengji.activities.models import Activity, ActivityPhoto, BrandProject, Volunteer
from zhengji.activities.photos import (
    MAX_PHOTOS,
    TARGET_NAME,
    resolve_activity_photo,
    unit_admin_sees_activity_photo,
)
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.media import access, targets
from zhengji.media.models import MediaStatus

from .builders import photo

pytestmark = pytest.mark.django_db


def data(aw, unit="ya1", **kw):
    base = dict(org_id=aw.tree[unit].pk, title="讲座", held_on=aw.today, participants=10)
    base.update(kw)
    return services.ActivityData(**base)


# --- who records -----------------------------------------------------------------------------------

def test_unit_admin_records_for_own_unit_and_subtree(aw):
    a = services.create_activity(aw.ya1_admin, aw.campaign, data(aw))
    assert a.org == aw.tree["ya1"] and a.created_by == aw.ya1_admin
    b = services.create_activity(aw.yian_admin, aw.campaign, data(aw, unit="ya2"))
    assert b.org == aw.tree["ya2"]
    own = services.create_activity(aw.yian_admin, aw.campaign, data(aw, unit="yian"))
    assert own.org == aw.tree["yian"]


@pytest.mark.parametrize("who", ["jiao_admin", "ya1_admin", "worker", "campaign_admin"])
def test_others_may_not_record_for_a_unit(aw, who):
    target = "ya2" if who == "ya1_admin" else "ya1"
    with pytest.raises(NotPermitted):
        services.create_activity(getattr(aw, who), aw.campaign, data(aw, unit=target))
    assert not Activity.objects.exists()


def test_anonymous_may_not_record(aw):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotPermitted):
        services.create_activity(AnonymousUser(), aw.campaign, data(aw))


def test_unit_outside_the_campaign_tree_is_refused(aw):
    other_root = f.org("别省总工会", "province", code="ZJ")
    admin = f.unit_admin(other_root)
    with pytest.raises(services.Invalid) as exc:
        services.create_activity(admin, aw.campaign, services.ActivityData(org_id=other_root.pk, title="x",
                                                                           held_on=aw.today))
    assert exc.value.field == "org"


def test_inactive_or_missing_unit(aw):
    aw.tree["ya2"].is_active = False
    aw.tree["ya2"].save()
    with pytest.raises(services.Invalid) as exc:
        services.create_activity(aw.yian_admin, aw.campaign, data(aw, unit="ya2"))
    assert exc.value.field == "org"
    with pytest.raises(services.Invalid):
        services.create_activity(aw.yian_admin, aw.campaign, services.ActivityData(org_id=None, title="x",
                                                                                   held_on=aw.today))


def test_sibling_county_admin_may_not_change_or_delete(aw):
    a = aw.activity()
    a.title = "改"
    with pytest.raises(NotPermitted):
        services.update_activity(aw.jiao_admin, a, data(aw, title="改"))
    with pytest.raises(NotPermitted):
        services.delete_activity(aw.jiao_admin, a)
    with pytest.raises(NotPermitted):
        services.delete_activity(aw.campaign_admin, a)
    assert Activity.objects.get(pk=a.pk).title == "网络文明讲座"


def test_update_moves_within_subtree_but_not_outside(aw):
    a = aw.activity()
    a = services.update_activity(aw.yian_admin, a, data(aw, unit="ya2", title="新标题"))
    assert a.org == aw.tree["ya2"] and a.title == "新标题"
    with pytest.raises(NotPermitted):
        services.update_activity(aw.yian_admin, a, data(aw, unit="jq1"))


# --- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes,field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"held_on": None}, "held_on"),
    ({"participants": -1}, "participants"),
    ({"participants": services.MAX_PARTICIPANTS + 1}, "participants"),
    ({"participants": None}, "participants"),
    ({"link": "javascript:alert(1)"}, "link"),
    ({"link": "ftp://example.org/x"}, "link"),
    ({"link": "not a url"}, "link"),
    ({"kind": "hybrid"}, "kind"),
    ({"place": "x" * 201}, "place"),
    ({"description": "x" * 5001}, "description"),
])
def test_activity_validation(aw, changes, field):
    with pytest.raises(services.Invalid) as exc:
        services.create_activity(aw.ya1_admin, aw.campaign, data(aw, **changes))
    assert field in exc.value.errors
    assert exc.value.status == 422


def test_dates_within_reason(aw):
    future = aw.today + dt.timedelta(days=1)
    errors = services.check_activity(aw.campaign, data(aw, held_on=future))
    assert errors["held_on"] == [gettext("The date cannot be in the future.")]
    too_old = dt.date(aw.campaign.year - 2, 12, 31)
    assert "held_on" in services.check_activity(aw.campaign, data(aw, held_on=too_old))
    assert services.check_activity(aw.campaign, data(aw, held_on=dt.date(aw.campaign.year - 1, 1, 1))) == {}


def test_valid_link_and_bounds_pass(aw):
    a = services.create_activity(aw.ya1_admin, aw.campaign,
                                 data(aw, link=" https://example.org/a?b=1 ", participants=services.MAX_PARTICIPANTS,
                                      title="  标题  "))
    assert a.link == "https://example.org/a?b=1" and a.title == "标题"


def test_brand_project_validation_and_crud(aw):
    with pytest.raises(services.Invalid) as exc:
        services.create_brand_project(aw.ya1_admin, aw.campaign, services.BrandProjectData(
            org_id=aw.tree["ya1"].pk, name="", started_on=aw.today + dt.timedelta(days=3), link="data:x"))
    assert set(exc.value.errors) == {"name", "started_on", "link"}
    b = services.create_brand_project(aw.ya1_admin, aw.campaign, services.BrandProjectData(
        org_id=aw.tree["ya1"].pk, name="清朗品牌", started_on=dt.date(2020, 1, 1)))
    b = services.update_brand_project(aw.yian_admin, b, services.BrandProjectData(name="新名字", started_on=None))
    assert b.name == "新名字" and b.started_on is None and b.org == aw.tree["ya1"]
    with pytest.raises(NotPermitted):
        services.update_brand_project(aw.jiao_admin, b, services.BrandProjectData(name="x"))
    with pytest.raises(NotPermitted):
        services.delete_brand_project(aw.jiao_admin, b)
    services.delete_brand_project(aw.ya1_admin, b)
    assert not BrandProject.objects.exists()
    actions = list(AuditLog.objects.filter(object_type="activities.brandproject").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["brand_project.create", "brand_project.update", "brand_project.delete"]


# --- volunteers ------------------------------------------------------------------------------------

def vol(aw, unit="ya1", phone="13800001111", **kw):
    return services.VolunteerData(org_id=aw.tree[unit].pk, name=kw.pop("name", "王五"), phone=phone, **kw)


def test_volunteer_phone_validated_and_normalised(aw):
    with pytest.raises(services.Invalid) as exc:
        services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw, phone="12345"))
    assert exc.value.field == "phone"
    v = services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw, phone="+86 138-0000-1111"))
    assert v.phone == "13800001111"


def test_duplicate_phone_in_a_campaign_is_refused(aw):
    services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw))
    with pytest.raises(services.Invalid) as exc:
        services.create_volunteer(aw.jiao_admin, aw.campaign, vol(aw, unit="jq1"))
    assert exc.value.code == "duplicate_phone" and exc.value.status == 409
    assert str(exc.value.message) == gettext(
        "A volunteer with this phone number is already registered in this campaign.")
    # Another campaign may register the same number.
    services.create_volunteer(aw.ya1_admin, aw.other_campaign, vol(aw))
    # Changing another volunteer to a taken number is refused too.
    other = services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw, phone="13800002222"))
    with pytest.raises(services.Invalid) as exc:
        services.update_volunteer(aw.ya1_admin, other, vol(aw, phone="13800001111"))
    assert exc.value.code == "duplicate_phone"
    # Keeping one's own number is fine.
    services.update_volunteer(aw.ya1_admin, other, vol(aw, phone="13800002222", name="新名"))


def test_duplicate_phone_race_is_caught(aw, monkeypatch):
    """Two admins register the same number at once: the check passes for both, the database
    constraint refuses the second; the caller gets the same clear message."""
    services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw))
    monkeypatch.setattr(services, "_phone_taken", lambda *a, **kw: False)
    with pytest.raises(services.Invalid) as exc:
        services.create_volunteer(aw.jiao_admin, aw.campaign, vol(aw, unit="jq1"))
    assert exc.value.code == "duplicate_phone"
    other = services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw, phone="13800002222"))
    with pytest.raises(services.Invalid):
        services.update_volunteer(aw.ya1_admin, other, vol(aw, phone="13800001111"))
    assert Volunteer.objects.count() == 2


def test_database_constraint_holds(aw):
    aw.volunteer()
    with pytest.raises(IntegrityError):
        Volunteer.objects.create(campaign=aw.campaign, org=aw.tree["jq1"], name="x", phone="13800001111")


def test_volunteer_audit_masks_the_phone(aw):
    v = services.create_volunteer(aw.ya1_admin, aw.campaign, vol(aw))
    services.update_volunteer(aw.ya1_admin, v, vol(aw, phone="13900002222"))
    services.delete_volunteer(aw.ya1_admin, v)
    logs = list(AuditLog.objects.filter(object_type="activities.volunteer").order_by("id"))
    assert [r.action for r in logs] == ["volunteer.create", "volunteer.update", "volunteer.delete"]
    assert logs[0].after["phone"] == "138****1111"
    assert logs[1].before["phone"] == "138****1111" and logs[1].after["phone"] == "139****2222"
    assert logs[2].before["name"] == "王五" and logs[2].after is None
    assert all("13800001111" not in str(r.before) + str(r.after) for r in logs)
    assert logs[0].org_path == aw.tree["ya1"].path and logs[0].campaign_id == aw.campaign.pk


def test_volunteer_permissions(aw):
    v = aw.volunteer()
    with pytest.raises(NotPermitted):
        services.update_volunteer(aw.jiao_admin, v, vol(aw))
    with pytest.raises(NotPermitted):
        services.delete_volunteer(aw.campaign_admin, v)
    services.delete_volunteer(aw.city_admin, v)
    assert not Volunteer.objects.exists()


def test_shown_phone(aw):
    v = aw.volunteer()
    assert rules.shown_phone(aw.ya1_admin, v) == "13800001111"
    assert rules.shown_phone(aw.city_admin, v) == "13800001111"
    assert rules.shown_phone(aw.superuser, v) == "13800001111"
    assert rules.shown_phone(aw.campaign_admin, v) == "138****1111"
    assert rules.shown_phone(aw.jiao_admin, v) == "138****1111"
    assert rules.shown_phone(aw.worker, v) == "138****1111"


# --- audit of activities -----------------------------------------------------------------------------

def test_activity_audit_before_after(aw):
    a = services.create_activity(aw.ya1_admin, aw.campaign, data(aw, title="旧"))
    services.update_activity(aw.ya1_admin, a, data(aw, title="新"))
    services.delete_activity(aw.ya1_admin, a)
    logs = list(AuditLog.objects.filter(object_type="activities.activity").order_by("id"))
    assert [r.action for r in logs] == ["activity.create", "activity.update", "activity.delete"]
    assert logs[0].before is None and logs[0].after["title"] == "旧"
    assert logs[1].before["title"] == "旧" and logs[1].after["title"] == "新"
    assert logs[2].before["title"] == "新" and logs[2].org_path == aw.tree["ya1"].path
    assert all(r.actor == aw.ya1_admin for r in logs)


# --- photos ----------------------------------------------------------------------------------------------

def test_photos_attach_in_order_reorder_and_remove(aw):
    p1, p2, p3 = (photo(aw.ya1_admin, name=f"{i}.png") for i in range(3))
    a = services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=[p2.pk, p1.pk, p3.pk]))
    order = list(ActivityPhoto.objects.filter(activity=a).order_by("position").values_list("media_id", flat=True))
    assert order == [p2.pk, p1.pk, p3.pk]
    # Another admin of the subtree reorders (files uploaded by someone else but already this activity's).
    assert services.move_photo(aw.yian_admin, a, p3.pk, "up") == [p2.pk, p3.pk, p1.pk]
    assert services.move_photo(aw.yian_admin, a, p2.pk, "up") == [p2.pk, p3.pk, p1.pk]  # already first
    assert services.move_photo(aw.yian_admin, a, p2.pk, "down") == [p3.pk, p2.pk, p1.pk]
    assert services.move_photo(aw.yian_admin, a, p2.pk, "remove") == [p3.pk, p1.pk]
    with pytest.raises(DomainError):
        services.move_photo(aw.yian_admin, a, p2.pk, "up")
    with pytest.raises(DomainError):
        services.move_photo(aw.yian_admin, a, p1.pk, "sideways")
    with pytest.raises(NotPermitted):
        services.set_photos(aw.jiao_admin, a, [p1.pk])
    assert AuditLog.objects.filter(action="activity.photos", object_id=str(a.pk)).count() == 3
    # Updating without photos leaves them; with a list, the list is the whole content.
    services.update_activity(aw.ya1_admin, a, data(aw, photos=None))
    assert a.photo_links.count() == 2
    services.update_activity(aw.ya1_admin, a, data(aw, photos=[]))
    assert a.photo_links.count() == 0


def test_photos_that_cannot_be_used(aw):
    mine = photo(aw.ya1_admin)
    someone_elses = photo(aw.yian_admin)
    entry_file = photo(aw.ya1_admin, purpose="photos")
    failed = photo(aw.ya1_admin, status=MediaStatus.FAILED)
    video = photo(aw.ya1_admin, kind="video")
    services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=[mine.pk]))
    for bad in (mine, someone_elses, entry_file, video):  # mine: already another activity's
        with pytest.raises(services.Invalid) as exc:
            services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=[bad.pk]))
        assert exc.value.field == "photos"
    with pytest.raises(services.Invalid) as exc:
        services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=[failed.pk]))
    assert exc.value.field == "photos" and "photo.png" in str(exc.value.message)
    with pytest.raises(services.Invalid):
        services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=[10**12]))
    many = [photo(aw.ya1_admin).pk for _ in range(MAX_PHOTOS + 1)]
    with pytest.raises(services.Invalid) as exc:
        services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=many))
    assert exc.value.field == "photos"
    a = aw.activity(actor=aw.ya1_admin)
    with pytest.raises(services.Invalid):
        services.set_photos(aw.ya1_admin, a, many)
    assert Activity.objects.count() == 2


def test_photo_target_and_viewer_rule(aw):
    assert TARGET_NAME in targets.registered()
    assert "activities.unit_admin" in access.viewer_names()
    t = targets.resolve({"target": TARGET_NAME, "campaign": str(aw.campaign.pk)}, aw.ya1_admin)
    assert t.rule.max_count == MAX_PHOTOS and t.rule.kinds == ["image"] and t.campaign_id == aw.campaign.pk
    with pytest.raises(NotPermitted):
        resolve_activity_photo({"campaign": str(aw.campaign.pk)}, aw.worker)
    with pytest.raises(DomainError):
        resolve_activity_photo({"campaign": "nope"}, aw.ya1_admin)
    p = photo(aw.ya1_admin)
    assert not unit_admin_sees_activity_photo(aw.yian_admin, p)  # not attached yet
    services.create_activity(aw.ya1_admin, aw.campaign, data(aw, photos=[p.pk]))
    assert unit_admin_sees_activity_photo(aw.yian_admin, p)
    assert unit_admin_sees_activity_photo(aw.campaign_admin, p)
    assert not unit_admin_sees_activity_photo(aw.jiao_admin, p)
    assert not unit_admin_sees_activity_photo(aw.worker, p)
    assert access.may_view(aw.city_admin, p) and not access.may_view(aw.jiao_admin, p)
    assert not access.may_download_original(aw.city_admin, p)


# --- visibility and counts --------------------------------------------------------------------------------

def test_visibility(aw):
    a_ya1, a_jq1 = aw.activity("ya1"), aw.activity("jq1")
    assert set(queries.activities_for(aw.ya1_admin, aw.campaign.pk)) == {a_ya1}
    assert set(queries.activities_for(aw.jiao_admin, aw.campaign.pk)) == {a_jq1}
    assert set(queries.activities_for(aw.city_admin, aw.campaign.pk)) == {a_ya1, a_jq1}
    assert set(queries.activities_for(aw.campaign_admin, aw.campaign.pk)) == {a_ya1, a_jq1}
    aw.activity("ya1", campaign=aw.other_campaign)
    assert not queries.activities_for(aw.campaign_admin, aw.other_campaign.pk).exists()
    assert queries.activities_for(aw.ya1_admin, aw.other_campaign.pk).count() == 1
    assert not queries.activities_for(aw.worker, aw.campaign.pk).exists()
    assert queries.activity_for(aw.jiao_admin, a_ya1.pk) is None
    assert queries.activity_for(aw.campaign_admin, a_ya1.pk) == a_ya1
    assert queries.activity_for(aw.ya1_admin, "x") is None
    assert queries.activity_for(aw.ya1_admin, 2**64) is None


def test_campaigns_for(aw):
    elsewhere = f.org("别省总工会", "province", code="ZJ")
    foreign = f.campaign(elsewhere, slug="foreign")
    assert set(queries.campaigns_for(aw.ya1_admin)) == {aw.campaign, aw.other_campaign}
    assert set(queries.campaigns_for(aw.campaign_admin)) == {aw.campaign}
    assert foreign in set(queries.campaigns_for(aw.superuser))
    assert not queries.campaigns_for(aw.worker).exists()
    local = f.campaign(aw.tree["jiao"], slug="jiao-local")
    assert local not in set(queries.campaigns_for(aw.ya1_admin))
    assert local in set(queries.campaigns_for(aw.city_admin))


def test_unit_choices(aw):
    assert [o.pk for o in queries.unit_choices(aw.ya1_admin, aw.campaign)] == [aw.tree["ya1"].pk]
    yian = [o.pk for o in queries.unit_choices(aw.yian_admin, aw.campaign)]
    assert yian == [aw.tree["yian"].pk, aw.tree["ya1"].pk, aw.tree["ya2"].pk]
    prov = queries.unit_choices(aw.superuser, aw.campaign)
    assert [o.pk for o in prov] == [aw.tree["province"].pk, aw.tree["city"].pk]
    local = f.campaign(aw.tree["yian"], slug="yian-local")
    assert [o.pk for o in queries.unit_choices(aw.city_admin, local)][0] == aw.tree["yian"].pk
    assert queries.unit_choices(aw.jiao_admin, local) == []


def test_counts_for_the_dashboard(aw):
    aw.activity("ya1", participants=10)
    aw.activity("ya1", participants=5)
    aw.activity("jq1", participants=7, kind="online")
    aw.brand("ya2")
    aw.volunteer("ya1")
    aw.volunteer("jq2", phone="13800003333")
    ids = set(queries.org_ids_with_activity(aw.campaign.pk))
    assert ids == {aw.tree["ya1"].pk, aw.tree["jq1"].pk, aw.tree["ya2"].pk}
    by_org = queries.counts_by_org(aw.campaign.pk)
    assert by_org[aw.tree["ya1"].pk] == queries.Counts(activities=2, participants=15, volunteers=1)
    assert by_org[aw.tree["ya2"].pk] == queries.Counts(brand_projects=1)
    assert by_org[aw.tree["jq2"].pk] == queries.Counts(volunteers=1)
    assert set(queries.counts_by_org(aw.campaign.pk, aw.tree["jiao"].path)) == {aw.tree["jq1"].pk,
                                                                                 aw.tree["jq2"].pk}
    assert queries.subtree_totals(aw.campaign.pk) == queries.Counts(3, 22, 2, 1)
    assert queries.subtree_totals(aw.campaign.pk, aw.tree["yian"].path) == queries.Counts(2, 15, 1, 1)
    assert queries.subtree_totals(aw.other_campaign.pk) == queries.Counts()
    by_child = queries.totals_by_child(aw.campaign.pk, aw.tree["city"])
    assert by_child == {aw.tree["yian"].path: queries.Counts(2, 15, 1, 1),
                        aw.tree["jiao"].path: queries.Counts(1, 7, 1, 0)}
    total = queries.Counts()
    for c in by_child.values():
        total.add(c)
    assert total == queries.subtree_totals(aw.campaign.pk)


def test_keyset_pages(aw):
    for i in range(7):
        aw.activity(title=f"活动{i}", held_on=aw.today - dt.timedelta(days=i % 3))
    qs = queries.activities_for(aw.city_admin, aw.campaign.pk)
    seen, cursor = [], None
    while True:
        pg = queries.page(qs, cursor, size=3, date_key="held_on")
        seen += pg.rows
        cursor = pg.next_cursor
        if not cursor:
            break
    assert len(seen) == 7 and len({a.pk for a in seen}) == 7
    assert seen == list(qs.order_by("-held_on", "-pk"))
    with pytest.raises(queries.BadCursor):
        queries.page(qs, "garbage", date_key="held_on")
    for i in range(4):
        aw.volunteer(phone=f"1380000{i:04d}")
    vq = queries.volunteers_for(aw.ya1_admin, aw.campaign.pk)
    first = queries.page(vq, None, size=3)
    second = queries.page(vq, first.next_cursor, size=3)
    assert len(first.rows) == 3 and len(second.rows) == 1 and second.next_cursor is None
