import csv
import datetime as dt
import io
import re
import zoneinfo

import pytest
import time_machine

from tests import factories as f
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.audit import record
from zhengji.common.audit_log import diff
from zhengji.common.models import AuditLog

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def html(r) -> str:
    return r.content.decode()


@pytest.fixture
def world():
    tree = f.tongling_tree()
    c = f.campaign(tree["province"], name="活动甲")
    c2 = f.campaign(tree["province"], name="活动乙")
    actor = f.user(real_name="张管理")
    # Records in 义安区's subtree, in 郊区's, and of each campaign.
    record("org.update", tree["ya1"], actor=actor, before={"name": "旧名"}, after={"name": "义安新名"},
           reason="更名")
    record("org.update", tree["yian"], actor=actor, before={"member_count": 1}, after={"member_count": 2})
    record("org.update", tree["jq1"], actor=actor, before={"name": "旧名"}, after={"name": "郊区新名"})
    record("campaign.publish", c, actor=actor, before={"is_published": False}, after={"is_published": True})
    record("campaign.publish", c2, actor=actor, before={"is_published": False}, after={"is_published": True})
    return tree, c, c2, actor


def test_anonymous_is_sent_to_login(client):
    for url in ("/hub/audit/", "/hub/audit/export.csv"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_workers_and_host_staff_are_refused(client, world):
    tree, c, c2, actor = world
    client.force_login(f.user())
    assert client.get("/hub/audit/").status_code == 403
    assert client.get("/hub/audit/export.csv").status_code == 403
    host = f.user()
    f.grant(host, CampaignRole.HOST_STAFF, track=f.track(c, tree["city"]))
    client.force_login(host)
    assert client.get("/hub/audit/").status_code == 403


def test_unit_admin_sees_only_own_subtree(client, world):
    tree, c, c2, actor = world
    client.force_login(f.unit_admin(tree["yian"]))
    r = client.get("/hub/audit/")
    assert r.status_code == 200
    page = html(r)
    assert "义安新名" in page and "会员数" in page  # the field's name, not the raw key
    assert "郊区新名" not in page
    assert "活动甲" not in page  # campaign records have no 义安区 org path
    assert "张管理" in page and "更名" in page
    assert "<del>旧名</del> → <ins>义安新名</ins>" in page


def test_campaign_admin_sees_own_campaign(client, world):
    tree, c, c2, actor = world
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    client.force_login(admin)
    page = html(client.get("/hub/audit/"))
    assert "活动甲" in page and "活动乙" not in page and "义安新名" not in page


def test_superuser_sees_all(client, world):
    client.force_login(f.user(is_superuser=True))
    page = html(client.get("/hub/audit/"))
    for text in ("义安新名", "郊区新名", "活动甲", "活动乙"):
        assert text in page


def test_times_shown_in_shanghai(client, world):
    tree, c, c2, actor = world
    with time_machine.travel(dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        record("org.update", tree["ya2"], actor=actor, after={"x": 1})
    client.force_login(f.unit_admin(tree["yian"]))
    assert "2025-03-02 07:30:00" in html(client.get("/hub/audit/"))


def test_filters(client, world):
    tree, c, c2, actor = world
    other = f.user(real_name="李四")
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, tzinfo=SH), tick=False):
        record("member.confirm", tree["ya2"], actor=other, after={"status": "confirmed"})
    client.force_login(f.user(is_superuser=True))
    page = html(client.get("/hub/audit/", {"action": "member.confirm"}))
    assert "李四" in page and "义安新名" not in page
    page = html(client.get("/hub/audit/", {"actor": "李四"}))
    assert "member.confirm" in page and "org.update</code>" not in page
    page = html(client.get("/hub/audit/", {"object_type": "campaigns.campaign"}))
    assert "活动甲" in page and "义安新名" not in page
    page = html(client.get("/hub/audit/", {"date_from": "2025-01-10", "date_to": "2025-01-10"}))
    assert "李四" in page and "义安新名" not in page
    page = html(client.get("/hub/audit/", {"date_to": "2025-01-09"}))
    assert "没有符合条件的记录" in page


def test_bad_filters_keep_input_and_do_not_fail(client, world):
    client.force_login(f.user(is_superuser=True))
    r = client.get("/hub/audit/", {"date_from": "2025-13-45", "actor": "某人"})
    assert r.status_code == 200
    assert 'value="2025-13-45"' in html(r) and 'value="某人"' in html(r)
    assert "is-invalid" in html(r)
    r = client.get("/hub/audit/", {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "结束日期早于开始日期" in html(r)
    r = client.get("/hub/audit/export.csv", {"date_from": "nope"})
    assert r.status_code == 302


def test_pagination_and_query_count(client, world, django_assert_max_num_queries):
    tree, c, c2, actor = world
    admin = f.unit_admin(tree["yian"])
    client.force_login(admin)
    with django_assert_max_num_queries(10) as few:
        client.get("/hub/audit/")
    n_few = len(few.captured_queries)
    for i in range(120):
        record("org.update", tree["ya2"], actor=f.user() if i % 10 == 0 else actor, after={"i": i})
    with django_assert_max_num_queries(n_few):
        client.get("/hub/audit/")
    # Keyset pages: follow "older" to the end, then "newer" back; every record once.
    seen: list[str] = []
    params: dict[str, str] = {"kind": "orgs"}
    for _page in range(5):
        page = html(client.get("/hub/audit/", params))
        seen += re.findall(r'datetime="([^"]+)"', page)
        older = re.search(r'rel="next" href="[^"]*before=([0-9.]+)"', page)
        if not older:
            break
        assert "kind=orgs" in page
        params = {"kind": "orgs", "before": older.group(1)}
    assert len(seen) == len(set(seen)) == 122
    newer = re.search(r'rel="prev" href="[^"]*after=([0-9.]+)"', page)
    assert newer is not None
    back = html(client.get("/hub/audit/", {"kind": "orgs", "after": newer.group(1)}))
    assert len(re.findall(r'datetime="([^"]+)"', back)) == 50 and 'rel="next"' in back
    assert client.get("/hub/audit/", {"before": "zzz"}).status_code == 200
    assert client.get("/hub/audit/", {"after": "99999999999999999999.1"}).status_code == 200


def test_csv_export_streams_scoped_rows_and_is_audited(client, world):
    tree, c, c2, actor = world
    admin = f.unit_admin(tree["yian"])
    client.force_login(admin)
    r = client.get("/hub/audit/export.csv")
    assert r.status_code == 200
    assert r.streaming
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "时间"
    body = "\n".join(",".join(row) for row in rows[1:])
    assert "义安新名" in body and "郊区新名" not in body and "活动甲" not in body
    assert len(rows) == 3
    assert AuditLog.objects.filter(action="audit.export", actor=admin).exists()


def test_csv_export_respects_filters(client, world):
    client.force_login(f.user(is_superuser=True))
    r = client.get("/hub/audit/export.csv", {"object_type": "campaigns.campaign"})
    text = b"".join(r.streaming_content).decode("utf-8")
    assert "活动甲" in text and "活动乙" in text and "义安新名" not in text


def test_diff():
    assert [(c.field, c.before, c.after) for c in diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None})] == [
        ("b", "2", "3"), ("c", "—", "—")]
    assert diff(None, None) == []
    assert [(c.before, c.after) for c in diff(None, {"x": [1]})] == [("—", "[1]")]
    assert diff("a", "b")[0].after == "b"


# --- API --------------------------------------------------------------------------------------------

def test_api_requires_auth(client):
    r = client.get("/api/audit")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_api_refuses_workers(client, world):
    client.force_login(f.user())
    r = client.get("/api/audit")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_api_wrong_method(client, world):
    client.force_login(f.user(is_superuser=True))
    assert client.post("/api/audit").status_code == 405


def test_api_scoping_and_filters(client, world):
    tree, c, c2, actor = world
    client.force_login(f.unit_admin(tree["yian"]))
    data = client.get("/api/audit").json()
    assert data["count"] == 2
    texts = [r["after"] for r in data["results"]]
    assert {"name": "义安新名"} in texts and {"name": "郊区新名"} not in texts
    assert data["results"][0]["actor"]["name"] == "张管理"
    data = client.get("/api/audit", {"object_type": "orgs.organization", "actor": "张管理"}).json()
    assert data["count"] == 2
    data = client.get("/api/audit", {"action": "campaign.publish"}).json()
    assert data["count"] == 0
    r = client.get("/api/audit", {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert r.status_code == 422
    r = client.get("/api/audit", {"page_size": 10000})
    assert r.status_code == 422


def test_api_pagination(client, world):
    tree, c, c2, actor = world
    for i in range(7):
        record("org.update", tree["jq2"], actor=actor, after={"i": i})
    client.force_login(f.unit_admin(tree["jiao"]))
    data = client.get("/api/audit", {"page_size": 3, "page": 3}).json()
    assert data["count"] == 8 and data["pages"] == 3 and len(data["results"]) == 2


def test_api_with_bearer_token_is_scoped(client, world):
    from zhengji.accounts.models import ApiToken
    from zhengji.accounts.tokens import hash_key

    tree, c, c2, actor = world
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c2)
    ApiToken.objects.create(user=admin, name="t", prefix="abc", key_hash=hash_key("secret-key"))
    data = client.get("/api/audit", HTTP_AUTHORIZATION="Bearer secret-key").json()
    assert [r["object_repr"] for r in data["results"]] == ["活动乙"]


def test_object_types_shown_by_name(client, world):
    client.force_login(f.user(is_superuser=True))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/hub/audit/"))
    assert '<option value="orgs.organization">organisation</option>' in page
    assert "organisation #" in page


def test_api_kind_filter_and_sentences(client, world):
    client.force_login(f.user(is_superuser=True))
    data = client.get("/api/audit", {"kind": "campaigns"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert data["count"] == 2 and {r["action"] for r in data["results"]} == {"campaign.publish"}
    assert data["results"][0]["summary"].startswith("张… 发布了征集活动 活动")
    assert client.get("/api/audit", {"kind": "orgs"}).json()["count"] == 3
    r = client.get("/api/audit", {"kind": "nope"})
    assert r.status_code == 422 and "kind" in r.content.decode()
