"""The review set-up of a track (host-unit staff, campaign admins, superusers): the settings, the
rounds in order (vetting, scoring rounds, final) with their rubric, the panel of judges, the award
tiers, the vetting of reported entries, and the campaign's public holidays (campaign admins).

Every function is one transaction: the row that must not race is locked, the permission checked
(`review.run_review` on the track; `review.manage_holidays` on the campaign), the change audited
with the codes of `review.audit_sentences`, notifications sent on commit. Entry status changes go
through `entries.workflow.apply` with the steps of `review.steps`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, ProtectedError, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.scopes import scopes_for
from zhengji.accounts.services import check_phone, grant_role, revoke_role
from zhengji.campaigns.models import Campaign, Track
from zhengji.campaigns.roles import CampaignRole
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.notify import notify
from zhengji.common.numbers import parse_count, parse_id
from zhengji.entries import workflow
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.queries import View, entries_for
from zhengji.orgs.models import Organization

from ..models import (
    Aggregation,
    Assignment,
    AssignmentStatus,
    AwardTier,
    Criterion,
    Holiday,
    PanelMember,
    Publicity,
    ReviewSetup,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
    Score,
    ScoreStatus,
    TieBreak,
)
from ..queries import frozen_snapshot
from .results import ensure_not_frozen

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = EntryStatus
MAX_BULK = 500          # entries per vetting decision
MAX_ROWS = 50           # criteria of a rubric, award tiers
MAX_HOLIDAYS = 400      # listed days of a campaign
SETUP_FIELDS = ("blind", "aggregation", "normalise", "public_vote_weight", "tie_break", "publicity_days")
ROUND_FIELDS = ("name", "name_en", "opens", "closes", "judges_per_entry", "instructions")
# While a round is open only these may change (the judges are at work).
OPEN_ROUND_FIELDS = ("name", "name_en", "closes", "instructions")
UNSET: Any = object()


# --- helpers ---------------------------------------------------------------------------------------

def _require(actor: Any, perm: str, obj: Any) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not actor.has_perm(perm, obj):
        raise NotPermitted(_("You may not set up the review of this track."))


def _lock_track(track: Track) -> Track:
    """The track row, locked: rounds, tiers and the panel of one track change one at a time."""
    return Track.objects.select_for_update().select_related("campaign", "host_unit").get(pk=track.pk)


def _not_frozen(track: Track) -> None:
    """The one freeze guard of the results area (it locks the track row first: one lock order)."""
    ensure_not_frozen(track)


def _text(value: Any, *, field: str, maximum: int, required: bool = False, label: str = "") -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(_("Enter the %(field)s.") % {"field": label or field}, code="required", field=field)
    if len(text) > maximum:
        raise DomainError(_("The %(field)s is too long (at most %(n)d characters).") % {"field": label or field,
                                                                                     "n": maximum},
                          code="too_long", field=field)
    return text


def _int(value: Any, *, field: str, low: int, high: int, label: str) -> int:
    if isinstance(value, bool):
        value = None
    n = value if isinstance(value, int) else parse_count(str(value if value is not None else "").strip())
    if n is None or not low <= n <= high:
        raise DomainError(_("The %(field)s must be a whole number from %(low)d to %(high)d.")
                          % {"field": label, "low": low, "high": high}, code="out_of_range", field=field)
    return n


def _decimal(value: Any, *, field: str, low: Decimal, high: Decimal, label: str, places: int,
             above: bool = False) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        d = None
    ok = d is not None and d.is_finite() and (d > low if above else d >= low) and d <= high
    if not ok or d is None or d != d.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(_("The %(field)s must be a number from %(low)s to %(high)s with at most %(places)d "
                            "decimals.") % {"field": label, "low": low, "high": high, "places": places},
                          code="out_of_range", field=field)
    return d


def _bool(value: Any, *, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "on", "yes"}:
        return True
    if text in {"0", "false", "off", "no", ""}:
        return False
    raise DomainError(_("Choose yes or no."), code="invalid", field=field)


def _aware(value: Any, *, field: str) -> dt.datetime:
    """A moment: an aware datetime, or a naive one / ISO text read in Asia/Shanghai."""
    when = value
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            when = None
    if not isinstance(when, dt.datetime):
        raise DomainError(_("Enter a date and time."), code="invalid_date", field=field)
    if timezone.is_naive(when):
        when = when.replace(tzinfo=SHANGHAI)
    return when


def local(when: dt.datetime) -> str:
    """A moment as shown to staff: Asia/Shanghai."""
    return timezone.localtime(when, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _notify_on_commit(user: Any, title: str, body: str = "", url: str = "", sms: str = "") -> None:
    transaction.on_commit(lambda: notify(user, title, body, url, sms=sms), robust=True)


def site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


# --- settings ----------------------------------------------------------------------------------------

def settings_of(track: Track) -> ReviewSetup:
    """The track's settings; the defaults (not saved) until someone saves them."""
    return ReviewSetup.objects.filter(track=track).first() or ReviewSetup(track=track)


@transaction.atomic
def update_setup(actor: Any, track: Track, **fields: Any) -> ReviewSetup:
    """Change the review settings of a track: blind, aggregation, normalise, public_vote_weight
    (0–50 %), tie_break, publicity_days (1–30 working days). Refused once the results are frozen."""
    _require(actor, "review.run_review", track)
    unknown = sorted(set(fields) - set(SETUP_FIELDS))
    if unknown:
        raise DomainError(_("Unknown setting: %(name)s.") % {"name": ", ".join(unknown)}, code="unknown_field",
                          field=unknown[0])
    track = _lock_track(track)
    _not_frozen(track)
    ReviewSetup.objects.get_or_create(track=track)
    setup = ReviewSetup.objects.select_for_update().get(track=track)
    before = audit.snapshot(setup, list(SETUP_FIELDS))
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("blind", "normalise"):
            clean[name] = _bool(value, field=name)
        elif name == "aggregation":
            if value not in Aggregation.values:
                raise DomainError(_("Choose how the scores are aggregated."), code="invalid", field=name)
            clean[name] = str(value)
        elif name == "tie_break":
            if value not in TieBreak.values:
                raise DomainError(_("Choose a tie-break rule."), code="invalid", field=name)
            clean[name] = str(value)
        elif name == "public_vote_weight":
            clean[name] = _int(value, field=name, low=0, high=50, label=_("public vote weight (%)"))
        else:
            clean[name] = _int(value, field=name, low=1, high=30, label=_("publicity period (working days)"))
    weight = clean.get("public_vote_weight", setup.public_vote_weight)
    if clean.get("tie_break", setup.tie_break) == TieBreak.VOTES and not weight:
        raise DomainError(_("The tie-break by public votes needs a public vote weight above 0."),
                          code="votes_without_weight", field="tie_break")
    for name, value in clean.items():
        setattr(setup, name, value)
    setup.save()
    after = audit.snapshot(setup, list(SETUP_FIELDS))
    if after != before:
        audit.record("review.setup_change", setup, actor=actor, before=before, after=after)
    return setup


# --- rounds ------------------------------------------------------------------------------------------

def _round_values(track: Track, data: Mapping[str, Any], current: Round | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = _text(data["name"], field="name", maximum=100, required=True, label=_("round name"))
    if "name_en" in data:
        out["name_en"] = _text(data["name_en"], field="name_en", maximum=100)
    if "instructions" in data:
        out["instructions"] = _text(data["instructions"], field="instructions", maximum=5000)
    if "judges_per_entry" in data:
        out["judges_per_entry"] = _int(data["judges_per_entry"], field="judges_per_entry", low=1, high=15,
                                       label=_("judges per entry"))
    if "opens" in data:
        out["opens"] = _aware(data["opens"], field="opens")
    if "closes" in data:
        out["closes"] = _aware(data["closes"], field="closes")
    opens = out.get("opens", current.opens if current else None)
    closes = out.get("closes", current.closes if current else None)
    if opens is not None and closes is not None and closes <= opens:
        raise DomainError(_("A round must close after it opens."), code="bad_dates", field="closes")
    return out


def _shift(track: Track, start: int, by: int) -> None:
    """Move the rounds of `track` at position >= start by `by` (two steps: the positions are unique)."""
    rows = Round.objects.filter(track=track, position__gte=start)
    rows.update(position=F("position") + 1000)
    Round.objects.filter(track=track, position__gte=start + 1000).update(position=F("position") - 1000 + by)


@transaction.atomic
def create_round(actor: Any, track: Track, kind: str, name: str, opens: Any, closes: Any,
                 judges_per_entry: int = 3, instructions: str = "", name_en: str = "") -> Round:
    """Add a round in its place: the vetting round first (at most one), scoring rounds after it,
    the final round last (at most one). Rounds that have started keep their place: a vetting round
    cannot be added once another round opened, nor a scoring round after a final that opened."""
    _require(actor, "review.run_review", track)
    if kind not in RoundKind.values:
        raise DomainError(_("Choose the kind of round."), code="invalid", field="kind")
    track = _lock_track(track)
    _not_frozen(track)
    values = _round_values(track, {"name": name, "name_en": name_en, "opens": opens, "closes": closes,
                                   "judges_per_entry": judges_per_entry, "instructions": instructions}, None)
    rounds = list(Round.objects.filter(track=track).order_by("position"))
    kinds = [r.kind for r in rounds]
    if kind == RoundKind.VETTING:
        if RoundKind.VETTING in kinds:
            raise DomainError(_("This track already has a vetting round."), code="duplicate_round", field="kind")
        if any(r.status != RoundStatus.DRAFT for r in rounds):
            raise DomainError(_("A vetting round comes first; it cannot be added once another round has opened."),
                              code="round_order", field="kind")
        position = 1
    elif kind == RoundKind.FINAL:
        if RoundKind.FINAL in kinds:
            raise DomainError(_("This track already has a final round."), code="duplicate_round", field="kind")
        position = (rounds[-1].position + 1) if rounds else 1
    else:
        final = next((r for r in rounds if r.kind == RoundKind.FINAL), None)
        if final is not None and final.status != RoundStatus.DRAFT:
            raise DomainError(_("The final round has started; no scoring round can be added before it."),
                              code="round_order", field="kind")
        position = final.position if final is not None else ((rounds[-1].position + 1) if rounds else 1)
    if any(r.position >= position for r in rounds):
        _shift(track, position, 1)
    rnd = Round.objects.create(track=track, kind=kind, position=position, **values)
    rnd.track = track
    audit.record("review.round_create", rnd, actor=actor, after=_round_snapshot(rnd))
    _renumber(track)
    rnd.refresh_from_db()
    return rnd


def _renumber(track: Track) -> None:
    """Positions 1, 2, 3 … in order (after a deletion or an insertion)."""
    rows = list(Round.objects.filter(track=track).order_by("position").values_list("pk", "position"))
    if all(pos == i for i, (_pk, pos) in enumerate(rows, start=1)):
        return
    Round.objects.filter(track=track).update(position=F("position") + 1000)
    for i, (pk, _pos) in enumerate(rows, start=1):
        Round.objects.filter(pk=pk).update(position=i)


def _round_snapshot(rnd: Round) -> dict[str, Any]:
    return {"kind": rnd.kind, "name": rnd.name, "position": rnd.position, "opens": rnd.opens.isoformat(),
            "closes": rnd.closes.isoformat(), "judges_per_entry": rnd.judges_per_entry, "status": rnd.status}


def _lock_round(rnd: Round) -> Round:
    locked = Round.objects.select_for_update().get(pk=rnd.pk)
    locked.track = _lock_track(rnd.track)
    return locked


@transaction.atomic
def update_round(actor: Any, rnd: Round, **fields: Any) -> Round:
    """Change a round: everything while it is being set up (and nobody is assigned yet); while it
    is open only its name, closing time and instructions; nothing once closed."""
    _require(actor, "review.run_review", rnd.track)
    unknown = sorted(set(fields) - set(ROUND_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field: %(name)s.") % {"name": ", ".join(unknown)}, code="unknown_field",
                          field=unknown[0])
    rnd = _lock_round(rnd)
    _not_frozen(rnd.track)
    if rnd.status == RoundStatus.CLOSED:
        raise DomainError(_("This round is closed and can no longer be changed."), code="round_closed", status=409)
    values = _round_values(rnd.track, fields, rnd)
    changed = {k: v for k, v in values.items() if v != getattr(rnd, k)}
    if rnd.status == RoundStatus.OPEN:
        fixed = [k for k in changed if k not in OPEN_ROUND_FIELDS]
        if fixed:
            raise DomainError(_("While the round is open only its name, closing time and instructions can change."),
                              code="round_open", field=fixed[0], status=409)
        if "closes" in changed and changed["closes"] <= timezone.now():
            raise DomainError(_("An open round must close in the future; close it instead."), code="bad_dates",
                              field="closes")
    elif "judges_per_entry" in changed and Assignment.objects.filter(round=rnd).exists():
        raise DomainError(_("Judges are already assigned in this round; remove the assignment before "
                            "changing the judges per entry."), code="assigned", field="judges_per_entry",
                          status=409)
    before = _round_snapshot(rnd)
    for k, v in values.items():
        setattr(rnd, k, v)
    rnd.save()
    after = _round_snapshot(rnd)
    if after != before:
        audit.record("review.round_change", rnd, actor=actor, before=before, after=after)
    return rnd


@transaction.atomic
def delete_round(actor: Any, rnd: Round) -> None:
    """Delete a round that is still being set up and has nobody assigned."""
    _require(actor, "review.run_review", rnd.track)
    rnd = _lock_round(rnd)
    if rnd.status != RoundStatus.DRAFT:
        raise DomainError(_("Only a round that has not opened can be deleted."), code="round_started", status=409)
    if Assignment.objects.filter(round=rnd).exists() or RoundEntry.objects.filter(round=rnd).exists():
        raise DomainError(_("Entries or judges are already in this round; it cannot be deleted."),
                          code="assigned", status=409)
    audit.record("review.round_delete", rnd, actor=actor, before=_round_snapshot(rnd))
    track = rnd.track
    rnd.delete()
    _renumber(track)


@dataclass
class Opened:
    round: Round
    added: int      # entries put in the round by this call
    total: int      # entries in the round


def _eligible_source(rnd: Round, earlier: list[Round]) -> tuple[str, Any]:
    """Which entries a round takes when it opens: ("status", S) or ("advanced", None)."""
    if rnd.kind == RoundKind.VETTING:
        return "status", S.REPORTED
    if not any(r.kind in (RoundKind.SCORING, RoundKind.FINAL) for r in earlier):
        return "status", S.ELIGIBLE
    return "advanced", None


def _fill(actor: Any, rnd: Round, status: str) -> int:
    """Bulk: every entry of the track at `status` not yet in the round (idempotent)."""
    have = RoundEntry.objects.filter(round=rnd).values("entry_id")
    ids = list(Entry.objects.filter(track_id=rnd.track_id, status=status).exclude(pk__in=have)
               .order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    RoundEntry.objects.bulk_create([RoundEntry(round=rnd, entry_id=pk, added_by=actor, added=now) for pk in ids],
                                   batch_size=1000, ignore_conflicts=True)
    return len(ids)


@transaction.atomic
def open_round(actor: Any, rnd: Round) -> Opened:
    """Open a round, in order: every earlier round closed. It takes its entries (in bulk): the
    vetting round the track's reported entries, the first scoring round the eligible ones, a
    later round those the results area advanced to it. Calling it again on an open round adds
    the entries that qualified since (late reports, late vetting); nothing is added twice."""
    _require(actor, "review.run_review", rnd.track)
    rnd = _lock_round(rnd)
    _not_frozen(rnd.track)
    if rnd.status == RoundStatus.CLOSED:
        raise DomainError(_("This round is closed."), code="round_closed", status=409)
    earlier = list(Round.objects.filter(track=rnd.track, position__lt=rnd.position).order_by("position"))
    waiting = [r for r in earlier if r.status != RoundStatus.CLOSED]
    if waiting:
        raise DomainError(_("Close the round “%(name)s” first: rounds open one after the other.")
                          % {"name": waiting[-1].name}, code="round_order", status=409)
    source, status = _eligible_source(rnd, earlier)
    if rnd.status == RoundStatus.DRAFT:
        if rnd.closes <= timezone.now():
            raise DomainError(_("The round's closing time has passed; change it before opening the round."),
                              code="bad_dates", field="closes", status=409)
        if rnd.kind == RoundKind.SCORING and not Criterion.objects.filter(round=rnd).exists():
            raise DomainError(_("Add at least one criterion to the rubric before opening the round."),
                              code="no_criteria", status=409)
    added = _fill(actor, rnd, status) if source == "status" else 0
    total = RoundEntry.objects.filter(round=rnd).count()
    if rnd.status == RoundStatus.DRAFT and total == 0 and rnd.kind != RoundKind.VETTING:
        if source == "advanced":
            message = _("No entries were advanced to this round yet; advance entries from the previous round first.")
        else:
            message = _("No entry of this track is eligible yet; vet the reported entries first.")
        raise DomainError(message, code="no_entries", status=409)
    before = rnd.status
    if rnd.status == RoundStatus.DRAFT:
        rnd.status = RoundStatus.OPEN
        rnd.save(update_fields=["status"])
    if before != rnd.status or added:
        audit.record("review.round_open", rnd, actor=actor, before={"status": before},
                     after={"status": rnd.status, "added": added, "entries": total})
    return Opened(rnd, added, total)


@dataclass
class Closed:
    round: Round
    scored: list[int]        # entries moved to SCORED
    unscored: list[int]      # eligible entries of the round without a submitted score


@transaction.atomic
def close_round(actor: Any, rnd: Round) -> Closed:
    """Close an open round. Closing the last scoring round of the track ends the scoring: every
    eligible entry of the track with a submitted score in any of its scoring rounds is marked
    scored (workflow "mark_scored"), all in this one transaction."""
    _require(actor, "review.run_review", rnd.track)
    _not_frozen(rnd.track)
    rnd = _lock_round(rnd)
    if rnd.status != RoundStatus.OPEN:
        raise DomainError(_("Only an open round can be closed."), code="round_not_open", status=409)
    if rnd.kind == RoundKind.VETTING:
        waiting = Entry.objects.filter(track=rnd.track, status=S.REPORTED,
                                       pk__in=RoundEntry.objects.filter(round=rnd).values("entry_id")).count()
        if waiting:
            raise DomainError(_("Entries of this round still wait for vetting: %(n)d. Vet them before closing the "
                                "round.") % {"n": waiting}, code="vetting_unfinished", status=409)
    rnd.status = RoundStatus.CLOSED
    rnd.save(update_fields=["status"])
    scored: list[int] = []
    unscored: list[int] = []
    later_scoring = Round.objects.filter(track=rnd.track, position__gt=rnd.position, kind=RoundKind.SCORING)
    if rnd.kind == RoundKind.SCORING and not later_scoring.exists():
        with_scores = Score.objects.filter(round__track=rnd.track, round__kind=RoundKind.SCORING,
                                           status=ScoreStatus.SUBMITTED).values("entry_id")
        eligible = Entry.objects.filter(track=rnd.track, status=S.ELIGIBLE)
        ids = list(eligible.filter(pk__in=with_scores).order_by("pk").values_list("pk", flat=True))
        for pk in ids:
            workflow.apply(actor, pk, "mark_scored")
        scored = ids
        unscored = list(eligible.filter(pk__in=RoundEntry.objects.filter(round=rnd).values("entry_id"))
                        .exclude(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    audit.record("review.round_close", rnd, actor=actor, before={"status": RoundStatus.OPEN},
                 after={"status": RoundStatus.CLOSED, "scored": len(scored), "unscored": len(unscored)})
    return Closed(rnd, scored, unscored)


# --- rubric ------------------------------------------------------------------------------------------

def _rows(rows: Any, *, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(rows, (list, tuple)) or any(not isinstance(r, Mapping) for r in rows):
        raise DomainError(_("Send the %(what)s as a list of rows.") % {"what": what}, code="invalid")
    if len(rows) > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows.") % {"n": MAX_ROWS}, code="too_many")
    return list(rows)


def _row_id(row: Mapping[str, Any]) -> int | None:
    value = row.get("id")
    if value in (None, "", 0, "0"):
        return None
    pk = parse_id(value)
    if pk is None:
        raise DomainError(_("A row has an unknown id."), code="invalid", field="id")
    return pk


@transaction.atomic
def set_criteria(actor: Any, rnd: Round, rows: Sequence[Mapping[str, Any]]) -> list[Criterion]:
    """Replace the rubric of a round, in the given order. Rows: name, name_en, description,
    maximum (above 0), weight (0 or more; not all 0), and the id of a criterion kept. Refused once
    any score was submitted in the round, and once the round is closed."""
    _require(actor, "review.run_review", rnd.track)
    rows = _rows(rows, what=_("criteria"))
    _not_frozen(rnd.track)
    rnd = _lock_round(rnd)
    if rnd.status == RoundStatus.CLOSED:
        raise DomainError(_("This round is closed; its rubric can no longer change."), code="round_closed",
                          status=409)
    if Score.objects.filter(round=rnd, status=ScoreStatus.SUBMITTED).exists():
        raise DomainError(_("Judges have already submitted scores in this round; the rubric can no longer change."),
                          code="rubric_locked", status=409)
    existing = {c.pk: c for c in Criterion.objects.filter(round=rnd)}
    clean: list[tuple[int | None, dict[str, Any]]] = []
    names: set[str] = set()
    for i, row in enumerate(rows, start=1):
        pk = _row_id(row)
        if pk is not None and pk not in existing:
            raise DomainError(_("A row has an unknown id."), code="invalid", field="id")
        name = _text(row.get("name"), field="name", maximum=100, required=True, label=_("criterion"))
        if name in names:
            raise DomainError(_("Two criteria are called “%(name)s”.") % {"name": name}, code="duplicate", field="name")
        names.add(name)
        clean.append((pk, {
            "position": i, "name": name,
            "name_en": _text(row.get("name_en"), field="name_en", maximum=100),
            "description": _text(row.get("description"), field="description", maximum=2000),
            "maximum": _decimal(row.get("maximum", 10), field="maximum", low=Decimal(0), high=Decimal("9999.99"),
                                label=_("maximum"), places=2, above=True),
            "weight": _decimal(row.get("weight", 1), field="weight", low=Decimal(0), high=Decimal("999.999"),
                               label=_("weight"), places=3),
        }))
    if rnd.kind == RoundKind.SCORING and not clean:
        raise DomainError(_("A scoring round needs at least one criterion."), code="no_criteria")
    if clean and not any(v["weight"] > 0 for _pk, v in clean):
        raise DomainError(_("At least one criterion needs a weight above 0."), code="zero_weights", field="weight")
    before = [_criterion_snapshot(c) for c in sorted(existing.values(), key=lambda c: (c.position, c.pk))]
    kept = {pk for pk, _v in clean if pk is not None}
    Criterion.objects.filter(round=rnd).exclude(pk__in=kept).delete()
    out: list[Criterion] = []
    for pk, values in clean:
        if pk is not None:
            c = existing[pk]
            for k, v in values.items():
                setattr(c, k, v)
            c.save()
        else:
            c = Criterion.objects.create(round=rnd, **values)
        out.append(c)
    after = [_criterion_snapshot(c) for c in out]
    if after != before:
        audit.record("review.criteria_change", rnd, actor=actor, before={"criteria": before},
                     after={"criteria": after})
    return out


def _criterion_snapshot(c: Criterion) -> dict[str, Any]:
    return {"name": c.name, "description": c.description, "maximum": plain(c.maximum), "weight": plain(c.weight)}


def plain(d: Any) -> str:
    """A decimal without trailing zeros and never in exponent form: 40, 1.5."""
    return format(Decimal(d).normalize(), "f")


# --- award tiers -------------------------------------------------------------------------------------

@transaction.atomic
def set_tiers(actor: Any, track: Track, rows: Sequence[Mapping[str, Any]]) -> list[AwardTier]:
    """Replace the award tiers of a track, best first. Rows: name, name_en, quota (1 or more), and
    the id of a tier kept. A tier that decided results use cannot be removed; refused once frozen."""
    _require(actor, "review.run_review", track)
    rows = _rows(rows, what=_("award tiers"))
    track = _lock_track(track)
    _not_frozen(track)
    existing = {t.pk: t for t in AwardTier.objects.filter(track=track)}
    clean: list[tuple[int | None, dict[str, Any]]] = []
    names: set[str] = set()
    for i, row in enumerate(rows, start=1):
        pk = _row_id(row)
        if pk is not None and pk not in existing:
            raise DomainError(_("A row has an unknown id."), code="invalid", field="id")
        name = _text(row.get("name"), field="name", maximum=60, required=True, label=_("award tier"))
        if name in names:
            raise DomainError(_("Two award tiers are called “%(name)s”.") % {"name": name}, code="duplicate",
                              field="name")
        names.add(name)
        clean.append((pk, {"position": i, "name": name,
                           "name_en": _text(row.get("name_en"), field="name_en", maximum=60),
                           "quota": _int(row.get("quota"), field="quota", low=1, high=100000, label=_("quota"))}))
    before = [{"name": t.name, "quota": t.quota} for t in sorted(existing.values(), key=lambda t: t.position)]
    kept = {pk for pk, _v in clean if pk is not None}
    try:
        with transaction.atomic():
            AwardTier.objects.filter(track=track).exclude(pk__in=kept).delete()
    except ProtectedError:
        raise DomainError(_("A tier that decided results use cannot be removed."), code="tier_in_use",
                          status=409) from None
    # Out of the way of positions 1 … n first (the positions are unique per track).
    top = max(AwardTier.objects.filter(track=track).aggregate(m=Max("position"))["m"] or 0, len(clean))
    AwardTier.objects.filter(track=track).update(position=F("position") + top + 1)
    out: list[AwardTier] = []
    for pk, values in clean:
        if pk is not None:
            t = existing[pk]
            for k, v in values.items():
                setattr(t, k, v)
            t.save()
        else:
            t = AwardTier.objects.create(track=track, **values)
        out.append(t)
    after = [{"name": t.name, "quota": t.quota} for t in out]
    if after != before:
        audit.record("review.tiers_change", track, actor=actor, before={"tiers": before}, after={"tiers": after})
    return out


# --- panel -------------------------------------------------------------------------------------------

def _org(org: Any) -> Organization | None:
    if org in (None, ""):
        return None
    if isinstance(org, Organization):
        found: Organization | None = org
    else:
        pk = parse_id(org)
        found = Organization.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if found is None or not found.is_active:
        raise DomainError(_("Choose an organisation from the list."), code="bad_org", field="org")
    return found


def _cap(cap: Any) -> int | None:
    if cap in (None, ""):
        return None
    return _int(cap, field="cap", low=1, high=100000, label=_("most entries per round"))


def _seat_snapshot(seat: PanelMember) -> dict[str, Any]:
    return {"user": seat.user_id, "org": seat.org_id, "affiliation": seat.affiliation, "cap": seat.cap,
            "active": seat.active}


def _grant_judge(actor: Any, user: User, track: Track) -> None:
    grant_role(actor, user, CampaignRole.JUDGE, track=track)


def _revoke_judge(actor: Any, user: User, track: Track) -> None:
    for ra in RoleAssignment.objects.filter(user=user, role=str(CampaignRole.JUDGE), scope_type="campaigns.track",
                                            scope_id=track.pk):
        ra.scope = track
        revoke_role(actor, ra)


def _judge_only_username(phone: str) -> str:
    if not User.objects.filter(username=phone).exists():
        return phone
    n = 2
    while User.objects.filter(username=f"{phone}-{n}").exists():
        n += 1
    return f"{phone}-{n}"


@dataclass
class Invited:
    seat: PanelMember
    new_account: bool
    reactivated: bool


@transaction.atomic
def invite_judge(actor: Any, track: Track, phone: str, name: str, org: Any = None, affiliation: str = "",
                 cap: Any = None) -> Invited:
    """Put a judge on the track's panel by mobile number: an existing account, or a new judge-only
    account (no password: they log in by the code sent to that number). Grants the judge role on
    the track and tells them by site notification and SMS. Re-inviting someone who left makes
    their seat active again."""
    _require(actor, "review.run_review", track)
    phone = check_phone(phone)
    name = _text(name, field="name", maximum=60, required=True, label=_("real name"))
    org_obj = _org(org)
    affiliation = _text(affiliation, field="affiliation", maximum=200)
    cap_n = _cap(cap)
    track = _lock_track(track)
    user = User.objects.select_for_update().filter(phone=phone).first()
    new_account = user is None
    if user is None:
        user = User(username=_judge_only_username(phone), phone=phone, real_name=name)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same number invited to another track at the same moment
            user = User.objects.get(phone=phone)
            new_account = False
    if not user.is_active:
        raise DomainError(_("The account of this number is disabled; ask the site administrator."),
                          code="account_disabled", field="phone", status=409)
    if not user.real_name:
        user.real_name = name
        user.save(update_fields=["real_name"])
    seat = PanelMember.objects.select_for_update().filter(track=track, user=user).first()
    reactivated = False
    if seat is not None and seat.active:
        raise DomainError(_("%(name)s is already on the panel.") % {"name": user.display_name},
                          code="already_on_panel", field="phone", status=409)
    if seat is None:
        seat = PanelMember.objects.create(track=track, user=user, org=org_obj, affiliation=affiliation, cap=cap_n,
                                          invited_by=actor, invited_at=timezone.now())
    else:
        reactivated = True
        seat.active, seat.left_at = True, None
        seat.org, seat.affiliation, seat.cap = org_obj, affiliation, cap_n
        seat.invited_by, seat.invited_at = actor, timezone.now()
        seat.save()
    seat.track = track
    _grant_judge(actor, user, track)
    audit.record("review.panel_invite", seat, actor=actor, after={**_seat_snapshot(seat), "new_account": new_account,
                                                                 "reactivated": reactivated})
    _tell_invited(actor, seat, new_account)
    return Invited(seat, new_account, reactivated)


def _tell_invited(actor: Any, seat: PanelMember, new_account: bool) -> None:
    track = seat.track
    queue = site_url(reverse("review:judge_queue"))
    title = _("You are a judge of %(track)s") % {"track": track.name}
    if new_account:
        login = site_url(reverse("accounts:password_reset"))
        sms = _("[Zhengji] You were invited to judge “%(track)s” (%(campaign)s). To log in, open %(link)s, enter "
                "this mobile number, get a code by SMS and set your password. Your entries: %(queue)s") % {
            "track": track.name, "campaign": track.campaign.name, "link": login, "queue": queue}
    else:
        sms = _("[Zhengji] You were invited to judge “%(track)s” (%(campaign)s). Your entries to judge: "
                "%(queue)s") % {"track": track.name, "campaign": track.campaign.name, "queue": queue}
    body = _("The entries assigned to you appear in your judging queue when the round opens.")
    _notify_on_commit(seat.user, title, body, reverse("review:judge_queue"), sms)


@transaction.atomic
def update_judge(actor: Any, seat: PanelMember, *, cap: Any = UNSET, org: Any = UNSET, affiliation: Any = UNSET,
                 active: Any = UNSET) -> PanelMember:
    """Change a panel seat: the most entries per round, the organisation, the affiliation, and
    whether it is active (inactive: as `remove_judge`; active again: the role is granted again)."""
    _require(actor, "review.run_review", seat.track)
    track = _lock_track(seat.track)
    seat = PanelMember.objects.select_for_update().select_related("user").get(pk=seat.pk)
    seat.track = track
    before = _seat_snapshot(seat)
    if cap is not UNSET:
        seat.cap = _cap(cap)
    if org is not UNSET:
        seat.org = _org(org)
    if affiliation is not UNSET:
        seat.affiliation = _text(affiliation, field="affiliation", maximum=200)
    if active is not UNSET:
        want = _bool(active, field="active")
        if want and not seat.active:
            seat.active, seat.left_at = True, None
            _grant_judge(actor, seat.user, track)
        elif not want and seat.active:
            seat.active, seat.left_at = False, timezone.now()
            _revoke_judge(actor, seat.user, track)
    seat.save()
    after = _seat_snapshot(seat)
    if after != before:
        code = "review.panel_remove" if before["active"] and not seat.active else "review.panel_change"
        audit.record(code, seat, actor=actor, before=before, after=after)
    return seat


@transaction.atomic
def remove_judge(actor: Any, seat: PanelMember, reason: str = "") -> PanelMember:
    """Take a judge off the panel: the seat becomes inactive and the judge role on the track is
    revoked (their entries leave their queue). Their assignments stay as they are: replacing the
    judge in open rounds is the assignment's work."""
    _require(actor, "review.run_review", seat.track)
    track = _lock_track(seat.track)
    seat = PanelMember.objects.select_for_update().select_related("user").get(pk=seat.pk)
    seat.track = track
    if not seat.active:
        raise DomainError(_("This judge has already left the panel."), code="not_on_panel", status=409)
    before = _seat_snapshot(seat)
    seat.active, seat.left_at = False, timezone.now()
    seat.save(update_fields=["active", "left_at"])
    _revoke_judge(actor, seat.user, track)
    audit.record("review.panel_remove", seat, actor=actor, before=before, after=_seat_snapshot(seat),
                 reason=_text(reason, field="reason", maximum=2000))
    return seat


# --- vetting -----------------------------------------------------------------------------------------

@dataclass
class VetResult:
    entry_id: int
    ok: bool
    status: str
    message: str = ""
    code: str = ""


def _entry_ids(entries: Iterable[Entry | int]) -> list[int]:
    ids: list[int] = []
    for e in entries:
        pk = e.pk if isinstance(e, Entry) else e
        if isinstance(pk, int) and not isinstance(pk, bool) and pk not in ids:
            ids.append(pk)
    return ids


def vet(actor: Any, entries: Iterable[Entry | int], eligible: bool, reason: str = "") -> list[VetResult]:
    """Vet entries: eligible ("vet_eligible") or disqualified with a reason ("vet_disqualify").
    Each entry on its own: one refused (wrong state, no permission) leaves the others done; the
    result says what happened to each, in the given order."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    ids = _entry_ids(entries)
    if not ids:
        raise DomainError(_("Choose at least one entry."), code="nothing_chosen")
    if len(ids) > MAX_BULK:
        raise DomainError(_("At most %(n)d entries at a time.") % {"n": MAX_BULK}, code="too_many")
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise DomainError(_("Say why the entries are disqualified."), code="reason_required", field="reason")
    step = "vet_eligible" if eligible else "vet_disqualify"
    results: list[VetResult] = []
    known = dict(Entry.objects.filter(pk__in=ids).values_list("pk", "status"))
    # A vetting decision changes the ranking: refused on a track whose results are frozen.
    for track_id in set(Entry.objects.filter(pk__in=ids).values_list("track_id", flat=True)):
        ensure_not_frozen(track_id, lock=False)
    for pk in ids:
        if pk not in known:
            results.append(VetResult(pk, False, "", str(_("No such entry.")), "not_found"))
            continue
        try:
            applied = workflow.apply(actor, pk, step, reason=reason)
        except DomainError as exc:
            results.append(VetResult(pk, False, known[pk], str(exc.message), exc.code))
        else:
            results.append(VetResult(pk, True, applied.entry.status))
    return results


def requalify(actor: Any, entry: Entry, reason: str) -> Entry:
    """Make a disqualified entry eligible again (a disqualification found wrong), with a reason."""
    with transaction.atomic():
        ensure_not_frozen(entry.track_id)
        return workflow.apply(actor, entry, "requalify", reason=reason).entry


# --- holidays ----------------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError(_("Enter dates as YYYY-MM-DD."), code="invalid_date", field="date")


@transaction.atomic
def set_holidays(actor: Any, campaign: Campaign, rows: Sequence[Mapping[str, Any]]) -> list[Holiday]:
    """Replace the campaign's list of official public holidays (skipped when counting the working
    days of a publicity period) and worked weekend days (调休, `workday`). Campaign admins."""
    _require_holidays(actor, campaign)
    if not isinstance(rows, (list, tuple)) or any(not isinstance(r, Mapping) for r in rows):
        raise DomainError(_("Send the days as a list of rows."), code="invalid")
    if len(rows) > MAX_HOLIDAYS:
        raise DomainError(_("At most %(n)d days.") % {"n": MAX_HOLIDAYS}, code="too_many")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    clean: dict[dt.date, tuple[str, bool]] = {}
    for row in rows:
        day = _date(row.get("date"))
        if day in clean:
            raise DomainError(_("%(date)s is listed twice.") % {"date": day.isoformat()}, code="duplicate",
                              field="date")
        workday = _bool(row.get("workday", False), field="workday")
        if workday and day.weekday() < 5:
            raise DomainError(_("%(date)s is a weekday: only a weekend day can be marked as worked.")
                              % {"date": day.isoformat()}, code="bad_workday", field="workday")
        clean[day] = (_text(row.get("name"), field="name", maximum=60), workday)
    before = [[h.date.isoformat(), h.name, h.workday] for h in Holiday.objects.filter(campaign=campaign)]
    Holiday.objects.filter(campaign=campaign).delete()
    out = Holiday.objects.bulk_create([Holiday(campaign=campaign, date=d, name=n, workday=w)
                                       for d, (n, w) in sorted(clean.items())])
    after = [[h.date.isoformat(), h.name, h.workday] for h in out]
    if after != before:
        audit.record("review.holiday_change", campaign, actor=actor, before={"days": before}, after={"days": after})
    return out


def _require_holidays(actor: Any, campaign: Campaign) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not actor.has_perm("review.manage_holidays", campaign):
        raise NotPermitted(_("Only the campaign's admins list its public holidays."))


# --- reads for the pages and the API --------------------------------------------------------------

def run_tracks(user: Any) -> Any:
    """The tracks whose review `user` runs (host staff of the track, admins of its campaign, superusers)."""
    qs = Track.objects.select_related("campaign", "host_unit").order_by("-campaign_id", "number")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    scopes = scopes_for(user)
    return qs.filter(Q(pk__in=scopes.host_tracks) | Q(campaign_id__in=scopes.campaign_admin))


def runs_any_review(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    scopes = scopes_for(user)
    return bool(user.is_superuser or scopes.host_tracks or scopes.campaign_admin)


def status_counts(track_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{track id: {status: entries}} for the review's statuses, in one query."""
    out: dict[int, dict[str, int]] = {}
    rows = (Entry.objects.filter(track_id__in=list(track_ids), status__in=REVIEW_STATES)
            .values_list("track_id", "status").annotate(n=Count("pk")))
    for track_id, status, n in rows:
        out.setdefault(track_id, {})[status] = n
    return out


REVIEW_STATES = (S.REPORTED, S.ELIGIBLE, S.DISQUALIFIED, S.SCORED, S.AWARDED, S.NOT_AWARDED, S.PUBLISHED)


def rounds_with_counts(track: Track) -> list[Round]:
    """The track's rounds in order with `n_entries`, `n_criteria`, `n_assignments` (one query)."""
    return list(Round.objects.filter(track=track).order_by("position").annotate(
        n_entries=Subquery(RoundEntry.objects.filter(round=OuterRef("pk")).values("round")
                           .annotate(n=Count("pk")).values("n")[:1]),
        n_criteria=Subquery(Criterion.objects.filter(round=OuterRef("pk")).values("round")
                            .annotate(n=Count("pk")).values("n")[:1]),
        n_assignments=Subquery(Assignment.objects.filter(round=OuterRef("pk"), status=AssignmentStatus.ACTIVE)
                               .values("round").annotate(n=Count("pk")).values("n")[:1]),
        n_submitted=Subquery(Score.objects.filter(round=OuterRef("pk"), status=ScoreStatus.SUBMITTED)
                             .values("round").annotate(n=Count("pk")).values("n")[:1])))


def panel_of(track: Track) -> Any:
    """The panel seats, active first, with `load` (active assignments in rounds not closed) and
    `scored` (submitted scores in the track)."""
    load = (Assignment.objects.filter(judge_id=OuterRef("user_id"), round__track_id=track.pk,
                                      status=AssignmentStatus.ACTIVE).exclude(round__status=RoundStatus.CLOSED)
            .values("judge_id").annotate(n=Count("pk")).values("n")[:1])
    scored = (Score.objects.filter(judge_id=OuterRef("user_id"), round__track_id=track.pk,
                                   status=ScoreStatus.SUBMITTED)
              .values("judge_id").annotate(n=Count("pk")).values("n")[:1])
    return (PanelMember.objects.filter(track=track).select_related("user", "org")
            .annotate(load=Coalesce(Subquery(load), 0), scored=Coalesce(Subquery(scored), 0))
            .order_by("-active", "id"))


@dataclass
class VettingFilters:
    state: str = S.REPORTED
    unit: int | None = None
    q: str = ""

    STATES = (S.REPORTED, S.ELIGIBLE, S.DISQUALIFIED)

    @classmethod
    def from_params(cls, params: Any) -> VettingFilters:
        state = str(params.get("state") or S.REPORTED)
        unit = str(params.get("unit") or "").strip()
        return cls(state=state if state in cls.STATES else S.REPORTED,
                   unit=parse_id(unit),
                   q=str(params.get("q") or "").strip()[:100])

    def as_params(self) -> dict[str, str]:
        out = {"state": self.state}
        if self.unit:
            out["unit"] = str(self.unit)
        if self.q:
            out["q"] = self.q
        return out


def vetting_entries(user: Any, track: Track, filters: VettingFilters) -> Any:
    """The track's entries at the host at `filters.state` (the entries gate, View.HOST), for the
    vetting queue: by unit subtree and a search in titles and numbers."""
    qs = entries_for(user, View.HOST).filter(track=track, status=filters.state)
    if filters.unit:
        unit = Organization.objects.filter(pk=filters.unit).only("path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit is not None else qs.none()
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(number__icontains=filters.q))
    return (qs.select_related("unit", "track").prefetch_related("authors")
            .order_by("number", "pk"))


def vetting_units(track: Track) -> list[Organization]:
    """The cities (depth-2 organisations) the track's reviewed entries come from, for the filter."""
    paths = (Entry.objects.filter(track=track, status__in=REVIEW_STATES).values_list("unit__path", flat=True)
             .distinct())
    step = Organization.steplen
    city_paths = {p[:2 * step] for p in paths if p}
    return list(Organization.objects.filter(path__in=city_paths).order_by("path"))


@dataclass
class Step:
    key: str
    label: str
    done: bool
    detail: str
    url: str


def checklist(track: Track, rounds: list[Round], counts: dict[str, int], panel_active: int, tiers: int,
              url: Callable[..., str]) -> list[Step]:
    """Where the review of the track stands, step by step (for its home page)."""
    scoring = [r for r in rounds if r.kind == RoundKind.SCORING]
    vetting = next((r for r in rounds if r.kind == RoundKind.VETTING), None)
    k = max((r.judges_per_entry for r in scoring), default=0)
    reported = counts.get(S.REPORTED, 0)
    judged = sum(counts.get(s, 0) for s in (S.ELIGIBLE, S.SCORED, S.AWARDED, S.NOT_AWARDED, S.PUBLISHED))
    first = scoring[0] if scoring else None
    assigned = int(getattr(first, "n_assignments", 0) or 0)
    published = Publicity.objects.filter(track=track).exists()
    steps = [
        Step("setup", _("Review settings"), ReviewSetup.objects.filter(track=track).exists(),
             _("Blind review, aggregation, normalisation, public vote, tie-break."), url("review:setup", track.pk)),
        Step("rounds", _("Rounds and dates"), bool(scoring),
             _("Rounds: %(n)d; scoring rounds: %(s)d.") % {"n": len(rounds), "s": len(scoring)},
             url("review:rounds", track.pk)),
        Step("rubric", _("Rubric of each scoring round"),
             bool(scoring) and all(getattr(r, "n_criteria", 0) for r in scoring),
             _("Criteria with description, maximum and weight."), url("review:rounds", track.pk)),
        Step("panel", _("Panel of judges"), bool(k) and panel_active >= k,
             _("Active judges: %(n)d; judges per entry: %(k)d.") % {"n": panel_active, "k": k},
             url("review:panel", track.pk)),
        Step("tiers", _("Award tiers and quotas"), tiers > 0, _("Tiers: %(n)d.") % {"n": tiers},
             url("review:tiers", track.pk)),
        Step("vetting", _("Vetting of the reported entries"),
             reported == 0 and judged > 0 and (vetting is None or vetting.status == RoundStatus.CLOSED),
             _("Waiting: %(r)d; eligible: %(e)d; disqualified: %(d)d.") % {
                 "r": reported, "e": judged, "d": counts.get(S.DISQUALIFIED, 0)}, url("review:vetting", track.pk)),
        Step("open", _("First scoring round open"), first is not None and first.status != RoundStatus.DRAFT,
             first.name if first else "", url("review:rounds", track.pk)),
        Step("assign", _("Judges assigned"), bool(assigned),
             _("Assignments in the first scoring round: %(n)d.") % {"n": assigned} if first else "",
             url("review:assign", first.pk) if first else ""),
        Step("scored", _("Scoring rounds closed"),
             bool(scoring) and all(r.status == RoundStatus.CLOSED for r in scoring),
             _("Entries scored: %(n)d.") % {"n": counts.get(S.SCORED, 0)},
             url("review:progress", scoring[-1].pk) if scoring else ""),
        Step("frozen", _("Results frozen"), frozen_snapshot(track) is not None, "", url("review:freeze", track.pk)),
        Step("publicity", _("Results on public notice"), published, "", url("review:publicity_manage", track.pk)),
    ]
    return steps
