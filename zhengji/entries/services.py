"""Domain functions for an entry's life before review: create, save (autosave), submit, edit
until the deadline, withdraw, return for changes and resubmit.

Each step is a row of `entries.transitions` applied by `entries.workflow.apply` (one
transaction: locked row, state check, state-aware permission, audit, notification on commit);
the functions here add the step's own checks and changes (the policy's collection window and
deadline, validation, numbering, the pledge). The moment is `at` (default now), passed to the
campaign policy, never patched.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import EntrantType, Track
from zhengji.campaigns.policy import CampaignPolicy, collecting_tracks, entrant_types_of, policy_for
from zhengji.campaigns.schema import FieldDef, count_words, parse_schema
from zhengji.common import audit
from zhengji.common.context import current_ip
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.orgs.models import Membership, MembershipStatus, Organization

from . import files, transitions, workflow
from .answers import clean_answers
from .files import parse_ids  # noqa: F401  (re-exported for views and the API)
from .models import AIDeclaration, Entry, EntryAuthor, EntryFile, EntryStatus, TrackCounter
from .pledge import PLEDGE_VERSION

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- the track, its form and its dates ----------------------------------------------------------

def track_fields(track: Track) -> list[FieldDef]:
    try:
        return parse_schema(track.form_schema)
    except ValidationError:
        raise DomainError(_("The entry form of this track is not set up correctly; please contact the organisers."),
                          code="form_misconfigured")


def policy_of(entry_or_track: Entry | Track, at: dt.datetime | None = None) -> CampaignPolicy:
    track = entry_or_track.track if isinstance(entry_or_track, Entry) else entry_or_track
    return policy_for(track.campaign, at)


def is_collecting(track: Track, at: dt.datetime | None = None) -> bool:
    return policy_for(track.campaign, at).is_collecting(track)


def deadline_for_entry(entry: Entry, at: dt.datetime | None = None) -> dt.datetime:
    """The entrant's deadline: the deadline of the entry unit's level (or its extension)."""
    return policy_of(entry, at).deadline(entry.track, entry.unit)


def annotate_deadlines(entries: list[Entry], at: dt.datetime | None = None) -> None:
    """Set `deadline` (the moment the domain stops accepting changes, as `deadline_for_entry`) on
    each entry its entrant may still change, else None; one policy per campaign."""
    policies: dict[int, CampaignPolicy] = {}
    for e in entries:
        deadline: dt.datetime | None = None
        if e.status in transitions.EDITABLE:
            policy = policies.get(e.track.campaign_id)
            if policy is None:
                policy = policies[e.track.campaign_id] = policy_of(e, at)
            if policy.accepts_entries(e.track, e.unit):
                deadline = policy.deadline(e.track, e.unit)
        e.deadline = deadline  # type: ignore[attr-defined]  # for the template


def format_deadline(when: dt.datetime) -> str:
    return timezone.localtime(when, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def can_edit_now(entry: Entry, at: dt.datetime | None = None) -> bool:
    return entry.status in transitions.EDITABLE and policy_of(entry, at).accepts_entries(entry.track, entry.unit)


# --- who enters for which unit ------------------------------------------------------------------

def member_unit(user: Any) -> tuple[Organization | None, bool]:
    """The worker's grassroots union, confirmed or still awaiting confirmation (a declined request
    is no membership), and whether it is confirmed."""
    m = (Membership.objects.select_related("org")
         .filter(user=user, org__is_active=True,
                 status__in=(MembershipStatus.CONFIRMED, MembershipStatus.PENDING)).first())
    if m is None:
        return None, False
    return m.org, m.status == MembershipStatus.CONFIRMED


def membership_confirmed(actor: Any, entry: Entry) -> bool:
    """For the campaign's rule on unconfirmed members: True unless this is a worker's own
    individual or team entry while their membership awaits confirmation (unit entries and the
    unit's admins are not concerned). The worker's one current membership counts, wherever it is:
    a worker who has since moved to another union may still resubmit an entry of the old one."""
    if entry.entrant_type == EntrantType.UNIT or entry.submitter_id != actor.pk:
        return True
    if actor.is_superuser or scopes_for(actor).administers_path(entry.unit.path):
        return True
    return Membership.objects.filter(user=actor, status=MembershipStatus.CONFIRMED).exists()


def may_submit_as_member(actor: Any, entry: Entry, at: dt.datetime | None = None) -> bool:
    """Whether the campaign lets this actor submit the entry as far as membership goes."""
    return policy_of(entry, at).member_may_submit(membership_confirmed(actor, entry))


def start_states(user: Any, tracks: list[Track], at: dt.datetime | None = None) -> dict[int, str]:
    """What the "enter" button of each track says to this user (for the public track pages and
    cards): "" (not collecting: no button), "login", "join" (no membership yet, or declined),
    "wait" (awaiting confirmation and the campaign lets such members do nothing yet) or "start".
    One membership query for the whole list; the rule is the campaign policy's."""
    out: dict[int, str] = {}
    unit: Organization | None = None
    confirmed = False
    admin = False
    if user is not None and user.is_authenticated:
        unit, confirmed = member_unit(user)
        admin = user.is_superuser or bool(scopes_for(user).admin_org_paths)
    policies: dict[int, CampaignPolicy] = {}
    for t in tracks:
        policy = policies.setdefault(t.campaign_id, policy_for(t.campaign, at))
        types = entrant_types_of(t)
        if not policy.is_collecting(t):
            out[t.pk] = ""
        elif user is None or not user.is_authenticated:
            out[t.pk] = "login"
        elif admin and EntrantType.UNIT in types:
            out[t.pk] = "start"
        elif all(x == EntrantType.UNIT for x in types):
            out[t.pk] = ""  # a unit-only track: nothing for a worker to start
        elif unit is None:
            out[t.pk] = "join"
        elif policy.member_may_draft(confirmed):
            out[t.pk] = "start"
        else:
            out[t.pk] = "wait"
    return out


def unit_choices(user: Any) -> QuerySet[Organization]:
    """Organisations a unit admin may enter in the name of: their subtrees."""
    units: QuerySet[Organization] = Organization.objects.filter(scopes_for(user).subtree_q(), is_active=True)
    return units.order_by("path")


def entrant_types_for(track: Track) -> list[str]:
    return entrant_types_of(track)


def open_tracks(at: dt.datetime | None = None) -> QuerySet[Track]:
    """Tracks accepting entries now (the policy's collection rule, as one query)."""
    return collecting_tracks(at)


# --- changes --------------------------------------------------------------------------------------

@dataclass
class Changes:
    """What an edit brings; None means "leave as it is"."""

    title: str | None = None
    summary: str | None = None
    contact_phone: str | None = None
    data: dict[str, Any] | None = None  # raw answers by schema key (only the keys present are changed)
    authors: list[dict[str, Any]] | None = None  # [{"name", "unit_name", "role"}] in credit order
    files: dict[str, list[int]] = field(default_factory=dict)  # slot key -> MediaFile ids in order

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Changes:
        return cls(**{k: d[k] for k in ("title", "summary", "contact_phone", "data", "authors", "files")
                      if k in d and d[k] is not None})


def _apply(entry: Entry, fields: list[FieldDef], ch: Changes, *,
           strict: bool) -> tuple[list[str], dict[str, list[str]]]:
    """Write the changes on the locked entry; return (changed names, per-field media errors)."""
    changed: list[str] = []
    if ch.title is not None:
        title = str(ch.title).strip()[:200]
        if title != entry.title:
            entry.title = title
            changed.append("title")
    if ch.summary is not None:
        summary = str(ch.summary).strip()[:20000]
        if summary != entry.summary:
            entry.summary = summary
            changed.append("summary")
    if ch.contact_phone is not None:
        phone = re.sub(r"[\s-]", "", str(ch.contact_phone))[:20]
        if phone != entry.contact_phone:
            entry.contact_phone = phone
            changed.append("contact_phone")
    if ch.data is not None:
        keys = {f.key for f in fields if f.type != "file"}
        merged = dict(entry.data or {})
        merged.update({k: v for k, v in ch.data.items() if k in keys})
        data, _errors = clean_answers(fields, merged, strict=False)
        if data != (entry.data or {}):
            entry.data = data
            changed.append("data")
    if ch.authors is not None:
        rows = []
        for a in ch.authors[: _setting("ENTRIES_MAX_AUTHORS", 20) + 5]:
            name = str(a.get("name") or "").strip()[:60]
            unit_name = str(a.get("unit_name") or "").strip()[:200]
            role = str(a.get("role") or "").strip()[:60]
            if name or unit_name or role:
                rows.append((name, unit_name, role))
        current = [(a.name, a.unit_name, a.role) for a in entry.authors.all()]
        if rows != current:
            entry.authors.all().delete()
            EntryAuthor.objects.bulk_create([EntryAuthor(entry=entry, position=i, name=n, unit_name=u, role=r)
                                             for i, (n, u, r) in enumerate(rows)])
            changed.append("authors")
    media_errors = files.attach(entry, fields, ch.files, strict=strict)
    if ch.files:
        changed.append("files")
    return changed, media_errors


def validate(entry: Entry, fields: list[FieldDef]) -> dict[str, list[str]]:
    """Everything a submission needs, as per-field errors (empty when complete)."""
    errors: dict[str, list[str]] = {}
    if not entry.title.strip():
        errors["title"] = [_("Give the entry a title.")]
    max_words = _setting("ENTRIES_SUMMARY_MAX_WORDS", 1000)
    if entry.summary and count_words(entry.summary) > max_words:
        errors["summary"] = [_("At most %(max)d characters or words (now %(n)d).")
                             % {"max": max_words, "n": count_words(entry.summary)}]
    if not PHONE_RE.match(entry.contact_phone or ""):
        errors["contact_phone"] = [_("Enter a valid mainland mobile number (11 digits).")]
    authors = list(entry.authors.all())
    if entry.entrant_type != EntrantType.UNIT and not authors:
        errors["authors"] = [_("Name at least one author.")]
    elif any(not a.name for a in authors):
        errors["authors"] = [_("Every author needs a name.")]
    elif entry.entrant_type == EntrantType.INDIVIDUAL and len(authors) > 1:
        errors["authors"] = [_("An individual entry has one author; choose a team entry for several.")]
    elif len(authors) > _setting("ENTRIES_MAX_AUTHORS", 20):
        errors["authors"] = [_("At most %(n)d authors.") % {"n": _setting("ENTRIES_MAX_AUTHORS", 20)}]
    _data, answer_errors = clean_answers(fields, entry.data or {}, strict=True)
    errors.update(answer_errors)
    for key, messages in files.slot_errors(entry, fields).items():
        errors.setdefault(key, []).extend(messages)
    return errors


# --- the lifecycle: each step goes through workflow.apply ---------------------------------------

@transaction.atomic
def create_draft(actor: Any, track: Track, *, entrant_type: str | None = None, unit: Organization | None = None,
                 changes: Changes | None = None, at: dt.datetime | None = None,
                 entrant_unit: Organization | None = None, reuse_empty: bool = False) -> Entry:
    """Start an entry in a track that is collecting, for the worker's own union or, for a unit
    entry, for an organisation in the unit admin's subtree. With `entrant_unit`, a unit admin
    enters an individual or team entry in someone else's name (a worker of that unit, which must
    lie in their subtree); the admin is the submitter until the entry changes hands. With
    `reuse_empty` (the entrant's "start" button), an untouched draft of the same track, unit and
    kind of entrant is taken up again instead of creating another."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    track = Track.objects.select_related("campaign").get(pk=track.pk)
    policy = policy_for(track.campaign, at)
    policy.check_collecting(track)
    allowed = entrant_types_of(track)
    if entrant_type is None:
        entrant_type = next((t for t in allowed if t != EntrantType.UNIT), allowed[0])
    if entrant_type not in allowed:
        raise DomainError(_("This track does not accept this kind of entrant."), code="entrant_type_not_allowed",
                          field="entrant_type")
    if entrant_type == EntrantType.UNIT:
        if unit is None or not (actor.is_superuser or scopes_for(actor).administers_path(unit.path)):
            raise NotPermitted(_("Only an admin of the unit can enter in its name."))
    elif entrant_unit is not None:
        if not (actor.is_superuser or scopes_for(actor).administers_path(entrant_unit.path)):
            raise NotPermitted(_("Only an admin of the unit can enter in its name."))
        unit = entrant_unit
    else:
        unit, confirmed = member_unit(actor)
        if unit is None:
            raise DomainError(_("Join your grassroots union (and wait for its confirmation) before entering."),
                              code="membership_required")
        policy.check_member_may_draft(confirmed)
    policy.check_accepts_entries(track, unit)
    fields = track_fields(track)
    reusable = empty_draft(actor, track, entrant_type=entrant_type, unit=unit) if reuse_empty else None
    if reusable is not None:
        # Every "start" used to create a new draft: an untouched one is taken up again instead.
        if changes is not None and changes_any(changes):
            return save_draft(actor, reusable, changes, at=at)
        return reusable
    entry = Entry.objects.create(track=track, submitter=actor, unit=unit, entrant_type=entrant_type,
                                 contact_phone=actor.phone or "")
    ch = changes or Changes()
    if ch.authors is None and entrant_type != EntrantType.UNIT and actor.real_name:
        ch.authors = [{"name": actor.real_name, "unit_name": unit.name, "role": ""}]
    _apply(entry, fields, ch, strict=False)
    entry.save()
    workflow.record_creation(actor, entry, at=at)
    return entry


def empty_draft(actor: Any, track: Track, *, entrant_type: str, unit: Organization) -> Entry | None:
    """The actor's newest untouched draft in this track for this unit and kind of entrant: no
    summary, answers or files yet (a title and the default author row do not count)."""
    found: Entry | None = (Entry.objects
                           .filter(submitter=actor, track=track, unit=unit, entrant_type=entrant_type,
                                   status=EntryStatus.DRAFT, submitted_at__isnull=True, summary="",
                                   file_links__isnull=True)
                           .filter(Q(data={}) | Q(data__isnull=True))
                           .order_by("-updated", "-pk").first())
    return found


def draft_deletable(actor: Any, entry: Entry) -> bool:
    return bool(actor.has_perm("entries.delete_entry", entry))


@transaction.atomic
def delete_draft(actor: Any, entry: Entry) -> None:
    """The entrant deletes a draft that was never submitted. Its files are released (their links
    go; the files stay the owner's, free to attach elsewhere or to be cleaned up)."""
    locked = Entry.objects.select_for_update().select_related("unit", "track").filter(pk=entry.pk).first()
    if locked is None:
        raise NotFound(_("Not found."))
    if not actor.has_perm("entries.delete_entry", locked):
        if locked.submitter_id != actor.pk:
            raise NotPermitted(_("Only the entrant can delete a draft."))
        raise DomainError(_("Only a draft that was never submitted can be deleted."), code="not_deletable",
                          status=409)
    media_ids = list(files.files_of(locked).values_list("pk", flat=True))
    scope = locked.audit_scope()
    before = {"title": locked.title, "track": locked.track_id, "unit": locked.unit_id, "status": locked.status,
              "files": media_ids}
    audit.record("entry.delete", locked, actor=actor, before=before, after=None, scope=scope)
    EntryFile.objects.filter(entry=locked).delete()
    locked.delete()


def save_draft(actor: Any, entry: Entry, changes: Changes, *, at: dt.datetime | None = None) -> Entry:
    """Save an edit. A draft (or a returned entry) keeps whatever was typed, valid or not, so
    autosave never loses input. A submitted entry stays valid: the edit is checked in full and
    refused as a whole with per-field errors (ValidationError)."""
    step = "edit" if entry.status == EntryStatus.SUBMITTED else "save"
    changed: list[str] = []

    def prepare(locked: Entry) -> dict[str, Any]:
        policy_of(locked, at).check_accepts_entries(locked.track, locked.unit)
        fields = track_fields(locked.track)
        strict = locked.status == EntryStatus.SUBMITTED
        names, media_errors = _apply(locked, fields, changes, strict=strict)
        changed.extend(names)
        if strict:
            errors = {**validate(locked, fields)}
            for k, v in media_errors.items():
                errors.setdefault(k, []).extend(v)
            if errors:
                raise ValidationError(errors)
            # A submitted entry keeps its answers normalised, as on submission.
            locked.data, _e = clean_answers(fields, locked.data or {}, strict=True)
        return {"changed": names}

    with transaction.atomic():
        locked = workflow.lock(entry)
        if locked.status != entry.status:  # moved on since the caller read it
            step = "edit" if locked.status == EntryStatus.SUBMITTED else "save"
        if not changes_any(changes):
            workflow.check_allowed(actor, locked, transitions.get(step))
            return locked
        return workflow.apply(actor, locked, step, prepare=prepare, at=at).entry


def reorder_files(actor: Any, entry: Entry, slot: str, media_ids: list[int] | str, *,
                  at: dt.datetime | None = None) -> Entry:
    """Put the files of one file field in a new order (a photo series as the entrant means it):
    the submitter, while the entry may be changed (its state, the collection window and the
    unit's deadline); the new order lists exactly the field's files. Audited with the order
    before and after, as a save (or an edit of a submitted entry)."""
    ids = files.parse_ids(media_ids)

    def prepare(locked: Entry) -> dict[str, Any]:
        policy_of(locked, at).check_accepts_entries(locked.track, locked.unit)
        if slot not in {f.key for f in track_fields(locked.track) if f.type == "file"}:
            raise DomainError(_("This track's form has no such file field."), code="invalid_slot", field=slot)
        before = files.reorder(locked, slot, ids)
        return {"changed": ["files"], "slot": slot, "order_before": before, "order": ids}

    with transaction.atomic():
        locked = workflow.lock(entry)
        step = "edit" if locked.status == EntryStatus.SUBMITTED else "save"
        return workflow.apply(actor, locked, step, prepare=prepare, at=at).entry


def changes_any(ch: Changes) -> bool:
    return any(v is not None for v in (ch.title, ch.summary, ch.contact_phone, ch.data, ch.authors)) or bool(ch.files)


def submit(actor: Any, entry: Entry, *, pledge: bool, at: dt.datetime | None = None,
           ai_declaration: str | None = None, ai_tools: str = "") -> Entry:
    """Submit (or resubmit after a return): everything valid, the pledge accepted, within the
    collection period and the deadline. The entry number is given on the first submission.
    `ai_declaration` (none / partly / wholly, with `ai_tools`) is the entrant's declaration of
    AI-generated content: required when given ("" is refused); None keeps what the entry holds
    (callers that do not ask it, e.g. imports)."""
    step = "resubmit" if entry.status == EntryStatus.RETURNED else "submit"
    ai_tools = (ai_tools or "").strip()[:200]

    def prepare(locked: Entry) -> dict[str, Any]:
        policy = policy_of(locked, at)
        policy.check_accepts_entries(locked.track, locked.unit)
        policy.check_member_may_submit(membership_confirmed(actor, locked))
        fields = track_fields(locked.track)
        errors = validate(locked, fields)
        pledge_message = _("Accept the originality pledge and licence grant to submit.")
        if errors:
            # Everything that is missing at once, the pledge included.
            if not pledge:
                errors["pledge"] = [pledge_message]
            raise ValidationError(errors)
        if not pledge:
            raise DomainError(pledge_message, code="pledge_required", field="pledge")
        if ai_declaration is not None:
            if ai_declaration not in AIDeclaration.values:
                raise DomainError(_("Declare whether the work contains AI-generated content."),
                                  code="ai_declaration_required", field="ai_declaration")
            if ai_declaration != AIDeclaration.NONE and not ai_tools:
                raise DomainError(_("Name the AI tools used."), code="ai_tools_required", field="ai_tools")
            locked.ai_declaration = ai_declaration
            locked.ai_tools = ai_tools if ai_declaration != AIDeclaration.NONE else ""
        locked.data, _e = clean_answers(fields, locked.data or {}, strict=True)
        if not locked.number:
            locked.number = _next_number(locked.track)
        when = policy.at
        locked.submitted_at = when
        locked.pledge_version = PLEDGE_VERSION
        locked.pledged_at = when
        locked.pledge_ip = current_ip()
        return {"number": locked.number, "pledge_version": PLEDGE_VERSION,
                "ai_declaration": locked.ai_declaration, "ai_tools": locked.ai_tools}

    with transaction.atomic():
        locked = workflow.lock(entry)
        if locked.status == EntryStatus.RETURNED:
            step = "resubmit"
        return workflow.apply(actor, locked, step, prepare=prepare, at=at).entry


def _next_number(track: Track) -> str:
    """`{year}-{track:02d}-{seq:06d}`. The per-track counter row is locked for the rest of the
    transaction, so concurrent submissions queue here and each gets the next number; the unique
    constraint on Entry.number is the backstop."""
    TrackCounter.objects.get_or_create(track=track)
    counter = TrackCounter.objects.select_for_update().get(track=track)
    while True:
        counter.last += 1
        number = f"{track.campaign.year}-{track.number:02d}-{counter.last:06d}"
        if not Entry.objects.filter(number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number


def withdraw(actor: Any, entry: Entry, reason: str = "", *, at: dt.datetime | None = None) -> Entry:
    return workflow.apply(actor, entry, "withdraw", reason=str(reason or ""), at=at).entry


def deciding_level(actor: Any, entry: Entry) -> Organization:
    """The level a unit admin decides at: the nearest organisation above (or at) the entry's unit
    that they administer; a superuser decides at the entry's unit."""
    paths = [p for p in scopes_for(actor).admin_org_paths if entry.unit.path.startswith(p)]
    if not paths:
        return entry.unit
    level: Organization = Organization.objects.get(path=max(paths, key=len))
    return level


def return_entry(actor: Any, entry: Entry, reason: str, *, level: Organization | None = None,
                 at: dt.datetime | None = None) -> Entry:
    """A level sends a submitted entry back to the entrant for changes, with the reason; recorded
    as that level's decision. The reporting chain passes the level; by default it is the nearest
    level the actor administers."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the entry is returned."), code="reason_required", field="reason")
    return workflow.apply(actor, entry, "return", reason=reason, at=at,
                          level=level or deciding_level(actor, entry)).entry


def format_local(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return formats.date_format(timezone.localtime(when, SHANGHAI), "Y-m-d H:i")
