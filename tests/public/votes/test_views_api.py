"""The vote box, the vote page, the staff pages and the API, with who may NOT use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from zhengji.common.models import AuditLog
from zhengji.entries.models import EntryStatus
from zhengji.public import votes_anomaly
from zhengji.public.domain import votes
from zhengji.public.domain.votes import Origin
from zhengji.public.models import AnomalyGroup, Vote, VoteWindow

pytestmark = pytest.mark.django_db


def box(client, e):
    return client.get(f"/w/{e.pk}/vote-box/")


# --- the box and the vote page --------------------------------------------------------------------

def test_box_for_anonymous_has_a_login_link_and_is_not_cached(client, world):
    r = box(client, world.entries[0])
    assert r.status_code == 200
    html = r.content.decode()
    assert "/accounts/login/" in html and f"next=/w/{world.entries[0].pk}/vote/" in html
    assert "登录后投票" in html and "<form" not in html
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]


def test_box_for_a_voter_shows_button_count_and_remaining(client, world):
    client.force_login(world.voter)
    html = box(client, world.entries[0]).content.decode()
    assert 'hx-post="/w/' in html and "今天本子项目剩余票数：3" in html
    assert 'class="fs-3 fw-bold zj-vote-count">0<' in html


def test_box_says_when_nothing_is_left_to_cast_today(client, world):
    VoteWindow.objects.filter(pk=world.track.pk).update(per_entry_daily=2, per_account_daily=3)
    client.force_login(world.voter)
    first, second = world.entries[0], world.entries[1]
    origin = Origin(network="203.0.113.0/24", device="d")
    votes.cast(world.voter, first.pk, origin=origin)
    html = box(client, first).content.decode()
    assert 'hx-post="/w/' in html and "今日已投票" not in html  # a second vote for it is allowed today
    votes.cast(world.voter, first.pk, origin=origin)
    html = box(client, first).content.decode()
    assert "今日已投票" in html and "disabled" in html and "<form" not in html
    assert 'hx-post="/w/' in box(client, second).content.decode()
    votes.cast(world.voter, second.pk, origin=origin)  # the account's third and last vote today
    html = box(client, world.entries[2]).content.decode()
    assert "今日票数已用完" in html and "<form" not in html
    # The answer to a refused vote shows the same disabled button under the message.
    r = client.post(f"/w/{first.pk}/vote/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "今日已投票" in r.content.decode()


def test_box_hidden_without_window_and_count_hidden_when_the_track_hides_it(client, world):
    VoteWindow.objects.filter(pk=world.track.pk).update(show_counts=False)
    client.force_login(world.voter)
    assert "zj-vote-count" not in box(client, world.entries[0]).content.decode()
    VoteWindow.objects.all().delete()
    assert box(client, world.entries[0]).content.decode().strip() == ""


def test_box_and_page_404_for_a_non_public_entry(client, world):
    hidden = world.entry(status=EntryStatus.SUBMITTED)
    assert box(client, hidden).status_code == 404
    assert client.get(f"/w/{hidden.pk}/vote/").status_code == 404
    client.force_login(world.voter)
    assert client.post(f"/w/{hidden.pk}/vote/").status_code == 404


def test_vote_page_and_post(client, world):
    e = world.entries[0]
    assert client.get(f"/w/{e.pk}/vote/").status_code == 200
    r = client.post(f"/w/{e.pk}/vote/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    r = client.post(f"/w/{e.pk}/vote/", HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"].startswith("/accounts/login/")
    client.force_login(world.voter)
    r = client.post(f"/w/{e.pk}/vote/", follow=True)
    assert "谢谢，您的投票已记录" in r.content.decode()
    r = client.post(f"/w/{e.pk}/vote/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "今天已为该作品投过票，明天再来" in r.content.decode()
    assert Vote.objects.count() == 1
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(f"/w/{e.pk}/vote/").status_code == 405
    assert client.post(f"/w/{e.pk}/vote-box/").status_code == 405


def test_unverified_phone_is_told_so(client, world):
    u = f.user()
    u.phone_verified = False
    u.save()
    client.force_login(u)
    assert "请先验证手机号" in box(client, world.entries[0]).content.decode()
    r = client.post(f"/w/{world.entries[0].pk}/vote/", HTTP_HX_REQUEST="true")
    assert "请先验证手机号" in r.content.decode() and not Vote.objects.exists()


def test_box_shows_the_challenge_when_demanded(client, world, settings):
    settings.VOTE_CHALLENGE_AFTER_ACCOUNT = 1
    client.force_login(world.voter)
    client.post(f"/w/{world.entries[0].pk}/vote/", HTTP_HX_REQUEST="true")
    r = client.post(f"/w/{world.entries[1].pk}/vote/", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert 'class="zj-altcha' in html and 'data-challenge="/votes/challenge/"' in html
    assert "请完成下方的验证" in html


# --- the API --------------------------------------------------------------------------------------

def test_api_cast(client, world):
    e = world.entries[0]
    url = f"/api/public/votes/entries/{e.pk}"
    r = client.post(url, {}, content_type="application/json")
    assert r.status_code == 401
    client.force_login(world.voter)
    assert client.get(url).status_code == 405
    r = client.post(url, {}, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"entry_id": e.pk, "held": False, "remaining_today": 2, "count": 1}
    r = client.post(url, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "entry_quota"
    assert r.json()["message"] == "今天已为该作品投过票，明天再来。"
    hidden = world.entry(status=EntryStatus.SUBMITTED)
    assert client.post(f"/api/public/votes/entries/{hidden.pk}").status_code == 404
    assert client.get(f"/api/public/votes/tracks/{world.track.pk}/remaining").json()["remaining_today"] == 2


def test_api_unverified_is_403(client, world):
    u = f.user()
    u.phone_verified = False
    u.save()
    client.force_login(u)
    r = client.post(f"/api/public/votes/entries/{world.entries[0].pk}")
    assert r.status_code == 403 and r.json()["code"] == "phone_unverified"


def test_api_window(client, world):
    url = f"/api/public/votes/tracks/{world.track.pk}/window"
    data = client.get(url).json()
    assert data["is_open"] and data["per_account_daily"] == 3
    now = timezone.now()
    body = {"enabled": True, "opens_at": now.isoformat(), "closes_at": (now + dt.timedelta(days=2)).isoformat(),
            "per_entry_daily": 1, "per_account_daily": 7, "show_counts": False}
    assert client.put(url, body, content_type="application/json").status_code == 401
    client.force_login(f.user())
    assert client.put(url, body, content_type="application/json").status_code == 403
    admin = f.user()
    f.grant(admin, "campaign_admin", campaign=world.campaign)
    client.force_login(admin)
    r = client.put(url, body, content_type="application/json")
    assert r.status_code == 200 and r.json()["per_account_daily"] == 7
    bad = {**body, "closes_at": (now - dt.timedelta(days=1)).isoformat()}
    r = client.put(url, bad, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "closes_at"
    assert AuditLog.objects.filter(action="vote.window").count() == 1


def flagged(world, settings, n: int = 3) -> AnomalyGroup:
    settings.VOTE_ANOMALY_NETWORK_MAX = n
    for _ in range(n):
        votes.cast(f.user(), world.entries[0].pk, origin=Origin(network="203.0.113.0/24"))
    (g,) = votes_anomaly.scan_track(world.track.pk)
    return g


def test_api_anomaly_queue_and_decide(client, world, settings):
    g = flagged(world, settings)
    assert client.get("/api/public/votes/anomalies").status_code == 401
    client.force_login(f.user())
    assert client.get("/api/public/votes/anomalies").status_code == 403
    other_track_staff = f.user()
    f.grant(other_track_staff, "host_staff", track=f.track(world.campaign, world.tree["city"], number=2))
    client.force_login(other_track_staff)
    assert client.get("/api/public/votes/anomalies").json() == []
    r = client.post("/api/public/votes/anomalies/decide", {"group_ids": [g.pk], "action": "release"},
                    content_type="application/json")
    assert r.status_code == 403
    staff = f.user()
    f.grant(staff, "host_staff", track=world.track)
    client.force_login(staff)
    (row,) = client.get("/api/public/votes/anomalies").json()
    assert row["id"] == g.pk and row["held_votes"] == 3 and row["kind"] == "network"
    r = client.post("/api/public/votes/anomalies/decide", {"group_ids": [g.pk], "action": "release"},
                    content_type="application/json")
    assert r.json() == {"decided": 1}
    assert client.get(f"/api/public/votes/tracks/{world.track.pk}/window").status_code == 200


# --- the staff pages ------------------------------------------------------------------------------

def test_window_page(client, world):
    url = f"/votes/tracks/{world.track.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(f.user())
    assert client.get(url).status_code == 403
    staff = f.user()
    f.grant(staff, "host_staff", track=world.track)
    client.force_login(staff)
    assert "每个账号每天在本子项目可投票数" in client.get(url).content.decode()
    r = client.post(url, {"enabled": "on", "opens_at": "2025-06-01T08:00", "closes_at": "2025-06-20T20:00",
                          "per_entry_daily": "1", "per_account_daily": "5"})
    assert r.status_code == 302
    w = VoteWindow.objects.get(pk=world.track.pk)
    assert w.opens_at == dt.datetime(2025, 6, 1, 0, 0, tzinfo=dt.UTC) and not w.show_counts
    r = client.post(url, {"opens_at": "2025-06-20T08:00", "closes_at": "2025-06-01T20:00", "per_entry_daily": "1",
                          "per_account_daily": "5"})
    assert r.status_code == 200 and "is-invalid" in r.content.decode()
    assert client.delete(url).status_code == 405


def test_queue_page(client, world, settings, django_assert_max_num_queries):
    g = flagged(world, settings)
    assert client.get("/votes/queue/").status_code == 302
    client.force_login(f.user())
    assert client.get("/votes/queue/").status_code == 403
    admin = f.user()
    f.grant(admin, "campaign_admin", campaign=world.campaign)
    client.force_login(admin)
    client.get("/votes/queue/")
    with django_assert_max_num_queries(12):
        html = client.get("/votes/queue/").content.decode()
    assert "来自同一网络的大量投票" in html and "203.0.113.0/24" in html
    r = client.post("/votes/queue/", {"group": [g.pk], "action": "confirm"}, follow=True)
    assert "已处理 1 组" in r.content.decode()
    assert AnomalyGroup.objects.get().state == "confirmed"
    assert client.post("/votes/queue/", {"action": "confirm"}, follow=True).status_code == 200
