"""The proof of work: demanded when the rate rule trips, a wrong or replayed solution refused, a
right one accepted (solved here with the python package, as the widget would)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import altcha
import pytest
import time_machine

from tests import factories as f
from zhengji.public import votes_challenge
from zhengji.public.domain import votes
from zhengji.public.domain.votes import Origin
from zhengji.public.models import Vote
from zhengji.public.votes_challenge import ChallengeRequired, RateLimited

from .conftest import build_world

pytestmark = pytest.mark.django_db
NET = Origin(network="10.9.9.0/24")


@pytest.fixture(autouse=True)
def _start_of_a_minute():
    # The rate counters are per minute: start each test at a minute's first second.
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(now, tick=True):
        yield


def solve(challenge: dict) -> str:
    ch = altcha.Challenge.from_dict(challenge)
    sol = altcha.solve_challenge(ch, counter_mode="uint32")
    return altcha.Payload(ch, sol).to_base64()


@pytest.fixture
def tripped(settings):
    settings.VOTE_CHALLENGE_AFTER_ACCOUNT = 2
    w = build_world(per_account=20, entries=8)
    votes.cast(w.voter, w.entries[0].pk, origin=NET)
    votes.cast(w.voter, w.entries[1].pk, origin=NET)
    return w


def test_challenge_demanded_after_the_rate_rule_trips(tripped):
    w = tripped
    with pytest.raises(ChallengeRequired) as exc:
        votes.cast(w.voter, w.entries[2].pk, origin=NET)
    assert exc.value.code == "challenge_required" and "请完成下方的验证" in str(exc.value.message)
    assert votes_challenge.demanded(w.voter.pk, NET.network)
    assert Vote.objects.count() == 2


def test_a_wrong_solution_is_refused(tripped):
    w = tripped
    good = solve(votes_challenge.create(w.voter.pk))
    data = json.loads(base64.b64decode(good))
    data["solution"]["counter"] += 1
    data["solution"]["derivedKey"] = "00" * 32
    wrong = base64.b64encode(json.dumps(data).encode()).decode()
    for bad in (wrong, "not base64!", base64.b64encode(b"{}").decode()):
        with pytest.raises(ChallengeRequired) as exc:
            votes.cast(w.voter, w.entries[2].pk, origin=NET, proof=bad)
        assert exc.value.code == "challenge_failed"
    assert Vote.objects.count() == 2


def test_a_tampered_challenge_and_one_for_another_account_are_refused(tripped):
    w = tripped
    other = solve(votes_challenge.create(f.user().pk))
    with pytest.raises(ChallengeRequired):
        votes.cast(w.voter, w.entries[2].pk, origin=NET, proof=other)
    ch = votes_challenge.create(w.voter.pk)
    ch["parameters"]["cost"] = 1  # cheaper work: the signature no longer matches
    with pytest.raises(ChallengeRequired):
        votes.cast(w.voter, w.entries[2].pk, origin=NET, proof=solve(ch))


def test_a_right_solution_passes_once(tripped):
    w = tripped
    proof = solve(votes_challenge.create(w.voter.pk))
    cast = votes.cast(w.voter, w.entries[2].pk, origin=NET, proof=proof)
    assert not cast.held and Vote.objects.get(entry=w.entries[2]).challenged
    # Replaying the same solution is refused (remembered until the challenge expires) once the rule trips again.
    votes.cast(w.voter, w.entries[3].pk, origin=NET)
    votes.cast(w.voter, w.entries[4].pk, origin=NET)
    with pytest.raises(ChallengeRequired) as exc:
        votes.cast(w.voter, w.entries[5].pk, origin=NET, proof=proof)
    assert exc.value.code == "challenge_failed"


def test_hard_rate_limit(settings, db):
    settings.VOTE_RATE_MAX_ACCOUNT = 2
    w = build_world(per_account=20, entries=4)
    votes.cast(w.voter, w.entries[0].pk, origin=NET)
    votes.cast(w.voter, w.entries[1].pk, origin=NET)
    with pytest.raises(RateLimited) as exc:
        votes.cast(w.voter, w.entries[2].pk, origin=NET)
    assert exc.value.status == 429


def test_network_rule_trips_for_everyone_on_it(settings, db):
    settings.VOTE_CHALLENGE_AFTER_NETWORK = 2
    w = build_world(per_account=20, entries=3)
    a, b, c, d = f.user(), f.user(), f.user(), f.user()
    votes.cast(a, w.entries[0].pk, origin=NET)
    votes.cast(b, w.entries[0].pk, origin=NET)
    with pytest.raises(ChallengeRequired):
        votes.cast(c, w.entries[0].pk, origin=NET)
    assert votes.cast(d, w.entries[0].pk, origin=Origin(network="10.8.8.0/24")).count == 3


def test_challenge_endpoint(client, tripped):
    assert client.get("/votes/challenge/").status_code == 401
    assert client.get("/api/public/votes/challenge").status_code == 401
    client.force_login(tripped.voter)
    ch = client.get("/votes/challenge/").json()
    assert ch["parameters"]["algorithm"] == "PBKDF2/SHA-256" and ch["signature"]
    assert client.get("/api/public/votes/challenge").json()["parameters"]["data"] == {"u": str(tripped.voter.pk)}
    # Through the API: demanded, then accepted with a solution.
    url = f"/api/public/votes/entries/{tripped.entries[2].pk}"
    r = client.post(url, {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "challenge_required"
    r = client.post(url, {"proof": "bad"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "challenge_failed"
    r = client.post(url, {"proof": solve(ch)}, content_type="application/json")
    assert r.status_code == 200, r.content
