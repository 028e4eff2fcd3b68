"""The arithmetic of results (`zhengji.review.results`) against hand-computed numbers, and
properties (hypothesis) of the ranking, the normalisation and the tier cut-offs. No database."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengji.common.registry import VoteCountRegistry
from zhengji.review import results as r
from zhengji.review.results import RankItem, ScoreIn, TierIn

approx = pytest.approx


# --- normalisation ----------------------------------------------------------------------------------

def test_normalisation_by_hand():
    # Judge 1 gives e1 60, e2 80: mean 70, population sd sqrt(((-10)² + 10²)/2) = 10, z = -1, +1.
    # Judge 2 gives e1 90, e2 90: sd 0 → "no spread", both left at the round mean (z = 0).
    # Judge 3 gives e1 70, e2 90: mean 80, sd 10, z = -1, +1.
    # Round: 60, 80, 90, 90, 70, 90 → sum 480, mean 80; deviations -20, 0, 10, 10, -10, 10,
    # squares 400+0+100+100+100+100 = 800, variance 800/6 = 133.33…, sd = sqrt(400/3) = 11.5470.
    scores = [ScoreIn(1, 1, 60), ScoreIn(2, 1, 80), ScoreIn(1, 2, 90), ScoreIn(2, 2, 90),
              ScoreIn(1, 3, 70), ScoreIn(2, 3, 90)]
    n = r.normalise(scores)
    sd = math.sqrt(400 / 3)
    assert n.round_mean == approx(80)
    assert n.round_sd == approx(sd)
    assert n.judges[1].mean == approx(70) and n.judges[1].sd == approx(10)
    assert n.no_spread == [2]
    assert n.steps[(1, 1)].z == approx(-1) and n.steps[(2, 1)].z == approx(1)
    # rescaled: 80 + z·11.5470 → 68.4530 and 91.5470; judge 2 stays at 80.
    assert n.value(1, 1) == approx(80 - sd) == approx(68.4530, abs=1e-4)
    assert n.value(2, 3) == approx(80 + sd) == approx(91.5470, abs=1e-4)
    assert n.value(1, 2) == approx(80) and n.value(2, 2) == approx(80)
    # Through compute() with the mean: e1 = (68.4530 + 80 + 68.4530)/3 = 72.3020,
    # e2 = (91.5470 + 80 + 91.5470)/3 = 87.6980: e2 first.
    res = r.compute(scores, settings=r.Settings(normalise=True))
    assert res.entries[1].final == approx(72.3020, abs=1e-4)
    assert res.entries[2].final == approx(87.6980, abs=1e-4)
    assert [x.entry_id for x in res.ranking] == [2, 1]
    assert res.no_spread == [2]


def test_single_score_judge_is_left_at_the_round_mean():
    # Judge 9 scored once (sd 0): z = 0 → round mean of 50, 70, 90 = 70.
    n = r.normalise([ScoreIn(1, 1, 50), ScoreIn(2, 1, 90), ScoreIn(3, 9, 70)])
    assert n.value(3, 9) == approx(70)
    assert n.judges[9].no_spread


# --- aggregation ------------------------------------------------------------------------------------

def test_mean_trimmed_mean_and_median_by_hand():
    # 70, 95, 80, 60: mean 305/4 = 76.25; trimmed without 95 and 60: (70 + 80)/2 = 75;
    # median of 60, 70, 80, 95 = (70 + 80)/2 = 75.
    a = r.aggregate(1, [70, 95, 80, 60], r.TRIMMED)
    assert (a.mean, a.trimmed, a.median) == (approx(76.25), approx(75), approx(75))
    assert a.dropped == (95, 60) and a.value == approx(75)
    # 88, 70, 91: mean 249/3 = 83; trimmed without 91 and 70: 88; median 88.
    b = r.aggregate(2, [88, 70, 91], r.MEDIAN)
    assert (b.mean, b.trimmed, b.median, b.value) == (approx(83), approx(88), approx(88), approx(88))
    # Two scores: the trimmed mean is the mean (nothing dropped): (70 + 80)/2 = 75.
    c = r.aggregate(3, [70, 80], r.TRIMMED)
    assert c.trimmed == approx(75) and c.dropped == ()
    # Only one of the highest and lowest is dropped: 50, 50, 90, 90, 90 → (50 + 90 + 90)/3 = 76.6667.
    d = r.aggregate(4, [50, 50, 90, 90, 90], r.TRIMMED)
    assert d.trimmed == approx(230 / 3)
    with pytest.raises(ValueError):
        r.aggregate(5, [1], "mode")


def test_criteria_means_in_rubric_order():
    # e1: criterion "a" 30 and 34 → 32; "b" 50 and 46 → 48.
    scores = [ScoreIn(1, 1, 80, {"a": 30, "b": 50}), ScoreIn(1, 2, 80, {"a": 34, "b": 46})]
    assert r.criteria_means(scores, ["a", "b"]) == {1: (32.0, 48.0)}


# --- public vote ------------------------------------------------------------------------------------

def test_vote_blend_by_hand():
    # w = 20 %, scale 100, most votes 200: scaled 200/200·100 = 100, 50/200·100 = 25, 0.
    # e1: 0.8·80 + 0.2·100 = 84; e2: 0.8·90 + 0.2·25 = 77; e3: 0.8·70 + 0 = 56.
    b = r.blend({1: 80, 2: 90, 3: 70}, {1: 200, 2: 50}, 20, 100)
    assert [b[e].vote_scaled for e in (1, 2, 3)] == [approx(100), approx(25), approx(0)]
    assert [b[e].final for e in (1, 2, 3)] == [approx(84), approx(77), approx(56)]
    # No votes at all (no provider): the vote part is 0 for everyone, w still applies.
    z = r.blend({1: 80}, {}, 10, 100)
    assert z[1].final == approx(72)
    # Weight 0: the score unchanged.
    assert r.blend({1: 80}, {1: 5}, 0, 100)[1].final == approx(80)
    # The vote flips the order through compute(): scores e1 80 (one judge), e2 90.
    res = r.compute([ScoreIn(1, 1, 80), ScoreIn(2, 1, 90)], settings=r.Settings(vote_weight=20),
                    votes={1: 200, 2: 50}, scale_max=100)
    assert [(x.entry_id, x.rank) for x in res.ranking] == [(1, 1), (2, 2)]


# --- ranking and tie-breaks ---------------------------------------------------------------------------

ITEMS = [RankItem(1, 90, (45, 45), 3), RankItem(2, 85, (35, 50), 10), RankItem(3, 85, (36, 49), 10),
         RankItem(4, 80, (40, 40), 0)]


def test_panel_tie_break_leaves_the_tie_competition_ranking():
    out = r.rank(ITEMS, r.TIE_PANEL)
    # 90 → 1; 85, 85 → 2, 2 (tied); 80 → 4 (not 3).
    assert [(x.entry_id, x.rank, x.tied) for x in out] == [(1, 1, False), (2, 2, True), (3, 2, True),
                                                          (4, 4, False)]


def test_criteria_tie_break_in_rubric_order():
    out = r.rank(ITEMS, r.TIE_CRITERIA)
    # e3's first criterion 36 > e2's 35: e3 second, e2 third, though e2's second criterion is higher.
    assert [(x.entry_id, x.rank, x.tied, x.broken_by) for x in out] == [
        (1, 1, False, ""), (3, 2, False, "criteria"), (2, 3, False, "criteria"), (4, 4, False, "")]
    # Equal on every criterion: still tied.
    same = [RankItem(1, 85, (40, 45)), RankItem(2, 85, (40, 45))]
    assert [x.rank for x in r.rank(same, r.TIE_CRITERIA)] == [1, 1]


def test_votes_tie_break():
    # Equal votes (10, 10): tied at 2.
    assert [x.rank for x in r.rank(ITEMS, r.TIE_VOTES)] == [1, 2, 2, 4]
    more = [RankItem(2, 85, votes=10), RankItem(3, 85, votes=12)]
    assert [(x.entry_id, x.rank) for x in r.rank(more, r.TIE_VOTES)] == [(3, 1), (2, 2)]


def test_float_noise_does_not_break_a_tie():
    # (0.1 + 0.2)·100 is 30.000000000000004 in floating point: the same score as 30 at four decimals.
    a, b = RankItem(1, (0.1 + 0.2) * 100), RankItem(2, 30.0)
    assert a.final != b.final
    assert [x.rank for x in r.rank([a, b], r.TIE_PANEL)] == [1, 1]


# --- tier cut-offs ------------------------------------------------------------------------------------

TIERS = [TierIn(11, "一等奖", 1), TierIn(12, "二等奖", 2), TierIn(13, "三等奖", 3)]


def ranked(*ranks):
    return [r.Ranked(i + 1, rk, 100 - rk, ranks.count(rk) > 1, "") for i, rk in enumerate(ranks)]


def test_tier_cutoffs_with_a_tie_straddling_a_cutoff():
    # Places: 一等奖 1 (cut-off 1), 二等奖 2 (cut-off 1 + 2 = 3), 三等奖 3 (cut-off 6).
    # Ranks 1, 2, 3, 3, 5, 6, 7: e3 and e4 tie at 3, places 3–4, across the 二等奖 cut-off at 3:
    # both get 二等奖 (flagged: 1 place left, 1 over); e5 (rank 5) and e6 (rank 6) 三等奖; e7 none.
    cut = r.cut_tiers(ranked(1, 2, 3, 3, 5, 6, 7), TIERS)
    assert cut.cutoffs == [(11, 1), (12, 3), (13, 6)]
    assert cut.tiers == {1: 11, 2: 12, 3: 12, 4: 12, 5: 13, 6: 13, 7: None}
    assert cut.straddles == [r.Straddle(12, 3, 3, (3, 4), 1, 1)]
    assert cut.straddling(4) is not None and cut.straddling(5) is None


def test_tie_inside_a_tier_is_not_flagged_and_the_last_cutoff_can_straddle():
    # Ranks 1, 2, 2: the tie fills 二等奖's two places exactly (places 2–3): no flag.
    cut = r.cut_tiers(ranked(1, 2, 2), TIERS)
    assert cut.tiers == {1: 11, 2: 12, 3: 12} and cut.straddles == []
    # Ranks 1..5, 6, 6: the tie at 6 runs past the last cut-off (6): both 三等奖, flagged.
    cut = r.cut_tiers(ranked(1, 2, 3, 4, 5, 6, 6), TIERS)
    assert cut.tiers[6] == cut.tiers[7] == 13
    assert cut.straddles == [r.Straddle(13, 6, 6, (6, 7), 1, 1)]
    # A quota of 0 takes no place.
    assert r.cut_tiers(ranked(1, 2), [TierIn(1, "x", 0), TierIn(2, "y", 1)]).tiers == {1: 2, 2: None}


# --- outliers ---------------------------------------------------------------------------------------

def test_outliers_by_hand():
    # Entry 1: judges 80, 82, 78, 50. For judge 4 the others are 80, 82, 78: mean 80,
    # sd sqrt((0 + 4 + 4)/3) = 1.6330, threshold 2·1.6330 = 3.2660; |50 − 80| = 30 → flagged ("sd").
    # For judge 1 the others are 82, 78, 50: mean 70, sd sqrt((144 + 64 + 400)/3) = 14.2361,
    # threshold 28.4722; |80 − 70| = 10 → not flagged (judges 2 and 3 likewise).
    # Entry 2: judges 80 and 50, one other score each (few): threshold 25 % of 100 = 25; both are
    # 30 from the other → both flagged ("scale"). Entry 3: 80 and 60, 20 apart → none.
    out = r.outliers({1: {1: 80, 2: 82, 3: 78, 4: 50}, 2: {1: 80, 2: 50}, 3: {1: 80, 2: 60}}, 100)
    assert [(o.entry_id, o.judge_id, o.rule) for o in out] == [(1, 4, "sd"), (2, 1, "scale"), (2, 2, "scale")]
    first = out[0]
    assert first.others_mean == approx(80) and first.others_sd == approx(math.sqrt(8 / 3))
    assert first.threshold == approx(2 * math.sqrt(8 / 3)) and first.distance == approx(30)


# --- the chain ----------------------------------------------------------------------------------------

def test_compute_trimmed_with_criteria_tie_break_and_tiers():
    # Three judges per entry, trimmed mean (one score left with three… the middle one):
    # e1: 90, 80, 85 → trimmed 85; e2: 70, 86, 84 → 84; e3: 84, 84, 60 → 84; e4: 50, 60, 70 → 60.
    # e2 and e3 tie at 84; criteria means "a": e2 (28+35+30)/3 = 31, e3 (35+34+20)/3 = 29.6667 → e2 first.
    def s(e, j, total, a):
        return ScoreIn(e, j, total, {"a": a, "b": total - a})

    scores = [s(1, 1, 90, 40), s(1, 2, 80, 30), s(1, 3, 85, 35),
              s(2, 1, 70, 28), s(2, 2, 86, 35), s(2, 3, 84, 30),
              s(3, 1, 84, 35), s(3, 2, 84, 34), s(3, 3, 60, 20),
              s(4, 1, 50, 20), s(4, 2, 60, 20), s(4, 3, 70, 20)]
    res = r.compute(scores, entry_ids=[5], criteria=["a", "b"], scale_max=100,
                    settings=r.Settings(aggregation=r.TRIMMED, tie_break=r.TIE_CRITERIA),
                    tiers=[TierIn(11, "一等奖", 1), TierIn(12, "二等奖", 2)])
    assert [(x.entry_id, x.rank, round(x.final, 4)) for x in res.ranking] == [
        (1, 1, 85.0), (2, 2, 84.0), (3, 3, 84.0), (4, 4, 60.0)]
    assert res.entries[2].criteria[0] == approx(31) and res.entries[3].criteria[0] == approx(29.6667)
    assert {e: res.entries[e].tier_id for e in (1, 2, 3, 4)} == {1: 11, 2: 12, 3: 12, 4: None}
    # Entry 5 has no score: listed last, unranked.
    assert res.ordered()[-1].entry_id == 5 and res.entries[5].ranked is None
    # Outliers: e3's judge 3 (60) against 84, 84 (two others, few): 24 < 25 → not flagged;
    # e2's judge 1 (70) against 86, 84: mean 85, 15 → not flagged.
    assert res.outliers == []


# --- properties ---------------------------------------------------------------------------------------

finals = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 3), st.integers(0, 5)), min_size=0, max_size=40)


@given(finals, st.sampled_from([r.TIE_CRITERIA, r.TIE_VOTES, r.TIE_PANEL]))
@settings(max_examples=200, deadline=None)
def test_ranking_is_a_permutation_with_equal_ranks_for_ties(rows, tie_break):
    items = [RankItem(i, float(f) / 2, (float(c),), v) for i, (f, c, v) in enumerate(rows)]
    out = r.rank(items, tie_break)
    assert sorted(x.entry_id for x in out) == list(range(len(items)))
    by_id = {it.entry_id: it for it in items}

    def key(it):
        extra = {r.TIE_CRITERIA: it.criteria, r.TIE_VOTES: (it.votes,), r.TIE_PANEL: ()}[tie_break]
        return (it.final, extra)

    for x in out:
        better = sum(1 for it in items if key(it) > key(by_id[x.entry_id]))
        assert x.rank == better + 1  # competition ranking
        same = [y for y in out if key(by_id[y.entry_id]) == key(by_id[x.entry_id])]
        assert all(y.rank == x.rank for y in same)
        assert x.tied == (len(same) > 1)
    assert [x.rank for x in out] == sorted(x.rank for x in out)


scores_st = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 100)), min_size=1, max_size=60)


@given(scores_st)
@settings(max_examples=200, deadline=None)
def test_normalisation_gives_each_judge_mean_0_and_sd_1(rows):
    seen = {}
    for e, j, total in rows:
        seen[(e, j)] = total  # one score per (entry, judge)
    scores = [ScoreIn(e, j, float(t)) for (e, j), t in seen.items()]
    n = r.normalise(scores)
    for j, stats in n.judges.items():
        zs = [s.z for s in n.steps.values() if s.judge_id == j]
        if stats.no_spread:
            assert all(z == 0 for z in zs)
            assert all(n.steps[(s.entry_id, j)].value == approx(n.round_mean) for s in scores if s.judge_id == j)
        else:
            assert r.mean(zs) == approx(0, abs=1e-9)
            assert r.pstdev(zs) == approx(1)
    for s in n.steps.values():
        assert s.value == approx(n.round_mean + s.z * n.round_sd)


@given(st.lists(st.integers(0, 8), min_size=0, max_size=30), st.lists(st.integers(0, 4), min_size=0, max_size=4))
@settings(max_examples=200, deadline=None)
def test_tier_cutoffs_never_split_a_tie(finals_list, quotas):
    out = r.rank([RankItem(i, float(f)) for i, f in enumerate(finals_list)], r.TIE_PANEL)
    tiers = [TierIn(100 + i, str(i), q) for i, q in enumerate(quotas)]
    cut = r.cut_tiers(out, tiers)
    by_rank = {}
    for x in out:
        by_rank.setdefault(x.rank, set()).add(cut.tiers[x.entry_id])
    assert all(len(ts) == 1 for ts in by_rank.values())
    flagged = sum(s.overflow for s in cut.straddles)
    for t in tiers:
        given_t = sum(1 for v in cut.tiers.values() if v == t.id)
        over = sum(s.overflow for s in cut.straddles if s.tier_id == t.id)
        assert given_t <= t.quota + over
    assert sum(1 for v in cut.tiers.values() if v is not None) <= sum(quotas) + flagged


@given(st.dictionaries(st.integers(0, 6), st.integers(0, 100), min_size=2, max_size=7))
@settings(max_examples=200, deadline=None)
def test_outliers_match_the_definition(judges):
    # The fast path (the entry's sums without the judge) flags exactly what the definition does.
    found = {o.judge_id for o in r.outliers({1: {j: float(v) for j, v in judges.items()}}, 100)}
    expected = set()
    for j, v in judges.items():
        others = [float(x) for jj, x in judges.items() if jj != j]
        m, sd = r.mean(others), r.pstdev(others)
        threshold = 2 * sd if len(others) >= 3 and r.rounded(sd) > 0 else 25
        if r.rounded(abs(v - m)) > r.rounded(threshold):
            expected.add(j)
    assert found == expected


def test_vote_counts_registry():
    votes = VoteCountRegistry("test votes")
    # With no provider every count is 0.
    assert votes.counts(1, [10, 11]) == {10: 0, 11: 0}
    # Providers add up; entries not asked for are ignored; a provider may know only some entries.
    votes.register("a", lambda track_id, ids: {10: 3, 99: 7})
    votes.register("b", lambda track_id, ids: {10: 1, 11: 2} if track_id == 1 else {})
    assert votes.counts(1, [10, 11]) == {10: 4, 11: 2}
    assert votes.counts(2, [10, 11]) == {10: 3, 11: 0}
