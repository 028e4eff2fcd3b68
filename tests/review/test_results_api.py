"""The results API for the track's staff, and for everyone who may not use it."""

from __future__ import annotations

import json

import pytest

from tests.review.builders_results import Scored, other_track_staff, tiers
from zhengji.review.domain import results as domain
from zhengji.review.models import ResultLine, Round, RoundEntry, RoundKind

pytestmark = pytest.mark.django_db

API = "/api/review/results"


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body if body is not None else {}), content_type="application/json")


def endpoints(s: Scored):
    t, r, e = s.w.track.pk, s.rnd.pk, s.entries[0].pk
    gets = [f"{API}/rounds/{r}/progress", f"{API}/rounds/{r}/scores", f"{API}/tracks/{t}/ranking",
            f"{API}/tracks/{t}/snapshots", f"{API}/tracks/{t}/entries/{e}/trace"]
    posts = [(f"{API}/rounds/{r}/reminders", {}), (f"{API}/rounds/{r}/advance", {"entries": [e]}),
             (f"{API}/tracks/{t}/decisions", {"decisions": [{"entry": e, "tier": None}]}),
             (f"{API}/tracks/{t}/freeze", {}), (f"{API}/tracks/{t}/reopen", {"reason": "x"})]
    return gets, posts


def test_api_by_audience(client):
    s = Scored()
    w = s.w
    gets, posts = endpoints(s)
    for url in gets:
        assert client.get(url).status_code == 401, url
    for url, body in posts:
        assert post_json(client, url, body).status_code == 401, url
    for who in (s.judges[0].user, other_track_staff(w), w.ya1_admin, w.moderator):
        client.force_login(who)
        for url in gets:
            assert client.get(url).status_code == 404, (who, url)
        for url, body in posts:
            assert post_json(client, url, body).status_code == 404, (who, url)
    assert not ResultLine.objects.exists() and domain.current_snapshot(w.track) is None
    client.force_login(w.host_staff)
    for url in gets:
        assert client.get(url).status_code == 200, url
    assert client.delete(gets[0]).status_code == 405
    assert client.get(posts[3][0]).status_code == 405
    assert client.get(f"{API}/tracks/99999/ranking").status_code == 404


def test_scores_and_ranking(client):
    s = Scored()
    w = s.w
    e0, e1, e2, e3 = s.entries
    first, second = tiers(w.track, 1, 1)
    client.force_login(w.campaign_admin)
    body = client.get(f"{API}/rounds/{s.rnd.pk}/scores?size=2").json()
    assert (body["count"], body["pages"], body["page"]) == (4, 2, 1)
    # Ranking order: e1 85, e0 84.6667.
    assert [i["entry"] for i in body["items"]] == [e1.pk, e0.pk]
    assert [j["total"] for j in body["items"][0]["judges"]] == [85, 80, 90]
    assert body["items"][1]["final"] == pytest.approx(254 / 3)
    assert [c["name"] for c in body["criteria"]] == ["思想性", "艺术性"]
    assert client.get(f"{API}/rounds/{s.rnd.pk}/scores?size=0").status_code == 422
    rk = client.get(f"{API}/tracks/{w.track.pk}/ranking").json()
    assert rk["cutoffs"] == [{"tier": first.pk, "last_place": 1}, {"tier": second.pk, "last_place": 2}]
    assert [(i["entry"], i["rank"], i["suggested_tier"]) for i in rk["items"]] == [
        (e1.pk, 1, first.pk), (e0.pk, 2, second.pk), (e3.pk, 3, None), (e2.pk, 4, None)]
    assert rk["frozen"] is False


def test_decide_advance_freeze_reopen_snapshots_trace(client):
    s = Scored()
    w = s.w
    e0, e1, *_ = s.entries
    first, _second = tiers(w.track, 1, 1)
    final = Round.objects.create(track=w.track, position=3, kind=RoundKind.FINAL, name="终审",
                                 opens=s.rnd.opens, closes=s.rnd.closes)
    client.force_login(w.host_staff)
    t = w.track.pk
    r = post_json(client, f"{API}/tracks/{t}/decisions",
                  {"decisions": [{"entry": e1.pk, "tier": first.pk, "note": "一等"}, {"entry": e0.pk}]})
    assert r.status_code == 200
    assert r.json()[0] == {"entry": e1.pk, "rank": 1, "score": 85.0, "tier": first.pk, "note": "一等"}
    # Bad input: a clear 4xx, never a 500.
    assert post_json(client, f"{API}/tracks/{t}/decisions", {"decisions": []}).status_code == 422
    assert post_json(client, f"{API}/tracks/{t}/decisions", [1]).status_code == 422
    bad = post_json(client, f"{API}/tracks/{t}/decisions", {"decisions": [{"entry": 999999}]})
    assert bad.status_code == 400 and bad.json()["code"] == "not_in_track"
    r = post_json(client, f"{API}/rounds/{s.rnd.pk}/advance", {"entries": [e0.pk]})
    assert r.json() == {"round": final.pk, "added": [e0.pk]}
    assert RoundEntry.objects.filter(round=final, entry=e0).exists()
    # Freeze.
    r = post_json(client, f"{API}/tracks/{t}/freeze")
    assert r.status_code == 201
    snap = r.json()
    assert snap["version"] == 1 and len(snap["sha256"]) == 64 and snap["current"]
    assert post_json(client, f"{API}/tracks/{t}/freeze").json()["code"] == "already_frozen"
    refused = post_json(client, f"{API}/tracks/{t}/decisions", {"decisions": [{"entry": e0.pk}]})
    assert refused.status_code == 409 and refused.json()["code"] == "frozen"
    assert post_json(client, f"{API}/rounds/{s.rnd.pk}/advance", {"entries": [e1.pk]}).status_code == 409
    assert client.get(f"{API}/tracks/{t}/ranking").json()["frozen"] is True
    detail = client.get(f"{API}/tracks/{t}/snapshots/1").json()
    assert detail["verified"] and detail["data"]["decisions"][0]["note"] == "一等"
    assert client.get(f"{API}/tracks/{t}/snapshots/7").status_code == 404
    # Reopen: a reason is required; then visible in the list.
    r = post_json(client, f"{API}/tracks/{t}/reopen", {"reason": "  "})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    assert post_json(client, f"{API}/tracks/{t}/reopen", {}).status_code == 422
    r = post_json(client, f"{API}/tracks/{t}/reopen", {"reason": "异议成立"})
    assert r.status_code == 200 and r.json()["reopen_reason"] == "异议成立"
    listed = client.get(f"{API}/tracks/{t}/snapshots").json()
    assert listed[0]["reopened_by"] == str(w.host_staff) and listed[0]["reopen_reason"] == "异议成立"
    assert listed[0]["current"] is False
    assert post_json(client, f"{API}/tracks/{t}/reopen", {"reason": "x"}).json()["code"] == "not_frozen"
    assert post_json(client, f"{API}/tracks/{t}/decisions", {"decisions": [{"entry": e0.pk}]}).status_code == 200
    # Trace.
    tr = client.get(f"{API}/tracks/{t}/entries/{e1.pk}/trace").json()
    (rnd,) = tr["rounds"]
    assert [sc["total"] for sc in rnd["scores"]] == [85, 80, 90]
    assert rnd["aggregate"]["mean"] == pytest.approx(85) and rnd["rank"] == 1
    assert tr["decision"]["tier"] == first.pk and tr["decided_by"] == str(w.host_staff)
    assert {"review.decide", "review.freeze", "review.reopen"} <= {ev["action"] for ev in tr["events"]}
    # Progress and reminders.
    prog = client.get(f"{API}/rounds/{s.rnd.pk}/progress").json()
    assert {p["submitted"] for p in prog} == {4}
    r = post_json(client, f"{API}/rounds/{s.rnd.pk}/reminders", {})
    assert r.status_code == 400 and r.json()["code"] == "nothing_to_remind"
