"""The arithmetic of a round's results, as pure functions over plain data (no ORM): per-judge
z-score normalisation, aggregation per entry (mean, trimmed mean, median), the public-vote blend,
ranking with ties and the tie-break, award-tier cut-offs from the quotas, and outlier flags.

Every step returns its intermediate numbers (dataclasses) so that the trace page and the frozen
snapshot can show how each final score came about. `compute()` chains the steps the way a
track's `ReviewSetup` says.

Conventions:
- standard deviations are population deviations (divide by n): a judge's z-scores then have mean
  0 and standard deviation 1 exactly;
- final scores are compared after rounding to `PLACES` decimals (the precision the database keeps),
  so floating-point noise never breaks or makes a tie;
- the public vote is scaled to the rubric's maximum total by max-normalisation (the entry with
  the most votes gets the maximum, no votes give 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PLACES = 4

MEAN = "mean"
TRIMMED = "trimmed"
MEDIAN = "median"

TIE_CRITERIA = "criteria"
TIE_VOTES = "votes"
TIE_PANEL = "panel"

# Outlier rule: a judge further than OUTLIER_SD standard deviations of the entry's other scores
# from their mean; with fewer than OUTLIER_MIN_OTHERS other scores (or none spread), further than
# OUTLIER_SCALE_SHARE of the rubric's maximum total.
OUTLIER_SD = 2.0
OUTLIER_MIN_OTHERS = 3
OUTLIER_SCALE_SHARE = 0.25


def rounded(x: float) -> float:
    return round(x + 0.0, PLACES)


def mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs) if xs else 0.0


def pstdev(xs: Sequence[float]) -> float:
    """Population standard deviation (0 for fewer than two values)."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def median(xs: Sequence[float]) -> float:
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return 0.0
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


# --- input ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreIn:
    """One submitted score: the judge's weighted total and the points per criterion id."""

    entry_id: int
    judge_id: int
    total: float
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TierIn:
    id: int
    name: str
    quota: int


# --- normalisation ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class JudgeStats:
    judge_id: int
    n: int
    mean: float
    sd: float

    @property
    def no_spread(self) -> bool:
        return self.sd == 0.0


@dataclass(frozen=True)
class NormStep:
    """One score through normalisation: raw total → z → rescaled to the round's scale."""

    entry_id: int
    judge_id: int
    raw: float
    z: float
    value: float


@dataclass
class Normalisation:
    round_mean: float
    round_sd: float
    judges: dict[int, JudgeStats]
    steps: dict[tuple[int, int], NormStep]  # (entry, judge) -> step

    def value(self, entry_id: int, judge_id: int) -> float:
        return self.steps[(entry_id, judge_id)].value

    @property
    def no_spread(self) -> list[int]:
        return sorted(j for j, s in self.judges.items() if s.no_spread)


def judge_stats(scores: Iterable[ScoreIn]) -> dict[int, JudgeStats]:
    by_judge: dict[int, list[float]] = {}
    for s in scores:
        by_judge.setdefault(s.judge_id, []).append(s.total)
    return {j: JudgeStats(j, len(xs), mean(xs), pstdev(xs)) for j, xs in by_judge.items()}


def normalise(scores: Sequence[ScoreIn]) -> Normalisation:
    """Per-judge z-scores, rescaled to the round's mean and standard deviation (of all scores),
    so the numbers stay on the rubric's scale. A judge without spread (all their totals equal, or
    a single score) has z = 0: their scores are left at the round mean."""
    totals = [s.total for s in scores]
    m, sd = mean(totals), pstdev(totals)
    judges = judge_stats(scores)
    steps: dict[tuple[int, int], NormStep] = {}
    for s in scores:
        js = judges[s.judge_id]
        z = 0.0 if js.no_spread else (s.total - js.mean) / js.sd
        steps[(s.entry_id, s.judge_id)] = NormStep(s.entry_id, s.judge_id, s.total, z, m + z * sd)
    return Normalisation(m, sd, judges, steps)


# --- aggregation ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Aggregate:
    """One entry's scores combined: every method's number and the chosen one (`value`)."""

    entry_id: int
    inputs: tuple[float, ...]
    mean: float
    trimmed: float
    median: float
    method: str
    dropped: tuple[float, ...]  # the highest and lowest left out of the trimmed mean (when ≥ 3)

    @property
    def value(self) -> float:
        return {MEAN: self.mean, TRIMMED: self.trimmed, MEDIAN: self.median}[self.method]


def trimmed_mean(xs: Sequence[float]) -> tuple[float, tuple[float, ...]]:
    """The mean without the highest and the lowest score (one each) when there are at least three;
    else the plain mean. Returns the number and what was left out."""
    if len(xs) < 3:
        return mean(xs), ()
    s = sorted(xs)
    return mean(s[1:-1]), (s[-1], s[0])


def aggregate(entry_id: int, xs: Sequence[float], method: str = MEAN) -> Aggregate:
    if method not in (MEAN, TRIMMED, MEDIAN):
        raise ValueError(f"unknown aggregation {method!r}")
    t, dropped = trimmed_mean(xs)
    return Aggregate(entry_id, tuple(xs), mean(xs), t, median(xs), method, dropped)


def criteria_means(scores: Iterable[ScoreIn], criteria: Sequence[str]) -> dict[int, tuple[float, ...]]:
    """Per entry, the mean points of each criterion (in rubric order) over the judges that scored
    it: the tie-break keys of TIE_CRITERIA."""
    sums: dict[int, list[list[float]]] = {}
    for s in scores:
        cols = sums.setdefault(s.entry_id, [[] for _c in criteria])
        for i, c in enumerate(criteria):
            if c in s.values:
                cols[i].append(float(s.values[c]))
    return {e: tuple(rounded(mean(col)) for col in cols) for e, cols in sums.items()}


# --- public vote ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Blend:
    entry_id: int
    score: float
    votes: int
    vote_scaled: float
    weight: float
    final: float


def blend(scores: Mapping[int, float], votes: Mapping[int, int], weight_percent: int,
          scale_max: float) -> dict[int, Blend]:
    """final = (1 − w)·score + w·vote_scaled, with w = weight_percent / 100 and
    vote_scaled = votes / max(votes) · scale_max (0 when nobody has a vote)."""
    w = weight_percent / 100
    top = max((votes.get(e, 0) for e in scores), default=0)
    out: dict[int, Blend] = {}
    for e, score in scores.items():
        v = votes.get(e, 0)
        scaled = v / top * scale_max if top > 0 else 0.0
        out[e] = Blend(e, score, v, scaled, w, (1 - w) * score + w * scaled)
    return out


# --- ranking ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankItem:
    entry_id: int
    final: float
    criteria: tuple[float, ...] = ()
    votes: int = 0


@dataclass(frozen=True)
class Ranked:
    entry_id: int
    rank: int
    final: float
    tied: bool  # shares its rank with another entry (after the tie-break)
    broken_by: str  # "" or the tie-break that separated it from an equal final score


def rank(items: Sequence[RankItem], tie_break: str = TIE_CRITERIA) -> list[Ranked]:
    """Competition ranking (1, 2, 2, 4) by the final score (rounded to PLACES), highest first.
    Equal final scores are separated by the tie-break: TIE_CRITERIA compares the criteria means
    in rubric order, TIE_VOTES the public votes; TIE_PANEL leaves them tied (the panel decides).
    Entries still equal share a rank. Within a rank, entries are listed by id."""
    if tie_break not in (TIE_CRITERIA, TIE_VOTES, TIE_PANEL):
        raise ValueError(f"unknown tie-break {tie_break!r}")

    def secondary(it: RankItem) -> tuple[float, ...]:
        if tie_break == TIE_CRITERIA:
            return tuple(-c for c in it.criteria)
        if tie_break == TIE_VOTES:
            return (-float(it.votes),)
        return ()

    keyed = sorted(((rounded(it.final), secondary(it), it) for it in items),
                   key=lambda t: (-t[0], t[1], t[2].entry_id))
    ordered = [t[2] for t in keyed]
    keys = [(t[0], t[1]) for t in keyed]
    finals: dict[float, int] = {}
    for f, _sec in keys:
        finals[f] = finals.get(f, 0) + 1
    counts: dict[tuple[float, tuple[float, ...]], int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    out: list[Ranked] = []
    current = 0
    for i, (it, k) in enumerate(zip(ordered, keys, strict=True)):
        if i == 0 or k != keys[i - 1]:
            current = i + 1
        separated = finals[k[0]] > counts[k]
        out.append(Ranked(it.entry_id, current, it.final, counts[k] > 1, tie_break if separated else ""))
    return out


# --- award tiers ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Straddle:
    """A tie across a tier's cut-off: the tied entries all get `tier_id` (never split), which
    takes `overflow` more places than its quota leaves; staff decide."""

    tier_id: int
    cutoff: int  # the last place of the tier (cumulative quotas)
    rank: int
    entry_ids: tuple[int, ...]
    places_left: int
    overflow: int


@dataclass
class TierCut:
    tiers: dict[int, int | None]  # entry -> suggested tier (None: no award)
    cutoffs: list[tuple[int, int]]  # (tier id, last place) best first
    straddles: list[Straddle]

    def straddling(self, entry_id: int) -> Straddle | None:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {e: s for s in self.straddles for e in s.entry_ids}
        return index.get(entry_id)


def cut_tiers(ranked: Sequence[Ranked], tiers: Sequence[TierIn]) -> TierCut:
    """Suggested tiers from the quotas, best first: tier i takes the places after the quotas of
    the tiers above it up to its own (cumulative). A group of tied entries that starts inside a
    tier and runs past its cut-off is flagged and given that tier whole."""
    cutoffs: list[tuple[int, int]] = []
    total = 0
    for t in tiers:
        if t.quota > 0:
            total += t.quota
            cutoffs.append((t.id, total))
    groups: dict[int, list[int]] = {}
    for r in ranked:
        groups.setdefault(r.rank, []).append(r.entry_id)
    out: dict[int, int | None] = {}
    straddles: list[Straddle] = []
    for rk, ids in sorted(groups.items()):
        end = rk + len(ids) - 1
        prev = 0
        tier: int | None = None
        for tier_id, last in cutoffs:
            if prev < rk <= last:
                tier = tier_id
                if end > last:
                    straddles.append(Straddle(tier_id, last, rk, tuple(ids), last - rk + 1, end - last))
                break
            prev = last
        for e in ids:
            out[e] = tier
    return TierCut(out, cutoffs, straddles)


# --- outliers ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outlier:
    entry_id: int
    judge_id: int
    score: float
    others_mean: float
    others_sd: float
    threshold: float
    distance: float
    rule: str  # "sd" or "scale"


def outliers(by_entry: Mapping[int, Mapping[int, float]], scale_max: float, *, k: float = OUTLIER_SD,
             min_others: int = OUTLIER_MIN_OTHERS, share: float = OUTLIER_SCALE_SHARE) -> list[Outlier]:
    """Judges far from the others on an entry: further than k standard deviations of the other
    judges' scores from their mean; with fewer than `min_others` other scores or no spread among
    them, further than `share` of the rubric's maximum total."""
    out: list[Outlier] = []
    for e in sorted(by_entry):
        judges = by_entry[e]
        n = len(judges) - 1  # the others of each judge
        if n < 1:
            continue
        total = math.fsum(judges.values())
        squares = math.fsum(v * v for v in judges.values())
        for j in sorted(judges):
            # The others' mean and population sd from the entry's sums, without the judge's score.
            m = (total - judges[j]) / n
            sd = math.sqrt(max(0.0, (squares - judges[j] ** 2) / n - m * m)) if n > 1 else 0.0
            if rounded(sd) == 0:
                sd = 0.0
            if n >= min_others and sd > 0:
                threshold, rule = k * sd, "sd"
            else:
                threshold, rule = share * scale_max, "scale"
            distance = abs(judges[j] - m)
            if rounded(distance) > rounded(threshold):
                out.append(Outlier(e, j, judges[j], m, sd, threshold, distance, rule))
    return out


# --- the whole chain --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    aggregation: str = MEAN
    normalise: bool = False
    vote_weight: int = 0  # percent, 0–50
    tie_break: str = TIE_CRITERIA


@dataclass
class EntryResult:
    entry_id: int
    n: int
    aggregate: Aggregate | None
    criteria: tuple[float, ...]
    blend: Blend | None
    ranked: Ranked | None
    tier_id: int | None
    straddle: Straddle | None

    @property
    def final(self) -> float | None:
        return self.blend.final if self.blend is not None else None


@dataclass
class RoundResult:
    settings: Settings
    scale_max: float
    criteria: tuple[str, ...]
    normalisation: Normalisation | None
    judges: dict[int, JudgeStats]
    entries: dict[int, EntryResult]
    ranking: list[Ranked]
    cut: TierCut
    outliers: list[Outlier]

    def ordered(self) -> list[EntryResult]:
        """Ranked entries first (by rank, then id), then the entries without a submitted score."""
        ranked = [self.entries[r.entry_id] for r in self.ranking]
        rest = sorted((e for e in self.entries.values() if e.ranked is None), key=lambda e: e.entry_id)
        return ranked + rest

    @property
    def no_spread(self) -> list[int]:
        """Judges with at least two scores that are all equal."""
        return sorted(j for j, s in self.judges.items() if s.n >= 2 and s.no_spread)


def compute(scores: Sequence[ScoreIn], *, entry_ids: Iterable[int] = (), criteria: Sequence[str] = (),
            scale_max: float = 100.0, settings: Settings = Settings(), votes: Mapping[int, int] | None = None,
            tiers: Sequence[TierIn] = ()) -> RoundResult:
    """A round's results from its submitted scores: normalise (if on), aggregate per entry,
    blend the vote, rank with the tie-break, cut the tiers, flag outliers. `entry_ids` adds
    entries that have no score yet (they are listed, unranked)."""
    votes = votes or {}
    norm = normalise(scores) if settings.normalise else None
    per_entry: dict[int, dict[int, float]] = {}
    for s in scores:
        per_entry.setdefault(s.entry_id, {})[s.judge_id] = norm.value(s.entry_id, s.judge_id) if norm else s.total
    crit = criteria_means(scores, criteria)
    aggs = {e: aggregate(e, [js[j] for j in sorted(js)], settings.aggregation) for e, js in per_entry.items()}
    blends = blend({e: a.value for e, a in aggs.items()}, votes, settings.vote_weight, scale_max)
    items = [RankItem(e, b.final, crit.get(e, ()), b.votes) for e, b in blends.items()]
    ranking = rank(items, settings.tie_break)
    cut = cut_tiers(ranking, tiers)
    by_rank = {r.entry_id: r for r in ranking}
    raw_by_entry: dict[int, dict[int, float]] = {}
    for s in scores:
        raw_by_entry.setdefault(s.entry_id, {})[s.judge_id] = s.total
    entries: dict[int, EntryResult] = {}
    for e in set(entry_ids) | set(per_entry):
        entries[e] = EntryResult(e, len(per_entry.get(e, {})), aggs.get(e), crit.get(e, ()), blends.get(e),
                                 by_rank.get(e), cut.tiers.get(e), cut.straddling(e))
    return RoundResult(settings, scale_max, tuple(criteria), norm, judge_stats(scores), entries, ranking, cut,
                       outliers(raw_by_entry, scale_max))
