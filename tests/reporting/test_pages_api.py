"""Every page and endpoint for the owner, another unit's admin, the anonymous and a wrong method;
the walk through the pages; the summary .xlsx opened and checked."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhengji.campaigns.models import LevelRule
from zhengji.common.models import AuditLog
from zhengji.entries import services as entry_services
from zhengji.entries.models import EntryStatus
from zhengji.reporting import services
from zhengji.reporting.exports import safe
from zhengji.reporting.models import Batch, ChainPosition

pytestmark = pytest.mark.django_db


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def sent(rw):
    """One entry recommended and sent by ya1 to 义安区, one waiting at ya1."""
    e = rw.submitted(title="=HYPERLINK(\"http://x\")")
    waiting = rw.submitted(title="等待中")
    services.set_opinion(rw.ya1_admin, e, rw.tree["ya1"], "+同意推荐")
    services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
    batch = services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track, note="第一批")
    services.send_batch(rw.ya1_admin, batch)
    return e, waiting, batch


def test_pages_by_audience(client, rw, sent):
    e, waiting, batch = sent
    gets = [reverse("reporting:queue"), reverse("reporting:entry", args=[waiting.pk]),
            reverse("reporting:batches"), reverse("reporting:batch", args=[batch.pk]),
            reverse("reporting:batch_summary", args=[batch.pk])]
    posts = [reverse("reporting:decide"), reverse("reporting:move"), reverse("reporting:batch_send", args=[batch.pk]),
             reverse("reporting:batch_stamp", args=[batch.pk])]
    # Anonymous: to the login page, for every page.
    for url in gets + posts:
        r = client.get(url) if url in gets else client.post(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"], url
    # The owner (ya1's admin) sees each page.
    client.force_login(rw.ya1_admin)
    for url in gets:
        assert client.get(url).status_code == 200, url
    # Wrong methods.
    assert client.post(reverse("reporting:queue")).status_code == 405
    assert client.put(reverse("reporting:entry", args=[waiting.pk])).status_code == 405
    for url in posts:
        assert client.get(url).status_code == 405, url
    assert client.post(reverse("reporting:batch_summary", args=[batch.pk])).status_code == 405
    # Another unit's admin: not a single thing of ya1's.
    client.force_login(rw.jq1_admin)
    assert "等待中" not in client.get(reverse("reporting:queue")).content.decode()
    for url in gets[1:2] + gets[3:]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reporting:batch_send", args=[batch.pk])).status_code == 404
    r = client.post(reverse("reporting:decide"), {"action": "recommend", "entry": [waiting.pk]}, follow=True)
    assert "不在您的层级待审" in r.content.decode()
    assert ChainPosition.objects.get(entry=waiting).recommended is False
    # A worker is no admin at all.
    client.force_login(rw.worker)
    assert client.get(reverse("reporting:queue")).status_code == 403
    assert client.get(reverse("reporting:batches")).status_code == 403


def test_api_by_audience(client, rw, sent):
    e, waiting, batch = sent
    gets = ["/api/reporting/queue", "/api/reporting/batches", f"/api/reporting/batches/{batch.pk}",
            f"/api/reporting/batches/{batch.pk}/summary.xlsx"]
    posts = [("/api/reporting/decisions", {"action": "recommend", "entries": [waiting.pk]}),
             (f"/api/reporting/entries/{waiting.pk}/opinion", {"text": "好"}),
             ("/api/reporting/order", {"level": rw.tree["ya1"].pk, "track": rw.track.pk, "entries": []}),
             ("/api/reporting/batches", {"level": rw.tree["ya1"].pk, "track": rw.track.pk}),
             (f"/api/reporting/batches/{batch.pk}/send", {})]
    for url in gets:
        assert client.get(url).status_code == 401, url
    for url, body in posts:
        r = post_json(client, url, body)
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated", url
    client.force_login(rw.worker)
    assert client.get("/api/reporting/queue").status_code == 403
    assert post_json(client, *posts[0]).status_code == 403
    client.force_login(rw.jq1_admin)
    assert client.get("/api/reporting/queue").json()["items"] == []
    assert client.get(gets[2]).status_code == 404 and client.get(gets[3]).status_code == 404
    assert post_json(client, *posts[0]).status_code == 404
    assert post_json(client, *posts[3]).json()["code"] == "forbidden"
    assert post_json(client, *posts[4]).status_code == 404
    client.force_login(rw.ya1_admin)
    assert client.delete("/api/reporting/queue").status_code == 405
    assert client.get("/api/reporting/decisions").status_code == 405
    assert client.get(gets[2]).json()["entries"][0]["id"] == e.pk
    r = post_json(client, *posts[0])
    assert r.status_code == 200 and r.json()["statuses"] == {str(waiting.pk): "recommended"}
    r = post_json(client, "/api/reporting/decisions", {"action": "reject", "entries": [waiting.pk]})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = post_json(client, "/api/reporting/order", {**posts[2][1], "entries": [waiting.pk]})
    assert r.status_code == 200
    r = post_json(client, *posts[3])
    assert r.status_code == 201 and [x["id"] for x in r.json()["entries"]] == [waiting.pk]
    r = post_json(client, f"/api/reporting/batches/{r.json()['id']}/send")
    assert r.status_code == 200 and r.json()["status"] == "sent"
    assert post_json(client, f"/api/reporting/batches/{batch.pk}/send").json()["code"] == "already_sent"
    stamp = SimpleUploadedFile("盖章.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = client.post(f"/api/reporting/batches/{batch.pk}/stamp", {"file": stamp})
    assert r.status_code == 200 and r.json()["has_stamp"] is True
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    assert client.post(f"/api/reporting/batches/{batch.pk}/stamp", {"file": bad}).json()["code"] == "bad_file_type"
    assert client.get(reverse("reporting:batch_stamp_file", args=[batch.pk])).status_code == 200
    # The receiving level (义安区) sees it; the host sees nothing until the top reports.
    client.force_login(rw.yian_admin)
    assert [b["id"] for b in client.get("/api/reporting/batches?direction=received").json()] == \
        sorted([b.pk for b in Batch.objects.all()], reverse=True)
    client.force_login(rw.host_staff)
    assert client.get("/api/reporting/batches?direction=received").json() == []
    assert client.get(gets[2]).status_code == 404


def test_summary_xlsx_contents(client, rw, sent):
    e, _waiting, batch = sent
    client.force_login(rw.yian_admin)  # the receiving level
    r = client.get(reverse("reporting:batch_summary", args=[batch.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "报送汇总表" and batch.number in rows[1][0]
    assert rows[3][:3] == ["序号", "作品编号", "子项目"]
    data = rows[4]
    phone = e.contact_phone
    assert data[0] == 1 and data[1] == e.number and data[2] == "摄影作品"
    assert data[3] == "'=HYPERLINK(\"http://x\")"  # escaped against formula injection
    assert data[5] == rw.tree["ya1"].name and data[6] == f"{phone[:3]}****{phone[-4:]}"
    assert data[8] == "'+同意推荐"
    assert phone not in r.content.decode("latin-1")
    assert ws.cell(5, 4).data_type == "s"
    assert AuditLog.objects.filter(action="batch.export", object_id=str(batch.pk)).exists()
    assert [safe(x) for x in ("-1", "@a", "ok", None)] == ["'-1", "'@a", "ok", ""]


def test_walk_through_the_pages_with_a_return_round(client, rw):
    e = rw.submitted(title="一路向上")
    author = e.submitter

    def act(user, level, action, reason=""):
        client.force_login(user)
        r = client.post(reverse("reporting:decide"), {"action": action, "entry": [e.pk], "reason": reason,
                                                      "level": level.pk}, follow=True)
        assert r.status_code == 200
        return r.content.decode()

    def report(user, level):
        client.force_login(user)
        r = client.post(reverse("reporting:batches"), {"level": level.pk, "track": rw.track.pk})
        assert r.status_code == 302
        b = Batch.objects.get(level=level, status="draft")
        assert client.post(reverse("reporting:batch_send", args=[b.pk])).status_code == 302
        return Batch.objects.get(pk=b.pk)

    client.force_login(rw.ya1_admin)
    r = client.post(reverse("reporting:entry", args=[e.pk]), {"opinion": "推荐"}, follow=True)
    assert "意见已保存" in r.content.decode()
    assert "已推荐 1 件作品" in act(rw.ya1_admin, rw.tree["ya1"], "recommend")
    assert report(rw.ya1_admin, rw.tree["ya1"]).status == "sent"
    assert "已退回 1 件作品修改" in act(rw.yian_admin, rw.tree["yian"], "return", "请补充")
    entry_services.submit(author, e, pledge=True)
    act(rw.yian_admin, rw.tree["yian"], "recommend")
    report(rw.yian_admin, rw.tree["yian"])
    act(rw.city_admin, rw.tree["city"], "recommend")
    top = report(rw.city_admin, rw.tree["city"])
    e.refresh_from_db()
    assert e.status == EntryStatus.REPORTED and top.to_host and top.target == rw.host
    client.force_login(rw.host_staff)
    assert client.get(reverse("reporting:batch", args=[top.pk])).status_code == 200
    assert [b["id"] for b in client.get("/api/reporting/batches?direction=received").json()] == [top.pk]
    # The entrant saw the return reason and now sees the entry reported.
    client.force_login(author)
    assert client.get(f"/api/entries/{e.pk}/status").json()["status"] == "reported"


def test_quota_and_deadline_errors_are_json_in_chinese(client, rw):
    es = rw.many(4)
    client.force_login(rw.ya1_admin)
    r = post_json(client, "/api/reporting/decisions", {"action": "recommend", "entries": [x.pk for x in es]})
    assert r.status_code == 409 and r.json()["code"] == "quota_exceeded" and "配额已满" in r.json()["message"]
    r = post_json(client, "/api/reporting/decisions", {"action": "recommend", "entries": [es[0].pk],
                                                       "level": rw.tree["yian"].pk})
    assert r.status_code == 403  # ya1's admin does not administer 义安区
    client.force_login(rw.yian_admin)
    r = post_json(client, "/api/reporting/decisions", {"action": "recommend", "entries": [es[0].pk],
                                                       "level": rw.tree["yian"].pk})
    assert r.status_code == 409 and r.json()["code"] == "not_at_level"
    deadline = LevelRule.objects.get(campaign=rw.campaign, org_kind="grassroots").deadline
    with time_machine.travel(deadline + dt.timedelta(seconds=1), tick=False):
        client.force_login(rw.ya1_admin)  # a fresh session at that moment
        r = post_json(client, "/api/reporting/decisions", {"action": "recommend", "entries": [es[0].pk]})
        assert r.status_code == 409 and r.json()["code"] == "deadline_passed" and "截止" in r.json()["message"]
        page = client.post(reverse("reporting:decide"), {"action": "recommend", "entry": [es[0].pk]}, follow=True)
        assert timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") in page.content.decode()
