"""Publicity API: publish / withdraw / finalise (the track's staff only), the public results (no
login, no phone), objections (file, queue, one, handle, mine) with the pages' permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from tests.review.builders_publicity import PublicityWorld, evidence
from zhengji.review.domain import publicity as domain
from zhengji.review.models import Objection, ObjectionStatus, Publicity, PublicityStatus

pytestmark = pytest.mark.django_db
API = "/api/review"


@pytest.fixture
def w():
    return PublicityWorld()


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_publish_list_withdraw_finalise(client, w):
    client.force_login(w.host_staff)
    r = post(client, f"{API}/tracks/{w.track.pk}/publicities")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sha256"] == w.snapshot.sha256 and body["state"] == "open"
    assert body["objections"] == {"open": 0, "upheld": 0, "dismissed": 0, "total": 0}
    assert post(client, f"{API}/tracks/{w.track.pk}/publicities").json()["code"] == "already_published"
    r = post(client, f"{API}/tracks/{w.track.pk}/publicities/finalise")
    assert r.status_code == 409 and r.json()["code"] == "period_not_over"
    assert client.get(f"{API}/tracks/{w.track.pk}/publicities").json()[0]["id"] == body["id"]
    assert post(client, f"{API}/publicities/{body['id']}/withdraw", {"reason": ""}).status_code == 422
    r = post(client, f"{API}/publicities/{body['id']}/withdraw", {"reason": "名单有误"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    pub = w.publicity(starts=timezone.now() - dt.timedelta(days=9), ends=timezone.now() - dt.timedelta(seconds=1))
    r = post(client, f"{API}/tracks/{w.track.pk}/publicities/finalise")
    assert r.status_code == 200 and r.json()["status"] == "finalised"
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.FINALISED


@pytest.mark.parametrize("who", ["moderator", "other_staff", "objector", "judge"])
def test_staff_endpoints_refused(client, w, who):
    user = w.judge(None).user if who == "judge" else getattr(w, who)
    pub = w.publicity()
    client.force_login(user)
    assert client.get(f"{API}/tracks/{w.track.pk}/publicities").status_code == 403
    assert post(client, f"{API}/tracks/{w.track.pk}/publicities").status_code == 403
    assert post(client, f"{API}/publicities/{pub.pk}/withdraw", {"reason": "x"}).status_code == 403
    assert post(client, f"{API}/tracks/{w.track.pk}/publicities/finalise").status_code == 403
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.OPEN


def test_staff_endpoints_anonymous_and_methods(client, w):
    assert client.get(f"{API}/tracks/{w.track.pk}/publicities").status_code == 401
    assert post(client, f"{API}/tracks/{w.track.pk}/publicities").status_code == 401
    client.force_login(w.host_staff)
    assert client.delete(f"{API}/tracks/{w.track.pk}/publicities").status_code == 405
    assert client.get(f"{API}/tracks/99999/publicities").status_code == 404


def test_public_results_need_no_login_and_show_no_phone(client, w, django_assert_max_num_queries):
    pub = w.publicity()
    with django_assert_max_num_queries(4):
        r = client.get(f"{API}/public/publicities")
    assert r.status_code == 200 and [p["id"] for p in r.json()] == [pub.pk]
    r = client.get(f"{API}/public/publicities/{pub.pk}")
    body = r.json()
    assert r.status_code == 200 and body["sha256"] == w.snapshot.sha256 and body["takes_objections"]
    assert [ln["tier"] for ln in body["lines"]] == ["一等奖", "二等奖", "二等奖"]
    assert body["lines"][0]["unit"] == w.awarded[0].unit.name
    for e in w.awarded:
        assert e.submitter.phone not in r.content.decode()
    assert client.get(f"{API}/public/publicities/99999").status_code == 404


def test_file_objection_and_refusals(client, w):
    pub = w.publicity()
    url = f"{API}/publicities/{pub.pk}/objections"
    data = {"entry": w.awarded[0].pk, "name": "张三", "unit_name": "某公司", "reason": "抄袭"}
    assert post(client, url, data).status_code == 401
    client.force_login(w.unverified)
    r = post(client, url, data)
    assert r.status_code == 403 and r.json()["code"] == "phone_unverified"
    client.force_login(w.objector)
    assert post(client, url, {**data, "entry": w.others[0].pk}).json()["code"] == "not_on_list"
    assert post(client, url, {**data, "on_behalf_of_unit": True}).json()["code"] == "sealed_letter_required"
    assert post(client, url, {**data, "evidence": "x"}).status_code == 422
    assert post(client, url, [1]).status_code == 422
    m = evidence(w.objector)
    r = post(client, url, {**data, "evidence": [m.pk]})
    assert r.status_code == 201 and r.json()["status"] == "open"
    for _ in range(domain.OBJECTIONS_PER_DAY - 1):
        assert post(client, url, data).status_code == 201
    r = post(client, url, data)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    Publicity.objects.filter(pk=pub.pk).update(ends=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(f.user())
    r = post(client, url, data)
    assert r.status_code == 409 and r.json()["code"] == "not_open"
    r = client.get(f"{API}/objections/mine")
    assert r.status_code == 200 and r.json() == []
    client.force_login(w.objector)
    mine = client.get(f"{API}/objections/mine").json()
    assert len(mine) == domain.OBJECTIONS_PER_DAY and "phone" not in mine[0]


def test_queue_detail_and_handle(client, w, django_assert_max_num_queries):
    pub = w.publicity()
    objs = [domain.file_objection(f.user(), pub, w.awarded[i % 3], name=f"人{i}", unit_name="单位", reason="理由",
                                  evidence_media_ids=[])
            for i in range(6)]
    client.force_login(w.moderator)
    with django_assert_max_num_queries(10):
        r = client.get(f"{API}/objections")
    body = r.json()
    assert r.status_code == 200 and body["count"] == 6 and body["items"][0]["can_handle"]
    one = client.get(f"{API}/objections/{objs[0].pk}").json()
    assert one["reason"] == "理由" and one["phone"] == objs[0].phone
    r = post(client, f"{API}/objections/{objs[0].pk}/handle", {"action": "dismiss", "reply": ""})
    assert r.status_code == 400 and r.json()["code"] == "reply_required"
    r = post(client, f"{API}/objections/{objs[0].pk}/handle", {"action": "dismiss", "reply": "不属实"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    r = post(client, f"{API}/objections/{objs[1].pk}/handle", {"action": "uphold"})
    assert r.status_code == 200 and r.json()["status"] == "upheld"
    assert post(client, f"{API}/objections/{objs[1].pk}/handle", {"action": "dismiss",
                                                                  "reply": "x"}).status_code == 409
    assert post(client, f"{API}/objections/{objs[2].pk}/handle", {"action": "delete"}).status_code == 422
    assert client.get(f"{API}/objections", {"state": "handled"}).json()["count"] == 2
    assert client.get(f"{API}/objections", {"state": "bogus"}).status_code == 422


def test_queue_who_may_not(client, w):
    pub = w.publicity()
    obj = domain.file_objection(w.objector, pub, w.awarded[0], name="张三", unit_name="单位", reason="理由")
    assert client.get(f"{API}/objections").status_code == 401
    # The track's staff read but may not handle.
    client.force_login(w.host_staff)
    assert client.get(f"{API}/objections/{obj.pk}").json()["can_handle"] is False
    r = post(client, f"{API}/objections/{obj.pk}/handle", {"action": "dismiss", "reply": "x"})
    assert r.status_code == 403
    for user in (w.other_staff, w.objector, w.judge(None).user):
        client.force_login(user)
        assert client.get(f"{API}/objections").status_code in (200, 403)
        if client.get(f"{API}/objections").status_code == 200:
            assert client.get(f"{API}/objections").json()["count"] == 0
        assert client.get(f"{API}/objections/{obj.pk}").status_code == 404
        assert post(client, f"{API}/objections/{obj.pk}/handle", {"action": "dismiss",
                                                                  "reply": "x"}).status_code == 404
    assert Objection.objects.get(pk=obj.pk).status == ObjectionStatus.OPEN
