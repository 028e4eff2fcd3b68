"""The judge's pages and API: who may (the assigned judge) and who may not (another judge, host
staff who is no judge here, the anonymous, a wrong method), the queue's progress, filter and
pagination with a query count that does not grow with the queue, saving and submitting from the
page (and its autosave), the conflict button, the clean-copy download."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.review import builders_judge as bj
from tests.review.builders import ReviewWorld
from zhengji.common.models import AuditLog
from zhengji.entries.files import files_of
from zhengji.entries.models import EntryStatus
from zhengji.review.domain.scoring import save_score
from zhengji.review.models import Assignment, AssignmentStatus, Conflict, RoundStatus, Score, ScoreStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def wp():
    w = ReviewWorld()
    w.entries = w.reported(3, status=EntryStatus.ELIGIBLE)
    w.seat, w.other_seat = w.judge(None), w.judge(None)
    w.round = w.scoring_round()
    w.c1, w.c2 = list(w.round.criteria.all())
    w.asg = bj.assign(w, w.round, w.entries, w.seat.user)
    w.other_asg = bj.assign(w, w.round, w.entries[:1], w.other_seat.user)
    return w


def put_json(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def urls(w, a=None):
    a = a or w.asg[0]
    media = a.entry.file_links.first().media_id
    return {"queue": reverse("review:judge_queue"), "entry": reverse("review:judge_entry", args=[a.pk]),
            "conflict": reverse("review:judge_conflict", args=[a.pk]),
            "file": reverse("review:judge_file", args=[a.pk, media or 1]),
            "api_queue": "/api/review/judge/queue", "api_entry": f"/api/review/judge/assignments/{a.pk}",
            "api_score": f"/api/review/judge/assignments/{a.pk}/score",
            "api_conflict": f"/api/review/judge/assignments/{a.pk}/conflict"}


def media_id(entry) -> int:
    return files_of(entry).first().pk


def test_anonymous_is_sent_to_log_in_and_gets_401_from_the_api(client, wp):
    u = urls(wp)
    for name in ("queue", "entry", "file"):
        r = client.get(u[name])
        assert r.status_code == 302 and "/accounts/login" in r["Location"], name
    assert client.post(u["conflict"]).status_code == 302
    assert client.get(u["api_queue"]).status_code == 401
    assert client.get(u["api_entry"]).status_code == 401
    assert put_json(client, u["api_score"], {"values": {}}).status_code == 401


def test_another_judge_and_host_staff_get_404_for_an_assignment_not_theirs(client, wp):
    u = urls(wp)
    file_url = reverse("review:judge_file", args=[wp.asg[0].pk, media_id(wp.entries[0])])
    for user in (wp.other_seat.user, wp.host_staff, wp.campaign_admin, wp.ya1_admin):
        client.force_login(user)
        assert client.get(u["entry"]).status_code == 404
        assert client.post(u["entry"], {"action": "save", f"c_{wp.c1.pk}": "1"}).status_code == 404
        assert client.post(u["conflict"], {"reason": "x"}).status_code == 404
        assert client.get(file_url).status_code == 404
        assert client.get(u["api_entry"]).status_code == 404
        assert put_json(client, u["api_score"], {"values": {str(wp.c1.pk): 1}}).status_code == 404
        assert post_json(client, u["api_conflict"], {"reason": "x"}).status_code == 404
        assert client.get(f"/api/review/judge/assignments/{wp.asg[0].pk}/files/1").status_code == 404
    assert not Score.objects.exists() and not Conflict.objects.exists()
    # Host staff is no judge here: an empty queue.
    client.force_login(wp.host_staff)
    r = client.get(u["queue"])
    assert r.status_code == 200 and "queue-empty" in r.content.decode()
    assert client.get(u["api_queue"]).json()["items"] == []


def test_wrong_methods(client, wp):
    u = urls(wp)
    client.force_login(wp.seat.user)
    assert client.post(u["queue"]).status_code == 405
    assert client.get(u["conflict"]).status_code == 405
    assert client.put(u["entry"]).status_code == 405
    assert client.post(reverse("review:judge_file", args=[wp.asg[0].pk, media_id(wp.entries[0])])).status_code == 405
    assert client.post(u["api_entry"]).status_code == 405
    assert client.get(u["api_score"]).status_code == 405


def test_the_queue_shows_progress_deadline_and_filters(client, wp):
    judge = wp.seat.user
    save_score(judge, wp.asg[0], {wp.c1.pk: 1, wp.c2.pk: 2}, submit=True)
    save_score(judge, wp.asg[1], {wp.c1.pk: 1})
    client.force_login(judge)
    html = client.get(reverse("review:judge_queue")).content.decode()
    assert "已评 1 件，共 3 件" in html and wp.round.name in html
    assert timezone.localtime(wp.round.closes).strftime("%Y-%m-%d %H:%M") in html
    for e in wp.entries:
        assert e.title in html
    todo = client.get(reverse("review:judge_queue") + "?state=todo").content.decode()
    assert wp.entries[0].title not in todo and wp.entries[1].title in todo and wp.entries[2].title in todo
    done = client.get(reverse("review:judge_queue") + "?state=done").content.decode()
    assert wp.entries[0].title in done and wp.entries[1].title not in done
    body = client.get("/api/review/judge/queue?state=todo").json()
    assert [i["assignment_id"] for i in body["items"]] == [wp.asg[1].pk, wp.asg[2].pk]
    assert body["rounds"][0]["assigned"] == 3 and body["rounds"][0]["submitted"] == 1
    assert body["rounds"][0]["drafts"] == 1
    assert client.get("/api/review/judge/queue?state=bogus").status_code == 422
    # A closed round leaves the queue.
    wp.round.status = RoundStatus.CLOSED
    wp.round.save()
    assert "queue-empty" in client.get(reverse("review:judge_queue")).content.decode()


def test_queue_queries_do_not_grow_with_the_queue(client, wp, django_assert_max_num_queries):
    client.force_login(wp.seat.user)
    url = reverse("review:judge_queue")
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    more = wp.reported(30, status=EntryStatus.ELIGIBLE)
    bj.assign(wp, wp.round, more, wp.seat.user)
    with django_assert_max_num_queries(len(small.captured_queries)) :
        r = client.get(url)
    assert r.status_code == 200 and r.content.decode().count("judge-queue-link") == 25  # one page
    assert "1 / 2" in r.content.decode(), r.content.decode()[-3000:]
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url + "?page=2&state=todo").status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/review/judge/queue").status_code == 200


def test_the_entry_page_saves_a_draft_then_submits_and_moves_to_the_next(client, wp):
    judge = wp.seat.user
    client.force_login(judge)
    u = urls(wp)
    html = client.get(u["entry"]).content.decode()
    assert wp.entries[0].title in html and "思想性" in html and 'max="40"' in html and "review/judge.js" in html
    assert "<dd class=\"col-sm-8 text-break\">甲</dd>" in html  # a choice shown by its label
    assert "第 1 件，共 3 件" in html and reverse("review:judge_entry", args=[wp.asg[1].pk]) in html
    r = client.post(u["entry"], {"action": "save", f"c_{wp.c1.pk}": "30.5", "comment": "好"})
    assert r.status_code == 302 and r["Location"] == u["entry"]
    s = Score.objects.get(assignment=wp.asg[0])
    assert s.status == ScoreStatus.DRAFT and s.values == {str(wp.c1.pk): 30.5}
    assert 'value="30.5"' in client.get(u["entry"]).content.decode()
    # Submitting without every criterion: the page again, the message, the values kept.
    r = client.post(u["entry"], {"action": "submit", f"c_{wp.c1.pk}": "31"})
    assert r.status_code == 422 and "艺术性" in r.content.decode() and 'value="31"' in r.content.decode()
    # Out of bounds.
    r = client.post(u["entry"], {"action": "submit", f"c_{wp.c1.pk}": "31", f"c_{wp.c2.pk}": "61"})
    assert r.status_code == 422 and "0 到 60" in r.content.decode()
    r = client.post(u["entry"], {"action": "submit", f"c_{wp.c1.pk}": "31", f"c_{wp.c2.pk}": "50", "comment": "好"})
    assert r.status_code == 302 and r["Location"] == reverse("review:judge_entry", args=[wp.asg[1].pk])
    s.refresh_from_db()
    assert s.status == ScoreStatus.SUBMITTED and str(s.total) == "81.0000"


def test_autosave_answers_json(client, wp):
    client.force_login(wp.seat.user)
    url = urls(wp)["entry"]
    r = client.post(url, {"action": "save", f"c_{wp.c1.pk}": "12"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r.json()["ok"] and r.json()["status"] == "draft"
    r = client.post(url, {"action": "save", f"c_{wp.c1.pk}": "x"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 422 and f"values.{wp.c1.pk}" in r.json()["errors"]


def test_after_the_round_closes_the_page_is_gone_and_the_api_refuses(client, wp):
    client.force_login(wp.seat.user)
    wp.round.closes = timezone.now() - dt.timedelta(seconds=1)
    wp.round.opens = timezone.now() - dt.timedelta(days=3)
    wp.round.save()
    u = urls(wp)
    assert client.get(u["entry"]).status_code == 404
    assert put_json(client, u["api_score"], {"values": {str(wp.c1.pk): 1}}).status_code == 404


def test_the_api_saves_and_submits_with_clear_errors(client, wp):
    client.force_login(wp.seat.user)
    u = urls(wp)
    body = client.get(u["api_entry"]).json()
    assert body["entry"]["title"] == wp.entries[0].title and body["score"] is None
    assert [c["name"] for c in body["criteria"]] == ["思想性", "艺术性"] and body["next"] == wp.asg[1].pk
    assert set(body["entry"]) == {"id", "number", "title", "summary", "track", "entrant_type", "data", "files"}
    r = put_json(client, u["api_score"], {"values": {str(wp.c1.pk): 41}})
    assert r.status_code == 422 and r.json()["code"] == "invalid_score"
    assert "0 到 40" in r.json()["errors"][f"values.{wp.c1.pk}"][0]
    r = put_json(client, u["api_score"], {"values": {str(wp.c1.pk): 40}, "submit": True})
    assert r.status_code == 422 and r.json()["code"] == "incomplete_score"
    r = put_json(client, u["api_score"], {"values": {str(wp.c1.pk): "40", str(wp.c2.pk): 0.5}, "submit": True,
                                          "comment": "不错"})
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["total"] == "40.5000"
    assert put_json(client, u["api_score"], {"values": "x"}).status_code == 422
    assert put_json(client, u["api_score"], [1, 2]).status_code == 422
    assert client.get(u["api_entry"]).json()["score"]["values"] == {str(wp.c1.pk): 40.0, str(wp.c2.pk): 0.5}


def test_declaring_a_conflict_from_the_page_and_the_api(client, wp):
    client.force_login(wp.seat.user)
    u = urls(wp)
    r = client.post(u["conflict"], {"reason": ""})
    assert r.status_code == 302 and r["Location"] == u["entry"]
    assert Assignment.objects.get(pk=wp.asg[0].pk).status == AssignmentStatus.ACTIVE
    r = client.post(u["conflict"], {"reason": "作者是我的同事"})
    assert r.status_code == 302 and r["Location"] == u["queue"]
    assert Assignment.objects.get(pk=wp.asg[0].pk).status == AssignmentStatus.REMOVED
    assert client.get(u["entry"]).status_code == 404
    u2 = urls(wp, wp.asg[1])
    assert post_json(client, u2["api_conflict"], {"reason": ""}).status_code == 422
    r = post_json(client, u2["api_conflict"], {"reason": "亲属"})
    assert r.status_code == 200 and r.json() == {"assignment_id": wp.asg[1].pk, "entry_id": wp.entries[1].pk,
                                                 "status": "removed"}
    assert Conflict.objects.filter(judge=wp.seat.user).count() == 2


def test_the_download_is_a_clean_copy_under_a_neutral_name_and_is_audited(client, wp):
    client.force_login(wp.seat.user)
    m = media_id(wp.entries[0])
    url = reverse("review:judge_file", args=[wp.asg[0].pk, m])
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r["Content-Disposition"] == f'attachment; filename="{wp.entries[0].number}-photos-1.png"'
    data = b"".join(r.streaming_content)
    assert data.startswith(b"\x89PNG")
    assert AuditLog.objects.filter(action="review.blind_download").count() == 1
    r = client.get(f"/api/review/judge/assignments/{wp.asg[0].pk}/files/{m}", HTTP_RANGE="bytes=4-")
    assert r.status_code == 206
    assert AuditLog.objects.filter(action="review.blind_download").count() == 1  # a later range is not counted
    # Another entry's file through this assignment: 404.
    assert client.get(reverse("review:judge_file", args=[wp.asg[0].pk, media_id(wp.entries[1])])).status_code == 404
    page = client.get(urls(wp)["entry"]).content.decode()
    assert url in page and "下载（已去除元数据）" in page
