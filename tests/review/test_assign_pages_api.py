"""The assign area's pages and API: who may (host staff, campaign admin) and who may NOT
(anonymous, a judge, another track's host staff, a unit admin), wrong methods, the walk from
preview to apply, manual add/remove, replacing a judge, conflicts, bad input answered clearly,
and query counts that do not grow with the number of entries."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.review.builders_assign import AssignWorld, active, submit_score
from zhengji.common.models import AuditLog
from zhengji.review.domain import assignment as assign
from zhengji.review.domain import conflicts as conflicts_domain
from zhengji.review.models import Assignment, AssignmentStatus, Conflict

pytestmark = pytest.mark.django_db
API = "/api/review"


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body if body is not None else {}), content_type="application/json")


@pytest.fixture
def w():
    return AssignWorld()


@pytest.fixture
def setup(w):
    seats = [w.judge("ya2"), w.judge("jq1"), w.city_judge(0), w.city_judge(1), w.city_judge(2), w.judge(None)]
    r, entries = w.round_with(6)
    return seats, r, entries


def test_pages_by_audience(client, w, setup):
    seats, r, entries = setup
    c = conflicts_domain.set_conflict(w.host_staff, w.track, seats[-1].user, entries[0], "亲属")
    pages = [reverse("review:assign", args=[r.pk]), reverse("review:conflicts", args=[w.track.pk])]
    for url in pages:
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login" in resp["Location"]
        assert client.post(url, {"action": "apply"}).status_code == 302
    for who in (seats[0].user, w.other_host_staff, w.ya1_admin, w.worker):
        client.force_login(who)
        for url in pages:
            assert client.get(url).status_code == 403, (who, url)
            assert client.post(url, {"action": "remove", "conflict": c.pk}).status_code == 403
    assert Conflict.objects.count() == 1
    for who in (w.host_staff, w.campaign_admin):
        client.force_login(who)
        for url in pages:
            resp = client.get(url)
            assert resp.status_code == 200
            assert client.put(url).status_code == 405
    assert client.get(reverse("review:assign", args=[999999])).status_code == 404
    assert client.get(reverse("review:conflicts", args=[999999])).status_code == 404


def test_assign_page_walk(client, w, setup):
    seats, r, entries = setup
    url = reverse("review:assign", args=[r.pk])
    client.force_login(w.host_staff)
    resp = client.get(url)
    body = resp.content.decode()
    plan = resp.context["plan"]
    assert plan.feasible and 'id="as-apply"' in body and plan.hash in body
    assert resp.context["stats"]["create"] == 18
    assert entries[0].number in body
    # A stale hash: refused with a message, nothing written.
    resp = client.post(url, {"action": "apply", "hash": "x" * 64}, follow=True)
    assert "changed since this preview" in resp.content.decode() or "预览" in resp.content.decode()
    assert not Assignment.objects.exists()
    resp = client.post(url, {"action": "apply", "hash": plan.hash}, follow=True)
    assert resp.status_code == 200 and active(r).count() == 18
    assert 'id="as-applied"' in resp.content.decode()
    # Manual add refused for a conflict, with the reason shown.
    resp = client.post(url, {"action": "add", "entry": entries[1].number, "judge": seats[0].user_id}, follow=True)
    assert "conflict of interest" in resp.content.decode() or "利益冲突" in resp.content.decode()
    resp = client.post(url, {"action": "add", "entry": "nope", "judge": seats[0].user_id}, follow=True)
    assert resp.status_code == 200 and active(r).count() == 18
    # Remove one assignment with a reason, then replace a judge.
    a = active(r).filter(judge=seats[2].user).first()
    client.post(url, {"action": "remove", "assignment": a.pk, "reason": "误分配"})
    a.refresh_from_db()
    assert a.status == AssignmentStatus.REMOVED
    submit_score(active(r).filter(judge=seats[3].user).first())
    resp = client.post(url, {"action": "replace", "judge": seats[3].user_id, "reason": "出差"}, follow=True)
    assert resp.status_code == 200
    assert active(r).filter(judge=seats[3].user).count() == 1
    assert AuditLog.objects.filter(action="review.judge_replace").count() == 1
    resp = client.post(url, {"action": "bogus"}, follow=True)
    assert resp.status_code == 200


def test_assign_page_shows_uncovered_entries(client, w):
    w.judge("ya2"), w.judge(None), w.city_judge(0)
    r, entries = w.round_with(4, k=3)
    client.force_login(w.host_staff)
    resp = client.get(reverse("review:assign", args=[r.pk]))
    body = resp.content.decode()
    assert resp.status_code == 200 and 'id="as-uncovered"' in body and 'id="as-apply"' not in body
    assert entries[1].number in body


def test_conflicts_page_walk(client, w, setup):
    seats, r, entries = setup
    url = reverse("review:conflicts", args=[w.track.pk])
    client.force_login(w.host_staff)
    assign.add(w.host_staff, r, entries[0], seats[-1].user)
    resp = client.post(url, {"action": "add", "judge": seats[-1].user_id, "entry": entries[0].number,
                             "reason": "同事关系"}, follow=True)
    assert resp.status_code == 200 and "同事关系" in resp.content.decode()
    assert not active(r).exists()
    resp = client.post(url, {"action": "add", "judge": seats[-1].user_id, "entry": entries[1].number, "reason": ""},
                       follow=True)
    assert Conflict.objects.count() == 1
    c = Conflict.objects.get()
    client.post(url, {"action": "remove", "conflict": c.pk})
    assert not Conflict.objects.exists()
    resp = client.post(url, {"action": "remove", "conflict": "abc"}, follow=True)
    assert resp.status_code == 200


def test_list_pages_query_counts_flat(client, w, django_assert_max_num_queries):
    seats = [w.judge(None), w.city_judge(0), w.city_judge(1), w.city_judge(2)]
    client.force_login(w.host_staff)
    counts = []
    for n in (4, 24):
        r, entries = w.round_with(n, k=2, position=10 + n)
        assign.apply(w.host_staff, r, assign.preview(w.host_staff, r).hash)
        for e in entries[:n // 2]:
            Conflict.objects.create(track=w.track, judge=seats[0].user, entry=e, source="staff", reason="x")
        row = []
        for url in (reverse("review:assign", args=[r.pk]), reverse("review:conflicts", args=[w.track.pk]),
                    f"{API}/rounds/{r.pk}/assignments?limit=500", f"{API}/tracks/{w.track.pk}/conflicts",
                    f"{API}/rounds/{r.pk}/assignment/preview"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            row.append(len(ctx))
        counts.append(row)
    print("query counts (assign page, conflicts page, API list, API conflicts, API preview):", counts)
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(60):
        client.get(reverse("review:assign", args=[r.pk]))
    with django_assert_max_num_queries(15):
        client.get(reverse("review:conflicts", args=[w.track.pk]))


def test_api_walk(client, w, setup):
    seats, r, entries = setup
    client.force_login(w.host_staff)
    resp = client.get(f"{API}/rounds/{r.pk}/assignment/preview?limit=5")
    data = resp.json()
    assert resp.status_code == 200 and data["feasible"] and data["stats"]["create"] == 18
    assert data["pairs_total"] == 18 and len(data["pairs"]) == 5 and data["pages"] == 4
    assert {x["load"] for x in data["loads"]} <= {2, 3, 4}
    resp = post_json(client, f"{API}/rounds/{r.pk}/assignment/apply", {"hash": "0" * 64})
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    resp = post_json(client, f"{API}/rounds/{r.pk}/assignment/apply", {"hash": data["hash"]})
    assert resp.status_code == 200 and resp.json()["created"] == 18
    resp = client.get(f"{API}/rounds/{r.pk}/assignments?limit=10&page=2")
    body = resp.json()
    assert resp.status_code == 200 and body["count"] == 18 and len(body["items"]) == 8 and body["pages"] == 2
    # Manual add: conflict refused (409), another entry fine (201).
    resp = post_json(client, f"{API}/rounds/{r.pk}/assignments", {"entry": entries[1].pk, "judge": seats[0].user_id})
    assert resp.status_code == 409 and resp.json()["code"] == "conflict"
    free = next(e for e in entries if not active(r).filter(entry=e, judge=seats[-1].user).exists())
    resp = post_json(client, f"{API}/rounds/{r.pk}/assignments", {"entry": free.pk, "judge": seats[-1].user_id})
    assert resp.status_code == 201 and resp.json()["manual"]
    aid = resp.json()["id"]
    resp = post_json(client, f"{API}/assignments/{aid}/remove", {"reason": ""})
    assert resp.status_code == 422
    resp = post_json(client, f"{API}/assignments/{aid}/remove", {"reason": "多余"})
    assert resp.status_code == 200 and resp.json()["status"] == "removed"
    # Replace a judge: their submitted score is kept.
    a = active(r).filter(judge=seats[2].user).first()
    submit_score(a)
    resp = post_json(client, f"{API}/rounds/{r.pk}/replace-judge", {"judge": seats[2].user_id, "reason": "生病"})
    assert resp.status_code == 200 and resp.json()["kept_scored"] == 1
    assert active(r).filter(judge=seats[2].user).count() == 1
    resp = client.get(f"{API}/rounds/{r.pk}/assignments?judge={seats[2].user_id}")
    assert [x["scored"] for x in resp.json()["items"]] == [True]
    # Conflicts.
    resp = post_json(client, f"{API}/tracks/{w.track.pk}/conflicts",
                     {"judge": seats[-1].user_id, "entry": entries[2].pk, "reason": "师生"})
    assert resp.status_code == 201 and resp.json()["source"] == "staff"
    cid = resp.json()["id"]
    resp = client.get(f"{API}/tracks/{w.track.pk}/conflicts")
    assert resp.json()["count"] == 1 and resp.json()["items"][0]["reason"] == "师生"
    assert client.delete(f"{API}/conflicts/{cid}").status_code == 204
    assert client.delete(f"{API}/conflicts/{cid}").status_code == 404
    # Bad input: a clear error, never a 500.
    for url, body in ((f"{API}/rounds/{r.pk}/assignments", {"entry": "x"}),
                      (f"{API}/rounds/{r.pk}/assignments", [1, 2]),
                      (f"{API}/rounds/{r.pk}/assignments", {"entry": 999999, "judge": seats[0].user_id}),
                      (f"{API}/rounds/{r.pk}/assignments", {"entry": entries[0].pk, "judge": 999999}),
                      (f"{API}/tracks/{w.track.pk}/conflicts", {"judge": seats[0].user_id, "entry": 1}),
                      (f"{API}/rounds/{r.pk}/replace-judge", {"judge": seats[0].user_id}),
                      (f"{API}/rounds/{r.pk}/assignment/apply", {})):
        resp = post_json(client, url, body)
        assert resp.status_code in (404, 409, 422) and resp.json()["message"], (url, body, resp.content)
    assert client.get(f"{API}/rounds/{r.pk}/assignments?limit=0").status_code == 422
    assert client.get(f"{API}/rounds/999999/assignment/preview").status_code == 404


def test_api_who_may_not(client, w, setup):
    seats, r, entries = setup
    c = conflicts_domain.set_conflict(w.host_staff, w.track, seats[-1].user, entries[0], "亲属")
    a = assign.add(w.host_staff, r, entries[1], seats[-1].user)
    calls = [("get", f"{API}/rounds/{r.pk}/assignment/preview", None),
             ("post", f"{API}/rounds/{r.pk}/assignment/apply", {"hash": "x"}),
             ("get", f"{API}/rounds/{r.pk}/assignments", None),
             ("post", f"{API}/rounds/{r.pk}/assignments", {"entry": entries[2].pk, "judge": seats[-1].user_id}),
             ("post", f"{API}/assignments/{a.pk}/remove", {"reason": "x"}),
             ("post", f"{API}/rounds/{r.pk}/replace-judge", {"judge": seats[-1].user_id, "reason": "x"}),
             ("get", f"{API}/tracks/{w.track.pk}/conflicts", None),
             ("post", f"{API}/tracks/{w.track.pk}/conflicts", {"judge": seats[-1].user_id, "entry": entries[2].pk,
                                                                "reason": "x"}),
             ("delete", f"{API}/conflicts/{c.pk}", None)]

    def call(method, url, body):
        if method == "post":
            return post_json(client, url, body)
        return getattr(client, method)(url)

    for method, url, body in calls:
        assert call(method, url, body).status_code == 401, url
    for who in (seats[0].user, w.other_host_staff, w.ya1_admin):
        client.force_login(who)
        for method, url, body in calls:
            assert call(method, url, body).status_code == 403, (who, url)
    assert active(r).count() == 1 and Conflict.objects.count() == 1
    client.force_login(w.host_staff)
    assert client.put(f"{API}/rounds/{r.pk}/assignments").status_code == 405


def test_empty_round_and_no_judges(client, w):
    r = w.scoring_round()
    client.force_login(w.host_staff)
    resp = client.get(reverse("review:assign", args=[r.pk]))
    assert resp.status_code == 200 and 'id="as-applied"' in resp.content.decode()
    r2, entries = w.round_with(2, position=7)
    resp = client.get(reverse("review:assign", args=[r2.pk]))
    assert resp.status_code == 200 and 'id="as-uncovered"' in resp.content.decode()
    data = client.get(f"{API}/rounds/{r2.pk}/assignment/preview").json()
    assert not data["feasible"] and [u["entry"] for u in data["uncovered"]] == [e.pk for e in entries]
    assert all(u["reason"] == "conflicts" and u["available"] == 0 for u in data["uncovered"])
