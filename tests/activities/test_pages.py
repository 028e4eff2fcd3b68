"""The pages: lists with filters and keyset pages, forms, delete, photos, the volunteers' .xlsx,
the hub card; for the right admin, a sibling county's admin, a campaign admin, a worker,
anonymous, and the wrong method."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils.translation import gettext

from zhengji.activities.models import Activity, ActivityPhoto, BrandProject, Volunteer
from zhengji.common.models import AuditLog

from .builders import photo

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


# --- access ----------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_log_in(client, aw):
    a = aw.activity()
    for url in (reverse("activities:index"), reverse("activities:activities", args=[aw.campaign.pk]),
                reverse("activities:new_activity", args=[aw.campaign.pk]),
                reverse("activities:activity", args=[a.pk]), reverse("activities:edit_activity", args=[a.pk]),
                reverse("activities:volunteers_xlsx", args=[aw.campaign.pk])):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url


def test_worker_gets_403(client, aw):
    a = aw.activity()
    login(client, aw.worker)
    for url in (reverse("activities:index"), reverse("activities:activities", args=[aw.campaign.pk]),
                reverse("activities:brand_projects", args=[aw.campaign.pk]),
                reverse("activities:volunteers", args=[aw.campaign.pk]),
                reverse("activities:volunteers_xlsx", args=[aw.campaign.pk]),
                reverse("activities:activity", args=[a.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("activities:delete_activity", args=[a.pk])).status_code == 403
    assert Activity.objects.filter(pk=a.pk).exists()


def test_index_lists_campaigns_or_goes_straight_to_the_only_one(client, aw):
    login(client, aw.campaign_admin)
    r = client.get(reverse("activities:index"))
    assert r.status_code == 302 and r["Location"] == reverse("activities:activities", args=[aw.campaign.pk])
    login(client, aw.ya1_admin)
    r = client.get(reverse("activities:index"))
    assert r.status_code == 200 and aw.campaign.name in r.content.decode()
    assert reverse("activities:activities", args=[aw.other_campaign.pk]) in r.content.decode()


def test_wrong_method(client, aw):
    a = aw.activity()
    login(client, aw.ya1_admin)
    assert client.post(reverse("activities:activities", args=[aw.campaign.pk])).status_code == 405
    assert client.post(reverse("activities:volunteers_xlsx", args=[aw.campaign.pk])).status_code == 405
    assert client.get(reverse("activities:activity_photo", args=[a.pk])).status_code == 405
    assert client.put(reverse("activities:edit_activity", args=[a.pk])).status_code == 405
    assert client.post(reverse("activities:activity", args=[a.pk])).status_code == 405


# --- lists -----------------------------------------------------------------------------------------

def test_activity_list_is_scoped_and_filtered(client, aw):
    aw.activity("ya1", title="义安讲座", kind="online")
    aw.activity("ya2", title="义安二校活动", held_on=aw.today - dt.timedelta(days=20))
    aw.activity("jq1", title="郊区活动")
    url = reverse("activities:activities", args=[aw.campaign.pk])
    login(client, aw.yian_admin)
    body = client.get(url).content.decode()
    assert "义安讲座" in body and "义安二校活动" in body and "郊区活动" not in body
    body = client.get(url, {"kind": "online"}).content.decode()
    assert "义安讲座" in body and "义安二校活动" not in body
    body = client.get(url, {"unit": aw.tree["ya2"].pk}).content.decode()
    assert "义安讲座" not in body and "义安二校活动" in body
    body = client.get(url, {"date_to": (aw.today - dt.timedelta(days=10)).isoformat()}).content.decode()
    assert "义安讲座" not in body and "义安二校活动" in body
    body = client.get(url, {"date_from": (aw.today - dt.timedelta(days=10)).isoformat()}).content.decode()
    assert "义安讲座" in body and "义安二校活动" not in body
    body = client.get(url, {"q": "二校"}).content.decode()
    assert "义安讲座" not in body and "义安二校活动" in body
    # A sibling county's admin sees only their own; filtering on the other county gives nothing.
    login(client, aw.jiao_admin)
    body = client.get(url).content.decode()
    assert "郊区活动" in body and "义安讲座" not in body and "义安二校活动" not in body
    body = client.get(url, {"unit": aw.tree["yian"].pk}).content.decode()
    assert "义安讲座" not in body and "郊区活动" not in body
    # The campaign admin sees everything.
    login(client, aw.campaign_admin)
    body = client.get(url).content.decode()
    assert "义安讲座" in body and "郊区活动" in body
    assert reverse("activities:new_activity", args=[aw.campaign.pk]) not in body


def test_campaign_outside_scope_is_404(client, aw):
    login(client, aw.campaign_admin)
    assert client.get(reverse("activities:activities", args=[aw.other_campaign.pk])).status_code == 404
    assert client.get(reverse("activities:activities", args=[10**9])).status_code == 404


def test_list_pages_keyset(client, aw):
    for i in range(30):
        aw.activity(title=f"活动{i:02d}", held_on=aw.today - dt.timedelta(days=i % 5))
    login(client, aw.ya1_admin)
    url = reverse("activities:activities", args=[aw.campaign.pk])
    r = client.get(url)
    first = r.context["rows"]
    assert len(first) == 25 and r.context["next_url"]
    r2 = client.get(r.context["next_url"])
    assert len(r2.context["rows"]) == 5 and not r2.context["next_url"]
    assert {a.pk for a in first} | {a.pk for a in r2.context["rows"]} == set(Activity.objects.values_list("pk",
                                                                                                          flat=True))
    r3 = client.get(url, {"cursor": "broken"})
    assert r3.status_code == 302


@pytest.mark.parametrize("name", ["activities", "brand_projects", "volunteers"])
def test_list_query_count_does_not_grow(client, aw, django_assert_max_num_queries, name):
    for i in range(30):
        a = aw.activity(unit="ya1" if i % 2 else "ya2")
        ActivityPhoto.objects.create(activity=a, media=photo(aw.superuser), position=0)
        aw.brand(unit="ya1" if i % 2 else "ya2", name=f"品牌{i}")
        aw.volunteer(unit="ya1" if i % 2 else "ya2", phone=f"1380000{i:04d}")
    login(client, aw.yian_admin)
    url = reverse(f"activities:{name}", args=[aw.campaign.pk])
    client.get(url)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(10):
        r = client.get(url)
    assert r.status_code == 200 and len(r.context["rows"]) == 25


def test_volunteer_list_masks_phones_per_reader(client, aw):
    aw.volunteer("ya1", phone="13800001111")
    aw.volunteer("jq1", phone="13900002222", name="郊区志愿者")
    url = reverse("activities:volunteers", args=[aw.campaign.pk])
    login(client, aw.ya1_admin)
    body = client.get(url).content.decode()
    assert "13800001111" in body and "郊区志愿者" not in body
    login(client, aw.campaign_admin)
    body = client.get(url).content.decode()
    assert "138****1111" in body and "13800001111" not in body and "139****2222" in body
    login(client, aw.city_admin)
    body = client.get(url).content.decode()
    assert "13800001111" in body and "13900002222" in body
    # Search by a whole number finds it; a part of a number does not.
    login(client, aw.campaign_admin)
    assert "李志愿" in client.get(url, {"q": "13800001111"}).content.decode()
    assert "李志愿" not in client.get(url, {"q": "1111"}).content.decode()


# --- forms -----------------------------------------------------------------------------------------

def test_create_activity_with_photos(client, aw):
    login(client, aw.ya1_admin)
    url = reverse("activities:new_activity", args=[aw.campaign.pk])
    r = client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-ingest-fields="{&quot;target&quot;: &quot;activity_photo&quot;' in body
    p1, p2 = photo(aw.ya1_admin), photo(aw.ya1_admin)
    r = client.post(url, {"org": aw.tree["ya1"].pk, "kind": "online", "title": "线上讲座",
                          "held_on": aw.today.isoformat(), "participants": "120", "place": "",
                          "description": "说明", "link": "https://example.org", "photos": f"{p2.pk},{p1.pk}"})
    a = Activity.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("activities:activity", args=[a.pk])
    assert list(a.photo_links.values_list("media_id", flat=True)) == [p2.pk, p1.pk]
    body = client.get(r["Location"]).content.decode()
    assert "线上讲座" in body and body.count('name="media" value=') == 2
    assert body.index(f'name="media" value="{p2.pk}"') < body.index(f'name="media" value="{p1.pk}"')


def test_form_errors_keep_what_was_typed(client, aw):
    login(client, aw.ya1_admin)
    url = reverse("activities:new_activity", args=[aw.campaign.pk])
    future = (aw.today + dt.timedelta(days=5)).isoformat()
    r = client.post(url, {"org": aw.tree["ya1"].pk, "kind": "offline", "title": "我的标题", "held_on": future,
                          "participants": "5", "link": "javascript:alert(1)", "photos": "77777"})
    assert r.status_code == 200
    form = r.context["form"]
    assert "held_on" in form.errors and "link" in form.errors
    body = r.content.decode()
    assert 'value="我的标题"' in body and 'value="77777"' in body
    assert not Activity.objects.exists()
    # The domain's refusal (a photo that is not usable) shows too, nothing typed is lost.
    r = client.post(url, {"org": aw.tree["ya1"].pk, "kind": "offline", "title": "我的标题",
                          "held_on": aw.today.isoformat(), "participants": "5", "photos": "77777"})
    assert r.status_code == 200 and "photos" in r.context["form"].errors
    assert 'value="77777"' in r.content.decode()
    # A unit the admin does not administer is not a choice.
    r = client.post(url, {"org": aw.tree["jq1"].pk, "kind": "offline", "title": "x",
                          "held_on": aw.today.isoformat(), "participants": "1"})
    assert r.status_code == 200 and "org" in r.context["form"].errors
    assert not Activity.objects.exists()


def test_edit_and_delete_activity(client, aw):
    a = aw.activity()
    login(client, aw.jiao_admin)
    assert client.get(reverse("activities:edit_activity", args=[a.pk])).status_code == 404
    assert client.post(reverse("activities:delete_activity", args=[a.pk])).status_code == 404
    login(client, aw.campaign_admin)
    assert client.get(reverse("activities:activity", args=[a.pk])).status_code == 200
    assert client.get(reverse("activities:edit_activity", args=[a.pk])).status_code == 403
    assert client.post(reverse("activities:delete_activity", args=[a.pk])).status_code == 403
    login(client, aw.yian_admin)
    url = reverse("activities:edit_activity", args=[a.pk])
    r = client.get(url)
    assert r.status_code == 200 and 'value="网络文明讲座"' in r.content.decode()
    r = client.post(url, {"org": aw.tree["ya1"].pk, "kind": "offline", "title": "改过的", "held_on": a.held_on,
                          "participants": "3", "photos": ""})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.title == "改过的" and a.participants == 3
    assert client.get(reverse("activities:delete_activity", args=[a.pk])).status_code == 200
    r = client.post(reverse("activities:delete_activity", args=[a.pk]))
    assert r.status_code == 302 and not Activity.objects.exists()
    assert AuditLog.objects.filter(action="activity.delete", actor=aw.yian_admin).exists()


def test_photo_reorder_and_remove_from_the_page(client, aw):
    p1, p2 = photo(aw.superuser), photo(aw.superuser)
    a = aw.activity(photos=[p1.pk, p2.pk])
    url = reverse("activities:activity_photo", args=[a.pk])
    login(client, aw.jiao_admin)
    assert client.post(url, {"media": p2.pk, "action": "up"}).status_code == 404
    login(client, aw.campaign_admin)
    assert client.post(url, {"media": p2.pk, "action": "up"}).status_code == 403
    login(client, aw.ya1_admin)
    r = client.post(url, {"media": p2.pk, "action": "up"})
    assert r.status_code == 302
    assert list(a.photo_links.values_list("media_id", flat=True)) == [p2.pk, p1.pk]
    client.post(url, {"media": p2.pk, "action": "remove"})
    assert list(a.photo_links.values_list("media_id", flat=True)) == [p1.pk]
    r = client.post(url, {"media": "x", "action": "up"}, follow=True)
    assert r.status_code == 200 and list(r.context["messages"])
    page = client.get(reverse("activities:activity", args=[a.pk])).content.decode()
    assert f'value="{p1.pk}"' in page


def test_brand_project_pages(client, aw):
    login(client, aw.ya1_admin)
    url = reverse("activities:new_brand", args=[aw.campaign.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"org": aw.tree["ya1"].pk, "name": "", "link": "ftp://x"})
    assert r.status_code == 200 and {"name", "link"} <= set(r.context["form"].errors)
    r = client.post(url, {"org": aw.tree["ya1"].pk, "name": "清朗家园", "started_on": "2021-05-01",
                          "description": "", "link": ""})
    assert r.status_code == 302
    b = BrandProject.objects.get()
    body = client.get(reverse("activities:brand_projects", args=[aw.campaign.pk])).content.decode()
    assert "清朗家园" in body
    r = client.post(reverse("activities:edit_brand", args=[b.pk]), {"org": aw.tree["ya1"].pk, "name": "新家园"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.name == "新家园"
    login(client, aw.jiao_admin)
    assert client.get(reverse("activities:edit_brand", args=[b.pk])).status_code == 404
    assert "新家园" not in client.get(reverse("activities:brand_projects", args=[aw.campaign.pk])).content.decode()
    login(client, aw.ya1_admin)
    assert client.post(reverse("activities:delete_brand", args=[b.pk])).status_code == 302
    assert not BrandProject.objects.exists()


def test_volunteer_pages(client, aw):
    login(client, aw.ya1_admin)
    url = reverse("activities:new_volunteer", args=[aw.campaign.pk])
    r = client.post(url, {"org": aw.tree["ya1"].pk, "name": "赵六", "phone": "12"})
    assert r.status_code == 200 and "phone" in r.context["form"].errors and 'value="赵六"' in r.content.decode()
    r = client.post(url, {"org": aw.tree["ya1"].pk, "name": "赵六", "phone": "13700001234", "skills": "摄影"})
    assert r.status_code == 302
    r = client.post(url, {"org": aw.tree["ya1"].pk, "name": "钱七", "phone": "13700001234"})
    assert r.status_code == 200 and "phone" in r.context["form"].errors
    assert r.context["form"].errors["phone"] == [
        gettext("A volunteer with this phone number is already registered in this campaign.")]
    v = Volunteer.objects.get()
    r = client.post(reverse("activities:edit_volunteer", args=[v.pk]),
                    {"org": aw.tree["ya1"].pk, "name": "赵六六", "phone": "13700001234", "skills": ""})
    assert r.status_code == 302
    login(client, aw.campaign_admin)
    assert client.get(reverse("activities:edit_volunteer", args=[v.pk])).status_code == 403
    login(client, aw.jiao_admin)
    assert client.get(reverse("activities:delete_volunteer", args=[v.pk])).status_code == 404
    login(client, aw.ya1_admin)
    assert client.post(reverse("activities:delete_volunteer", args=[v.pk])).status_code == 302
    assert not Volunteer.objects.exists()


def test_new_forms_closed_to_campaign_admin_and_sibling(client, aw):
    login(client, aw.campaign_admin)
    assert client.get(reverse("activities:new_activity", args=[aw.campaign.pk])).status_code == 403
    local = aw.tree["yian"]
    from tests import factories as f

    c = f.campaign(local, slug="yian-c")
    login(client, aw.jiao_admin)
    assert client.get(reverse("activities:new_activity", args=[c.pk])).status_code == 404


# --- export ----------------------------------------------------------------------------------------

def read_xlsx(content: bytes) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in wb.active.iter_rows(values_only=True)]


def test_volunteers_xlsx(client, aw):
    aw.volunteer("ya1", phone="13800001111", name="=HYPERLINK(\"x\")", skills="@cmd")
    aw.volunteer("jq1", phone="13900002222", name="郊区志愿者", skills="-1+2")
    url = reverse("activities:volunteers_xlsx", args=[aw.campaign.pk])
    login(client, aw.yian_admin)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(b"".join(r.streaming_content))
    data = [row for row in rows[3:] if row and row[0] is not None]
    assert len(data) == 1
    assert data[0][1] == "'=HYPERLINK(\"x\")" and data[0][2] == "13800001111" and data[0][4] == "'@cmd"
    login(client, aw.campaign_admin)
    rows = read_xlsx(b"".join(client.get(url).streaming_content))
    data = [row for row in rows[3:] if row and row[0] is not None]
    assert sorted(row[2] for row in data) == ["138****1111", "139****2222"]
    assert any(row[4] == "'-1+2" for row in data)
    rows = read_xlsx(b"".join(client.get(url, {"unit": aw.tree["jiao"].pk}).streaming_content))
    assert [row[1] for row in rows[3:] if row and row[0] is not None] == ["郊区志愿者"]
    assert AuditLog.objects.filter(action="volunteers.export").count() == 3
    login(client, aw.jiao_admin)
    rows = read_xlsx(b"".join(client.get(url).streaming_content))
    assert [row[2] for row in rows[3:] if row and row[0] is not None] == ["13900002222"]


# --- hub -------------------------------------------------------------------------------------------

def test_hub_card(client, aw):
    login(client, aw.ya1_admin)
    body = client.get(reverse("common:manage")).content.decode()
    assert reverse("activities:index") in body
    login(client, aw.campaign_admin)
    assert reverse("activities:index") in client.get(reverse("common:manage")).content.decode()
    from zhengji.activities.hub import hub_panels

    assert hub_panels(aw.worker) == []
    assert hub_panels(aw.superuser)[0].key == "activities"


def test_edit_forms_show_the_stored_values(client, aw):
    b = aw.brand(name="老品牌", started_on=dt.date(2021, 1, 2))
    v = aw.volunteer(phone="13800009999", skills="剪辑")
    login(client, aw.ya1_admin)
    body = client.get(reverse("activities:edit_brand", args=[b.pk])).content.decode()
    assert 'value="老品牌"' in body and 'value="2021-01-02"' in body
    body = client.get(reverse("activities:edit_volunteer", args=[v.pk])).content.decode()
    assert 'value="13800009999"' in body and 'value="剪辑"' in body


def test_brand_and_volunteer_filters_and_bad_cursors(client, aw):
    aw.brand(name="早品牌", started_on=dt.date(2019, 1, 1))
    aw.brand(name="新品牌", started_on=dt.date(2024, 1, 1))
    aw.volunteer(name="甲志愿者")
    login(client, aw.ya1_admin)
    url = reverse("activities:brand_projects", args=[aw.campaign.pk])
    body = client.get(url, {"date_from": "2020-01-01", "date_to": "2030-01-01", "q": "品牌"}).content.decode()
    assert "新品牌" in body and "早品牌" not in body
    assert "早品牌" in client.get(url, {"date_from": "2019-13-45"}).content.decode()  # a bad date is no filter
    assert client.get(url, {"cursor": "!!"}).status_code == 302
    vurl = reverse("activities:volunteers", args=[aw.campaign.pk])
    today = aw.today.isoformat()
    assert "甲志愿者" in client.get(vurl, {"date_from": today, "date_to": today}).content.decode()
    assert "甲志愿者" not in client.get(vurl, {"date_to": "2000-01-01"}).content.decode()
    assert client.get(vurl, {"cursor": "!!"}).status_code == 302
    assert client.get(url, {"unit": 10**12}).context["rows"] == []
