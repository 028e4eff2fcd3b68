"""The lean vote path (`zhengji/public/votes_lean.py`): every guarantee of the full path, the same
answers. On the embedded default it runs the generic branch (sessions in the database); with
PostgreSQL + Redis the Redis branch (two commands on its own connection, the writes in zj_cast_vote)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone

from tests import factories as f
from tests.concurrency import at_once, needs_postgresql
from zhengji.public.domain import votes
from zhengji.public.domain.votes import Origin
from zhengji.public.models import Vote, VoteDayCounter, VoteTally
from zhengji.public.votes_lean import lean_vote

from .conftest import build_world

pytestmark = pytest.mark.django_db

User = get_user_model()


def url(e) -> str:
    return f"/api/public/votes/entries/{e.pk}"


def csrf_client(user=None) -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, logged in, with its CSRF cookie."""
    c = Client(enforce_csrf_checks=True)
    if user is not None:
        c.force_login(user)
    token = "a" * 32
    c.cookies["csrftoken"] = token
    return c, token


def post(c: Client, e, token: str | None = None, **extra):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return c.post(url(e), {}, content_type="application/json", **headers, **extra)


@pytest.fixture
def eligibility_cached(settings):
    settings.VOTE_SESSION_CACHE_SECONDS = 60  # also with the local-memory cache of the tests


def test_the_lean_path_answers_the_vote_itself(client, world):
    """Called directly (not through the stack): it answers, it does not hand on."""
    client.force_login(world.voter)
    rf = RequestFactory()
    req = rf.post(url(world.entries[0]), b"{}", content_type="application/json")
    req.COOKIES = {k: v.value for k, v in client.cookies.items()}
    req._dont_enforce_csrf_checks = True
    r = lean_vote(req, world.entries[0].pk)
    assert r is not None and r.status_code == 200
    assert Vote.objects.filter(user=world.voter).count() == 1
    # A Bearer token or a query string is the full stack's business.
    req = rf.post(url(world.entries[1]) + "?x=1", b"{}", content_type="application/json")
    assert lean_vote(req, world.entries[1].pk) is None
    req = rf.post(url(world.entries[1]), b"{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert lean_vote(req, world.entries[1].pk) is None


def test_anonymous_is_401(world):
    c, token = csrf_client()
    r = post(c, world.entries[0], token)
    assert r.status_code == 401 and r.json() == {"code": "unauthenticated", "message": "请先登录。"}
    c.cookies["sessionid"] = "not-a-session-at-all"
    assert post(c, world.entries[0], token).status_code == 401
    assert not Vote.objects.exists()


def test_csrf_token_and_origin(world):
    c, token = csrf_client(world.voter)
    r = post(c, world.entries[0])  # no token
    assert r.status_code == 403 and r.json() == {"code": "error", "message": "CSRF check Failed"}
    r = post(c, world.entries[0], "b" * 32)  # a token that is not the cookie's
    assert r.status_code == 403
    r = post(c, world.entries[0], token, HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403 and r.json()["code"] == "error"
    assert not Vote.objects.exists()
    r = post(c, world.entries[0], token, HTTP_ORIGIN="http://testserver")
    assert r.status_code == 200 and r.json()["remaining_today"] == 2
    r = post(c, world.entries[1], token)
    assert r.status_code == 200 and r.json() == {"entry_id": world.entries[1].pk, "held": False,
                                                 "remaining_today": 1, "count": 1}


def test_a_logged_out_session_is_401(world, eligibility_cached):
    c, token = csrf_client(world.voter)
    assert post(c, world.entries[0], token).status_code == 200  # the account's hash is cached now
    old = c.cookies["sessionid"].value
    c.logout()
    c.cookies["sessionid"] = old
    c.cookies["csrftoken"] = token
    r = post(c, world.entries[1], token)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert Vote.objects.count() == 1


def test_a_deactivated_account_is_refused_although_its_eligibility_was_cached(world, eligibility_cached):
    c, token = csrf_client(world.voter)
    assert post(c, world.entries[0], token).status_code == 200
    # No signal: the cached hash stays; the vote's own transaction reads the account.
    User.objects.filter(pk=world.voter.pk).update(is_active=False)
    r = post(c, world.entries[1], token)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    User.objects.filter(pk=world.voter.pk).update(is_active=True, phone_verified=False)
    r = post(c, world.entries[1], token)
    assert r.status_code == 403 and r.json()["code"] == "phone_unverified"
    assert Vote.objects.count() == 1 and VoteDayCounter.objects.get(entry_key=0).used == 1


def test_a_password_change_ends_the_other_sessions(world, eligibility_cached):
    c, token = csrf_client(world.voter)
    assert post(c, world.entries[0], token).status_code == 200
    world.voter.set_password("another-secret-42")
    world.voter.save()  # drops the cached hash; the session's hash is the old password's
    r = post(c, world.entries[1], token)
    assert r.status_code == 401
    assert Vote.objects.count() == 1


def test_logging_in_caches_the_accounts_hash_so_the_first_vote_does_not_read_it(world, eligibility_cached):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c, token = csrf_client(world.voter)  # force_login: the user_logged_in signal, last_login saved
    assert cache.get(f"vu:{world.voter.pk}") == world.voter.get_session_auth_hash()
    with CaptureQueriesContext(connection) as ctx:
        assert post(c, world.entries[0], token).status_code == 200
    assert not [q for q in ctx.captured_queries if "password" in q["sql"]]
    # Saving anything but last_login drops it, at once and after the commit.
    world.voter.real_name = "张三"
    world.voter.save()
    assert cache.get(f"vu:{world.voter.pk}") is None


def test_refusals_are_the_full_paths_answers(world, settings):
    hidden = world.entry(status="submitted")
    c, token = csrf_client(world.voter)
    answers = []
    for lean in (True, False):
        settings.VOTE_LEAN_PATH = lean
        Vote.objects.all().delete()
        VoteDayCounter.objects.all().delete()
        VoteTally.objects.all().delete()
        got = [post(c, world.entries[0], token), post(c, world.entries[0], token), post(c, hidden, token),
               post(c, world.entries[1]), post(Client(enforce_csrf_checks=True), world.entries[1], token),
               post(c, world.entries[1], token, HTTP_ACCEPT_LANGUAGE="en")]
        answers.append([(r.status_code, r.json()) for r in got])
    assert answers[0] == answers[1]
    codes = [a[0] for a in answers[0]]
    assert codes == [200, 409, 404, 403, 401, 200]
    assert answers[0][1][1]["message"] == "今天已为该作品投过票，明天再来。"


def test_english_when_asked(world):
    c, token = csrf_client(world.voter)
    post(c, world.entries[0], token)
    r = post(c, world.entries[0], token, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409
    assert r.json()["message"] == "You have already voted for this entry today. Come back tomorrow."
    assert r["Content-Language"] == "en"


def test_the_day_turns_at_beijing_midnight(world):
    e = world.entries[0]
    c, token = csrf_client(world.voter)
    # 23:50 in Beijing is 15:50 UTC: the day turns at 16:00 UTC.
    with time_machine.travel(dt.datetime(2025, 6, 10, 15, 50, tzinfo=dt.UTC), tick=False):
        world.window.opens_at = timezone.now() - dt.timedelta(days=1)
        world.window.save()
        assert post(c, e, token).status_code == 200
        assert post(c, e, token).status_code == 409
    with time_machine.travel(dt.datetime(2025, 6, 10, 15, 59, 59, tzinfo=dt.UTC), tick=False):
        assert post(c, e, token).status_code == 409
    with time_machine.travel(dt.datetime(2025, 6, 10, 16, 0, 1, tzinfo=dt.UTC), tick=False):
        r = post(c, e, token)
        assert r.status_code == 200 and r.json()["count"] == 2
    assert sorted(Vote.objects.values_list("day", flat=True)) == [dt.date(2025, 6, 10), dt.date(2025, 6, 11)]


def test_a_window_change_applies_at_once(world):
    c, token = csrf_client(world.voter)
    assert post(c, world.entries[0], token).status_code == 200  # the gate answer is cached now
    world.window.closes_at = timezone.now() - dt.timedelta(minutes=1)
    world.window.opens_at = timezone.now() - dt.timedelta(days=2)
    world.window.save()
    r = post(c, world.entries[1], token)
    assert r.status_code == 409 and r.json()["code"] == "closed"


def test_a_flagged_network_is_held(world):
    c, token = csrf_client(world.voter)
    from django.core.cache import cache

    from zhengji.public.models import AnomalyGroup

    g = AnomalyGroup.objects.create(track=world.track, kind="network", key="127.0.0.0/24")
    cache.set(f"vf:{world.track.pk}:network:127.0.0.0/24", g.pk, 600)
    r = post(c, world.entries[0], token, REMOTE_ADDR="127.0.0.5")
    assert r.status_code == 200 and r.json()["held"] is True and r.json()["count"] == 0
    g.refresh_from_db()
    assert g.votes == 1 and Vote.objects.get().state == "held"


@pytest.mark.django_db(transaction=True)
def test_k_concurrent_lean_votes_give_exactly_the_track_quota(settings):
    needs_postgresql()
    settings.VOTE_CHALLENGE_AFTER_ACCOUNT = 10_000
    settings.VOTE_RATE_MAX_ACCOUNT = 10_000
    w = build_world(per_account=4, entries=10)
    ok, refused = at_once(10, lambda i: votes.cast_as(w.voter.pk, w.entries[i].pk,
                                                      origin=Origin(network="10.0.0.0/24")))
    assert len(ok) == 4 and {e.code for e in refused} == {"track_quota"}
    assert VoteDayCounter.objects.get(user=w.voter, entry_key=0).used == 4
    assert VoteDayCounter.objects.exclude(entry_key=0).count() == 4
    assert Vote.objects.count() == 4 and sum(VoteTally.objects.values_list("counted", flat=True)) == 4


def test_an_inactive_account_is_refused_by_the_database(world):
    other = f.user()
    User.objects.filter(pk=other.pk).update(is_active=False)
    with pytest.raises(votes.VoteRefused) as exc:
        votes.cast_as(other.pk, world.entries[0].pk)
    assert exc.value.code == "login_required" and not Vote.objects.exists()


def test_an_expired_session_is_401(world):
    from django.contrib.sessions.models import Session

    c, token = csrf_client(world.voter)
    if not Session.objects.exists():
        pytest.skip("sessions live in the cache here")
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = post(c, world.entries[0], token)
    assert r.status_code == 401 and not Vote.objects.exists()


def test_async_commit_is_a_setting_and_still_exact(world, settings):
    settings.VOTE_ASYNC_COMMIT = True  # PostgreSQL: the commit does not wait for the WAL flush
    assert votes.cast(world.voter, world.entries[0].pk).count == 1
    with pytest.raises(votes.VoteRefused):
        votes.cast(world.voter, world.entries[0].pk)
    assert VoteDayCounter.objects.get(entry_key=0).used == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_the_prepared_statement_and_the_plain_one_agree(settings, prepared):
    """PostgreSQL, autocommit: the vote's function call prepared once per connection (or not, for a
    pooler that cannot keep prepared statements): the same answers, the track's refusal included."""
    needs_postgresql()
    settings.VOTE_PREPARED = prepared
    settings.VOTE_CHALLENGE_AFTER_ACCOUNT = settings.VOTE_RATE_MAX_ACCOUNT = 10_000
    w = build_world(per_account=7, entries=9)
    counts = [votes.cast_as(w.voter.pk, e.pk, origin=Origin(network="10.0.0.0/24")).remaining_today
              for e in w.entries[:7]]
    assert counts == [6, 5, 4, 3, 2, 1, 0]
    with pytest.raises(votes.VoteRefused) as exc:
        votes.cast_as(w.voter.pk, w.entries[7].pk)
    assert exc.value.code == "track_quota"
    with pytest.raises(votes.VoteRefused) as exc:
        votes.cast_as(w.voter.pk, w.entries[0].pk)
    assert exc.value.code == "entry_quota"
    assert Vote.objects.count() == 7 and not VoteDayCounter.objects.filter(entry_id=w.entries[7].pk).exists()


def test_the_redis_link_survives_a_flushed_script_and_a_dropped_connection(world):
    """Redis only: the lean path's own connection loads its script again after SCRIPT FLUSH (a
    restarted Redis) and reconnects once when the server closed the connection."""
    from zhengji.public.votes_lean import _redis

    link = _redis()
    if link is None:
        pytest.skip("the sessions are not in Redis here")
    link = link[0]
    c, token = csrf_client(world.voter)
    assert post(c, world.entries[0], token).status_code == 200
    link.call("SCRIPT", "FLUSH")
    assert post(c, world.entries[1], token).status_code == 200
    # The server closes the link's connection (a restart, a timeout): the next vote reconnects.
    from django.core.cache import cache

    cache._cache.get_client(write=True).client_kill_filter(_id=link.call("CLIENT", "ID"))
    assert post(c, world.entries[2], token).status_code == 200
    assert Vote.objects.count() == 3
