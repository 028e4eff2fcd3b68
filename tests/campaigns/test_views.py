"""The campaign-admin pages: who may open each one, and what each does with good and bad input."""

import datetime as dt
import json

import pytest

from tests import factories as f
from tests.campaigns.conftest import FILE_FIELD
from zhengji.accounts.models import RoleAssignment
from zhengji.campaigns import services
from zhengji.campaigns.models import Announcement, Campaign, LevelRule, Track
from zhengji.campaigns.policy import policy_for
from zhengji.campaigns.roles import CampaignRole

pytestmark = pytest.mark.django_db
M = "/manage/camp-a"

# (url, who may open it besides campaign A's admin and superusers)
GET_PAGES = [
    (f"{M}/", {"host1"}),
    (f"{M}/edit/", set()),
    (f"{M}/tracks/new/", set()),
    (f"{M}/tracks/songs/", {"host1"}),
    (f"{M}/tracks/videos/", set()),
    (f"{M}/tracks/songs/form/", {"host1"}),
    (f"{M}/tracks/songs/form/json/", {"host1"}),
    (f"{M}/tracks/videos/form/", set()),
    (f"{M}/tracks/songs/levels/", set()),
    (f"{M}/levels/", set()),
    (f"{M}/announcements/", set()),
    (f"{M}/announcements/new/", set()),
    (f"{M}/people/", set()),
    (f"{M}/orgs/?q=AH", {"host1"}),
]
POST_ONLY = [f"{M}/publish/", f"{M}/tracks/songs/move/", f"{M}/announcements/1/action/", f"{M}/people/1/revoke/"]

def deadline_for(track, kind):
    """The level's own deadline in the track (None without a rule), as the policy answers it."""
    rule = policy_for(track.campaign).level_rule(track, kind)
    return rule.deadline if rule else None


def quota_for(track, kind):
    return policy_for(track.campaign).quota(track, kind)



@pytest.mark.parametrize(("url", "also"), GET_PAGES)
def test_page_access(world, client, url, also):
    r = client.get(url)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    for who in ("admin_a", "superuser"):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == 200, who
    for who in ("admin_b", "worker", "yian_admin", "host1"):
        client.force_login(getattr(world, who))
        expected = 200 if who in also else 403
        assert client.get(url).status_code == expected, who


@pytest.mark.parametrize("url", POST_ONLY)
def test_post_only_endpoints(world, client, url):
    assert client.get(url).status_code == 302  # anonymous: login first
    client.force_login(world.admin_a)
    assert client.get(url).status_code == 405
    client.force_login(world.admin_b)
    assert client.post(url, {"action": "publish", "direction": "up"}).status_code == 403
    client.force_login(world.worker)
    assert client.post(url, {"action": "publish", "direction": "up"}).status_code == 403


def test_campaign_list_scoped(world, client):
    client.force_login(world.admin_a)
    body = client.get("/manage/").content.decode()
    assert "camp-a" in body and "camp-b" not in body and "/manage/new/" not in body
    client.force_login(world.host1)
    assert "camp-a" in client.get("/manage/").content.decode()
    client.force_login(world.superuser)
    body = client.get("/manage/").content.decode()
    assert "camp-a" in body and "camp-b" in body
    client.force_login(world.worker)
    assert client.get("/manage/").status_code == 403
    client.force_login(world.yian_admin)  # may create, so sees the (empty) list
    r = client.get("/manage/")
    assert r.status_code == 200 and "/manage/new/" in r.content.decode()
    assert client.get("/manage/new/").status_code == 200
    client.force_login(world.admin_a)
    assert client.get("/manage/new/").status_code == 403


def campaign_post(**over):
    data = dict(name="新活动", name_en="New", year="2026", slug="new-c", summary="", summary_en="",
                launch_date="2026-05-01", collect_start="2026-06-01", collect_end="2026-09-01",
                review_start="2026-10-01", review_end="2026-11-01", publicity_start="2026-12-01",
                publicity_end="2026-12-10", conclude_date="2026-12-31")
    data.update(over)
    return data


def test_create_campaign_page(world, client):
    client.force_login(world.yian_admin)
    r = client.post("/manage/new/", campaign_post(org=world.tree["jiao"].pk))
    assert r.status_code == 200 and not Campaign.objects.filter(slug="new-c").exists()
    r = client.post("/manage/new/", campaign_post(org=world.tree["ya1"].pk, review_start="2026-01-01"))
    assert r.status_code == 200 and "新活动" in r.content.decode()  # typed values kept
    assert "invalid-feedback" in r.content.decode()
    r = client.post("/manage/new/", campaign_post(org=world.tree["ya1"].pk))
    assert r.status_code == 302
    c = Campaign.objects.get(slug="new-c")
    assert RoleAssignment.objects.in_scope(c).filter(user=world.yian_admin, role=CampaignRole.CAMPAIGN_ADMIN).exists()


def test_edit_campaign_page(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/edit/", campaign_post(slug="camp-b", name="打字的名字"))
    body = r.content.decode()
    assert r.status_code == 200 and "打字的名字" in body
    r = client.post(f"{M}/edit/", campaign_post(slug="camp-a", collect_end="2026-05-01"))
    assert r.status_code == 200
    r = client.post(f"{M}/edit/", campaign_post(slug="camp-a"))
    assert r.status_code == 302
    assert Campaign.objects.get(slug="camp-a").name == "新活动"


def test_publish_unpublish(world, client):
    client.force_login(world.admin_a)
    client.post(f"{M}/publish/", {"action": "unpublish"})
    assert not Campaign.objects.get(slug="camp-a").is_published
    client.post(f"{M}/publish/", {"action": "publish"})
    assert Campaign.objects.get(slug="camp-a").is_published
    client.force_login(world.host1)
    assert client.post(f"{M}/publish/", {"action": "unpublish"}).status_code == 403


def track_post(**over):
    data = dict(number="", slug="essays", name="征文", name_en="Essays", host_unit="AH-TL-YA 义安区总工会",
                work_kind="text", entrant_types=["individual", "unit"], is_open="on", description="",
                description_en="", rules="<p>规则</p><script>alert(1)</script>", rules_en="")
    data.update(over)
    return data


def test_create_track_page(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/tracks/new/", track_post(host_unit="没有这个单位"))
    assert r.status_code == 200 and "没有这个单位" in r.content.decode()
    r = client.post(f"{M}/tracks/new/", track_post(slug="songs"))
    assert r.status_code == 200 and not Track.objects.filter(campaign=world.a, name="征文").exists()
    r = client.post(f"{M}/tracks/new/", track_post())
    assert r.status_code == 302 and r["Location"].endswith("/tracks/essays/form/")
    t = Track.objects.get(campaign=world.a, slug="essays")
    assert t.rules == "<p>规则</p>" and t.number == 3 and t.entrant_types == ["individual", "unit"]
    assert t.host_unit == world.tree["yian"]


def test_host_staff_edits_content_only(world, client):
    client.force_login(world.host1)
    body = client.get(f"{M}/tracks/songs/").content.decode()
    assert 'name="rules"' in body and 'name="name"' not in body
    r = client.post(f"{M}/tracks/songs/", {"description": "新说明", "description_en": "", "rules": "<p>x</p>",
                                           "rules_en": "", "name": "偷改"})
    assert r.status_code == 302
    world.t1.refresh_from_db()
    assert world.t1.description == "新说明" and world.t1.name == "歌曲"


def test_org_search_is_limited_to_campaign_tree(world, client):
    f.org("外省某工会", code="ZJ-X")
    client.force_login(world.admin_a)
    body = client.get(f"{M}/orgs/", {"q": "工会"}).content.decode()
    assert "义安区总工会" in body and "外省" not in body and "data-org-option" in body


def builder_post(rows, action="save"):
    data = {"count": str(len(rows)), "action": action}
    for i, r in enumerate(rows):
        for k, v in r.items():
            data[f"f-{i}-{k}"] = v
    return data


def test_builder_add_reorder_remove_without_saving(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/tracks/songs/form/", builder_post([{"key": "title", "type": "text", "label": "标题"}], "add"))
    body = r.content.decode()
    assert 'name="f-1-key"' in body and 'value="标题"' in body
    world.t1.refresh_from_db()
    assert world.t1.form_schema == []
    rows = [{"key": "a", "type": "text", "label": "甲"}, {"key": "b", "type": "text", "label": "乙"}]
    body = client.post(f"{M}/tracks/songs/form/", builder_post(rows, "down-0")).content.decode()
    assert body.index('value="乙"') < body.index('value="甲"')
    body = client.post(f"{M}/tracks/songs/form/", builder_post(rows, "remove-0")).content.decode()
    assert 'value="甲"' not in body and 'value="乙"' in body


def test_builder_error_keeps_typed_values(world, client):
    client.force_login(world.admin_a)
    rows = [{"key": "video", "type": "file", "label": "作品视频", "file_extensions": "mp4", "file_max_size_mb": "12x",
             "file_min_count": "3", "file_max_count": "2"}]
    r = client.post(f"{M}/tracks/songs/form/", builder_post(rows))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'value="12x"' in body and 'value="作品视频"' in body and "alert-danger" in body
    world.t1.refresh_from_db()
    assert world.t1.form_schema == []


def test_builder_saves_all_kinds_of_limits(world, client):
    client.force_login(world.host1)
    rows = [
        {"key": "title", "type": "text", "label": "标题", "label_en": "Title", "required": "on", "max_length": "40"},
        {"key": "intro", "type": "longtext", "label": "简介", "min_words": "10", "max_words": "300"},
        {"key": "age", "type": "number", "label": "年龄", "min_value": "16", "max_value": "70"},
        {"key": "genre", "type": "choice", "label": "类别", "choices": "folk|民谣|Folk\nrock|摇滚"},
        {"key": "video", "type": "file", "label": "作品", "file_kinds": "video", "file_extensions": ".MP4, mov",
         "file_max_size_mb": "2048", "file_min_duration_s": "30", "file_max_duration_s": "600",
         "file_min_width": "1280", "file_min_height": "720", "file_max_count": "1"},
        {"key": "photos", "type": "file", "label": "照片", "file_kinds": "image", "file_min_megapixels": "2.5",
         "file_min_count": "1", "file_max_count": "9"},
    ]
    r = client.post(f"{M}/tracks/songs/form/", builder_post(rows))
    assert r.status_code == 302
    world.t1.refresh_from_db()
    s = {fd["key"]: fd for fd in world.t1.form_schema}
    assert s["title"] == {"key": "title", "type": "text", "label": "标题", "label_en": "Title", "required": True,
                          "max_length": 40}
    assert s["intro"]["max_words"] == 300 and s["age"]["min_value"] == 16
    assert s["genre"]["choices"] == [{"value": "folk", "label": "民谣", "label_en": "Folk"},
                                     {"value": "rock", "label": "摇滚"}]
    assert s["video"]["file"] == {"kinds": ["video"], "extensions": ["mp4", "mov"], "max_size_mb": 2048,
                                  "min_duration_s": 30, "max_duration_s": 600, "min_width": 1280,
                                  "min_height": 720}
    assert s["photos"]["file"]["min_megapixels"] == 2.5 and s["photos"]["file"]["max_count"] == 9
    # The saved form shows again in the builder.
    body = client.get(f"{M}/tracks/songs/form/").content.decode()
    assert 'value="mp4, mov"' in body and 'name="f-3-c-0-label" value="民谣"' in body
    assert 'name="f-3-c-0-label_en" value="Folk"' in body and 'name="f-3-c-0-value" value="folk"' in body


def test_json_tab(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/tracks/songs/form/json/", {"schema": '[{"key": "x",'})
    assert r.status_code == 200 and "[{&quot;key&quot;: &quot;x&quot;," in r.content.decode()
    r = client.post(f"{M}/tracks/songs/form/json/", {"schema": json.dumps([{"key": "x", "type": "choice",
                                                                            "label": "x"}])})
    assert r.status_code == 200 and "alert-danger" in r.content.decode()
    r = client.post(f"{M}/tracks/songs/form/json/", {"schema": json.dumps([FILE_FIELD])})
    assert r.status_code == 302
    world.t1.refresh_from_db()
    assert world.t1.form_schema[0]["file"]["max_size_mb"] == 2048
    assert "&quot;video&quot;" in client.get(f"{M}/tracks/songs/form/json/").content.decode()


def test_level_rules_pages(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/levels/", {"deadline_county": "2025-09-05T18:00", "quota_county": "5",
                                     "quota_grassroots": "3"})
    assert r.status_code == 200 and "deadline_grassroots" in r.content.decode()
    assert not LevelRule.objects.exists()
    r = client.post(f"{M}/levels/", {"deadline_county": "2025-09-05T18:00", "quota_county": "5",
                                     "deadline_grassroots": "2025-08-30T17:00"})
    assert r.status_code == 302
    assert quota_for(world.t1, "county") == 5
    assert deadline_for(world.t1, "county").astimezone(services.SHANGHAI).hour == 18
    r = client.post(f"{M}/tracks/videos/levels/", {"deadline_county": "2025-09-01T12:00", "quota_county": "2"})
    assert r.status_code == 302
    assert quota_for(world.t2, "county") == 2 and quota_for(world.t1, "county") == 5
    body = client.get(f"{M}/tracks/videos/levels/").content.decode()
    assert "2025-09-05 18:00" in body  # the campaign rule is shown beside the override


def test_announcement_pages(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/announcements/new/", {"title": "", "body": "正文", "mode": "draft"})
    assert r.status_code == 200 and "正文" in r.content.decode()
    r = client.post(f"{M}/announcements/new/", {"title": "定时", "body": "x", "mode": "schedule"})
    assert r.status_code == 200  # the time is missing
    r = client.post(f"{M}/announcements/new/", {"title": "定时", "body": "x", "mode": "schedule",
                                                "publish_at": "2001-01-01T10:00"})
    assert r.status_code == 200 and not Announcement.objects.exists()
    later = (dt.datetime.now(services.SHANGHAI) + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"{M}/announcements/new/", {"title": "定时", "body": "<p>x</p><script>1</script>",
                                                "mode": "schedule", "publish_at": later})
    assert r.status_code == 302
    a = Announcement.objects.get()
    assert a.body == "<p>x</p>" and a.publish_at and not a.is_visible
    client.post(f"{M}/announcements/{a.pk}/action/", {"action": "publish"})
    a.refresh_from_db()
    assert a.is_visible
    client.post(f"{M}/announcements/{a.pk}/action/", {"action": "pin"})
    client.post(f"{M}/announcements/{a.pk}/action/", {"action": "unpublish"})
    a.refresh_from_db()
    assert a.pinned and a.publish_at is None
    r = client.post(f"{M}/announcements/{a.pk}/", {"title": "改", "body": "y", "pinned": "on", "mode": "now"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.title == "改" and a.is_visible
    client.post(f"{M}/announcements/{a.pk}/action/", {"action": "delete"})
    assert not Announcement.objects.exists()
    other = services.create_announcement(world.admin_b, world.b, title="B")
    assert client.get(f"{M}/announcements/{other.pk}/").status_code == 404


def test_people_page(world, client):
    client.force_login(world.admin_a)
    body = client.get(f"{M}/people/").content.decode()
    assert "139****0001" in body and "139****0003" in body and "活动管理员甲" in body
    assert "13900000001" not in body and "13900000003" not in body  # not even inside a username
    r = client.post(f"{M}/people/", {"phone": "13812340000", "role": "moderator"})
    assert r.status_code == 200 and "13812340000" in r.content.decode()
    r = client.post(f"{M}/people/", {"phone": "13900000004", "role": "judge"})
    assert r.status_code == 200  # track missing
    r = client.post(f"{M}/people/", {"phone": "13900000004", "role": "judge", "track": world.t2.pk})
    assert r.status_code == 302
    ra = RoleAssignment.objects.in_scope(world.t2).get(user=world.worker, role=CampaignRole.JUDGE)
    r = client.post(f"{M}/people/", {"phone": "13900000004", "role": "judge", "track": world.tb.pk})
    assert r.status_code == 200  # not a track of this campaign
    client.post(f"{M}/people/{ra.pk}/revoke/")
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    own = RoleAssignment.objects.in_scope(world.a).get(user=world.admin_a)
    r = client.post(f"{M}/people/{own.pk}/revoke/", follow=True)
    assert RoleAssignment.objects.filter(pk=own.pk).exists() and "alert-danger" in r.content.decode()


def test_track_list_query_count(world, client, django_assert_max_num_queries):
    client.force_login(world.admin_a)
    client.get(f"{M}/")
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"{M}/").status_code == 200
    for n in range(3, 15):
        f.track(world.a, world.tree["jiao"], n, slug=f"x{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{M}/").status_code == 200


def test_announcement_list_query_count(world, client, django_assert_max_num_queries):
    client.force_login(world.admin_a)
    services.create_announcement(world.admin_a, world.a, title="一")
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"{M}/announcements/").status_code == 200
    for n in range(12):
        services.create_announcement(world.admin_a, world.a, title=f"第{n}", publish_at=dt.datetime.now(
            services.SHANGHAI))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{M}/announcements/").status_code == 200


def test_editing_a_published_announcement_keeps_its_date(world, client):
    a = services.create_announcement(world.admin_a, world.a, title="旧", publish_at=dt.datetime.now(services.SHANGHAI))
    when = a.publish_at
    client.force_login(world.admin_a)
    r = client.get(f"{M}/announcements/{a.pk}/")
    form = r.context["form"]
    data = {k: form[k].value() for k in ("title", "title_en", "body", "body_en", "mode")}
    data["publish_at"] = form["publish_at"].value().strftime("%Y-%m-%dT%H:%M")
    data["title"] = "新"
    assert client.post(f"{M}/announcements/{a.pk}/", data).status_code == 302
    a.refresh_from_db()
    assert a.title == "新" and a.publish_at == when


@pytest.mark.parametrize(("method", "url"), [
    ("post", "/manage/"), ("post", f"{M}/"), ("post", f"{M}/announcements/"), ("post", f"{M}/orgs/"),
    ("put", f"{M}/edit/"), ("delete", f"{M}/tracks/songs/"), ("put", f"{M}/tracks/songs/form/"),
    ("patch", f"{M}/levels/"), ("delete", f"{M}/people/"), ("put", "/manage/new/"),
])
def test_wrong_method(world, client, method, url):
    client.force_login(world.admin_a)
    assert getattr(client, method)(url).status_code == 405


def test_actions_report_domain_errors_instead_of_failing(world, client):
    client.force_login(world.admin_a)
    a = services.create_announcement(world.admin_a, world.a, title="x")
    r = client.post(f"{M}/announcements/{a.pk}/action/", {"action": "explode"}, follow=True)
    assert r.status_code == 200 and "alert-danger" in r.content.decode()


def test_anonymous_list_and_create_go_to_login(world, client):
    for url in ("/manage/", "/manage/new/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.post("/manage/new/", campaign_post(org=world.tree["city"].pk))
    assert r.status_code == 302 and not Campaign.objects.filter(slug="new-c").exists()


def test_banner_upload_on_settings_page(world, client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client.force_login(world.admin_a)
    bad = SimpleUploadedFile("b.png", b"<script>not an image</script>", content_type="image/png")
    r = client.post(f"{M}/edit/", campaign_post(slug="camp-a", name="保留的名字", banner=bad))
    assert r.status_code == 200 and "保留的名字" in r.content.decode() and "invalid-feedback" in r.content.decode()
    buf = io.BytesIO()
    Image.new("RGB", (960, 240), "navy").save(buf, "JPEG")
    good = SimpleUploadedFile("b.jpg", buf.getvalue(), content_type="image/jpeg")
    assert client.post(f"{M}/edit/", campaign_post(slug="camp-a", banner=good)).status_code == 302
    c = Campaign.objects.get(pk=world.a.pk)
    assert c.banner and c.banner.name.endswith(".jpg")
    assert client.post(f"{M}/edit/", campaign_post(slug="camp-a", clear_banner="on")).status_code == 302
    assert not Campaign.objects.get(pk=world.a.pk).banner


def test_pages_render_in_english(world, client):
    client.force_login(world.admin_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(f"{M}/").content.decode()
    assert "Songs" in body and "New track" in body
    body = client.get(f"{M}/tracks/songs/form/").content.decode()
    assert "Add a field" in body


def test_nothing_of_campaign_b_for_campaign_a_people(world, client):
    for who in ("admin_a", "host1"):
        client.force_login(getattr(world, who))
        for url in ("/manage/camp-b/", "/manage/camp-b/edit/", "/manage/camp-b/tracks/songs/",
                    "/manage/camp-b/tracks/songs/form/", "/manage/camp-b/people/", "/manage/camp-b/announcements/"):
            assert client.get(url).status_code == 403, (who, url)
        assert client.post("/manage/camp-b/publish/", {"action": "unpublish"}).status_code == 403
    assert Campaign.objects.get(pk=world.b.pk).is_published
