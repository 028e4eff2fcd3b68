"""Property tests of the assignment solver (pure, no database): on random small instances, checked
against a brute force over every assignment — no conflicts, each entry exactly k judges when that
is possible at all, caps respected, loads within one whenever caps and conflicts allow, different
organisations whenever the panel allows, the right uncovered entries when infeasible, and the
same optimal cost from OR-Tools and networkx."""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengji.review.assignment import Problem, assignment_cost, org_key, repeats_of, solve

ORGS = ("A", "B", "C", None)


@st.composite
def problems(draw, max_entries=4, max_judges=5, with_fixed=True, with_caps=True):
    n_e = draw(st.integers(1, max_entries))
    n_j = draw(st.integers(1, max_judges))
    entries = list(range(1, n_e + 1))
    judges = list(range(101, 101 + n_j))
    k = draw(st.integers(1, min(3, n_j)))
    orgs = {j: draw(st.sampled_from(ORGS)) for j in judges}
    all_pairs = [(j, e) for j in judges for e in entries]
    conflicts = frozenset(draw(st.sets(st.sampled_from(all_pairs), max_size=len(all_pairs) // 2)))
    caps = {j: draw(st.one_of(st.none(), st.integers(0, n_e))) for j in judges} if with_caps else {}
    fixed: frozenset[tuple[int, int]] = frozenset()
    if with_fixed and draw(st.booleans()):
        free = [pr for pr in all_pairs if pr not in conflicts]
        picked = draw(st.sets(st.sampled_from(free), max_size=3)) if free else set()
        per_entry = Counter(e for _j, e in picked)
        fixed = frozenset(pr for pr in picked if per_entry[pr[1]] <= k)
    return Problem(entries=entries, judges=judges, k=k, orgs=orgs, conflicts=conflicts, caps=caps, fixed=fixed)


def cap_of(p: Problem, j: int) -> int:
    c = p.caps.get(j)
    return 10**6 if c is None else c


def fixed_load(p: Problem) -> Counter:
    return Counter(j for j, _e in p.fixed)


def eligible(p: Problem, e: int) -> list[int]:
    fl = fixed_load(p)
    on = {j for j, x in p.fixed if x == e}
    return [j for j in p.judges if (j, e) not in p.conflicts and j not in on and cap_of(p, j) - fl[j] > 0]


def need(p: Problem, e: int) -> int:
    return max(0, p.k - sum(1 for _j, x in p.fixed if x == e))


def all_assignments(p: Problem):
    """Every assignment of `need` more judges to each entry that respects conflicts and caps."""
    choices = [list(itertools.combinations(eligible(p, e), need(p, e))) for e in p.entries]
    fl = fixed_load(p)
    for combo in itertools.product(*choices):
        loads = Counter(fl)
        pairs = []
        for e, judges in zip(p.entries, combo, strict=True):
            for j in judges:
                loads[j] += 1
                pairs.append((j, e))
        if all(loads[j] <= max(cap_of(p, j), fl[j]) for j in p.judges):
            yield pairs, loads


def band(p: Problem) -> dict[int, tuple[int, int]]:
    """The balanced band of each judge: L-1 or L (less under a lower cap), L the least level that
    holds every assignment."""
    fl = fixed_load(p)
    total = sum(need(p, e) for e in p.entries) + sum(fl[j] for j in p.judges)

    def clamp(j, level):
        return max(fl[j], min(max(cap_of(p, j), fl[j]), level))

    level = next(lv for lv in range(total + 1) if sum(clamp(j, lv) for j in p.judges) >= total)
    return {j: (clamp(j, level - 1), clamp(j, level)) for j in p.judges}


def check_solution(p: Problem, s) -> None:
    count = Counter(e for _j, e in [*s.pairs, *p.fixed])
    assert all(count[e] == p.k or (count[e] > p.k and need(p, e) == 0) for e in p.entries)
    assert not set(s.pairs) & p.conflicts
    assert not set(s.pairs) & p.fixed
    assert len(set(s.pairs)) == len(s.pairs)
    fl = fixed_load(p)
    new = Counter(j for j, _e in s.pairs)
    for j in p.judges:
        assert s.loads[j] == fl[j] + new[j]
        assert new[j] == 0 or s.loads[j] <= cap_of(p, j)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solver_matches_brute_force(p):
    s = solve(p)
    other = solve(p, "networkx")
    # Both solvers: the same feasibility, uncovered entries and optimal cost.
    assert s.cost == other.cost
    assert s.uncovered == other.uncovered and s.balanced == other.balanced
    options = list(all_assignments(p))
    if not options:
        assert s.uncovered and not s.pairs
        short = {e for e in p.entries if len(eligible(p, e)) < need(p, e)}
        assert short <= {u.entry for u in s.uncovered}
        for u in s.uncovered:
            assert u.reason == ("conflicts" if u.entry in short else "capacity")
            assert u.available == len(eligible(p, u.entry)) and u.needed == need(p, u.entry)
        return
    assert not s.uncovered
    check_solution(p, s)
    check_solution(p, other)
    b = band(p)
    in_band = [(pairs, loads) for pairs, loads in options if all(b[j][0] <= loads[j] <= b[j][1] for j in p.judges)]
    # Loads within the balanced band exactly when some assignment allows it.
    assert s.balanced == bool(in_band)
    if s.balanced:
        assert all(b[j][0] <= s.loads[j] <= b[j][1] for j in p.judges)
        assert assignment_cost(p, s.pairs) == s.cost == assignment_cost(p, other.pairs)
        # Different organisations whenever the panel allows: the fewest repeats possible.
        best = min(repeats_of([*pairs, *p.fixed], p.orgs) for pairs, _loads in in_band)
        assert s.repeats == best == other.repeats
    else:
        # Loads as even as possible: no assignment has a smaller largest load.
        assert max(s.loads.values()) == min(max(loads[j] for j in p.judges) for _pairs, loads in options)
    # Shortlists (one judge per organisation, k organisations here): the same answers on
    # feasibility, balance and organisations, at a cost no lower than the optimum.
    short = solve(dataclasses.replace(p, shortlist=p.k))
    check_solution(p, short)
    assert short.balanced == s.balanced and short.repeats == s.repeats and short.cost >= s.cost


@settings(max_examples=100, deadline=None)
@given(problems(max_entries=6, max_judges=6, with_fixed=False, with_caps=False))
def test_uncapped_infeasible_names_exactly_the_entries_short_of_free_judges(p):
    s = solve(p)
    short = {e for e in p.entries if len(eligible(p, e)) < p.k}
    assert {u.entry for u in s.uncovered} == short
    assert all(u.reason == "conflicts" for u in s.uncovered)
    if not short:
        # Without caps, balanced loads are always reachable unless conflicts pin a judge down;
        # loads of judges never differ by more than one when balanced.
        check_solution(p, s)
        if s.balanced:
            assert max(s.loads.values()) - min(s.loads.values()) <= 1


@settings(max_examples=60, deadline=None)
@given(st.integers(5, 40), st.integers(3, 12), st.integers(1, 3), st.integers(0, 10_000))
def test_medium_instances_same_cost_both_solvers(n_e, n_j, k, seed):
    rnd = random.Random(seed)
    entries = list(range(n_e))
    judges = list(range(1000, 1000 + n_j))
    orgs = {j: rnd.choice(["A", "B", "C", "D", None]) for j in judges}
    conflicts = frozenset((j, e) for j in judges for e in entries if rnd.random() < 0.1)
    paths = {e: f"0001{rnd.randrange(1, 4):04d}{rnd.randrange(1, 4):04d}" for e in entries}
    jpaths = {j: (f"0001{rnd.randrange(1, 4):04d}" if orgs[j] else None) for j in judges}
    p = Problem(entries=entries, judges=judges, k=k, orgs=orgs, conflicts=conflicts, entry_paths=paths,
                judge_paths=jpaths)
    a, b = solve(p, "ortools"), solve(p, "networkx")
    assert a.cost == b.cost and a.repeats == b.repeats and a.uncovered == b.uncovered
    if a.balanced:
        assert assignment_cost(p, a.pairs) == a.cost == assignment_cost(p, b.pairs)
    if a.feasible:
        check_solution(p, a)
        check_solution(p, b)
    if a.balanced:
        assert max(a.loads.values()) - min(a.loads.values()) <= 1


def test_distinct_organisations_and_city_preference():
    # Two judges of each of cities A and B, two experts: k=3 needs three different organisations.
    orgs = {1: "A", 2: "A", 3: "B", 4: "B", 5: None, 6: None}
    p = Problem(entries=[10, 11, 12, 13], judges=[1, 2, 3, 4, 5, 6], k=3, orgs=orgs)
    s = solve(p)
    assert s.feasible and s.balanced and s.repeats == 0
    assert sorted(s.loads.values()) == [2, 2, 2, 2, 2, 2]
    # One expert only: balanced loads (3 each) leave two entries with two judges of one city.
    p5 = Problem(entries=[10, 11, 12, 13, 14], judges=[1, 2, 3, 4, 5], k=3, orgs=orgs)
    s5 = solve(p5)
    assert s5.feasible and s5.balanced and s5.repeats == 2 and sorted(s5.loads.values()) == [3] * 5
    for e in p.entries:
        keys = [orgs[j] or f"~{j}" for j, x in s.pairs if x == e]
        assert len(keys) == len(set(keys)) == 3
    # Only one organisation and k=2: repeats are unavoidable, but everything is still covered.
    one = Problem(entries=[1, 2], judges=[7, 8], k=2, orgs={7: "A", 8: "A"})
    s = solve(one)
    assert s.feasible and s.repeats == 2
    # Preference: a judge from another city is preferred to one from the entry's own city.
    near = Problem(entries=[1], judges=[7, 8], k=1, orgs={7: "X", 8: "Y"}, entry_paths={1: "000100020003"},
                   judge_paths={7: "00010002", 8: "00010009"}, caps={7: 1, 8: 1})
    s = solve(near)
    assert s.pairs == ((8, 1),) and s.cost == 1


def test_caps_and_fixed_pairs_count():
    # Judge 1 already scored entries 1 and 2 (fixed): the loads count them, the entries need one fewer.
    p = Problem(entries=[1, 2, 3, 4], judges=[1, 2, 3], k=2, fixed=frozenset({(1, 1), (1, 2)}), caps={3: 1})
    s = solve(p)
    assert s.feasible and s.balanced
    assert s.loads[3] == 1 and s.loads[1] + s.loads[2] == 7 and abs(s.loads[1] - s.loads[2]) <= 1
    assert not {(1, 1), (1, 2)} & set(s.pairs)
    # A fixed judge who left the panel still covers the entry (replaced judge keeps the score).
    p = Problem(entries=[1, 2], judges=[2, 3], k=2, fixed=frozenset({(9, 1)}), orgs={9: "A", 2: "A", 3: "B"})
    s = solve(p)
    assert s.feasible and Counter(e for _j, e in s.pairs) == {1: 1, 2: 2}
    assert (3, 1) in s.pairs  # the other organisation than the fixed judge's
    assert 9 not in s.loads


def test_total_capacity_too_small_and_conflicts_reported():
    p = Problem(entries=[1, 2, 3], judges=[1, 2], k=1, caps={1: 1, 2: 1})
    s = solve(p)
    assert not s.feasible and s.pairs == () and s.capacity_short == 1
    assert [(u.reason, u.needed) for u in s.uncovered] == [("capacity", 1)]
    p = Problem(entries=[1, 2], judges=[1, 2, 3], k=2, conflicts=frozenset({(1, 2), (2, 2)}))
    s = solve(p)
    assert [(u.entry, u.reason, u.available, u.needed) for u in s.uncovered] == [(2, "conflicts", 1, 2)]


def test_conflicts_pin_a_judge_down_loads_still_as_even_as_possible():
    # Judge 1 is in conflict with all but one entry: the band (2–3) cannot hold for them.
    entries = list(range(1, 7))
    p = Problem(entries=entries, judges=[1, 2, 3], k=1, conflicts=frozenset((1, e) for e in entries[1:]))
    s = solve(p)
    assert s.feasible and not s.balanced
    assert s.loads == {1: 1, 2: 3, 3: 2} or s.loads == {1: 1, 2: 2, 3: 3} or sorted(s.loads.values()) == [1, 2, 3]
    assert max(s.loads[2], s.loads[3]) - min(s.loads[2], s.loads[3]) <= 1


def test_empty_and_degenerate():
    assert solve(Problem(entries=[], judges=[1], k=3)).feasible
    s = solve(Problem(entries=[1], judges=[], k=1))
    assert [u.reason for u in s.uncovered] == ["conflicts"]
    with pytest.raises(ValueError):
        solve(Problem(entries=[1], judges=[1], k=1), "hand-written")  # type: ignore[arg-type]
    assert org_key("000100020003") == "00010002" and org_key(None) is None and org_key("0001") == "0001"


def test_deterministic():
    p = Problem(entries=list(range(30)), judges=list(range(100, 110)), k=3,
                orgs={j: "AB"[j % 2] if j % 3 else None for j in range(100, 110)},
                conflicts=frozenset((100 + e % 10, e) for e in range(0, 30, 4)))
    assert solve(p).pairs == solve(p).pairs


def test_shortlists_on_a_larger_instance():
    rnd = random.Random(7)
    entries = list(range(1, 301))
    judges = list(range(1000, 1030))
    orgs = {j: f"C{j % 10}" for j in judges}
    paths = {e: f"0001{rnd.randrange(1, 11):04d}{rnd.randrange(1, 5):04d}" for e in entries}
    jpaths = {j: f"0001{(j % 10) + 1:04d}" for j in judges}
    conflicts = frozenset((j, e) for j in judges for e in entries if rnd.random() < 0.05)
    p = Problem(entries=entries, judges=judges, k=3, orgs=orgs, conflicts=conflicts, entry_paths=paths,
                judge_paths=jpaths, shortlist=6)
    s, nx_s = solve(p), solve(p, "networkx")
    full = solve(dataclasses.replace(p, shortlist=None))
    assert s.shortlisted and not full.shortlisted
    check_solution(p, s)
    assert s.balanced and s.repeats == 0 and max(s.loads.values()) - min(s.loads.values()) <= 1
    assert s.cost == nx_s.cost == assignment_cost(p, s.pairs)
    # The shortlists' optimum against the full network's: never lower, here no higher either.
    assert s.cost >= full.cost == assignment_cost(p, full.pairs)
    assert s.cost - full.cost <= len(entries) * 3 // 20


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_entries=5, max_judges=6, with_fixed=False), st.data())
def test_replacing_a_judge_keeps_scores_and_moves_open_work(p, data):
    """What `replace_judge` asks of the solver: everyone else's pairs and the leaving judge's
    scored pairs fixed, the leaving judge off the panel; their open pairs go to others."""
    first = solve(p)
    if not first.feasible or not first.pairs:
        return
    leaving = data.draw(st.sampled_from(sorted({j for j, _e in first.pairs})))
    theirs = [pr for pr in first.pairs if pr[0] == leaving]
    scored = set(data.draw(st.sets(st.sampled_from(theirs))))
    others = {pr for pr in first.pairs if pr[0] != leaving}
    rest = dataclasses.replace(p, judges=[j for j in p.judges if j != leaving], fixed=frozenset(others | scored))
    second = solve(rest)
    moved = len(theirs) - len(scored)
    if not second.feasible:
        # Only when the others truly cannot take the open work (checked by brute force).
        assert not list(all_assignments(rest))
        return
    # Every scored pair stays (fixed, never re-planned), nothing goes back to the leaving judge,
    # each entry has exactly k judges again, without conflicts, within the caps.
    assert len(second.pairs) == moved
    assert all(j != leaving for j, _e in second.pairs)
    count = Counter(e for _j, e in [*second.pairs, *rest.fixed])
    assert all(count[e] == p.k for e in p.entries)
    assert not set(second.pairs) & p.conflicts
    assert scored <= rest.fixed and not scored & set(second.pairs)
    check_solution(rest, second)
