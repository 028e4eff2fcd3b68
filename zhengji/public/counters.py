"""Entry page view counts that reloads and bots do not inflate, with no database write per view.

The entry page is cached for anonymous visitors, so the page itself cannot count. A small static
script posts a beacon (`public:entry_seen`) once the page was visible for a moment; browsers
without JavaScript and fetchers never run it. A beacon counts when:

- the user agent is not a known bot (`is_bot`);
- it carries the entry's page token (`seen_token`: signed, so ids that no page showed are refused
  without a query);
- this visitor (the `zj_vid` cookie the script sets, else a hash of address and user agent) has
  not been counted for this entry today: an atomic cache `add` of a per-day key;
- the address has not reached `PUBLIC_VIEWS_PER_IP_DAY` counted visitors of the entry today
  (bounds what a script rotating cookies can add; a factory's NAT stays well below).

Counted views go to per-minute buckets in the cache (`pv:n:<bucket>:<entry>`, and a list of the
entries of each bucket). `flush()`, a periodic job, adds the closed buckets to `Showcase.views`
in one UPDATE per distinct count; a bucket is claimed with `add` first, so two schedulers never
add it twice. A bucket lost with the cache is a small undercount, never an overcount.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, defaultdict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from zhengji.common.context import client_ip
from zhengji.entries.queries import View, entries_for

from .domain.showcase import sync_entries
from .models import Showcase

COOKIE = "zj_vid"
VID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TOKEN_SALT = "zhengji.public.entry-seen"
DAY_TTL = 60 * 60 * 26  # a per-day key outlives its day a little (time zones, clock skew)
PENDING_TTL = 60 * 60 * 24 * 2  # unflushed counts survive a scheduler that is down for a day
# Fetchers, crawlers, link previewers, headless browsers and scripts (checked case-insensitively).
BOT_RE = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|archiver|scrap|headless|phantomjs|selenium|puppeteer|playwright|"
    r"lighthouse|pagespeed|python|curl|wget|httpclient|okhttp|go-http|java/|libwww|perl/|ruby|node-fetch|"
    r"axios|facebookexternalhit|bingpreview|yisouspider|sogou|bytespider|petalbot|360spider|baiduspider|"
    r"mediapartners|feedfetcher|monitor|uptime|\bhttp\.rb|wordpress|scan", re.I)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def bucket_seconds() -> int:
    return max(1, _setting("PUBLIC_VIEWS_BUCKET_SECONDS", 60))


def is_bot(user_agent: str) -> bool:
    """Known bots, and requests that give no user agent at all."""
    ua = (user_agent or "").strip()
    return not ua or bool(BOT_RE.search(ua))


def seen_token(entry_id: int) -> str:
    """The token an entry page carries for its beacon (the same for every visitor: pages are cached)."""
    return signing.Signer(salt=TOKEN_SALT).sign(str(entry_id))


def token_ok(entry_id: int, token: str) -> bool:
    try:
        return signing.Signer(salt=TOKEN_SALT).unsign(token or "") == str(entry_id)
    except signing.BadSignature:
        return False


def _digest(raw: str) -> str:
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def visitor_id(request: HttpRequest) -> str:
    """The visitor as the counter knows them: their cookie id, else address + user agent."""
    vid = request.COOKIES.get(COOKIE, "")
    if VID_RE.match(vid):
        return _digest("c:" + vid)
    return _digest(f"a:{client_ip(request) or ''}|{request.headers.get('User-Agent', '')}")


def _bucket(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // bucket_seconds())


def record_view(request: HttpRequest, entry_id: int, *, now: float | None = None) -> bool:
    """Count one view of `entry_id` by this request's visitor; True when it counted. Cache only."""
    if is_bot(request.headers.get("User-Agent", "")):
        return False
    day = timezone.localdate().isoformat()
    if not cache.add(f"pv:s:{day}:{entry_id}:{visitor_id(request)}", 1, DAY_TTL):
        return False  # this visitor was counted today
    ip_key = f"pv:ip:{day}:{entry_id}:{_digest(client_ip(request) or '')}"
    cache.add(ip_key, 0, DAY_TTL)
    try:
        if cache.incr(ip_key) > _setting("PUBLIC_VIEWS_PER_IP_DAY", 200):
            return False
    except ValueError:  # evicted between add and incr: let it count
        pass
    _pend(entry_id, _bucket(now))
    return True


def _pend(entry_id: int, bucket: int) -> None:
    key = f"pv:n:{bucket}:{entry_id}"
    if cache.add(key, 1, PENDING_TTL):
        # The entry's first view in this bucket: list it, so the flush finds it.
        length = f"pv:b:{bucket}:len"
        cache.add(length, 0, PENDING_TTL)
        try:
            i = cache.incr(length)
        except ValueError:
            return
        cache.set(f"pv:b:{bucket}:{i}", entry_id, PENDING_TTL)
        return
    try:
        cache.incr(key)
    except ValueError:  # expired at this very moment: start again
        cache.add(key, 1, PENDING_TTL)


def _unflushed(now: float | None = None) -> range:
    cur = _bucket(now)
    last = cache.get("pv:last")
    first = int(last) + 1 if last is not None else cur - PENDING_TTL // bucket_seconds()
    return range(first, cur + 1)


def pending(entry_ids: list[int], *, now: float | None = None) -> dict[int, int]:
    """Views counted but not yet flushed to the database, per entry (at most a few buckets)."""
    buckets = list(_unflushed(now))[-30:]  # with the job running only the last two or three hold counts
    keys = {f"pv:n:{b}:{e}": e for b in buckets for e in entry_ids}
    out: dict[int, int] = dict.fromkeys(entry_ids, 0)
    for key, n in cache.get_many(list(keys)).items():
        out[keys[key]] += int(n)
    return out


def views_of(entry_id: int, stored: int) -> int:
    """What the page shows: the flushed count plus what waits in the cache."""
    return stored + pending([entry_id])[entry_id]


def flush(*, now: float | None = None) -> int:
    """Add the counts of closed buckets to Showcase.views; the number of views written. Idempotent
    (each bucket is claimed once); a periodic job (`hooks_entry`)."""
    span = _unflushed(now)
    end = _bucket(now) - 2  # a request that computed bucket b may still write to it for a moment
    totals: Counter[int] = Counter()
    claimed: list[str] = []
    buckets = [b for b in span if b <= end]
    if not buckets:
        return 0
    for start in range(0, len(buckets), 500):
        chunk = buckets[start:start + 500]
        lengths = cache.get_many([f"pv:b:{b}:len" for b in chunk])
        for b in chunk:
            n = int(lengths.get(f"pv:b:{b}:len", 0) or 0)
            if not n or not cache.add(f"pv:b:{b}:claim", 1, PENDING_TTL):
                continue
            claimed.append(f"pv:b:{b}:claim")
            ids = [int(e) for e in cache.get_many([f"pv:b:{b}:{i}" for i in range(1, n + 1)]).values()]
            counts = cache.get_many([f"pv:n:{b}:{e}" for e in ids])
            for e in ids:
                totals[e] += int(counts.get(f"pv:n:{b}:{e}", 0) or 0)
    try:
        written = _write(totals)
    except Exception:
        cache.delete_many(claimed)  # try these buckets again next time
        raise
    cache.set("pv:last", end, PENDING_TTL)
    return written


def _write(totals: Counter[int]) -> int:
    """One UPDATE per distinct count; only entries the public may see (a token of an entry that was
    since withdrawn counts for nothing). Rows are made for public entries without a Showcase."""
    if not totals:
        return 0
    ids = list(totals)
    public = list(entries_for(AnonymousUser(), View.PUBLIC).filter(pk__in=ids).values_list("pk", flat=True))
    if not public:
        return 0
    with transaction.atomic():
        have = set(Showcase.objects.filter(entry_id__in=public).values_list("entry_id", flat=True))
        missing = [e for e in public if e not in have]
        if missing:
            # The gallery's own sync makes the rows (city, listing, search document).
            sync_entries(missing)
        by_count: defaultdict[int, list[int]] = defaultdict(list)
        for e in public:
            if totals[e] > 0:
                by_count[totals[e]].append(e)
        for n, group in by_count.items():
            Showcase.objects.filter(entry_id__in=group).update(views=F("views") + n)
    return sum(totals[e] for e in public)
