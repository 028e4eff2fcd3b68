"""A province-scale data set for benchmarks and for trying the product at size
(`manage.py load_scale --orgs 20000 --entries 100000`).

Shape: a province federation, 16 city federations, county/district federations (one in ten an
industry union) and grassroots unions under them, with member counts; entrants (confirmed members
of grassroots unions) and unit admins (every city and county, one grassroots union in three); one
campaign collecting today with six tracks and a deadline per level; entries across the states of
the reporting chain: drafts, submitted, recommended at the unit, waiting at the county (reported
there in a sent batch), recommended at the county, waiting at the city, reported to the host unit,
returned and not recommended, each with its chain position, its levels' decisions and the quota
counters.

Deterministic: the same seed gives the same data (`digest()` hashes it, leaving out times, which
follow today's date so that the campaign is open). Written with `bulk_create` in chunks; entries
are generated and written a chunk at a time, so memory stays flat beyond the tree and the user ids.
Works on SQLite and PostgreSQL. Refuses a database that already holds organisations or entries
unless `force=True`, and refuses to load the same seed twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.scopes import UNIT_ADMIN
from zhengji.campaigns.models import Campaign, LevelRule, Track
from zhengji.entries.models import Entry, EntryDecision, EntryStatus, LevelDecision, TrackCounter
from zhengji.orgs.models import Membership, MembershipStatus, Organization, OrgKind
from zhengji.reporting.models import Batch, BatchItem, BatchStatus, ChainPosition, QuotaCounter

M = TypeVar("M", bound=Model)
CHUNK = 2000
CITIES = ["合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "阜阳", "宿州", "滁州", "六安",
          "宣城", "池州", "亳州"]
TRACKS = [("征文", "essay"), ("摄影", "photo"), ("短视频", "video"), ("书画", "art"), ("诵读", "reading"),
          ("案例", "case")]
WORKS = ["铜都", "江淮", "匠心", "劳动", "奋斗", "初心", "家园", "追光", "星光", "春风", "工地", "车间"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
PASSWORD = "scale-admin-2026"


class ScaleError(Exception):
    pass


@dataclass
class ScaleResult:
    campaign: Campaign
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    admin_username: str = ""


def _bulk(model: type[M], rows: Iterable[M], chunk: int = CHUNK) -> list[M]:
    """Insert in chunks; returns the saved rows (with their ids)."""
    out: list[M] = []
    batch: list[M] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            out.extend(model._default_manager.bulk_create(batch))
            batch = []
    if batch:
        out.extend(model._default_manager.bulk_create(batch))
    return out


def _bulk_count(model: type[Model], rows: Iterable[Model], chunk: int = CHUNK) -> int:
    n = 0
    batch: list[Model] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            model._default_manager.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        model._default_manager.bulk_create(batch)
        n += len(batch)
    return n


@dataclass
class Node:
    pk: int
    path: str
    kind: str
    parent: int  # index into the node list, -1 for the root
    code: str


def _tree(rng: random.Random, seed: int, orgs: int, log: Callable[[str], None]) -> list[Node]:
    """Province → 16 cities → county-level unions → grassroots unions, `orgs` in all."""
    if orgs < 1 + len(CITIES) + len(CITIES) + 1:
        raise ScaleError(f"at least {2 * len(CITIES) + 2} organisations (province, cities, counties, a unit)")
    root_code = f"SC{seed}"
    last_root = Organization.objects.filter(depth=1).order_by("-path").first()
    root_step = (Organization._str2int(last_root.path[:Organization.steplen]) + 1) if last_root else 1
    path = Organization._get_path(None, 1, root_step)
    mids = max(len(CITIES), (orgs - 1 - len(CITIES)) // 150)
    grass = orgs - 1 - len(CITIES) - mids
    # Counties per city: spread, larger cities first; grassroots per county: weighted at random.
    per_city = [mids // len(CITIES) + (1 if c < mids % len(CITIES) else 0) for c in range(len(CITIES))]
    weights = [rng.uniform(0.3, 2.0) for _ in range(mids)]
    total = sum(weights)
    per_mid = [int(grass * w / total) for w in weights]
    for i in range(grass - sum(per_mid)):
        per_mid[i % mids] += 1

    rows: list[Organization] = []
    nodes: list[Node] = []

    def add(code: str, name: str, kind: str, parent: int, p: str, depth: int, numchild: int, members: int) -> None:
        rows.append(Organization(path=p, depth=depth, numchild=numchild, code=code, name=name, kind=kind,
                                 short_name=name[:60], member_count=members, is_active=True))
        nodes.append(Node(0, p, kind, parent, code))

    add(root_code, f"规模测试省总工会（{seed}）", OrgKind.PROVINCE, -1, path, 1, len(CITIES), 0)
    mid_index = 0
    for c, city in enumerate(CITIES):
        city_path = Organization._get_path(path, 2, c + 1)
        city_i = len(nodes)
        add(f"{root_code}-C{c + 1:02d}", f"{city}市总工会", OrgKind.CITY, 0, city_path, 2, per_city[c], 0)
        for m in range(per_city[c]):
            kind = OrgKind.INDUSTRY if rng.random() < 0.1 else OrgKind.COUNTY
            mid_path = Organization._get_path(city_path, 3, m + 1)
            mid_i = len(nodes)
            label = f"{city}第{m + 1}{'产业' if kind == OrgKind.INDUSTRY else '区县'}总工会"
            add(f"{root_code}-C{c + 1:02d}-{m + 1:03d}", label, kind, city_i, mid_path, 3, per_mid[mid_index], 0)
            for g in range(per_mid[mid_index]):
                members = int(min(5000, max(8, rng.lognormvariate(4.5, 1.0))))
                add(f"{root_code}-G{len(nodes):06d}", f"{city}{m + 1}区某单位{g + 1}号工会", OrgKind.GRASSROOTS, mid_i,
                    Organization._get_path(mid_path, 4, g + 1), 4, 0, members)
            mid_index += 1
    saved = _bulk(Organization, rows)
    ids = {o.code: o.pk for o in saved} if all(o.pk for o in saved) else dict(
        Organization.objects.filter(code__startswith=root_code).values_list("code", "pk"))
    for n in nodes:
        n.pk = ids[n.code]
    log(f"organisations: {len(nodes)} (16 cities, {mids} county-level, {grass} grassroots)")
    return nodes


def _campaign(seed: int, root: Node, host: Node, today: dt.date) -> tuple[Campaign, list[Track]]:
    d = dt.timedelta
    campaign = Campaign.objects.create(
        org_id=root.pk, slug=f"scale-{seed}", name=f"规模测试征集活动（{seed}）", year=today.year, is_published=True,
        launch_date=today - d(days=30), collect_start=today - d(days=20), collect_end=today + d(days=20),
        review_start=today + d(days=30), review_end=today + d(days=60), publicity_start=today + d(days=61),
        publicity_end=today + d(days=70), conclude_date=today + d(days=80))
    tracks = [Track.objects.create(campaign=campaign, number=i + 1, slug=slug, name=f"{name}作品",
                                   host_unit_id=host.pk, entrant_types=["individual"], form_schema=[])
              for i, (name, slug) in enumerate(TRACKS)]
    end = dt.time(23, 59, 59)
    tz = timezone.get_current_timezone()
    for kind, days in ((OrgKind.GRASSROOTS, 10), (OrgKind.COUNTY, 14), (OrgKind.INDUSTRY, 14), (OrgKind.CITY, 18)):
        LevelRule.objects.create(campaign=campaign, org_kind=kind,
                                 deadline=dt.datetime.combine(today + d(days=days), end, tzinfo=tz))
    return campaign, tracks


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _people(rng: random.Random, seed: int, nodes: list[Node], n_users: int, now: dt.datetime,
            log: Callable[[str], None]) -> tuple[list[tuple[int, int]], str]:
    """Entrants (members of grassroots unions, weighted by size) and unit admins. Returns the
    entrants as (user id, node index) and the username of the province admin."""
    grass = [i for i, n in enumerate(nodes) if n.kind == OrgKind.GRASSROOTS]
    cum = list(accumulate(max(1, 1 + (i * 7919) % 97) for i in range(len(grass))))
    units = rng.choices(grass, cum_weights=cum, k=n_users)
    users = _bulk(User, (User(username=f"sc{seed}-u{k:06d}", password="!", real_name=_name(rng),
                              phone=f"196{(seed * 1_000_003 + k) % 10**8:08d}", phone_verified=True,
                              date_joined=now) for k in range(n_users)))
    _bulk_count(Membership, (Membership(user_id=u.pk, org_id=nodes[i].pk, status=MembershipStatus.CONFIRMED,
                                        confirmed_at=now) for u, i in zip(users, units, strict=True)))
    admin_of = [i for i, n in enumerate(nodes)
                if n.kind != OrgKind.GRASSROOTS or (i % 3 == 0)]
    admins = _bulk(User, (User(username=f"sc{seed}-a{k:06d}", password="!", real_name=_name(rng),
                               phone=f"197{(seed * 1_000_003 + k) % 10**8:08d}", phone_verified=True,
                               date_joined=now) for k in range(len(admin_of))))
    _bulk_count(RoleAssignment, (RoleAssignment(user_id=a.pk, role=UNIT_ADMIN, scope_type="orgs.organization",
                                                scope_id=nodes[i].pk) for a, i in zip(admins, admin_of, strict=True)))
    root_admin = admins[0]
    root_admin.set_password(PASSWORD)
    root_admin.save(update_fields=["password"])
    log(f"people: {n_users} entrants, {len(admins)} unit admins")
    return [(u.pk, i) for u, i in zip(users, units, strict=True)], root_admin.username


# Where an entry stands: (status, levels up from its unit where it waits, recommended there,
# levels that decided "recommended", last decision at the unit), with a cumulative probability.
STATES: list[tuple[float, str, int, bool, int, str]] = [
    (0.15, EntryStatus.DRAFT, -1, False, 0, ""),
    (0.50, EntryStatus.SUBMITTED, 0, False, 0, ""),
    (0.58, EntryStatus.RECOMMENDED, 0, True, 1, ""),
    (0.70, EntryStatus.RECOMMENDED, 1, False, 1, ""),
    (0.75, EntryStatus.RECOMMENDED, 1, True, 2, ""),
    (0.80, EntryStatus.RECOMMENDED, 2, False, 2, ""),
    (0.88, EntryStatus.REPORTED, 3, False, 3, ""),
    (0.94, EntryStatus.RETURNED, 0, False, 0, LevelDecision.RETURNED),
    (1.00, EntryStatus.REJECTED, 0, False, 0, LevelDecision.REJECTED),
]


def _entries(rng: random.Random, seed: int, nodes: list[Node], people: Sequence[tuple[int, int]],
             tracks: list[Track], host: Node, n_entries: int, now: dt.datetime,
             log: Callable[[str], None]) -> dict[str, int]:
    seq = [0] * len(tracks)
    ranks: dict[tuple[int, int], int] = defaultdict(int)
    used: dict[tuple[int, int], int] = defaultdict(int)
    batches: dict[tuple[int, int], list[int]] = defaultdict(list)  # (from node, track) -> entry ids
    counts: dict[str, int] = defaultdict(int)
    done = 0
    while done < n_entries:
        size = min(CHUNK, n_entries - done)
        plan = []
        rows = []
        for k in range(size):
            user_id, unit = people[rng.randrange(len(people))]
            t = rng.randrange(len(tracks))
            r = rng.random()
            state = next(s for s in STATES if r < s[0])
            _p, status, up, rec_here, recs, last = state
            number = None
            submitted = None
            if status != EntryStatus.DRAFT:
                seq[t] += 1
                number = f"S{seed}-{t + 1:02d}-{seq[t]:06d}"
                submitted = now - dt.timedelta(minutes=rng.randrange(1, 20 * 24 * 60))
            title = f"{rng.choice(WORKS)}{rng.choice(WORKS)}·{done + k + 1}"
            rows.append(Entry(track=tracks[t], submitter_id=user_id, unit_id=nodes[unit].pk, entrant_type="individual",
                              number=number, title=title, summary="", data={}, status=status,
                              submitted_at=submitted))
            plan.append((unit, t, status, up, rec_here, recs, last, submitted))
        saved = Entry.objects.bulk_create(rows)
        positions, decisions = [], []
        for e, (unit, t, status, up, rec_here, recs, last, submitted) in zip(saved, plan, strict=True):
            counts[status] += 1
            if status == EntryStatus.DRAFT:
                continue
            chain = [unit]
            while len(chain) < 3:
                chain.append(nodes[chain[-1]].parent)
            level = host if up == 3 else nodes[chain[up]]
            rank = None
            if rec_here:
                ranks[(level.pk, t)] += 1
                rank = ranks[(level.pk, t)]
            at = submitted or now
            positions.append(ChainPosition(entry_id=e.pk, track_id=tracks[t].pk, level_id=level.pk,
                                           arrived_at=at, recommended=rec_here,
                                           recommended_at=at if rec_here else None, rank=rank))
            for i in range(recs):
                used[(nodes[chain[i]].pk, t)] += 1
                decisions.append(EntryDecision(entry_id=e.pk, level_id=nodes[chain[i]].pk,
                                               decision=LevelDecision.RECOMMENDED, at=at))
            for i in range(min(up, 3)):
                batches[(chain[i], t)].append(e.pk)
            if last:
                decisions.append(EntryDecision(entry_id=e.pk, level_id=nodes[unit].pk, decision=last,
                                               reason="请补充材料" if last == LevelDecision.RETURNED else "不符合要求",
                                               at=at))
        ChainPosition.objects.bulk_create(positions)
        EntryDecision.objects.bulk_create(decisions)
        counts["positions"] += len(positions)
        counts["decisions"] += len(decisions)
        done += size
    TrackCounter.objects.bulk_create([TrackCounter(track=t, last=seq[i]) for i, t in enumerate(tracks)])
    batched = {(nodes[k].pk, t) for k, t in batches}
    _bulk_count(QuotaCounter, (QuotaCounter(org_id=org, track_id=tracks[t].pk, used=n,
                                            batches=1 if (org, t) in batched else 0)
                               for (org, t), n in sorted(used.items())))
    # One sent batch per level and track that reported entries upward.
    year = tracks[0].campaign.year
    batch_rows = []
    keys = sorted(batches, key=lambda k: (nodes[k[0]].path, k[1]))
    for node_i, t in keys:
        node = nodes[node_i]
        to_host = node.kind == OrgKind.CITY
        target = host if to_host else nodes[node.parent]
        batch_rows.append(Batch(level_id=node.pk, track_id=tracks[t].pk, target_id=target.pk, to_host=to_host,
                                number=f"{year}-{t + 1:02d}-{node.code}-001", status=BatchStatus.SENT,
                                created_at=now, sent_at=now))
    saved_batches = _bulk(Batch, batch_rows)
    items = (BatchItem(batch_id=b.pk, entry_id=eid, position=n)
             for b, key in zip(saved_batches, keys, strict=True) for n, eid in enumerate(batches[key], start=1))
    counts["batch items"] = _bulk_count(BatchItem, items)
    counts["batches"] = len(saved_batches)
    log("entries: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return dict(counts)


def build_scale(orgs: int = 20000, entries: int = 100000, *, seed: int = 1, force: bool = False,
                today: dt.date | None = None, log: Callable[[str], None] | None = None) -> ScaleResult:
    """Build the data set (see the module's docstring). `log` receives one line per phase."""
    say = log or (lambda line: None)
    if orgs < 1 or entries < 0 or seed < 0:
        raise ScaleError("orgs must be positive, entries and seed not negative")
    if Organization.objects.filter(code=f"SC{seed}").exists():
        raise ScaleError(f"the scale data of seed {seed} is already loaded; use another seed or a fresh database")
    if not force and (Organization.objects.exists() or Entry.objects.exists()):
        raise ScaleError("the database already holds organisations or entries; use --force to add the scale data "
                         "beside them")
    rng = random.Random(seed)
    now = timezone.now()
    today = today or timezone.localdate()
    result_seconds: dict[str, float] = {}
    started = time.monotonic()

    def phase(name: str) -> None:
        nonlocal started
        result_seconds[name] = round(time.monotonic() - started, 2)
        say(f"  {name}: {result_seconds[name]:.1f} s")
        started = time.monotonic()

    with transaction.atomic():
        nodes = _tree(rng, seed, orgs, say)
        phase("organisations")
        host = next(n for n in nodes if n.code == f"SC{seed}-C14")  # 宣城, as in the demo
        campaign, tracks = _campaign(seed, nodes[0], host, today)
        people, admin = _people(rng, seed, nodes, max(1, entries // 2), now, say)
        phase("people")
        counts = _entries(rng, seed, nodes, people, tracks, host, entries, now, say)
        phase("entries")
    counts["organisations"] = len(nodes)
    counts["entrants"] = len(people)
    return ScaleResult(campaign, counts, result_seconds, admin)


def digest(campaign: Campaign) -> str:
    """A hash of the data set built for `campaign` (times left out): equal for equal seeds."""
    h = hashlib.sha256()
    root = campaign.org

    def feed(rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            h.update(repr(tuple(row)).encode())

    feed(Organization.objects.filter(path__startswith=root.path).order_by("path")
         .values_list("path", "code", "name", "kind", "member_count", "numchild").iterator(chunk_size=5000))
    feed(Entry.objects.filter(track__campaign=campaign).order_by("track__number", "submitter__username", "title")
         .values_list("track__number", "number", "title", "status", "unit__code", "submitter__username")
         .iterator(chunk_size=5000))
    feed(ChainPosition.objects.filter(track__campaign=campaign).order_by("entry__title")
         .values_list("entry__title", "level__code", "recommended", "rank").iterator(chunk_size=5000))
    feed(EntryDecision.objects.filter(entry__track__campaign=campaign).order_by("entry__title", "level__path",
                                                                               "decision")
         .values_list("entry__title", "level__code", "decision").iterator(chunk_size=5000))
    feed(Batch.objects.filter(track__campaign=campaign).order_by("number")
         .values_list("number", "level__code", "target__code", "status").iterator(chunk_size=5000))
    feed(BatchItem.objects.filter(batch__track__campaign=campaign).order_by("batch__number", "position")
         .values_list("batch__number", "entry__title", "position").iterator(chunk_size=5000))
    feed(QuotaCounter.objects.filter(track__campaign=campaign).order_by("org__code", "track__number")
         .values_list("org__code", "track__number", "used").iterator(chunk_size=5000))
    return h.hexdigest()
