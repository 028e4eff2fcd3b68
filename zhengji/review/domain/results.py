"""Results of a track's review: reading a round's scores into `review.results` (the arithmetic),
advancing entries to the next round, the final decisions in bulk, freezing the results (a
snapshot with a content hash) and reopening them, and reminding judges of unfinished work.

After a freeze, every change to the track's scores, decisions, assignments and criteria is
refused (`ensure_not_frozen`) until staff reopen the results with a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Track
from zhengji.common import audit, notify, registry
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries.models import Entry, EntryStatus

from .. import results as calc
from ..models import (
    Assignment,
    AssignmentStatus,
    AwardTier,
    Criterion,
    Objection,
    ResultLine,
    ResultSnapshot,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
    Score,
    ScoreStatus,
)
from ..queries import frozen_snapshot, setup_for

# Entries that take no part in a ranking any more.
OUT = (EntryStatus.DISQUALIFIED, EntryStatus.WITHDRAWN)
SNAPSHOT_FORMAT = 1
MAX_BULK = 10000


class Frozen(DomainError):
    code = "frozen"
    status = 409


# --- guards -----------------------------------------------------------------------------------------

def current_snapshot(track: Track | int) -> ResultSnapshot | None:
    """`queries.frozen_snapshot` without loading the snapshot's data (a page only needs the row)."""
    track_id = track.pk if isinstance(track, Track) else track
    last = (ResultSnapshot.objects.filter(track_id=track_id).order_by("-version")
            .only("id", "track_id", "version", "sha256", "frozen_at", "reopened_at").first())
    return last if last is not None and last.reopened_at is None else None


def ensure_not_frozen(track: Track | int, *, lock: bool = True) -> None:
    """Refuse a change to a track whose results are frozen (scores, decisions, assignments,
    criteria) until they are reopened.

    Call it FIRST inside the changing transaction, before locking your own rows: it locks the
    track's row (as `freeze` and `reopen` do), so a change and a freeze never interleave (a change
    that passed this check commits before a freeze can read the scores). One lock order for all:
    the track, then the rest. Outside a transaction it only checks."""
    track_id = track.pk if isinstance(track, Track) else track
    if lock and transaction.get_connection().in_atomic_block:
        Track.objects.select_for_update().filter(pk=track_id).values_list("pk", flat=True).first()
    if current_snapshot(track_id) is not None:
        raise Frozen(_("The results of this track are frozen; reopen them (with a reason) before changing anything."))


def _require_staff(actor: Any, track: Track) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not actor.has_perm("review.run_review", track):
        raise NotPermitted(_("Only the track's review staff may do this."))


def _lock_track(track: Track) -> Track:
    return Track.objects.select_for_update().select_related("host_unit", "campaign").get(pk=track.pk)


def _scope(track: Track) -> audit.AuditScope:
    return audit.AuditScope(org_path=track.host_unit.path, campaign_id=track.campaign_id)


# --- reading a round --------------------------------------------------------------------------------

def scoring_rounds(track: Track) -> list[Round]:
    """The track's rounds that carry scores (scoring and final), in order."""
    return list(Round.objects.filter(track=track).exclude(kind=RoundKind.VETTING).order_by("position"))


def ranking_round(track: Track, round_id: int | None = None) -> Round | None:
    """The round whose scores rank the track: `round_id` if it is one of its scoring rounds, else
    the last scoring or final round with a submitted score (else the last such round)."""
    rounds = scoring_rounds(track)
    if round_id is not None:
        return next((r for r in rounds if r.pk == round_id), None)
    scored = set(Score.objects.filter(round__in=rounds, status=ScoreStatus.SUBMITTED)
                 .values_list("round_id", flat=True).distinct())
    with_scores = [r for r in rounds if r.pk in scored] or rounds
    return with_scores[-1] if with_scores else None


def next_round(rnd: Round) -> Round | None:
    return (Round.objects.filter(track_id=rnd.track_id, position__gt=rnd.position)
            .exclude(kind=RoundKind.VETTING).order_by("position").first())


def scale_max(criteria: Sequence[Criterion]) -> float:
    """The rubric's maximum total (Σ maximum × weight); 100 for a round without criteria."""
    total = sum((c.maximum * c.weight for c in criteria), Decimal(0))
    return float(total) if total > 0 else 100.0


@dataclass
class RoundData:
    round: Round
    criteria: list[Criterion]
    scores: list[calc.ScoreIn]
    rows: list[dict[str, Any]]  # the score rows (entry_id, judge_id, values, total)
    entry_ids: list[int]
    scale_max: float


def round_entry_ids(rnd: Round) -> list[int]:
    """The entries of a round that can still be ranked: its RoundEntry rows and any entry with a
    submitted score there, without disqualified or withdrawn ones (one query)."""
    q = (Q(pk__in=RoundEntry.objects.filter(round=rnd).values("entry_id"))
         | Q(pk__in=Score.objects.filter(round=rnd, status=ScoreStatus.SUBMITTED).values("entry_id")))
    return list(Entry.objects.filter(q, track_id=rnd.track_id).exclude(status__in=OUT)
                .order_by("pk").values_list("pk", flat=True))


def load_round(rnd: Round) -> RoundData:
    """A round's criteria and submitted scores as plain data (three queries)."""
    criteria = list(Criterion.objects.filter(round=rnd).order_by("position", "id"))
    entry_ids = round_entry_ids(rnd)
    keep = set(entry_ids)
    # Only scores of active assignments count: a score given before a conflict came to light (the
    # assignment removed) is kept for the record, never in the results. A judge replaced after
    # dropping out keeps the assignments they scored, so those scores still count.
    qs = (Score.objects.filter(round=rnd, status=ScoreStatus.SUBMITTED, total__isnull=False,
                               assignment__status=AssignmentStatus.ACTIVE)
          .order_by("entry_id", "judge_id").values_list("entry_id", "judge_id", "values", "total"))
    rows: list[dict[str, Any]] = [{"entry_id": e, "judge_id": j, "values": v or {}, "total": t}
                                  for e, j, v, t in qs if e in keep]
    scores = [calc.ScoreIn(r["entry_id"], r["judge_id"], float(r["total"]),
                           {k: float(v) for k, v in r["values"].items() if isinstance(v, (int, float))})
              for r in rows]
    return RoundData(rnd, criteria, scores, rows, entry_ids, scale_max(criteria))


def _number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def settings_of(track: Track) -> calc.Settings:
    s = setup_for(track)
    return calc.Settings(aggregation=s.aggregation, normalise=s.normalise, vote_weight=s.public_vote_weight,
                         tie_break=s.tie_break)


def tiers_of(track: Track) -> list[AwardTier]:
    return list(AwardTier.objects.filter(track=track).order_by("position"))


def compute_round(rnd: Round, data: RoundData | None = None, *,
                  tiers: Sequence[AwardTier] | None = None) -> tuple[RoundData, calc.RoundResult]:
    """The round's results with the track's settings, its public votes (from the vote providers;
    0 without one) and its award tiers."""
    track = rnd.track
    data = data or load_round(rnd)
    conf = settings_of(track)
    votes: dict[int, int] = {}
    if conf.vote_weight or conf.tie_break == calc.TIE_VOTES:
        votes = registry.vote_counts.counts(track.pk, data.entry_ids)
    tiers = tiers_of(track) if tiers is None else tiers
    result = calc.compute(data.scores, entry_ids=data.entry_ids, criteria=[str(c.pk) for c in data.criteria],
                          scale_max=data.scale_max, settings=conf, votes=votes,
                          tiers=[calc.TierIn(t.pk, t.name, t.quota) for t in tiers])
    return data, result


# --- progress ---------------------------------------------------------------------------------------

@dataclass
class JudgeProgress:
    judge_id: int
    name: str
    assigned: int
    draft: int
    submitted: int
    last_activity: dt.datetime | None

    @property
    def unfinished(self) -> int:
        return self.assigned - self.submitted


def progress(rnd: Round) -> list[JudgeProgress]:
    """Per judge of the round: active assignments, drafts, submitted scores and the last time
    they saved anything (two queries)."""
    rows: list[dict[str, Any]] = [dict(r) for r in (
        Assignment.objects.filter(round=rnd, status=AssignmentStatus.ACTIVE).values("judge_id")
        .annotate(assigned=Count("id"),
                  draft=Count("id", filter=Q(score__status=ScoreStatus.DRAFT)),
                  submitted=Count("id", filter=Q(score__status=ScoreStatus.SUBMITTED)),
                  last=Max("score__updated")).order_by("judge_id"))]
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[r["judge_id"] for r in rows])}
    out = [JudgeProgress(r["judge_id"], str(users[r["judge_id"]]) if r["judge_id"] in users else "",
                         r["assigned"], r["draft"], r["submitted"], r["last"]) for r in rows]
    return sorted(out, key=lambda p: (-p.unfinished, p.name, p.judge_id))


def remind_judges(actor: Any, rnd: Round, judge_ids: Iterable[int] | None = None) -> int:
    """Notify the judges of the round with unfinished work (all, or the given ones) and return
    how many were reminded."""
    track = rnd.track
    _require_staff(actor, track)
    with transaction.atomic():
        rnd = Round.objects.select_for_update().select_related("track__host_unit").get(pk=rnd.pk)
        if rnd.status == RoundStatus.CLOSED:
            raise DomainError(_("This round is closed: there is nothing left to remind anyone of."),
                              code="round_closed", status=409)
        if rnd.status != RoundStatus.OPEN:
            raise DomainError(_("This round is not open yet: judges cannot score in it."),
                              code="round_not_open", status=409)
        wanted = None if judge_ids is None else set(judge_ids)
        judges = [p for p in progress(rnd) if p.unfinished > 0 and (wanted is None or p.judge_id in wanted)]
        if not judges:
            raise DomainError(_("No judge of this round has unfinished work."), code="nothing_to_remind")
        audit.record("review.reminder_send", rnd, actor=actor,
                     after={"judges": [p.judge_id for p in judges], "unfinished": sum(p.unfinished for p in judges)})
        ids = [p.judge_id for p in judges]
        title = _("Reminder: entries are waiting for your scores in %(round)s") % {"round": rnd.name}
        body = _("Please score your remaining entries before %(closes)s.") % {
            "closes": timezone.localtime(rnd.closes).strftime("%Y-%m-%d %H:%M")}
        url = reverse("review:judge_queue")

        def send() -> None:
            notify.notify_many(get_user_model().objects.filter(pk__in=ids), title, body, url)

        transaction.on_commit(send)
    return len(judges)


# --- advancing ----------------------------------------------------------------------------------------

def advance(actor: Any, rnd: Round, entries: Iterable[Entry | int]) -> list[int]:
    """Put entries of `rnd` into the track's next scoring or final round (RoundEntry rows; ones
    already there are kept). Returns the ids added."""
    track = rnd.track
    _require_staff(actor, track)
    ids = sorted({e if isinstance(e, int) else e.pk for e in entries})
    if not ids:
        raise DomainError(_("Choose at least one entry."), code="nothing_chosen")
    if len(ids) > MAX_BULK:
        raise DomainError(_("Too many entries at once."), code="too_many")
    with transaction.atomic():
        _lock_track(track)
        ensure_not_frozen(track)
        target = next_round(rnd)
        if target is None:
            raise DomainError(_("There is no later round to advance entries to."), code="no_next_round")
        target = Round.objects.select_for_update().select_related("track__host_unit").get(pk=target.pk)
        if target.status == RoundStatus.CLOSED:
            raise DomainError(_("The next round is closed."), code="round_closed", status=409)
        allowed = set(round_entry_ids(rnd))
        stray = [i for i in ids if i not in allowed]
        if stray:
            raise DomainError(_("Some of the chosen entries are not in this round: %(ids)s")
                              % {"ids": ", ".join(map(str, stray[:20]))}, code="not_in_round", field="entries")
        there = set(RoundEntry.objects.filter(round=target, entry_id__in=ids).values_list("entry_id", flat=True))
        new = [i for i in ids if i not in there]
        now = timezone.now()
        RoundEntry.objects.bulk_create([RoundEntry(round=target, entry_id=i, added_by=actor, added=now) for i in new],
                                       ignore_conflicts=True, batch_size=1000)
        audit.record("review.advance", target, actor=actor, after={"from_round": rnd.pk, "entries": new})
    return new


# --- decisions ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    entry_id: int
    tier_id: int | None
    note: str = ""


def _dec(value: float | None) -> Decimal | None:
    """A final score as the result line keeps it: 4 decimals, the same text as the snapshot's."""
    return None if value is None else Decimal(f"{value:.4f}")


def decide(actor: Any, track: Track, decisions: Sequence[Decision], *, round_id: int | None = None) -> list[ResultLine]:
    """The final decisions in bulk: for each entry an award tier (or none) and a note. Writes the
    entries' result lines with their rank and final score from the ranking of the track's
    ranking round. Refused while the results are frozen."""
    _require_staff(actor, track)
    if not decisions:
        raise DomainError(_("Choose at least one entry."), code="nothing_chosen")
    if len(decisions) > MAX_BULK:
        raise DomainError(_("Too many entries at once."), code="too_many")
    ids = [d.entry_id for d in decisions]
    if len(set(ids)) != len(ids):
        raise DomainError(_("An entry is decided twice in one request."), code="duplicate", field="decisions")
    for d in decisions:
        if len(d.note) > 2000:
            raise DomainError(_("A note is too long (2,000 characters at most)."), code="too_long", field="note")
    with transaction.atomic():
        track = _lock_track(track)
        ensure_not_frozen(track)
        tiers = {t.pk: t for t in tiers_of(track)}
        bad_tier = [d.tier_id for d in decisions if d.tier_id is not None and d.tier_id not in tiers]
        if bad_tier:
            raise DomainError(_("An award tier does not belong to this track."), code="bad_tier", field="tier")
        entries = set(Entry.objects.filter(track=track, pk__in=ids).exclude(status__in=OUT)
                      .values_list("pk", flat=True))
        stray = [i for i in ids if i not in entries]
        if stray:
            raise DomainError(_("Some of the chosen entries cannot be decided in this track: %(ids)s")
                              % {"ids": ", ".join(map(str, stray[:20]))}, code="not_in_track", field="entries")
        rnd = ranking_round(track, round_id)
        if round_id is not None and rnd is None:
            raise DomainError(_("This round is not a scoring round of the track."), code="bad_round", field="round")
        result = compute_round(rnd, tiers=list(tiers.values()))[1] if rnd is not None else None
        before = {line.entry_id: line for line in ResultLine.objects.filter(entry_id__in=ids)}
        other_track = [e for e, line in before.items() if line.track_id != track.pk]
        if other_track:
            raise DomainError(_("Some of the chosen entries have a result in another track."), code="not_in_track")
        now = timezone.now()
        lines: list[ResultLine] = []
        records: list[audit.AuditRecord] = []
        for d in decisions:
            er = result.entries.get(d.entry_id) if result is not None else None
            line = ResultLine(track=track, entry_id=d.entry_id,
                              rank=er.ranked.rank if er is not None and er.ranked is not None else None,
                              score=_dec(er.final) if er is not None else None,
                              tier_id=d.tier_id, note=d.note.strip(), decided_by=actor, decided_at=now)
            lines.append(line)
            old = before.get(d.entry_id)
            records.append(audit.AuditRecord(
                "review.decide", line,
                before=_line_json(old) if old is not None else None, after=_line_json(line), scope=_scope(track)))
        ResultLine.objects.bulk_create(lines, update_conflicts=True, unique_fields=["entry"],
                                       update_fields=["track", "rank", "score", "tier", "note", "decided_by",
                                                      "decided_at"], batch_size=1000)
        saved = list(ResultLine.objects.filter(entry_id__in=ids).order_by("rank", "entry_id"))
        by_entry = {line.entry_id: line for line in saved}
        for r in records:
            r.obj.pk = by_entry[r.obj.entry_id].pk  # type: ignore[attr-defined]
        audit.record_many(records, actor=actor)
    return saved


def _line_json(line: ResultLine) -> dict[str, Any]:
    return {"entry": line.entry_id, "rank": line.rank, "score": None if line.score is None else str(line.score),
            "tier": line.tier_id, "note": line.note}


# --- freezing -----------------------------------------------------------------------------------------

def judge_pseudonym(track_id: int, user_id: int) -> str:
    """A judge's stable pseudonym in a track's public data: never their name, not linkable across
    tracks (a keyed hash of the track and the user)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"review-judge:{track_id}:{user_id}".encode(), hashlib.sha256)
    return "J-" + mac.hexdigest()[:10]


def canonical(data: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def verify(snapshot: ResultSnapshot) -> bool:
    """The snapshot's stored data still hashes to its stored SHA-256."""
    return content_hash(snapshot.data) == snapshot.sha256


def num(value: float | Decimal | None) -> str | None:
    """A number as fixed-point text with 4 decimals for the canonical JSON: a float rounded from
    its exact binary value (as the result lines' scores are), a Decimal half up."""
    if value is None:
        return None
    if isinstance(value, float):
        text = f"{value:.4f}"
        return "0.0000" if text == "-0.0000" else text
    return str(Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _iso(at: dt.datetime | None) -> str | None:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if at is not None else None


def snapshot_data(track: Track, round_id: int | None = None) -> dict[str, Any]:
    """What a freeze keeps: every submitted score of every scoring round per judge (pseudonyms),
    the settings and the intermediate numbers of the ranking round, the ranking and the
    decisions. Only text and integers, so the canonical JSON is the same wherever it is read."""
    conf = settings_of(track)
    rank_round = ranking_round(track, round_id)
    tiers = tiers_of(track)
    pseudo = {}

    def who(user_id: int) -> str:
        if user_id not in pseudo:
            pseudo[user_id] = judge_pseudonym(track.pk, user_id)
        return pseudo[user_id]

    rounds_out = []
    computed: dict[str, Any] | None = None
    for rnd in scoring_rounds(track):
        data = load_round(rnd)
        when = {(e, j): at for e, j, at in Score.objects.filter(round=rnd, status=ScoreStatus.SUBMITTED)
                .values_list("entry_id", "judge_id", "submitted_at")}
        rounds_out.append({
            "id": rnd.pk, "position": rnd.position, "kind": rnd.kind, "name": rnd.name,
            "criteria": [{"id": c.pk, "name": c.name, "maximum": num(c.maximum), "weight": num(c.weight)}
                         for c in data.criteria],
            "scores": [{"entry": r["entry_id"], "judge": who(r["judge_id"]), "total": num(r["total"]),
                        "values": {str(k): num(Decimal(str(v))) if _number(v) else str(v)
                                   for k, v in (r["values"] or {}).items()},
                        "submitted_at": _iso(when.get((r["entry_id"], r["judge_id"])))} for r in data.rows],
        })
        if rank_round is not None and rnd.pk == rank_round.pk:
            _d, result = compute_round(rnd, data, tiers=tiers)
            computed = _computation(result, who)
    lines = ResultLine.objects.filter(track=track).order_by("rank", "entry_id")
    numbers = dict(Entry.objects.filter(track=track).exclude(number=None).values_list("pk", "number"))
    return {
        "format": SNAPSHOT_FORMAT,
        "track": {"id": track.pk, "campaign": track.campaign_id, "name": track.name},
        "settings": {"aggregation": conf.aggregation, "normalise": conf.normalise,
                     "public_vote_weight": conf.vote_weight, "tie_break": conf.tie_break,
                     "ranking_round": rank_round.pk if rank_round is not None else None,
                     "outlier_sd": num(calc.OUTLIER_SD), "outlier_scale_share": num(calc.OUTLIER_SCALE_SHARE)},
        "tiers": [{"id": t.pk, "position": t.position, "name": t.name, "quota": t.quota} for t in tiers],
        "rounds": rounds_out,
        "computation": computed,
        "decisions": [{"entry": line.entry_id, "number": numbers.get(line.entry_id), "rank": line.rank,
                       "score": num(line.score), "tier": line.tier_id, "note": line.note,
                       "decided_at": _iso(line.decided_at)} for line in lines],
    }


def _computation(result: calc.RoundResult, who: Any) -> dict[str, Any]:
    norm = result.normalisation
    steps: dict[int, list[calc.NormStep]] = {}
    if norm is not None:
        for step in norm.steps.values():
            steps.setdefault(step.entry_id, []).append(step)
    return {
        "scale_max": num(result.scale_max),
        "normalisation": None if norm is None else {
            "round_mean": num(norm.round_mean), "round_sd": num(norm.round_sd),
            "judges": [{"judge": who(j), "n": s.n, "mean": num(s.mean), "sd": num(s.sd), "no_spread": s.no_spread}
                       for j, s in sorted(norm.judges.items(), key=lambda kv: who(kv[0]))],
        },
        "entries": [_entry_json(er, result, who, steps.get(er.entry_id, [])) for er in result.ordered()],
        "ranking": [{"entry": r.entry_id, "rank": r.rank, "final": num(r.final), "tied": r.tied,
                     "broken_by": r.broken_by} for r in result.ranking],
        "cutoffs": [{"tier": t, "last_place": last} for t, last in result.cut.cutoffs],
        "straddles": [{"tier": s.tier_id, "cutoff": s.cutoff, "rank": s.rank, "entries": list(s.entry_ids),
                       "places_left": s.places_left, "overflow": s.overflow} for s in result.cut.straddles],
        "outliers": [{"entry": o.entry_id, "judge": who(o.judge_id), "score": num(o.score),
                      "others_mean": num(o.others_mean), "threshold": num(o.threshold), "rule": o.rule}
                     for o in result.outliers],
        "no_spread": sorted(who(j) for j in result.no_spread),
    }


def _entry_json(er: calc.EntryResult, result: calc.RoundResult, who: Any,
                steps: list[calc.NormStep]) -> dict[str, Any]:
    agg = er.aggregate
    out: dict[str, Any] = {"entry": er.entry_id, "n": er.n, "criteria_means": [num(c) for c in er.criteria]}
    if result.normalisation is not None and agg is not None:
        out["normalised"] = [{"judge": who(s.judge_id), "raw": num(s.raw), "z": num(s.z), "value": num(s.value)}
                             for s in sorted(steps, key=lambda s: who(s.judge_id))]
    if agg is not None:
        out["aggregate"] = {"method": agg.method, "mean": num(agg.mean), "trimmed": num(agg.trimmed),
                            "median": num(agg.median), "dropped": [num(x) for x in agg.dropped],
                            "value": num(agg.value)}
    if er.blend is not None:
        out["blend"] = {"score": num(er.blend.score), "votes": er.blend.votes,
                        "vote_scaled": num(er.blend.vote_scaled), "weight": num(er.blend.weight),
                        "final": num(er.blend.final)}
    out["rank"] = er.ranked.rank if er.ranked is not None else None
    out["suggested_tier"] = er.tier_id
    return out


def freeze(actor: Any, track: Track, *, round_id: int | None = None) -> ResultSnapshot:
    """Freeze the track's results: a snapshot of the scores, settings, intermediate numbers,
    ranking and decisions, with the SHA-256 of its canonical JSON; the next version number."""
    _require_staff(actor, track)
    with transaction.atomic():
        track = _lock_track(track)
        if frozen_snapshot(track) is not None:
            raise Frozen(_("The results of this track are already frozen."), code="already_frozen")
        data = snapshot_data(track, round_id)
        last = ResultSnapshot.objects.filter(track=track).aggregate(v=Max("version"))["v"] or 0
        snap = ResultSnapshot.objects.create(track=track, version=last + 1, data=data, sha256=content_hash(data),
                                             frozen_by=actor, frozen_at=timezone.now())
        audit.record("review.freeze", snap, actor=actor, after={"version": snap.version, "sha256": snap.sha256})
    return snap


def reopen(actor: Any, track: Track, reason: str) -> ResultSnapshot:
    """Reopen frozen results for changes: the snapshot records who, when and why."""
    _require_staff(actor, track)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for reopening the results."), code="reason_required", field="reason")
    if len(reason) > 2000:
        raise DomainError(_("The reason is too long (2,000 characters at most)."), code="too_long", field="reason")
    with transaction.atomic():
        track = _lock_track(track)
        snap = frozen_snapshot(track)
        if snap is None:
            raise DomainError(_("The results of this track are not frozen."), code="not_frozen", status=409)
        snap.reopened_by = actor
        snap.reopened_at = timezone.now()
        snap.reopen_reason = reason
        snap.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
        audit.record("review.reopen", snap, actor=actor, reason=reason,
                     before={"version": snap.version, "sha256": snap.sha256}, after={"reopened": True})
    return snap


def snapshots(track: Track) -> list[ResultSnapshot]:
    return list(ResultSnapshot.objects.filter(track=track).select_related("frozen_by", "reopened_by")
                .defer("data").order_by("-version"))


# --- traceability -------------------------------------------------------------------------------------

@dataclass
class JudgeLine:
    """One judge's score of the traced entry in one round, with its way through the numbers."""

    judge_id: int
    name: str
    status: str
    values: list[tuple[Criterion, Any]]
    total: Decimal | None
    submitted_at: dt.datetime | None
    updated: dt.datetime
    comment: str
    counted: bool
    norm: calc.NormStep | None
    stats: calc.JudgeStats | None
    outlier: calc.Outlier | None


@dataclass
class RoundTrace:
    round: Round
    criteria: list[Criterion]
    judges: list[JudgeLine]
    result: calc.EntryResult | None
    computed: calc.RoundResult
    is_ranking_round: bool


@dataclass
class Trace:
    entry: Entry
    rounds: list[RoundTrace]
    line: ResultLine | None
    events: list[AuditLog]
    objections: list[Objection]
    snapshots: list[ResultSnapshot]


def entry_trace(track: Track, entry: Entry) -> Trace:
    """From an entry's result to everything behind it: its scores per judge per criterion in
    each round, the normalisation and aggregation steps with their numbers, the decision, the
    objections and the audit records (who and when)."""
    rank_round = ranking_round(track)
    rounds: list[RoundTrace] = []
    all_scores = list(Score.objects.filter(entry=entry).select_related("judge").order_by("round_id", "judge_id"))
    in_rounds = set(RoundEntry.objects.filter(entry=entry).values_list("round_id", flat=True))
    for rnd in scoring_rounds(track):
        mine = [sc for sc in all_scores if sc.round_id == rnd.pk]
        if not mine and rnd.pk not in in_rounds:
            continue
        data, res = compute_round(rnd)
        norm = res.normalisation
        flagged = {(o.entry_id, o.judge_id): o for o in res.outliers}
        judges = []
        for sc in mine:
            counted = sc.status == ScoreStatus.SUBMITTED and sc.total is not None and entry.pk in res.entries
            judges.append(JudgeLine(
                sc.judge_id, str(sc.judge), sc.status,
                [(c, (sc.values or {}).get(str(c.pk))) for c in data.criteria], sc.total, sc.submitted_at,
                sc.updated, sc.comment, counted,
                norm.steps.get((entry.pk, sc.judge_id)) if norm is not None and counted else None,
                res.judges.get(sc.judge_id) if counted else None, flagged.get((entry.pk, sc.judge_id))))
        rounds.append(RoundTrace(rnd, data.criteria, judges, res.entries.get(entry.pk), res,
                                 rank_round is not None and rnd.pk == rank_round.pk))
    line = ResultLine.objects.select_related("tier", "decided_by").filter(entry=entry, track=track).first()
    objections = list(Objection.objects.filter(entry=entry).select_related("handled_by", "publicity")
                      .order_by("created", "id"))
    snaps = snapshots(track)
    q = Q(object_type="entries.entry", object_id=str(entry.pk))
    q |= Q(object_type="review.score", object_id__in=[str(sc.pk) for sc in all_scores])
    q |= Q(object_type="review.assignment",
           object_id__in=[str(pk) for pk in Assignment.objects.filter(entry=entry).values_list("pk", flat=True)])
    if line is not None:
        q |= Q(object_type="review.resultline", object_id=str(line.pk))
    if objections:
        q |= Q(object_type="review.objection", object_id__in=[str(o.pk) for o in objections])
    if snaps:
        q |= Q(object_type="review.resultsnapshot", object_id__in=[str(sn.pk) for sn in snaps])
    events = list(AuditLog.objects.filter(q).select_related("actor").order_by("at", "id")[:1000])
    return Trace(entry, rounds, line, events, objections, snaps)
