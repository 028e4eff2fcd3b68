"""The setup area's API: every endpoint for host staff, the anonymous (401), those who may not
(403), a wrong method (405); the flows; bad input as a clear error, never a 500; query counts of
the lists."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.review.builders_setup import SetupWorld
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.models import Criterion, PanelMember, Round, RoundStatus

pytestmark = pytest.mark.django_db
S = EntryStatus
API = "/api/review"


@pytest.fixture
def w():
    return SetupWorld()


def send(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body if body is not None else {}),
                                   content_type="application/json")


def endpoints(w, rnd, seat, entry):
    t = w.track.pk
    return [
        ("get", f"{API}/tracks/{t}/setup", None),
        ("put", f"{API}/tracks/{t}/setup", {"normalise": True}),
        ("get", f"{API}/tracks/{t}/rounds", None),
        ("post", f"{API}/tracks/{t}/rounds", {"kind": "final", "name": "终评", "opens": "2030-11-01T09:00",
                                              "closes": "2030-11-02T18:00"}),
        ("get", f"{API}/rounds/{rnd.pk}", None),
        ("patch", f"{API}/rounds/{rnd.pk}", {"name": "初评"}),
        ("get", f"{API}/rounds/{rnd.pk}/criteria", None),
        ("put", f"{API}/rounds/{rnd.pk}/criteria", {"criteria": [{"name": "思想性", "maximum": "40"}]}),
        ("get", f"{API}/tracks/{t}/tiers", None),
        ("put", f"{API}/tracks/{t}/tiers", {"tiers": [{"name": "一等奖", "quota": 1}]}),
        ("get", f"{API}/tracks/{t}/panel", None),
        ("post", f"{API}/tracks/{t}/panel", {"phone": "13612345678", "name": "专家"}),
        ("patch", f"{API}/panel/{seat.pk}", {"cap": 10}),
        ("get", f"{API}/tracks/{t}/vetting", None),
        ("get", f"{API}/tracks/{t}/vetting/{entry.pk}", None),
        ("post", f"{API}/tracks/{t}/vetting", {"entries": [entry.pk], "eligible": True}),
        ("post", f"{API}/tracks/{t}/requalify", {"entry": entry.pk, "reason": "x"}),
        ("post", f"{API}/rounds/{rnd.pk}/open", {}),
        ("post", f"{API}/rounds/{rnd.pk}/close", {}),
        ("delete", f"{API}/panel/{seat.pk}", None),
        ("delete", f"{API}/rounds/{rnd.pk}", None),
    ]


def test_api_by_audience(client, w):
    rnd = w.round(position=1)
    seat = w.judge("jq1")
    entry = w.reported(1)[0]
    eps = endpoints(w, rnd, seat, entry)
    for method, url, body in eps:
        r = send(client, method, url, body) if body is not None else getattr(client, method)(url)
        assert r.status_code == 401, (method, url)
    for label, who in w.outsiders().items():
        client.force_login(who)
        for method, url, body in eps:
            r = send(client, method, url, body) if body is not None else getattr(client, method)(url)
            assert r.status_code == 403 and r.json()["code"] == "forbidden", (label, method, url, r.content)
    assert Entry.objects.get(pk=entry.pk).status == S.REPORTED
    assert Round.objects.filter(pk=rnd.pk, name="第1轮").exists()
    client.force_login(w.host_staff)
    assert client.delete(f"{API}/tracks/{w.track.pk}/setup").status_code == 405
    assert client.get(f"{API}/rounds/{rnd.pk}/open").status_code == 405
    assert client.get(f"{API}/tracks/999999/setup").status_code == 404
    assert client.get(f"{API}/rounds/999999").status_code == 404
    assert client.get(f"{API}/campaigns/{w.campaign.slug}/holidays").status_code == 403
    other = w.reported(1, track=w.other_track)[0]
    assert client.get(f"{API}/tracks/{w.track.pk}/vetting/{other.pk}").status_code == 404


def test_api_flow(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.host_staff)
    t = w.track.pk
    r = send(client, "put", f"{API}/tracks/{t}/setup", {"aggregation": "trimmed", "public_vote_weight": 20})
    assert r.status_code == 200 and r.json()["aggregation"] == "trimmed" and r.json()["public_vote_weight"] == 20
    r = send(client, "put", f"{API}/tracks/{t}/setup", {"public_vote_weight": 60})
    assert r.status_code == 400 and r.json()["code"] == "out_of_range" and r.json()["field"] == "public_vote_weight"
    r = send(client, "put", f"{API}/tracks/{t}/setup", {"aggregation": "max"})
    assert r.status_code == 422
    r = send(client, "put", f"{API}/tracks/{t}/setup", ["x"])
    assert r.status_code == 422
    # Rounds: vetting, scoring with a rubric.
    vet = send(client, "post", f"{API}/tracks/{t}/rounds", {"kind": "vetting", "name": "资格审查",
                                                            "opens": "2020-01-01T09:00", "closes": "2030-01-01T09:00"})
    assert vet.status_code == 201 and vet.json()["position"] == 1
    sc = send(client, "post", f"{API}/tracks/{t}/rounds", {"kind": "scoring", "name": "初评",
                                                           "opens": "2020-01-01T09:00+08:00",
                                                           "closes": "2030-01-01T09:00+08:00", "judges_per_entry": 2})
    assert sc.status_code == 201 and sc.json()["position"] == 2
    sc_id, vet_id = sc.json()["id"], vet.json()["id"]
    r = send(client, "post", f"{API}/tracks/{t}/rounds", {"kind": "vetting", "name": "x", "opens": "2030-01-01T09:00",
                                                          "closes": "2030-01-02T09:00"})
    assert r.status_code == 400 and r.json()["code"] == "duplicate_round"
    r = send(client, "post", f"{API}/tracks/{t}/rounds", {"kind": "scoring", "name": "x", "opens": "tomorrow",
                                                          "closes": "2030-01-02T09:00"})
    assert r.status_code == 422
    r = send(client, "put", f"{API}/rounds/{sc_id}/criteria", {"criteria": [
        {"name": "思想性", "maximum": "40", "weight": "1", "description": "立意"},
        {"name": "艺术性", "maximum": "60", "weight": "1"}]})
    assert r.status_code == 200 and [c["name"] for c in r.json()] == ["思想性", "艺术性"]
    r = send(client, "put", f"{API}/rounds/{sc_id}/criteria", {"criteria": [{"name": "x", "maximum": "NaN"}]})
    assert r.status_code in (400, 422) and r.json()["code"]
    r = send(client, "post", f"{API}/rounds/{sc_id}/open")
    assert r.status_code == 409 and r.json()["code"] == "round_order"
    # Vetting through the API: per-entry results.
    a, b = w.reported(2)
    r = send(client, "post", f"{API}/rounds/{vet_id}/open")
    assert r.status_code == 200 and r.json()["added"] == 2
    r = send(client, "post", f"{API}/tracks/{t}/vetting", {"entries": [a.pk, b.pk, 99999999], "eligible": True})
    body = r.json()
    assert r.status_code == 200 and body["done"] == 2 and body["refused"] == 1
    assert body["results"][2] == {"entry": 99999999, "ok": False, "status": "", "code": "not_found",
                                  "message": body["results"][2]["message"]}
    r = send(client, "post", f"{API}/tracks/{t}/vetting", {"entries": [a.pk], "eligible": True})
    assert r.json()["results"][0]["code"] == "not_vettable"
    r = send(client, "post", f"{API}/tracks/{t}/vetting", {"entries": [a.pk], "eligible": False})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = send(client, "post", f"{API}/tracks/{t}/vetting", {"entries": [b.pk], "eligible": False, "reason": "非原创"})
    assert r.json()["results"][0]["status"] == S.DISQUALIFIED
    r = send(client, "post", f"{API}/tracks/{t}/requalify", {"entry": b.pk, "reason": "复核通过"})
    assert r.status_code == 200 and r.json()["status"] == S.ELIGIBLE
    r = client.get(f"{API}/tracks/{t}/vetting?state=eligible")
    assert r.json()["count"] == 2
    assert client.get(f"{API}/tracks/{t}/vetting?state=nope").status_code == 422
    assert client.get(f"{API}/tracks/{t}/vetting/{a.pk}").json()["number"] == a.number
    # Open in order; the rubric is then still editable until a score is submitted.
    assert send(client, "post", f"{API}/rounds/{vet_id}/close").status_code == 200
    r = send(client, "post", f"{API}/rounds/{sc_id}/open")
    assert r.status_code == 200 and r.json()["total"] == 2 and r.json()["round"]["status"] == "open"
    r = send(client, "patch", f"{API}/rounds/{sc_id}", {"judges_per_entry": 4})
    assert r.status_code == 409 and r.json()["code"] == "round_open"
    r = send(client, "patch", f"{API}/rounds/{sc_id}", {"instructions": "注意"})
    assert r.status_code == 200 and r.json()["instructions"] == "注意"
    # Tiers.
    r = send(client, "put", f"{API}/tracks/{t}/tiers", {"tiers": [{"name": "一等奖", "quota": 1},
                                                                  {"name": "二等奖", "quota": 2}]})
    assert [x["position"] for x in r.json()] == [1, 2]
    assert send(client, "put", f"{API}/tracks/{t}/tiers", {"tiers": [{"name": "x", "quota": 0}]}).status_code == 422
    # Panel.
    with django_capture_on_commit_callbacks(execute=True):
        r = send(client, "post", f"{API}/tracks/{t}/panel", {"phone": "13612345678", "name": "专家",
                                                             "affiliation": "大学", "cap": 20})
    assert r.status_code == 201 and r.json()["new_account"] is True and r.json()["phone"] != "13612345678"
    seat_id = r.json()["id"]
    r = send(client, "post", f"{API}/tracks/{t}/panel", {"phone": "13612345678", "name": "专家"})
    assert r.status_code == 409 and r.json()["code"] == "already_on_panel"
    r = send(client, "post", f"{API}/tracks/{t}/panel", {"phone": "999", "name": "专家"})
    assert r.status_code == 400 and r.json()["code"] == "bad_phone"
    r = send(client, "patch", f"{API}/panel/{seat_id}", {"cap": None, "org": w.tree["jq1"].pk})
    assert r.status_code == 200 and r.json()["cap"] is None and r.json()["org"]["id"] == w.tree["jq1"].pk
    r = client.delete(f"{API}/panel/{seat_id}?reason=调走")
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.delete(f"{API}/panel/{seat_id}").json()["code"] == "not_on_panel"
    assert client.get(f"{API}/tracks/{t}/panel").json()["count"] == 1
    # Close the last scoring round.
    r = send(client, "post", f"{API}/rounds/{sc_id}/close")
    assert r.status_code == 200 and r.json()["scored"] == [] and sorted(r.json()["unscored"]) == sorted([a.pk, b.pk])
    assert client.delete(f"{API}/rounds/{sc_id}").json()["code"] == "round_started"


def test_api_holidays(client, w):
    url = f"{API}/campaigns/{w.campaign.slug}/holidays"
    client.force_login(w.campaign_admin)
    r = send(client, "put", url, {"days": [{"date": "2026-10-01", "name": "国庆节"},
                                           {"date": "2026-10-11", "name": "调休", "workday": True}]})
    assert r.status_code == 200 and [d["date"] for d in r.json()["days"]] == ["2026-10-01", "2026-10-11"]
    r = send(client, "put", url, {"days": [{"date": "2026-10-09", "workday": True}]})
    assert r.status_code == 400 and r.json()["code"] == "bad_workday"
    assert send(client, "put", url, {"days": [{"date": "20261001"}]}).status_code == 422
    assert client.get(url).json()["campaign"] == w.campaign.slug
    assert client.get(f"{API}/campaigns/nope/holidays").status_code == 404
    client.force_login(w.moderator)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 401


def test_api_list_query_counts(client, w, django_assert_max_num_queries):
    client.force_login(w.host_staff)
    r1 = w.scoring_round(position=1, status=RoundStatus.DRAFT)
    Criterion.objects.create(round=r1, name="第三", position=3)
    lists = [f"{API}/tracks/{w.track.pk}/rounds", f"{API}/tracks/{w.track.pk}/panel",
             f"{API}/tracks/{w.track.pk}/vetting"]
    w.reported(3)
    w.judge(None)
    counts = {}
    for url in lists:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    w.reported(25, units=("jq1", "jq2"))
    for _i in range(15):
        w.judge("jq2")
    w.round(position=2)
    for url in lists:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    assert client.get(lists[1]).json()["count"] == 16
    assert PanelMember.objects.filter(track=w.track).count() == 16
