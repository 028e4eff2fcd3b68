"""Automatic assignment of judges to entries as a min-cost flow (pure: no Django, no database).

The network (one unit of flow = one judge on one entry):

    entry e ──(cap 1, cost 0)──▶ (e, org o) ──(cap 1, pref)──▶ judge j ──▶ sink
            ╰(cap need-1, cost M)╯

- each entry supplies `need = k - (judges already fixed on it)` units: every entry gets exactly k
  judges or the instance is infeasible;
- a judge is reachable only from entries it has no conflict with, at most once per entry;
- the judges of one entry come through one node per (entry, organisation): its first unit is free,
  any further unit costs M, so two judges of one organisation share an entry only when the panel
  leaves no other way (an organisation with one eligible judge gets a direct arc);
- judge → sink carries the judge's load between a lower and an upper bound (the balanced target:
  each judge gets L-1 or L entries, fewer when their cap is lower), written with supplies and
  demands (a lower bound l on judge → sink is a demand l at the judge);
- `pref` is a small deterministic preference: the number of leading organisation-tree levels the
  judge's organisation shares with the entry's unit (capped at 3), so judges from farther away are
  preferred ("spreading cities"); M outweighs every preference in total.

Solved by OR-Tools' `SimpleMinCostFlow` (the default) or by networkx's network simplex on the
very same arcs (for comparison: both reach the same optimal cost). A large instance (an entry
with more than `Problem.shortlist` candidates) is first solved with a shortlist per entry of one
judge per organisation — a network ~7 times smaller on 10,000 entries × 100 judges; that answer
is kept when it is balanced with no organisation twice on an entry (no M paid), else the full
network decides, so feasibility, balance and organisations are as good as the full network's
and only the preference may be a little higher than its optimum. When the balanced bounds
cannot be met (conflicts or caps leave a judge short), the loads are spread as evenly as possible
by convex costs instead (`balanced=False`). When some entries cannot get k judges at all, the
solution has no pairs and `uncovered` names each such entry and why.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = ["Problem", "Solution", "Uncovered", "assignment_cost", "org_key", "repeats_of", "solve"]

Solver = Literal["ortools", "networkx"]

PREF_MAX = 3
# Phase 2 (relaxed loads): the units a judge carries above the balanced upper bound cost
# W·1, W·2, … (convex: the excess is spread), up to this many single-unit arcs, then one arc.
EXCESS_STEPS = 64
# Large instances: each entry first gets a shortlist of at most this many candidate judges, one
# per organisation; the full network is solved only when the shortlists leave no balanced
# assignment with different organisations on every entry (see `solve`).
SHORTLIST = 24


@dataclass(frozen=True)
class Problem:
    """One assignment instance. Pairs are (judge id, entry id) throughout.

    - `caps`: the most entries a judge may carry in this round (fixed ones included); None or
      missing = no cap;
    - `orgs`: each judge's organisation key; None (or missing) = an outside expert, an
      organisation of their own;
    - `conflicts`: pairs that must never be assigned;
    - `fixed`: pairs kept whatever happens (e.g. already scored); they count towards the entry's
      k judges and the judge's load (a fixed judge need not be on the panel any more);
    - `entry_paths` / `judge_paths`: organisation-tree paths (informative, and the preference
      for judges from farther away); `path_step` is the length of one level of a path;
    - `shortlist`: the candidate judges an entry starts with when it has more (None: all of them).
    """

    entries: Sequence[int]
    judges: Sequence[int]
    k: int
    caps: Mapping[int, int | None] = field(default_factory=dict)
    orgs: Mapping[int, str | None] = field(default_factory=dict)
    conflicts: frozenset[tuple[int, int]] = frozenset()
    fixed: frozenset[tuple[int, int]] = frozenset()
    entry_paths: Mapping[int, str] = field(default_factory=dict)
    judge_paths: Mapping[int, str | None] = field(default_factory=dict)
    path_step: int = 4
    shortlist: int | None = SHORTLIST


@dataclass(frozen=True)
class Uncovered:
    """An entry that cannot get its k judges: `reason` is "conflicts" (fewer judges free of a
    conflict with it and with room left than it needs) or "capacity" (enough such judges, but
    their caps are used up by other entries)."""

    entry: int
    reason: str
    needed: int
    available: int


@dataclass(frozen=True)
class Solution:
    """`pairs`: the new (judge, entry) pairs, fixed ones excluded, sorted by entry then judge;
    `loads`: every panel judge's load with the fixed pairs; `cost`: the solver's optimal
    objective; `target`: the balanced band (L-1, L); `balanced`: every judge within their band;
    `repeats`: judges sharing an organisation with another judge of the same entry (fixed ones
    included); `uncovered`: non-empty means infeasible, and then `pairs` is empty."""

    pairs: tuple[tuple[int, int], ...]
    loads: dict[int, int]
    cost: int
    solver: str
    seconds: float
    uncovered: tuple[Uncovered, ...] = ()
    balanced: bool = True
    target: tuple[int, int] = (0, 0)
    repeats: int = 0
    capacity_short: int = 0
    shortlisted: bool = False

    @property
    def feasible(self) -> bool:
        return not self.uncovered


def org_key(path: str | None, depth: int = 2, step: int = 4) -> str | None:
    """The organisation key of a judge for "different organisations": the ancestor at `depth`
    (2: the city) of their organisation's path, or the organisation itself when higher up."""
    if not path:
        return None
    return path[: depth * step]


def _shared_levels(a: str | None, b: str | None, step: int) -> int:
    if not a or not b:
        return 0
    n = 0
    for i in range(0, min(len(a), len(b)) - step + 1, step):
        if a[i:i + step] != b[i:i + step]:
            break
        n += 1
    return min(n, PREF_MAX)


def repeats_of(pairs: Sequence[tuple[int, int]], orgs: Mapping[int, str | None]) -> int:
    """Judges on an entry beyond the first of their organisation (experts never repeat)."""
    by_entry: dict[int, list[str]] = defaultdict(list)
    for j, e in pairs:
        by_entry[e].append(orgs.get(j) or f"~{j}")
    return sum(len(keys) - len(set(keys)) for keys in by_entry.values())


def assignment_cost(problem: Problem, pairs: Sequence[tuple[int, int]]) -> int:
    """The objective of a balanced assignment recomputed from its pairs (the solver's optimum
    when `pairs` is its solution): the preferences of the new pairs plus M for each new judge
    whose organisation already serves the entry."""
    total_new = sum(max(0, problem.k - sum(1 for _j, e in problem.fixed if e == x)) for x in set(problem.entries))
    org_pen = PREF_MAX * total_new + 1
    seen: dict[int, set[str]] = defaultdict(set)
    for j, e in problem.fixed:
        seen[e].add(problem.orgs.get(j) or f"~{j}")
    cost = 0
    for j, e in sorted(pairs, key=lambda p: (p[1], p[0])):
        okey = problem.orgs.get(j) or f"~{j}"
        if okey in seen[e]:
            cost += org_pen
        seen[e].add(okey)
        cost += _shared_levels(problem.judge_paths.get(j), problem.entry_paths.get(e, ""), problem.path_step)
    return cost


# --- the network --------------------------------------------------------------------------------

@dataclass
class _Net:
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    caps: list[int] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    supplies: dict[int, int] = field(default_factory=dict)
    n: int = 0
    pair_arcs: list[int] = field(default_factory=list)  # arc indices that carry a (judge, entry)
    pair_of: list[tuple[int, int]] = field(default_factory=list)
    bypass: dict[int, int] = field(default_factory=dict)  # entry -> arc index (phase 2)
    entry_node: dict[int, int] = field(default_factory=dict)

    def node(self) -> int:
        self.n += 1
        return self.n - 1

    def arc(self, t: int, h: int, cap: int, cost: int) -> int:
        self.tails.append(t)
        self.heads.append(h)
        self.caps.append(cap)
        self.costs.append(cost)
        return len(self.tails) - 1


@dataclass
class _Prepared:
    entries: list[int]
    judges: list[int]
    need: dict[int, int]
    fixed_load: dict[int, int]
    room: dict[int, int]
    barred: dict[int, set[int]]  # entry -> judges in conflict with it or fixed on it
    counts: dict[int, int]  # entry -> number of judges free of conflicts, not fixed on it, with room
    open_judges: list[int]  # judges with room, by id
    used_orgs: dict[int, set[str]]  # entry -> org keys of its fixed judges
    key: dict[int, str]
    total_new: int
    lo: dict[int, int]
    hi: dict[int, int]
    level: int
    org_members: dict[str, list[int]]  # organisation key -> its judges with room, by id
    org_order: list[str]
    limit: int = 0


def _prepare(p: Problem) -> _Prepared:
    entries = sorted(set(p.entries))
    judges = sorted(set(p.judges))
    entry_set, judge_set = set(entries), set(judges)
    key = {j: (p.orgs.get(j) or f"~{j}") for j in judges}
    fixed_on: dict[int, set[int]] = defaultdict(set)
    fixed_load: dict[int, int] = dict.fromkeys(judges, 0)
    used_orgs: dict[int, set[str]] = defaultdict(set)
    for j, e in p.fixed:
        if e not in entry_set:
            continue
        fixed_on[e].add(j)
        used_orgs[e].add(p.orgs.get(j) or f"~{j}")
        if j in judge_set:
            fixed_load[j] += 1
    need = {e: max(0, p.k - len(fixed_on[e])) for e in entries}
    total_new = sum(need.values())
    total = total_new + sum(fixed_load.values())
    capf: dict[int, int] = {}
    for j in judges:
        cap = p.caps.get(j)
        capf[j] = max(fixed_load[j], total if cap is None else cap)
    room = {j: capf[j] - fixed_load[j] for j in judges}
    open_judges = [j for j in judges if room[j] > 0]
    open_set = set(open_judges)
    barred: dict[int, set[int]] = defaultdict(set)
    for j, e in p.conflicts:
        if j in open_set and e in entry_set:
            barred[e].add(j)
    for e, on in fixed_on.items():
        barred[e].update(on & open_set)
    counts = {e: len(open_judges) - len(barred.get(e, ())) for e in entries}

    # The balanced level L: the least L with sum(clamp(L)) >= total.
    def filled(level: int) -> int:
        return sum(max(fixed_load[j], min(capf[j], level)) for j in judges)

    lo_l, hi_l = 0, max([total, *capf.values()]) if judges else 0
    while lo_l < hi_l:
        mid = (lo_l + hi_l) // 2
        if filled(mid) >= total:
            hi_l = mid
        else:
            lo_l = mid + 1
    level = lo_l
    lo = {j: max(fixed_load[j], min(capf[j], level - 1)) - fixed_load[j] for j in judges}
    hi = {j: max(fixed_load[j], min(capf[j], level)) - fixed_load[j] for j in judges}
    org_members: dict[str, list[int]] = defaultdict(list)
    for j in open_judges:
        org_members[key[j]].append(j)
    return _Prepared(entries, judges, need, fixed_load, room, barred, counts, open_judges, used_orgs, key, total_new,
                     lo, hi, level, dict(org_members), sorted(org_members))


def _org_pen(pr: _Prepared) -> int:
    # More than every preference of every unit together: one repeat outweighs them all.
    return PREF_MAX * pr.total_new + 1


def _shortlist(pr: _Prepared, e: int, index: int, tiers: list[list[str]]) -> dict[str, list[int]]:
    """At most `limit` candidate judges of one entry, one per organisation (so no organisation can
    serve it twice): organisations by preference (`tiers`, best first), each tier in an order
    that turns with the entry so that every organisation gets its share; within one, the first
    judge free of conflicts in an order that also turns with the entry, so that every judge gets
    theirs."""
    barred = pr.barred.get(e, set())
    out: dict[str, list[int]] = {}
    for tier in tiers:
        start = index % len(tier)
        for i in range(len(tier)):
            okey = tier[(start + i) % len(tier)]
            members = pr.org_members[okey]
            m = len(members)
            for t in range(m):
                j = members[(index + t) % m]
                if j not in barred:
                    out[okey] = [j]
                    break
            if len(out) >= pr.limit:
                return out
    return out


def _build(p: Problem, pr: _Prepared, relaxed: bool, limit: int | None = None) -> _Net:
    net = _Net()
    sink = net.node()
    jnode = {j: net.node() for j in pr.judges}
    total_new = pr.total_new
    org_pen = _org_pen(pr)
    pref_cache: dict[tuple[int, str], int] = {}
    tier_cache: dict[str, list[list[str]]] = {}
    pr.limit = limit or 0
    for index, e in enumerate(pr.entries):
        need = pr.need[e]
        enode = net.entry_node[e] = net.node()
        net.supplies[enode] = need
        if need == 0:
            continue
        epath = p.entry_paths.get(e, "")
        groups: dict[str, list[int]]
        if limit is not None and pr.counts[e] > limit:
            tiers = tier_cache.get(epath)
            if tiers is None:
                by_pref: dict[int, list[str]] = defaultdict(list)
                for okey in pr.org_order:
                    by_pref[min(_shared_levels(p.judge_paths.get(j), epath, p.path_step)
                                for j in pr.org_members[okey])].append(okey)
                tiers = tier_cache[epath] = [by_pref[v] for v in sorted(by_pref)]
            groups = _shortlist(pr, e, index, tiers)
        else:
            groups = defaultdict(list)
            barred = pr.barred.get(e, set())
            for j in pr.open_judges:
                if j not in barred:
                    groups[pr.key[j]].append(j)
        pref: dict[int, int] = {}
        for members in groups.values():
            for j in members:
                value = pref_cache.get((j, epath))
                if value is None:
                    value = pref_cache[(j, epath)] = _shared_levels(p.judge_paths.get(j), epath, p.path_step)
                pref[j] = value
        used = pr.used_orgs.get(e, set())
        for okey, members in groups.items():
            taken = okey in used
            if len(members) == 1:
                j = members[0]
                net.pair_arcs.append(net.arc(enode, jnode[j], 1, pref[j] + (org_pen if taken else 0)))
                net.pair_of.append((j, e))
                continue
            g = net.node()
            if not taken:
                net.arc(enode, g, 1, 0)
            extra = need if taken else need - 1
            if extra > 0:
                net.arc(enode, g, extra, org_pen)
            for j in members:
                net.pair_arcs.append(net.arc(g, jnode[j], 1, pref[j]))
                net.pair_of.append((j, e))
    if not relaxed:
        for j in pr.judges:
            if pr.lo[j]:
                net.supplies[jnode[j]] = -pr.lo[j]
            if pr.hi[j] > pr.lo[j]:
                net.arc(jnode[j], sink, pr.hi[j] - pr.lo[j], 0)
        net.supplies[sink] = -(total_new - sum(pr.lo.values()))
        return net
    # Relaxed: loads up to the band are free; each unit above it costs more than the one before;
    # an entry may leave units uncovered through a bypass arc whose cost dwarfs everything else.
    w = org_pen * 16
    for j in pr.judges:
        room = pr.room[j]
        base = min(pr.hi[j], room)
        if base > 0:
            net.arc(jnode[j], sink, base, 0)
        left = room - base
        step = 1
        while left > 0:
            cap = 1 if step < EXCESS_STEPS else left
            net.arc(jnode[j], sink, cap, w * step)
            left -= cap
            step += 1
    bypass_cost = w * (EXCESS_STEPS + 1) * max(1, p.k) * 64
    # Later entries (by id) are left uncovered before earlier ones: one answer, whatever the solver.
    for i, e in enumerate(pr.entries):
        if pr.need[e]:
            net.bypass[e] = net.arc(net.entry_node[e], sink, pr.need[e], bypass_cost + len(pr.entries) - i)
    net.supplies[sink] = -total_new
    return net


# --- solvers ------------------------------------------------------------------------------------

class _Infeasible(Exception):
    pass


def _run_ortools(net: _Net) -> tuple[int, np.ndarray]:
    smcf = min_cost_flow.SimpleMinCostFlow()
    if net.tails:
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.asarray(net.tails, dtype=np.int32), np.asarray(net.heads, dtype=np.int32),
            np.asarray(net.caps, dtype=np.int64), np.asarray(net.costs, dtype=np.int64))
    nodes = np.fromiter(net.supplies.keys(), dtype=np.int32, count=len(net.supplies))
    supplies = np.fromiter(net.supplies.values(), dtype=np.int64, count=len(net.supplies))
    if len(nodes):
        smcf.set_nodes_supplies(nodes, supplies)
    if not net.tails:
        if any(supplies):
            raise _Infeasible
        return 0, np.zeros(0, dtype=np.int64)
    status = smcf.solve()
    if status == smcf.INFEASIBLE or status == smcf.UNBALANCED:
        raise _Infeasible
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow: status {status}")
    flows = smcf.flows(np.arange(len(net.tails), dtype=np.int32))
    return int(smcf.optimal_cost()), np.asarray(flows)


def _run_networkx(net: _Net) -> tuple[int, np.ndarray]:
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(net.n))
    for node, supply in net.supplies.items():
        if supply:
            g.nodes[node]["demand"] = -supply
    for i, (t, h, c, w) in enumerate(zip(net.tails, net.heads, net.caps, net.costs, strict=True)):
        g.add_edge(t, h, key=i, capacity=c, weight=w)
    try:
        cost, flow = nx.network_simplex(g)
    except nx.NetworkXUnfeasible:
        raise _Infeasible from None
    flows = np.zeros(len(net.tails), dtype=np.int64)
    for i, (t, h) in enumerate(zip(net.tails, net.heads, strict=True)):
        flows[i] = flow[t][h][i]
    return int(cost), flows


_RUNNERS = {"ortools": _run_ortools, "networkx": _run_networkx}


def solve(problem: Problem, solver: Solver = "ortools") -> Solution:
    """The optimal assignment of `problem` (see the module's docstring)."""
    if solver not in _RUNNERS:
        raise ValueError(f"unknown solver {solver!r}")
    run = _RUNNERS[solver]
    started = time.perf_counter()
    pr = _prepare(problem)
    short = [e for e in pr.entries if pr.counts[e] < pr.need[e]]
    room_total = sum(pr.room.values())
    capacity_short = max(0, pr.total_new - room_total)
    cost: int | None = None
    balanced = False
    shortlisted = False
    if not short and not capacity_short:
        limit = problem.shortlist
        if limit is not None and any(pr.counts[e] > limit for e in pr.entries):
            # The shortlists' optimum is kept when it is balanced with no organisation twice on
            # an entry (no penalty paid); else the full network decides.
            net = _build(problem, pr, relaxed=False, limit=limit)
            try:
                cost, flows = run(net)
            except _Infeasible:
                cost = None
            if cost is not None and cost < _org_pen(pr):
                balanced = shortlisted = True
            else:
                cost = None
        if cost is None:
            net = _build(problem, pr, relaxed=False)
            try:
                cost, flows = run(net)
                balanced = True
            except _Infeasible:
                cost = None
    if cost is None:
        net = _build(problem, pr, relaxed=True)
        cost, flows = run(net)
        missing = {e: int(flows[a]) for e, a in net.bypass.items() if flows[a] > 0}
        if missing:
            uncovered = tuple(
                Uncovered(e, "conflicts" if pr.counts[e] < pr.need[e] else "capacity",
                          needed=pr.need[e], available=pr.counts[e])
                for e in sorted(missing))
            loads = dict(pr.fixed_load)
            return Solution((), loads, cost, solver, time.perf_counter() - started, uncovered=uncovered,
                            balanced=False, target=(max(0, pr.level - 1), pr.level),
                            repeats=repeats_of(sorted(problem.fixed), problem.orgs),
                            capacity_short=capacity_short)
    chosen: list[int] = (np.flatnonzero(flows[np.asarray(net.pair_arcs, dtype=np.int64)] > 0).tolist()
                         if net.pair_arcs else [])
    pairs = sorted((net.pair_of[i] for i in chosen), key=lambda p: (p[1], p[0]))
    loads = dict(pr.fixed_load)
    for j, _e in pairs:
        loads[j] += 1
    return Solution(tuple(pairs), loads, cost, solver, time.perf_counter() - started,
                    balanced=balanced, target=(max(0, pr.level - 1), pr.level),
                    repeats=repeats_of([*pairs, *sorted(problem.fixed)], problem.orgs), shortlisted=shortlisted)
