"""The lean path of `POST /api/public/votes/entries/<id>`: a middleware placed near the top of
the stack (right after the security middlewares) answers the vote itself, with every guarantee of
the full path and none of the work a vote does not need (the rest of the middleware stack, the
ORM user, django-ninja's routing and schemas).

Same contract as the ninja operation (`api_votes.cast_vote`, which stays for the OpenAPI schema and
answers whatever this path hands on):

- the session: the session cookie → the session store (the cache on PostgreSQL + Redis, the
  database otherwise) → the account id, its auth backend and the session auth hash, checked against
  the account's password hash like `django.contrib.auth.get_user`. Anonymous (no or dead session,
  a hash that does not match, an inactive account) → 401 `unauthenticated`;
- CSRF, once logged in: Django's own `CsrfViewMiddleware` checks (token, Origin, Referer on HTTPS)
  → 403 `{"code": "error", "message": "CSRF check Failed"}` as ninja answers;
- the rate rule and the ALTCHA demand (`votes_challenge.admit`), the flagged networks/devices, the
  vote window and the public gate (`domain.votes.cast_as`), the writes in one transaction with the
  account's standing (active, mobile number verified) read inside it;
- the language of the answer (`Accept-Language`, the language cookie) as LocaleMiddleware picks it.

The account's auth hash may be cached (VOTE_SESSION_CACHE_SECONDS; by default an hour when the cache
is shared — Redis — and off with the per-process local-memory cache), from the moment it logs in:
saving or deleting the account drops it, at once and again after the commit (a password change
saves the account), a logout deletes the session, and whether the account is still active and
verified is read by the vote's own transaction anyway.

Anything unusual is handed on to the full stack unchanged: a Bearer token, a query string, a
non-JSON body, a NUL in the body, an unknown host, a session made by another auth backend or
signed with a fallback secret."""

from __future__ import annotations

import hashlib
import json
import os
import re
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from zhengji.common.errors import DomainError

from . import votes_challenge
from .domain import votes as domain

PATH = re.compile(r"/api/public/votes/entries/([0-9]{1,18})")

_CSRF_FAILED = {"code": "error", "message": "CSRF check Failed"}  # ninja's words (api.errors.http_error)


def _session_cache_seconds() -> int:
    explicit = getattr(settings, "VOTE_SESSION_CACHE_SECONDS", None)
    if explicit is not None:
        return int(explicit)
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return 3600 if backend.endswith("RedisCache") else 0


def _auth_key(user_id: Any) -> str:
    return f"vu:{user_id}"


def forget_account(user_id: Any) -> None:
    """Drop the cached auth hash of an account (it was saved or deleted)."""
    cache.delete(_auth_key(user_id))


def remember_account(user: Any) -> None:
    """Cache the account's auth hash as it logs in, so that its first vote does not read it."""
    seconds = _session_cache_seconds()
    if seconds and user.pk is not None:
        cache.set(_auth_key(user.pk), user.get_session_auth_hash(), seconds)


def _json(data: dict[str, Any], status: int, language: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type="application/json; charset=utf-8")
    # What the middlewares this path skips would have added to a JSON answer.
    response["Vary"] = "Accept-Language, Cookie"
    response["Content-Language"] = language
    response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY")
    return response


def _error(code: str, message: str, status: int, language: str, field: str | None = None) -> HttpResponse:
    data = {"code": code, "message": str(message)}
    if field:
        data["field"] = field
    return _json(data, status, language)


class _HandOn(Exception):
    """Not for the lean path: the full stack answers."""


def _model_backend(path: str) -> bool:
    if path not in settings.AUTHENTICATION_BACKENDS:
        return False
    cls = import_string(path)
    return isinstance(cls, type) and issubclass(cls, ModelBackend)


_BACKEND_OK: dict[str, bool] = {}


def _session(request: HttpRequest) -> dict[str, Any] | None:
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    if store.session_key is None:  # not a valid key
        return None
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        # SessionStore.load() without the ORM: the row, unexpired, decoded by the store.
        from django.contrib.sessions.models import Session  # noqa: PLC0415 (the app may be absent)

        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cur:
            cur.execute(f"SELECT session_data FROM {Session._meta.db_table} "  # noqa: S608 (table name)
                        f"WHERE session_key = %s AND expire_date > %s", [key, now])
            row = cur.fetchone()
        return (store.decode(row[0]) or None) if row else None
    data = store.load()
    return data or None


def _session_user(session: dict[str, Any] | None) -> tuple[Any, str] | None:
    """(the account id, the session's auth hash) of a logged-in session; None for a visitor;
    _HandOn when only the full path can tell."""
    if session is None or SESSION_KEY not in session:
        return None
    backend = session.get(BACKEND_SESSION_KEY, "")
    ok = _BACKEND_OK.get(backend)
    if ok is None:
        ok = _BACKEND_OK[backend] = _model_backend(backend)
    if not ok:
        raise _HandOn
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
    except Exception:  # noqa: BLE001 (a session Django would not understand either)
        raise _HandOn from None
    return user_id, str(session.get(HASH_SESSION_KEY) or "")


def _verified(user_id: Any, session_hash: str, expected: str | None) -> bool:
    """Is the session's hash the account's (like `django.contrib.auth.get_user`)? `expected`: the
    cached hash, if any. False: gone or inactive (a visitor); _HandOn: another hash."""
    seconds = _session_cache_seconds()
    if expected is None:
        User = get_user_model()  # noqa: N806
        with connection.cursor() as cur:
            cur.execute(f"SELECT password, is_active FROM {User._meta.db_table} WHERE id = %s",  # noqa: S608
                        [user_id])
            row = cur.fetchone()
        if row is None or not row[1]:
            return False  # gone or inactive: a visitor (ModelBackend.get_user)
        expected = User(pk=user_id, password=row[0]).get_session_auth_hash()
        if seconds:
            cache.set(_auth_key(user_id), expected, seconds)
    if not session_hash or not constant_time_compare(session_hash, expected):
        # Another password, or a hash made with a fallback secret: the full path flushes or renews.
        raise _HandOn
    return True


# --- Redis: the reads of a vote in two round-trips ------------------------------------------------

_SESSION_PREFIX = "django.contrib.sessions.cache"  # django.contrib.sessions.backends.cache.KEY_PREFIX


class _Link:
    """One connection to the cache's Redis for the lean path of this process (thread): redis-py's
    own Connection (its connect, AUTH, SELECT, TLS and parser — hiredis when installed) driven
    directly. The client's per-command machinery (pool check-out, retries, observability hooks)
    costs ~45 µs of CPU a command, more than the command itself on loopback."""

    def __init__(self, client: Any) -> None:
        pool = client.connection_pool
        self._make = lambda: pool.connection_class(**pool.connection_kwargs)
        self._conn: Any = None
        self._pid = os.getpid()

    def call(self, *args: Any) -> Any:
        for attempt in (1, 2):
            if self._conn is None or self._pid != os.getpid():  # new, or inherited across a fork
                self._conn, self._pid = self._make(), os.getpid()
            try:
                self._conn.send_packed_command(self._conn.pack_command(*args), check_health=False)
                return self._conn.read_response()
            except (RedisConnectionError, RedisTimeoutError):
                self._conn.disconnect()
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def reads_and_counts(self, keys: list[str], args: list[Any]) -> list[Any]:
        try:
            return self.call("EVALSHA", _SCRIPT_SHA, len(keys), *keys, *args)
        except NoScriptError:  # a restarted or other Redis: load it, once
            self.call("SCRIPT", "LOAD", _READS_AND_COUNTS)
            return self.call("EVALSHA", _SCRIPT_SHA, len(keys), *keys, *args)


def _redis() -> tuple[_Link, Any] | None:
    """(this process's link to Redis, the cache's serializer) when the default cache is Redis and
    holds the sessions; None otherwise."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.cache" or \
            getattr(settings, "SESSION_CACHE_ALIAS", "default") != "default":
        return None
    backend = caches["default"]  # one per thread
    if not isinstance(backend, RedisCache):
        return None
    link = getattr(backend, "_zj_vote_link", None)
    if link is None:
        link = backend._zj_vote_link = _Link(backend._cache.get_client(write=True))  # type: ignore[attr-defined]
    return link, _SERIALIZER


_SERIALIZER = RedisSerializer()


# The second round trip as one command: the account's cached auth hash, then (the vote being open)
# this minute's counters of the account and of its network, each INCR then EXPIRE on the first as
# `votes_challenge._incr` keeps them, then the plain reads (a pending demand, the origin's flags).
# KEYS: the auth hash, the ARGV[1] counters, the reads. ARGV[2]: the counters' lifetime.
_READS_AND_COUNTS = """
local out = {redis.call('GET', KEYS[1])}
local counters = tonumber(ARGV[1])
for i = 2, #KEYS do
  if i <= counters + 1 then
    local n = redis.call('INCR', KEYS[i])
    if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
    out[i] = n
  else
    out[i] = redis.call('GET', KEYS[i])
  end
end
return out
"""
_SCRIPT_SHA = hashlib.sha1(_READS_AND_COUNTS.encode()).hexdigest()  # noqa: S324 (the name Redis gives it)


def _load(serializer: Any, raw: Any) -> Any:
    return None if raw is None else serializer.loads(raw)


def _vote_redis(request: HttpRequest, entry_id: int, language: str, link: _Link, serializer: Any) -> HttpResponse:
    mk = cache.make_key
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) or ""
    if len(key) < 8:  # SessionBase._validate_session_key
        return _error("unauthenticated", _("Please log in."), 401, language)
    raw_session, raw_gate = link.call("MGET", mk(_SESSION_PREFIX + key), mk(domain.gate_key(entry_id)))
    session = _load(serializer, raw_session)
    who = _session_user(session if isinstance(session, dict) else None)
    if who is None:
        return _error("unauthenticated", _("Please log in."), 401, language)
    user_id, session_hash = who
    if not _csrf_ok(request):
        expected = _load(serializer, link.call("GET", mk(_auth_key(user_id))))
        if not _verified(user_id, session_hash, expected):
            return _error("unauthenticated", _("Please log in."), 401, language)
        return _error(_CSRF_FAILED["code"], _CSRF_FAILED["message"], 403, language)
    from .views_votes import origin_of  # noqa: PLC0415 (views import the domain; loaded once)

    origin = origin_of(request)
    at = timezone.now()
    gate_cached = _load(serializer, raw_gate)
    # Count the attempt in the same round-trip only when the cached gate says the vote is open (a
    # refused vote is not an attempt, as on the full path).
    open_now = False
    if gate_cached:
        g = domain.Gate(*gate_cached)
        open_now = bool(g.enabled and g.opens_at and g.closes_at and g.opens_at <= at < g.closes_at)
    keys = [mk(_auth_key(user_id))]
    n_counters = 0
    if open_now:
        counters, demand = votes_challenge.count_keys(user_id, origin.network)
        n_counters = len(counters)
        keys += [mk(k) for k in counters] + [mk(demand)]
        keys += [mk(k) for k in domain.flag_keys(gate_cached[0], origin)]
    replies = link.reads_and_counts(keys, [n_counters, votes_challenge.COUNT_SECONDS])
    if not _verified(user_id, session_hash, _load(serializer, replies[0])):
        return _error("unauthenticated", _("Please log in."), 401, language)
    counted = flagged = None
    if open_now:
        counted, rest = votes_challenge.counted_from(replies[1:], origin.network)
        flagged = [_load(serializer, v) for v in rest]
    return _cast(user_id, entry_id, language, origin=origin, proof=_proof(request), at=at,
                 gate_cached=gate_cached, counted=counted, flagged=flagged)


def _cast(user_id: Any, entry_id: int, language: str, **kwargs: Any) -> HttpResponse:
    try:
        cast = domain.cast_as(user_id, entry_id, **kwargs)
    except domain.VoteRefused as exc:
        if exc.code == "login_required":  # deactivated since its hash was cached
            forget_account(user_id)
            return _error("unauthenticated", _("Please log in."), 401, language)
        return _error(exc.code, exc.message, exc.status, language, exc.field)
    except DomainError as exc:  # the rate rule and the challenge
        return _error(exc.code, exc.message, exc.status, language, exc.field)
    return _json({"entry_id": cast.entry_id, "held": cast.held, "remaining_today": cast.remaining_today,
                  "count": cast.count}, 200, language)


def _vote(request: HttpRequest, entry_id: int, language: str) -> HttpResponse:
    """Any other configuration (the embedded default: sessions in the database, a local cache)."""
    who = _session_user(_session(request))
    if who is None:
        return _error("unauthenticated", _("Please log in."), 401, language)
    user_id, session_hash = who
    seconds = _session_cache_seconds()
    if not _verified(user_id, session_hash, cache.get(_auth_key(user_id)) if seconds else None):
        return _error("unauthenticated", _("Please log in."), 401, language)
    if not _csrf_ok(request):
        return _error(_CSRF_FAILED["code"], _CSRF_FAILED["message"], 403, language)
    from .views_votes import origin_of  # noqa: PLC0415 (views import the domain; loaded once)

    return _cast(user_id, entry_id, language, origin=origin_of(request), proof=_proof(request), at=timezone.now())


def _proof(request: HttpRequest) -> str | None:
    body = request.body
    if not body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    proof = data.get("proof") if isinstance(data, dict) else None
    return proof if isinstance(proof, str) and proof else None


def _csrf_ok(request: HttpRequest) -> bool:
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    _CSRF.process_request(request)
    return _CSRF.process_view(request, _no_view, (), {}) is None


def _no_view(request: HttpRequest) -> HttpResponse:  # what process_view is told about (not called)
    return HttpResponse()


# Django's own checks (token, Origin, Referer); one instance serves every vote, as the stack's does.
# It remembers CSRF_TRUSTED_ORIGINS: made again when a test changes them.
_CSRF = CsrfViewMiddleware(_no_view)


@receiver(setting_changed)
def _trusted_origins_changed(setting: str, **kwargs: Any) -> None:
    global _CSRF  # noqa: PLW0603
    if setting == "CSRF_TRUSTED_ORIGINS":
        _CSRF = CsrfViewMiddleware(_no_view)


def lean_vote(request: HttpRequest, entry_id: int) -> HttpResponse | None:
    """The answer to a vote, or None to hand the request on to the full stack."""
    meta = request.META
    if meta.get("HTTP_AUTHORIZATION") or meta.get("QUERY_STRING"):
        return None
    try:
        request.get_host()
        body = request.body
    except (DisallowedHost, RequestDataTooBig):
        return None
    if body and (request.content_type != "application/json" or b"\x00" in body or b"\\u0000" in body):
        return None
    language = translation.get_language_from_request(request)
    with translation.override(language):
        try:
            redis = _redis()
            if redis is not None:
                return _vote_redis(request, entry_id, language, *redis)
            return _vote(request, entry_id, language)
        except _HandOn:
            return None


class LeanVoteMiddleware:
    """Placed right after SecurityMiddleware and the headers middlewares (settings.MIDDLEWARE)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and getattr(settings, "VOTE_LEAN_PATH", True):
            m = PATH.fullmatch(request.path_info)
            if m is not None:
                response = lean_vote(request, int(m.group(1)))
                if response is not None:
                    return response
        return self.get_response(request)
