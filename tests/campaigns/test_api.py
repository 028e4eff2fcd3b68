"""The campaigns API: public reads of published campaigns, admin writes, errors as JSON."""

import datetime as dt
import json

import pytest

from tests import factories as f
from tests.campaigns.conftest import FILE_FIELD
from zhengji.campaigns import services
from zhengji.campaigns.models import Announcement, Campaign, LevelRule, Track
from zhengji.campaigns.policy import policy_for

pytestmark = pytest.mark.django_db
A = "/api/campaigns/camp-a"

def deadline_for(track, kind):
    """The level's own deadline in the track (None without a rule), as the policy answers it."""
    rule = policy_for(track.campaign).level_rule(track, kind)
    return rule.deadline if rule else None


def quota_for(track, kind):
    return policy_for(track.campaign).quota(track, kind)



def send(client, method, url, data=None):
    return getattr(client, method)(url, data=json.dumps(data) if data is not None else None,
                                   content_type="application/json")


# --- public reads -----------------------------------------------------------------------------

def test_list_only_published(world, client):
    Campaign.objects.filter(pk=world.b.pk).update(is_published=False)
    r = client.get("/api/campaigns")
    assert r.status_code == 200
    slugs = [c["slug"] for c in r.json()]
    assert slugs == ["camp-a"]
    assert r.json()[0]["name_en"] == "Strive to be a Good Chinese Netizen"


def test_campaign_detail_with_phases_and_tracks(world, client):
    r = client.get(A)
    d = r.json()
    assert r.status_code == 200
    assert [p["key"] for p in d["phases"]] == ["launched", "collecting", "reviewing", "publicity", "concluded"]
    assert d["current_phase"] in {"launched", "collecting", "reviewing", "publicity", "concluded"}
    assert [t["slug"] for t in d["tracks"]] == ["songs", "videos"]
    assert d["tracks"][0]["host_unit"]["name"] == "义安区总工会" and d["tracks"][1]["name_en"] == "Micro videos"


def test_unpublished_campaign_hidden_from_public_but_not_from_its_admin(world, client):
    Campaign.objects.filter(pk=world.a.pk).update(is_published=False)
    for url in (A, f"{A}/tracks", f"{A}/tracks/songs", f"{A}/announcements"):
        assert client.get(url).status_code == 404
        assert client.get(url).json()["code"] == "not_found"
    client.force_login(world.admin_b)
    assert client.get(A).status_code == 404
    client.force_login(world.admin_a)
    assert client.get(A).status_code == 200


def test_track_detail(world, client):
    services.set_track_form(world.admin_a, world.t1, [FILE_FIELD])
    services.update_track(world.admin_a, world.t1, rules="<p>细则</p>", rules_en="<p>Rules</p>")
    services.set_level_rules(world.admin_a, world.a, [{"org_kind": "county", "deadline": dt.datetime(2025, 9, 5, 18),
                                                      "quota": 5}])
    services.set_level_rules(world.admin_a, world.a, [{"org_kind": "grassroots",
                                                      "deadline": dt.datetime(2025, 8, 30, 17), "quota": 1}],
                             track=world.t1)
    d = client.get(f"{A}/tracks/songs").json()
    assert d["rules"] == "<p>细则</p>" and d["rules_en"] == "<p>Rules</p>"
    assert d["form_schema"][0]["key"] == "video"
    assert [(x["org_kind"], x["quota"], x["track_override"]) for x in d["deadlines"]] == [
        ("grassroots", 1, True), ("county", 5, False)]
    assert d["deadlines"][1]["deadline"].startswith("2025-09-05T18:00:00+08:00")
    assert client.get(f"{A}/tracks/nope").status_code == 404
    assert client.get("/api/campaigns/camp-b/tracks/videos").status_code == 404


def test_announcements_visible_only(world, client):
    now = dt.datetime.now(services.SHANGHAI)
    services.create_announcement(world.admin_a, world.a, title="草稿")
    services.create_announcement(world.admin_a, world.a, title="定时", publish_at=now + dt.timedelta(days=1))
    services.create_announcement(world.admin_a, world.a, title="已发", title_en="Out", publish_at=now)
    pinned = services.create_announcement(world.admin_a, world.a, title="置顶", publish_at=now)
    services.set_announcement_pinned(world.admin_a, pinned, True)
    services.create_announcement(world.admin_b, world.b, title="别的", publish_at=now)
    items = client.get(f"{A}/announcements").json()
    assert [a["title"] for a in items] == ["置顶", "已发"]
    assert items[1]["title_en"] == "Out"


def test_public_list_query_counts(world, client, django_assert_max_num_queries):
    now = dt.datetime.now(services.SHANGHAI)
    services.create_announcement(world.admin_a, world.a, title="一", publish_at=now)
    with django_assert_max_num_queries(4):
        assert len(client.get(f"{A}/tracks").json()) == 2
    with django_assert_max_num_queries(4):
        assert len(client.get(f"{A}/announcements").json()) == 1
    for n in range(3, 13):
        f.track(world.a, world.tree["jiao"], n, slug=f"x{n}")
        services.create_announcement(world.admin_a, world.a, title=f"{n}", publish_at=now)
    with django_assert_max_num_queries(4):
        assert len(client.get(f"{A}/tracks").json()) == 12
    with django_assert_max_num_queries(4):
        assert len(client.get(f"{A}/announcements").json()) == 11
    with django_assert_max_num_queries(4):
        assert len(client.get(A).json()["tracks"]) == 12


def test_wrong_methods(world, client):
    client.force_login(world.admin_a)
    assert client.delete(A).status_code == 405
    assert client.post(f"{A}/tracks/songs").status_code == 405
    assert client.get(f"{A}/tracks/songs/form").status_code == 405
    assert client.get(f"{A}/level-rules").status_code == 405


# --- writes: who may ------------------------------------------------------------------------

CAMPAIGN_IN = dict(slug="api-c", name="接口活动", name_en="API", year=2026, launch_date="2026-05-01",
                   collect_start="2026-06-01", collect_end="2026-09-01", review_start="2026-10-01",
                   review_end="2026-11-01", publicity_start="2026-12-01", publicity_end="2026-12-10",
                   conclude_date="2026-12-31")

WRITES = [
    ("patch", A, {"name": "改"}),
    ("post", f"{A}/tracks", {"slug": "new", "name": "新", "host_unit_id": None}),
    ("patch", f"{A}/tracks/videos", {"rules": "<p>x</p>"}),
    ("put", f"{A}/tracks/videos/form", [FILE_FIELD]),
    ("put", f"{A}/level-rules", {"rules": [{"org_kind": "county", "deadline": "2025-09-05T18:00:00"}]}),
    ("put", f"{A}/tracks/songs/level-rules", {"rules": []}),
    ("post", f"{A}/announcements", {"title": "t"}),
]


@pytest.mark.parametrize(("method", "url", "data"), WRITES)
def test_writes_need_login_and_permission(world, client, method, url, data):
    if isinstance(data, dict) and "host_unit_id" in data:
        data = dict(data, host_unit_id=world.tree["yian"].pk)
    r = send(client, method, url, data)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    for who in ("admin_b", "worker", "host1", "yian_admin"):
        client.force_login(getattr(world, who))
        r = send(client, method, url, data)
        assert r.status_code == 403, (who, r.content)
        assert r.json()["code"] == "forbidden"
    client.force_login(world.admin_a)
    assert send(client, method, url, data).status_code in (200, 201)


def test_create_campaign(world, client):
    assert send(client, "post", "/api/campaigns", dict(CAMPAIGN_IN, org_id=world.tree["ya1"].pk)).status_code == 401
    client.force_login(world.jiao_admin)
    r = send(client, "post", "/api/campaigns", dict(CAMPAIGN_IN, org_id=world.tree["ya1"].pk))
    assert r.status_code == 403
    client.force_login(world.yian_admin)
    r = send(client, "post", "/api/campaigns", dict(CAMPAIGN_IN, org_id=world.tree["ya1"].pk,
                                                    review_start="2026-01-01"))
    assert r.status_code == 400 and r.json()["field"] == "review_start"
    r = send(client, "post", "/api/campaigns", dict(CAMPAIGN_IN, org_id=world.tree["ya1"].pk, year="soon"))
    assert r.status_code == 422
    r = send(client, "post", "/api/campaigns", dict(CAMPAIGN_IN, org_id=world.tree["ya1"].pk))
    assert r.status_code == 201 and r.json()["is_published"] is False
    r = send(client, "patch", "/api/campaigns/api-c", {"is_published": True, "summary": "简介"})
    assert r.status_code == 200 and r.json()["is_published"] and r.json()["summary"] == "简介"


def test_patch_campaign_validates(world, client):
    client.force_login(world.admin_a)
    r = send(client, "patch", A, {"collect_end": "2030-01-01"})
    assert r.status_code == 400 and r.json()["field"] == "review_start"
    r = send(client, "patch", A, {"slug": "camp-b"})
    assert r.status_code == 400 and r.json()["field"] == "slug"
    assert Campaign.objects.get(pk=world.a.pk).slug == "camp-a"


def test_tracks_write(world, client):
    client.force_login(world.admin_a)
    r = send(client, "post", f"{A}/tracks", {"slug": "essays", "name": "征文", "host_unit_id": world.tree["jiao"].pk,
                                             "rules": "<p>a</p><script>b</script>", "work_kind": "text",
                                             "entrant_types": ["team"], "form_schema": [FILE_FIELD]})
    assert r.status_code == 201
    d = r.json()
    assert d["number"] == 3 and d["rules"] == "<p>a</p>" and d["form_schema"][0]["key"] == "video"
    r = send(client, "post", f"{A}/tracks", {"slug": "bad", "name": "x", "host_unit_id": world.tree["yian"].pk,
                                             "form_schema": [{"key": "x", "type": "file", "label": "x"}]})
    assert r.status_code == 422 and r.json()["errors"]["fields"]["1"]
    r = send(client, "patch", f"{A}/tracks/essays", {"name_en": "Essays", "number": 1})
    assert r.status_code == 400 and r.json()["field"] == "number"
    r = send(client, "patch", f"{A}/tracks/essays", {"name_en": "Essays", "is_open": False})
    assert r.status_code == 200 and r.json()["name_en"] == "Essays" and r.json()["is_open"] is False
    # Host staff: own track's rules yes, settings no.
    client.force_login(world.host1)
    assert send(client, "patch", f"{A}/tracks/songs", {"rules": "<h2>新</h2>"}).json()["rules"] == "<h2>新</h2>"
    assert send(client, "patch", f"{A}/tracks/songs", {"name": "改"}).status_code == 403
    assert Track.objects.get(pk=world.t1.pk).name == "歌曲"


def test_put_form_422_with_translated_errors(world, client):
    client.force_login(world.host1)
    bad = [{"key": "v", "type": "file", "label": "视频", "file": {"kinds": ["video"], "min_count": 2, "max_count": 1}},
           {"key": "Bad", "type": "text", "label": "x"}]
    r = send(client, "put", f"{A}/tracks/songs/form", bad)
    d = r.json()
    assert r.status_code == 422 and d["code"] == "invalid_form"
    assert set(d["errors"]["fields"]) == {"1", "2"}
    assert "字段" in d["errors"]["fields"]["1"][0]  # Chinese by default
    r = client.put(f"{A}/tracks/songs/form", data=json.dumps(bad), content_type="application/json",
                   HTTP_ACCEPT_LANGUAGE="en")
    assert "Field 1" in r.json()["errors"]["form_schema"][0]
    r = send(client, "put", f"{A}/tracks/songs/form", {"not": "a list"})
    assert r.status_code == 422
    r = send(client, "put", f"{A}/tracks/songs/form", [FILE_FIELD])
    assert r.status_code == 200 and r.json()["form_schema"][0]["file"]["kinds"] == ["video"]


def test_level_rules_write(world, client):
    client.force_login(world.admin_a)
    r = send(client, "put", f"{A}/level-rules", {"rules": [
        {"org_kind": "county", "deadline": "2025-09-05T18:00:00", "quota": 5},
        {"org_kind": "city", "deadline": "2025-09-15T10:00:00Z"}]})
    assert r.status_code == 200
    assert quota_for(world.t1, "county") == 5 and quota_for(world.t1, "city") is None
    assert deadline_for(world.t1, "county").astimezone(services.SHANGHAI).hour == 18
    assert deadline_for(world.t1, "city").astimezone(services.SHANGHAI).hour == 18
    r = send(client, "put", f"{A}/tracks/videos/level-rules", {"rules": [
        {"org_kind": "county", "deadline": "2025-09-01T12:00:00", "quota": 2}]})
    assert r.status_code == 200 and r.json()[0]["track_override"]
    assert quota_for(world.t2, "county") == 2
    r = send(client, "put", f"{A}/level-rules", {"rules": [{"org_kind": "moon", "deadline": "2025-09-01T12:00:00"}]})
    assert r.status_code == 400
    r = send(client, "put", f"{A}/level-rules", {"rules": [{"org_kind": "city", "deadline": "2025-09-01",
                                                           "quota": -1}]})
    assert r.status_code == 422
    assert LevelRule.objects.filter(track__isnull=True).count() == 2


def test_announcements_write(world, client):
    client.force_login(world.admin_a)
    r = send(client, "post", f"{A}/announcements", {"title": "通知", "title_en": "Notice",
                                                    "body": "<p>x</p><img src=x onerror=alert(1)>"})
    assert r.status_code == 201
    d = r.json()
    assert d["publish_at"] is None and "onerror" not in d["body"]
    url = f"{A}/announcements/{d['id']}"
    later = (dt.datetime.now(services.SHANGHAI) + dt.timedelta(days=1)).isoformat()
    r = send(client, "patch", url, {"publish_at": later, "pinned": True})
    assert r.status_code == 200 and r.json()["pinned"] and r.json()["publish_at"]
    assert client.get(f"{A}/announcements").json() == []
    assert send(client, "patch", url, {"published": True}).status_code == 200
    assert len(client.get(f"{A}/announcements").json()) == 1
    assert send(client, "patch", url, {"publish_at": "2001-01-01T00:00:00"}).status_code == 400
    assert send(client, "patch", url, {"published": False}).json()["publish_at"] is None
    client.force_login(world.admin_b)
    assert send(client, "delete", url).status_code == 403
    assert send(client, "delete", f"/api/campaigns/camp-b/announcements/{d['id']}").status_code == 404
    client.force_login(world.admin_a)
    assert send(client, "delete", url).status_code == 204
    assert not Announcement.objects.exists()
    assert send(client, "delete", url).status_code == 404


def test_openapi_lists_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/campaigns", "/api/campaigns/{slug}", "/api/campaigns/{slug}/tracks/{track_slug}/form",
              "/api/campaigns/{slug}/level-rules", "/api/campaigns/{slug}/announcements/{announcement_id}"):
        assert p in paths
