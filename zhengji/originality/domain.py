"""Every state change of originality, one function each (docs/originality.md):

- `scan_subject(subject)`: after a subject's fingerprints were stored, turn its matches in scope
  into flags (`fingerprinted` signal);
- `scan_entry(entry)`: on submission, fingerprint the typed answers, read the files' AI labels,
  look up every subject of the entry and check the AI rules (`entry_transitioned`);
- `check_ai(entry)`: declaration vs. labels vs. the track's policy;
- `decide(actor, flag, status, reason)`: cleared or disqualified, with a reason, audited; a
  disqualification moves the entry through the kernel's workflow where a step exists for it;
- `add_reference`, `remove_reference`: the campaign's reference set;
- `set_track_policy`: whether a track allows AI-generated works;
- `mark_suspected(actor, entry, suspected, reason)`: staff mark an entry as suspected
  AI-generated (its published work then carries the "suspected" label) or withdraw the mark.

Flags are advice for staff: nothing here rejects an entry by itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Campaign, Track
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries import transitions, workflow
from zhengji.entries.files import files_of
from zhengji.entries.models import AIDeclaration, Entry, EntryDecision, EntryStatus, LevelDecision
from zhengji.entries.services import track_fields
from zhengji.fingerprints import engines
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing.probe import local_copy

from . import aigc
from .models import AISuspicion, Flag, FlagKind, FlagScope, FlagStatus, MediaAILabel, ReferenceItem, TrackAIPolicy
from .scopes import Owner, Subject, counts, entry_scope, owners, reference_in_scope
from .signals import ai_label_changed

log = logging.getLogger(__name__)

MAX_PAIRS = 10  # subject pairs kept per flag (the best ones)
TEXT_TYPES = ("longtext", "richtext")


# --- subjects and text -------------------------------------------------------------------------

def entry_text(entry: Entry) -> str:
    """The entry's typed prose: its summary and every long or rich text answer of the form."""
    parts = [entry.summary or ""]
    try:
        fields = track_fields(entry.track)
    except DomainError:
        fields = []
    data = entry.data or {}
    for f in fields:
        if f.type in TEXT_TYPES and isinstance(data.get(f.key), str):
            parts.append(strip_tags(data[f.key]))
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def entry_subjects(entry: Entry) -> list[Subject]:
    subjects: list[Subject] = [("media", pk) for pk in files_of(entry).values_list("pk", flat=True)]
    subjects.append(("entrytext", entry.pk))
    return subjects


def subject_key(subject: Subject) -> str:
    return f"{subject[0]}:{subject[1]}"


def parse_subject(key: str) -> Subject | None:
    m = re.fullmatch(r"(media|entrytext|ref):(\d{1,18})", key or "")
    return (m.group(1), int(m.group(2))) if m else None


# --- similarity --------------------------------------------------------------------------------

def _upsert(entry: Entry, *, scope: str, key: str, matched_entry: Entry | None, reference: ReferenceItem | None,
            pair: dict[str, Any]) -> Flag:
    """One flag per (entry, similar, matched work): created once, then its best score and pairs
    updated (re-runs never add rows; a decided flag keeps its decision)."""
    defaults = {"scope": scope, "matched_entry": matched_entry, "reference": reference, "medium": pair["medium"],
                "score": pair["score"], "detail": {"pairs": [pair]}}
    try:
        with transaction.atomic():
            flag, created = Flag.objects.get_or_create(entry=entry, kind=FlagKind.SIMILAR, key=key, defaults=defaults)
    except IntegrityError:  # a concurrent scan created it first
        flag, created = Flag.objects.get(entry=entry, kind=FlagKind.SIMILAR, key=key), False
    if created:
        return flag
    pairs = [p for p in flag.detail.get("pairs", []) if (p.get("subject"), p.get("other"))
             != (pair["subject"], pair["other"])]
    pairs = sorted([*pairs, pair], key=lambda p: -float(p.get("score", 0)))[:MAX_PAIRS]
    flag.detail = {**flag.detail, "pairs": pairs}
    flag.score, flag.medium = float(pairs[0]["score"]), str(pairs[0]["medium"])
    flag.scope = scope
    flag.save(update_fields=["detail", "score", "medium", "scope", "updated"])
    return flag


# The score from which a match becomes a flag, per medium (bench/README.md: text reaches recall 0.99
# at precision 0.997 from 0.5; from 0.3 every lifted excerpt is found, at precision 0.96, which a
# person reviews anyway). Engines report weaker matches too; those stay below staff's attention.
FLAG_MIN_SCORE: dict[str, float] = {"text": 0.3, "audio": 0.5}


def _pair(m: engines.Match, *, reverse: bool = False) -> dict[str, Any]:
    subject, other = (m.other, m.subject) if reverse else (m.subject, m.other)
    return {"subject": subject_key(subject), "other": subject_key(other), "medium": m.medium,
            "score": round(float(m.score), 4), "detail": m.detail}


def scan_subject(subject: Subject) -> list[Flag]:
    """Flags for the matches of one subject that are in scope (both ways within a campaign)."""
    mine = owners([subject]).get(subject)
    if mine is None:
        return []
    floor = {**FLAG_MIN_SCORE, **getattr(settings, "ORIGINALITY_FLAG_MIN_SCORE", {})}
    found = [m for m in engines.matches(subject) if m.score >= floor.get(m.medium, 0.0)]
    if not found:
        return []
    others = owners(m.other for m in found)
    entry_ids = {o.entry_id for o in others.values() if o.entry_id} | ({mine.entry_id} if mine.entry_id else set())
    entries = {e.pk: e for e in Entry.objects.filter(pk__in=entry_ids).select_related("track")}
    ref_ids = {o.reference_id for o in others.values() if o.reference_id}
    if mine.reference_id:
        ref_ids.add(mine.reference_id)
    refs = {r.pk: r for r in ReferenceItem.objects.filter(pk__in=ref_ids)}
    flags: list[Flag] = []
    for m in found:
        other = others.get(m.other, Owner())
        if mine.entry_id:
            entry = entries.get(mine.entry_id)
            if entry is None or not counts(entry):
                return flags
            if other.entry_id and other.entry_id in entries:
                o = entries[other.entry_id]
                scope = entry_scope(entry, o)
                if scope is None:
                    continue
                pair = _pair(m)
                pair["same_submitter"] = o.submitter_id == entry.submitter_id
                flags.append(_upsert(entry, scope=scope, key=f"entry:{o.pk}", matched_entry=o, reference=None,
                                     pair=pair))
                if scope == FlagScope.CAMPAIGN:  # the same work entered twice: both entries show it
                    back = {**_pair(m, reverse=True), "same_submitter": pair["same_submitter"]}
                    flags.append(_upsert(o, scope=scope, key=f"entry:{entry.pk}", matched_entry=entry,
                                         reference=None, pair=back))
            elif other.reference_id and other.reference_id in refs:
                ref = refs[other.reference_id]
                if reference_in_scope(entry, ref):
                    flags.append(_upsert(entry, scope=FlagScope.REFERENCE, key=f"ref:{ref.pk}", matched_entry=None,
                                         reference=ref, pair=_pair(m)))
        elif mine.reference_id and other.entry_id and other.entry_id in entries:
            source, e = refs.get(mine.reference_id), entries[other.entry_id]
            if source is not None and counts(e) and reference_in_scope(e, source):
                flags.append(_upsert(e, scope=FlagScope.REFERENCE, key=f"ref:{source.pk}", matched_entry=None,
                                     reference=source, pair=_pair(m, reverse=True)))
    return flags


# --- AI labels ---------------------------------------------------------------------------------

def read_media_label(media: MediaFile) -> MediaAILabel:
    """Read (again) the implicit AI label of one stored file's original and keep it."""
    label = aigc.Label()
    name = media.original.name if media.original else None
    if name:
        try:
            with local_copy(media.original.storage, name, suffix=Path(name).suffix) as path:
                label = aigc.read_label(path, media.kind)
        except OSError:
            log.warning("AIGC: media %s could not be read", media.pk, exc_info=True)
    row, _created = MediaAILabel.objects.update_or_create(media=media, defaults={
        "found": label.found, "generated": label.generated, "source": label.source[:40], "label": label.aigc,
        "c2pa_generator": label.c2pa_generator})
    return row


def _labels_of(entry: Entry, *, read_missing: bool) -> list[MediaAILabel]:
    files = list(files_of(entry).filter(status=MediaStatus.READY).select_related("ai_label"))
    out = []
    for m in files:
        row = getattr(m, "ai_label", None) if hasattr(m, "ai_label") else None
        if row is None and read_missing:
            row = read_media_label(m)
        if row is not None:
            out.append(row)
    return out


def _ai_flag(entry: Entry, kind: str, detail: dict[str, Any]) -> Flag:
    try:
        with transaction.atomic():
            flag, created = Flag.objects.get_or_create(entry=entry, kind=kind, key="", defaults={
                "scope": FlagScope.AI, "medium": "ai", "score": 1.0, "detail": detail})
    except IntegrityError:
        flag, created = Flag.objects.get(entry=entry, kind=kind, key=""), False
    if not created and flag.detail != detail:
        flag.detail = detail
        flag.save(update_fields=["detail", "updated"])
    return flag


def allows_generated(track: Track | int) -> bool:
    track_id = track if isinstance(track, int) else track.pk
    row = TrackAIPolicy.objects.filter(track_id=track_id).values_list("allow_generated", flat=True).first()
    return True if row is None else bool(row)


def check_ai(entry: Entry, *, read_missing: bool = True) -> list[Flag]:
    """Flags from the declaration, the files' labels and the track's policy:
    a label while the entrant declared none → ai_contradiction; a label otherwise → ai_label;
    a declared or labelled work in a track that forbids them → ai_forbidden. An open flag whose
    reason went away (e.g. a declaration corrected on resubmission) is left for staff to clear."""
    if not counts(entry):
        return []
    labels = [row for row in _labels_of(entry, read_missing=read_missing) if row.generated]
    declared = entry.ai_declaration
    found = [{"media": row.media_id, "source": row.source, "label": row.label,
              "c2pa_generator": row.c2pa_generator} for row in labels]
    detail = {"declared": declared, "tools": entry.ai_tools, "labels": found}
    flags: list[Flag] = []
    if found:
        kind = FlagKind.AI_CONTRADICTION if declared == AIDeclaration.NONE else FlagKind.AI_LABEL
        flags.append(_ai_flag(entry, kind, detail))
    generated = bool(found) or declared in (AIDeclaration.PARTLY, AIDeclaration.WHOLLY)
    if generated and not allows_generated(entry.track_id):
        flags.append(_ai_flag(entry, FlagKind.AI_FORBIDDEN, detail))
    return flags


# --- the triggers ------------------------------------------------------------------------------

def on_fingerprinted(subject: Subject) -> list[Flag]:
    """A subject's fingerprints were stored: read a file's AI label, then match."""
    flags: list[Flag] = []
    if subject[0] == "media":
        media = MediaFile.objects.filter(pk=subject[1]).first()
        if media is not None:
            read_media_label(media)
    flags.extend(scan_subject(subject))
    owner = owners([subject]).get(subject)
    if owner is not None and owner.entry_id:
        entry = Entry.objects.select_related("track").filter(pk=owner.entry_id).first()
        if entry is not None:
            flags.extend(check_ai(entry, read_missing=False))
    return flags


def scan_entry(entry: Entry) -> list[Flag]:
    """On (re)submission: fingerprint the typed text, then look up every subject of the entry.
    Files not fingerprinted yet are looked up when their fingerprints arrive."""
    entry = Entry.objects.select_related("track").get(pk=entry.pk)
    text = entry_text(entry)
    if text:
        engines.compute_text(("entrytext", entry.pk), text)
    else:
        engines.forget(("entrytext", entry.pk))
    flags: list[Flag] = []
    for subject in entry_subjects(entry):
        flags.extend(scan_subject(subject))
    flags.extend(check_ai(entry))
    return flags


# --- decisions ---------------------------------------------------------------------------------

@dataclass
class Decided:
    flag: Flag
    step: str = ""  # the workflow step applied to the entry ("" : none)
    handed_over: bool = False  # disqualified, but the entry's step is for someone else to take


def waiting_level(entry: Entry) -> Any:
    """The level where a SUBMITTED entry waits: the level that returned it last when it was
    resubmitted, else its own unit (the first level of the reporting chain)."""
    last = (EntryDecision.objects.filter(entry=entry, decision=LevelDecision.RETURNED)
            .select_related("level").order_by("-at", "-id").first())
    return last.level if last is not None else entry.unit


def disqualify_step(actor: Any, entry: Entry) -> tuple[str, Any] | None:
    """The kernel's step that takes the entry out, if one is open from its state and the actor
    may take it: the host's vetting ("vet_disqualify": reported, eligible, scored) or the
    level's "reject" while it waits, submitted, at a level. A RECOMMENDED entry holds a quota
    slot the reporting chain keeps: that one is handed over (the level rejects it in its queue)."""
    for name in ("vet_disqualify", "reject"):
        t = transitions.TRANSITIONS.get(name)
        if t is None or not t.allows(entry.status):
            continue
        if name == "reject" and entry.status != EntryStatus.SUBMITTED:
            continue
        if actor.has_perm(t.permission, entry):
            return name, (waiting_level(entry) if t.decision is not None else None)
    return None


def decide(actor: Any, flag: Flag | int, status: str, reason: str) -> Decided:
    """Clear or disqualify one flag, with a required reason; audited. Disqualifying also applies
    the entry's step (see `disqualify_step`) in the same transaction, or hands it over."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    reason = (reason or "").strip()[:2000]
    if status not in (FlagStatus.CLEARED, FlagStatus.DISQUALIFIED):
        raise DomainError(_("Choose cleared or disqualified."), code="invalid_decision", field="status")
    if not reason:
        raise DomainError(_("Say why."), code="reason_required", field="reason")
    pk = flag.pk if isinstance(flag, Flag) else flag
    with transaction.atomic():
        entry_id = Flag.objects.filter(pk=pk).values_list("entry_id", flat=True).first()
        if entry_id is None:
            raise DomainError(_("No such flag."), code="not_found", status=404)
        entry = workflow.lock(entry_id)  # one lock order: the entry, then its flags
        locked = Flag.objects.select_for_update().select_related("entry__unit", "entry__track").get(pk=pk)
        if not actor.has_perm("originality.decide_flag", entry):
            raise NotPermitted(_("You may not decide about this entry."))
        if locked.status != FlagStatus.OPEN:
            raise DomainError(_("This flag has already been decided."), code="already_decided", status=409)
        before = {"status": locked.status}
        locked.status, locked.reason = status, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated"])
        result = Decided(locked)
        if status == FlagStatus.DISQUALIFIED and entry.status != EntryStatus.DISQUALIFIED:
            step = disqualify_step(actor, entry)
            if step is None:
                result.handed_over = True
            else:
                name, level = step
                text = _("Originality: %(reason)s") % {"reason": reason}
                workflow.apply(actor, entry, name, reason=text, level=level)
                result.step = name
        audit.record("originality.decide", locked, actor=actor, before=before,
                     after={"status": status, "kind": locked.kind, "entry": entry.pk,
                            "matched_entry": locked.matched_entry_id, "reference": locked.reference_id,
                            "score": locked.score, "step": result.step, "handed_over": result.handed_over},
                     reason=reason)
    return result


# --- suspected AI-generated content -----------------------------------------------------------

def mark_suspected(actor: Any, entry: Entry | int, *, suspected: bool, reason: str) -> AISuspicion:
    """Mark the entry as suspected AI-generated (`suspected=True`) or withdraw the mark, with a
    required reason; audited. While marked, `labels.ai_labels` gives its published work the
    "suspected" label; the public pages follow on commit (`signals.ai_label_changed`). Marking a
    marked entry (or withdrawing an absent mark) is refused: nothing changed."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise DomainError(_("Say why."), code="reason_required", field="reason")
    pk = entry.pk if isinstance(entry, Entry) else entry
    with transaction.atomic():
        try:
            locked = workflow.lock(pk)
        except Entry.DoesNotExist as exc:
            raise DomainError(_("No such entry."), code="not_found", status=404) from exc
        if not actor.has_perm("originality.mark_suspected", locked):
            raise NotPermitted(_("You may not decide about this entry."))
        row = AISuspicion.objects.select_for_update().filter(entry=locked).first()
        was = bool(row is not None and row.active)
        if was == suspected:
            raise DomainError(_("This entry is already marked as suspected AI-generated.") if suspected
                              else _("This entry is not marked as suspected AI-generated."),
                              code="unchanged", status=409)
        if row is None:
            row = AISuspicion(entry=locked)
        row.entry = locked
        row.active, row.reason = suspected, reason
        row.marked_by, row.marked_at = actor, timezone.now()
        row.save()
        audit.record("originality.suspect" if suspected else "originality.unsuspect", row, actor=actor,
                     before={"suspected": was}, after={"suspected": suspected, "entry": locked.pk}, reason=reason)
        transaction.on_commit(lambda: ai_label_changed.send(sender=Entry, entry=locked), robust=True)
    return row


def suspicion_of(entry: Entry | int) -> AISuspicion | None:
    """The entry's active mark, or None."""
    pk = entry.pk if isinstance(entry, Entry) else entry
    return AISuspicion.objects.filter(entry_id=pk, active=True).select_related("marked_by").first()


# --- the reference set and the track policy ----------------------------------------------------

def add_reference(actor: Any, campaign: Campaign, *, title: str, source_url: str = "", text: str = "",
                  media: MediaFile | None = None) -> ReferenceItem:
    """A known published work (a text, or a file the actor uploaded), fingerprinted at once and
    matched against the campaign's entries."""
    if not actor.has_perm("originality.manage_references", campaign):
        raise NotPermitted(_("You may not manage the reference set of this campaign."))
    title, text, source_url = (title or "").strip()[:200], (text or "").strip(), (source_url or "").strip()[:500]
    if not title:
        raise DomainError(_("Give the work's title."), code="title_required", field="title")
    if source_url and not re.match(r"^https?://", source_url):
        raise DomainError(_("Give the source as a web address (http:// or https://)."), code="invalid_url",
                          field="source_url")
    if not text and media is None:
        raise DomainError(_("Give the work's text or a file."), code="content_required", field="text")
    if media is not None and (media.owner_id != actor.pk or media.status != MediaStatus.READY
                              or hasattr(media, "entry_link") or ReferenceItem.objects.filter(media=media).exists()):
        raise DomainError(_("Use a file you uploaded that has been processed and is not used elsewhere."),
                          code="invalid_file", field="media")
    with transaction.atomic():
        ref = ReferenceItem.objects.create(campaign=campaign, title=title, source_url=source_url, text=text,
                                           media=media, created_by=actor)
        audit.record("originality.reference_add", ref, actor=actor, before=None,
                     after={"title": title, "source_url": source_url, "media": getattr(media, "pk", None),
                            "text_chars": len(text)})
    if text:
        engines.compute_text(("ref", ref.pk), text)
        scan_subject(("ref", ref.pk))
    if media is not None and media.original.name:
        name = media.original.name
        with local_copy(media.original.storage, name, suffix=Path(name).suffix) as p:
            engines.compute_file(("media", media.pk), p, media.kind)
        scan_subject(("media", media.pk))
    return ref


def remove_reference(actor: Any, ref: ReferenceItem) -> None:
    """Drop a reference work; its open flags go with it (decided ones stay in the audit log)."""
    if not actor.has_perm("originality.manage_references", ref.campaign):
        raise NotPermitted(_("You may not manage the reference set of this campaign."))
    with transaction.atomic():
        audit.record("originality.reference_remove", ref, actor=actor, before={"title": ref.title}, after=None)
        engines.forget(("ref", ref.pk))
        if ref.media_id:
            engines.forget(("media", ref.media_id))
        ref.delete()


def set_track_policy(actor: Any, track: Track, allow_generated: bool) -> TrackAIPolicy:
    if not actor.has_perm("originality.set_track_policy", track):
        raise NotPermitted(_("You may not change this track's rules."))
    with transaction.atomic():
        row, _created = TrackAIPolicy.objects.select_for_update().get_or_create(track=track)
        before = {"allow_generated": row.allow_generated}
        row.allow_generated, row.updated_by = bool(allow_generated), actor
        row.save()
        audit.record("originality.track_policy", row, actor=actor, before=before,
                     after={"allow_generated": row.allow_generated, "track": track.pk})
    return row


def flag_ids_of(entries: Iterable[int]) -> list[int]:
    return list(Flag.objects.filter(entry_id__in=list(entries)).values_list("pk", flat=True))
