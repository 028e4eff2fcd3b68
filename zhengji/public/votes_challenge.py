"""Rate limits of the vote endpoint and the ALTCHA proof of work it demands when they trip.

Counters live in the cache (Redis in production): votes per account and per network in the
current minute. Past `VOTE_CHALLENGE_AFTER_*` the next vote needs a proof of work; past
`VOTE_RATE_MAX_*` the endpoint refuses outright (429) until the minute turns.

The format both sides agree on: ALTCHA v2 ("parameters" + "signature", the `altcha` widget 3.x
and the python package 2.x), algorithm PBKDF2/SHA-256 (bundled in the widget's pbkdf2 worker), the
counter as uint32 (the widget's default for v2 challenges). The challenge is signed with an HMAC key
derived from SECRET_KEY (or VOTE_ALTCHA_HMAC_KEY), carries the account id in its signed `data`, and
expires after VOTE_CHALLENGE_TTL_SECONDS; a solved challenge's salt is remembered until then so a
solution cannot be replayed."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any, Literal

import altcha
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from zhengji.common.errors import DomainError

ALGORITHM = "PBKDF2/SHA-256"
COUNTER_MODE: Literal["uint32"] = "uint32"


def _s(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def hmac_key() -> str:
    explicit = getattr(settings, "VOTE_ALTCHA_HMAC_KEY", "")
    if explicit:
        return str(explicit)
    return hashlib.sha256(b"zhengji.votes.altcha:" + settings.SECRET_KEY.encode()).hexdigest()


class ChallengeRequired(DomainError):
    code = "challenge_required"
    status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


def _incr(key: str, ttl: int) -> int:
    try:
        return int(cache.incr(key))
    except ValueError:
        if cache.add(key, 1, ttl):
            return 1
        return int(cache.incr(key))


@dataclass(frozen=True, slots=True)
class Gate:
    challenged: bool  # a valid proof of work came with this vote


def _keys(user_id: int, network: str) -> tuple[str, str, str]:
    minute = int(time.time() // 60)
    return f"vr:u:{user_id}:{minute}", f"vr:n:{network}:{minute}", f"vr:d:{user_id}"


def demanded(user_id: int, network: str) -> bool:
    """Would the next vote of this account from this network need a proof of work? (The box asks
    before it draws the button.)"""
    ku, kn, kd = _keys(user_id, network)
    got = cache.get_many([ku, kn, kd])
    return bool(got.get(kd)) or int(got.get(ku, 0)) >= _s("VOTE_CHALLENGE_AFTER_ACCOUNT", 6) or \
        int(got.get(kn, 0)) >= _s("VOTE_CHALLENGE_AFTER_NETWORK", 120)


COUNT_SECONDS = 120  # a minute's counter lives two minutes (the key names the minute)


def count_keys(user_id: int, network: str) -> tuple[list[str], str]:
    """The counters an attempt increments (the account's, then the network's when it is known) and
    the key of a pending demand: the lean vote path counts them in its own Redis round trip, each
    `INCR` then `EXPIRE COUNT_SECONDS` on the first, as `_incr` does. `counted_from` reads them."""
    ku, kn, kd = _keys(user_id, network)
    return ([ku, kn] if network else [ku]), kd


def counted_from(replies: list[Any], network: str) -> tuple[tuple[int, int, bool], list[Any]]:
    """(the account's count, the network's, a demand pending) from the replies of `count_keys`'
    counters then the demand's read, and the replies after them."""
    n = 2 if network else 1
    pending_raw = replies[n]
    pending = pending_raw is not None and int(pending_raw) != 0
    return (int(replies[0]), int(replies[1]) if network else 0, pending), replies[n + 1:]


def admit(user_id: int, network: str, proof: str | None, *, counted: tuple[int, int, bool] | None = None) -> Gate:
    """Count this attempt; refuse when over the hard limit; demand and check a proof of work when
    over the soft one. `counted`: the attempt already counted (`count_keys`): the account's
    and the network's counts and whether a demand is pending."""
    ku, kn, kd = _keys(user_id, network)
    if counted is None:
        n_user = _incr(ku, COUNT_SECONDS)
        n_net = _incr(kn, COUNT_SECONDS) if network else 0
        pending = None
    else:
        n_user, n_net, pending = counted
    if n_user > _s("VOTE_RATE_MAX_ACCOUNT", 30) or n_net > _s("VOTE_RATE_MAX_NETWORK", 3000):
        raise RateLimited(_("Too many votes in a short time. Please wait a minute and try again."))
    need = n_user > _s("VOTE_CHALLENGE_AFTER_ACCOUNT", 6) or n_net > _s("VOTE_CHALLENGE_AFTER_NETWORK", 120) or \
        (bool(cache.get(kd)) if pending is None else pending)
    if not need:
        return Gate(challenged=False)
    if not proof:
        # Remember the demand: the account must solve one before its next vote, whatever the minute.
        cache.set(kd, 1, _s("VOTE_CHALLENGE_TTL_SECONDS", 600))
        raise ChallengeRequired(_("Please complete the check below, then vote again."))
    if not verify(proof, user_id):
        raise ChallengeRequired(_("The check failed or was already used. Please complete it again."),
                                code="challenge_failed")
    # Solved: the account starts a fresh count (its network's count goes on).
    cache.delete_many([ku, kd])
    return Gate(challenged=True)


def create(user_id: int) -> dict[str, Any]:
    ttl = _s("VOTE_CHALLENGE_TTL_SECONDS", 600)
    ch = altcha.create_challenge(
        ALGORITHM, _s("VOTE_CHALLENGE_COST", 5000), expires_at=int(time.time()) + ttl,
        data={"u": str(user_id)}, hmac_secret=hmac_key(), hmac_key_secret=hmac_key() + ":k")
    return ch.to_dict()


def verify(proof: str, user_id: int) -> bool:
    """A correct, unexpired, signed solution of a challenge made for this account, used once."""
    try:
        payload = altcha.Payload.from_base64(proof)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return False
    params = payload.challenge.parameters
    if not isinstance(params.data, dict) or params.data.get("u") != str(user_id):
        return False
    try:
        result = altcha.verify_solution(payload, hmac_key(), hmac_key_secret=hmac_key() + ":k",
                                        counter_mode=COUNTER_MODE)
    except (ValueError, TypeError):
        return False
    if not result.verified:
        return False
    ttl = max(1, int((params.expires_at or time.time() + 600) - time.time()) + 5)
    # cache.add is atomic: of two requests replaying one solution, only one gets here first.
    return bool(cache.add(f"va:used:{params.salt}", 1, ttl))
