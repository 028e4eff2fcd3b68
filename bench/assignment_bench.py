"""Benchmark the automatic assignment of judging (issue 10 point 10) on one core.

    .venv/bin/python bench/assignment_bench.py [--entries 10000] [--judges 100] [--orgs 20] [--k 3]
        [--conflicts 0.05] [--runs 5] [--solvers ortools,ortools-full,networkx] [--nx-runs 1]

The instance (seeded, the same every run): entries from 200 units in 20 cities; judges in equal
numbers from `--orgs` organisations (one per city), their organisation key the city as the page
uses it; `--conflicts` of all (judge, entry) pairs in conflict, drawn at random. The process is
pinned to CPU 0 (`os.sched_setaffinity`). For each solver: time of `review.assignment.solve`
(building the network included) as p50/p95 over the runs, the largest load difference, the
entries short of k judges, org repeats, conflicts violated, the total cost of the pairs
(recomputed from them) and the solver's own objective. "shortlists" is how the site solves
(one candidate judge per organisation per entry first); "-full" solves the full network, whose
objective is the optimum the shortlists are measured against (both solvers must agree on it).
Goal: < 10 s, loads within one. No database: the solver is pure.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhengji.review.assignment import Problem, Solution, assignment_cost, solve  # noqa: E402

STEP = 4


def instance(entries: int, judges: int, orgs: int, k: int, conflicts: float, seed: int = 20261004) -> Problem:
    rnd = random.Random(seed)
    province = "0001"
    cities = [f"{province}{c + 1:04d}" for c in range(max(orgs, 20))]
    units = [f"{city}{u + 1:04d}" for city in cities for u in range(10)]
    entry_ids = list(range(1, entries + 1))
    entry_paths = {e: rnd.choice(units) for e in entry_ids}
    judge_ids = list(range(100_001, 100_001 + judges))
    org_of = {j: cities[i % orgs] for i, j in enumerate(judge_ids)}
    judge_paths = {j: f"{org_of[j]}{rnd.randrange(1, 11):04d}" for j in judge_ids}
    n_conf = round(conflicts * entries * judges)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_conf:
        pairs.add((rnd.choice(judge_ids), rnd.choice(entry_ids)))
    return Problem(entries=entry_ids, judges=judge_ids, k=k, orgs=org_of, conflicts=frozenset(pairs),
                   entry_paths=entry_paths, judge_paths=judge_paths, path_step=STEP)


def check(p: Problem, s: Solution) -> dict[str, int]:
    per_entry: dict[int, int] = dict.fromkeys(p.entries, 0)
    for _j, e in s.pairs:
        per_entry[e] += 1
    loads = list(s.loads.values())
    return {"short": sum(1 for n in per_entry.values() if n != p.k),
            "conflicts": sum(1 for pair in s.pairs if pair in p.conflicts),
            "spread": max(loads) - min(loads), "repeats": s.repeats}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--judges", type=int, default=100)
    ap.add_argument("--orgs", type=int, default=20)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--conflicts", type=float, default=0.05)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--nx-runs", type=int, default=1, help="runs of networkx (much slower)")
    ap.add_argument("--solvers", default="ortools,ortools-full,networkx",
                    help="ortools, networkx (the shortlists first, as the site runs them) and "
                         "ortools-full / networkx-full (every judge a candidate of every entry: the optimum)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    p = instance(args.entries, args.judges, args.orgs, args.k, args.conflicts)
    print(f"{args.entries} entries, {args.judges} judges from {args.orgs} organisations, k={args.k}, "
          f"{len(p.conflicts)} conflict pairs ({args.conflicts:.0%}), CPU affinity "
          f"{sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
    print("| solver | network | runs | p50 s | p95 s | load min–max | largest load difference "
          "| entries short of k | conflicts | org repeats | total cost of the pairs | solver's objective |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.solvers.split(","):
        solver, _, full = name.partition("-")
        problem = dataclasses.replace(p, shortlist=None) if full else p
        runs = args.nx_runs if solver == "networkx" else args.runs
        times: list[float] = []
        sol: Solution | None = None
        for _ in range(runs):
            sol = solve(problem, solver)  # type: ignore[arg-type]
            times.append(sol.seconds)
        assert sol is not None
        c = check(p, sol)
        loads = list(sol.loads.values())
        network = "shortlists" if sol.shortlisted else "full"
        print(f"| {solver} | {network} | {runs} | {statistics.median(times):.2f} | {pct(times, 0.95):.2f} | "
              f"{min(loads)}–{max(loads)} | {c['spread']} | {c['short']} | {c['conflicts']} | {c['repeats']} | "
              f"{assignment_cost(p, sol.pairs)} | {sol.cost} |", flush=True)


if __name__ == "__main__":
    main()
