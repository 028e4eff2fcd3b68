"""What each audience sees of an entry: one projection per audience, used by the pages, the
API (these models are the API's response schemas), receipts and exports.

| projection    | for                                  | leaves out                                         |
|---------------|--------------------------------------|----------------------------------------------------|
| EntryDetail   | the entrant; unit admins above it    | (the phone is masked for everyone but the entrant) |
| HostEntry     | host-unit staff of the track         | the phone (masked), pledge address                 |
| BlindEntry    | judges                               | submitter, authors, unit, phone, file names,       |
|               |                                      | form answers marked identifying, history actors    |
| PublicEntry   | everyone                             | phone, form answers, files' originals, history     |

The blind projection is built from an allow-list: a field reaches a judge only if it is named
here. Timelines are built from the workflow's events, filtered by audience (`timeline`).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, Field

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import EntrantType
from zhengji.campaigns.policy import policy_for
from zhengji.campaigns.schema import FieldDef, parse_schema
from zhengji.common.i18n import mask_phone
from zhengji.media.models import MediaFile
from zhengji.media.views_media import rendition_path

from . import files as entry_files
from .models import Entry, EntryEvent, EntryStatus, LevelDecision
from .queries import View


class NamedRef(BaseModel):
    id: int
    name: str


class TrackRef(NamedRef):
    number: int


class AuthorOut(BaseModel):
    name: str = Field("", max_length=60)
    unit_name: str = Field("", max_length=200)
    role: str = Field("", max_length=60)


class MediaOut(BaseModel):
    id: int
    slot: str
    filename: str
    size: int
    sha256: str
    status: str


class BlindFile(BaseModel):
    """A file as a judge sees it: a neutral name instead of the uploader's file name, and its
    renditions (served without metadata); never the original."""

    id: int
    slot: str
    name: str = Field(description="A neutral name (entry, slot and position); never the uploaded file name.")
    kind: str
    status: str
    renditions: dict[str, str] = Field(default_factory=dict, description="thumb / web / poster / preview URLs.")


class TimelineItem(BaseModel):
    at: dt.datetime
    action: str = Field(description="The step, e.g. entry.submit.")
    from_status: str | None
    to_status: str | None
    reason: str
    actor: str | None = Field(description="Who, as this reader may know it: a name, a level or none.")


class EntryListItem(BaseModel):
    id: int
    number: str | None
    title: str
    status: str
    status_label: str
    track: NamedRef
    unit: NamedRef
    updated: dt.datetime


class EntryDetail(BaseModel):
    id: int
    number: str | None
    title: str
    summary: str
    status: str
    status_label: str
    entrant_type: str
    entrant_type_label: str
    track: TrackRef
    campaign: NamedRef
    unit: NamedRef
    data: dict[str, Any]
    authors: list[AuthorOut]
    contact_phone: str = Field(description="Full for the submitter, masked for everyone else.")
    media: list[MediaOut]
    created: dt.datetime
    updated: dt.datetime
    submitted_at: dt.datetime | None
    pledge_version: str
    pledged_at: dt.datetime | None
    ai_declaration: str = Field("", description="AI-generated content declared: none, partly, wholly "
                                "or '' (not declared).")
    ai_declaration_label: str = ""
    ai_tools: str = ""
    return_reason: str = Field(description="While the entry is returned: why (the level's decision).")
    deadline: dt.datetime = Field(description="The entrant's deadline (the unit's level, or its extension).")


class HostEntry(EntryDetail):
    pass


class BlindEntry(BaseModel):
    """An entry as a judge sees it (blind review)."""

    id: int
    number: str | None
    title: str
    summary: str
    track: NamedRef
    entrant_type: str
    data: dict[str, Any]
    files: list[BlindFile]


class PublicEntry(BaseModel):
    id: int
    number: str | None
    title: str
    summary: str
    track: NamedRef
    campaign: NamedRef
    unit: NamedRef | None
    authors: list[str]


# --- builders ---------------------------------------------------------------------------------------

def _ref(obj: Any) -> NamedRef:
    return NamedRef(id=obj.pk, name=obj.name)


def _fields(entry: Entry) -> list[FieldDef]:
    try:
        return parse_schema(entry.track.form_schema)
    except Exception:  # a broken schema shows no answers rather than failing the page
        return []


def return_reason(entry: Entry, viewer: Any = None) -> str:
    """While the entry is returned: why. The entrant always learns it; staff only when the level
    that returned it lies within their subtree."""
    if entry.status != EntryStatus.RETURNED:
        return ""
    d = (entry.decisions.select_related("level").filter(decision=LevelDecision.RETURNED)
         .order_by("-at", "-id").first())
    if d is None:
        return ""
    staff = (viewer is not None and viewer.is_authenticated and viewer.pk != entry.submitter_id
             and not viewer.is_superuser)
    if staff and not scopes_for(viewer).administers_path(d.level.path):
        return ""
    return d.reason


def list_item(entry: Entry) -> EntryListItem:
    return EntryListItem(id=entry.pk, number=entry.number, title=entry.title, status=entry.status,
                         status_label=str(entry.get_status_display()), track=_ref(entry.track),
                         unit=_ref(entry.unit), updated=entry.updated)


def slot_of(media: MediaFile) -> str:
    """The slot `entries.files.files_of` annotated on the file (the link lives in EntryFile)."""
    return str(getattr(media, "slot", "") or "")


def _media_out(media: list[MediaFile]) -> list[MediaOut]:
    return [MediaOut(id=m.pk, slot=slot_of(m), filename=m.filename, size=m.size, sha256=m.sha256, status=m.status)
            for m in media]


def detail(entry: Entry, viewer: Any, cls: type[EntryDetail] = EntryDetail) -> EntryDetail:
    """The full entry: for the entrant (phone in full) and the staff above it (phone masked)."""
    owner = viewer is not None and viewer.is_authenticated and entry.submitter_id == viewer.pk
    return cls(
        id=entry.pk, number=entry.number, title=entry.title, summary=entry.summary, status=entry.status,
        status_label=str(entry.get_status_display()), entrant_type=entry.entrant_type,
        entrant_type_label=str(entry.get_entrant_type_display()),
        track=TrackRef(id=entry.track_id, name=entry.track.name, number=entry.track.number),
        campaign=_ref(entry.track.campaign), unit=_ref(entry.unit),
        data=entry.data or {},
        authors=[AuthorOut(name=a.name, unit_name=a.unit_name, role=a.role) for a in entry.authors.all()],
        contact_phone=entry.contact_phone if owner else mask_phone(entry.contact_phone),
        media=_media_out(list(entry_files.files_of(entry))),
        created=entry.created, updated=entry.updated, submitted_at=entry.submitted_at,
        pledge_version=entry.pledge_version, pledged_at=entry.pledged_at,
        ai_declaration=entry.ai_declaration, ai_declaration_label=str(entry.get_ai_declaration_display() or ""),
        ai_tools=entry.ai_tools, return_reason=return_reason(entry, viewer),
        deadline=policy_for(entry.track.campaign).deadline(entry.track, entry.unit))


def host(entry: Entry, viewer: Any) -> HostEntry:
    out = detail(entry, None, HostEntry)
    assert isinstance(out, HostEntry)
    return out


def blind_file_name(entry: Entry, media: MediaFile, index: int) -> str:
    ext = os.path.splitext(media.filename or "")[1].lower()[:10]
    code = entry.number or f"E{entry.pk}"
    return f"{code}-{slot_of(media)}-{index}{ext}"


RENDITION_FIELDS = {"thumb": "thumbnail", "web": "web", "poster": "web", "preview": "preview"}


def rendition_urls(media: MediaFile) -> dict[str, str]:
    if media.status != "ready":
        return {}
    names = ("thumb", "poster", "preview") if media.kind == "video" else ("thumb", "web", "preview")
    return {n: rendition_path(media, n) for n in names if getattr(media, RENDITION_FIELDS[n])}


def blind_fields(entry: Entry) -> list[tuple[FieldDef, Any]]:
    """The form answers a judge may see, with their definitions, in form order."""
    out = []
    for f in _fields(entry):
        if f.identifying or f.type == "file":
            continue
        out.append((f, (entry.data or {}).get(f.key, "")))
    return out


def blind(entry: Entry) -> BlindEntry:
    """The entry without anything that says who made it."""
    fields = _fields(entry)
    hidden = {f.key for f in fields if f.identifying or f.type == "file"}
    known = {f.key for f in fields}
    data = {k: v for k, v in (entry.data or {}).items() if k in known and k not in hidden}
    files: list[BlindFile] = []
    counts: dict[str, int] = {}
    for m in entry_files.files_of(entry):
        counts[slot_of(m)] = counts.get(slot_of(m), 0) + 1
        files.append(BlindFile(id=m.pk, slot=slot_of(m), name=blind_file_name(entry, m, counts[slot_of(m)]),
                               kind=m.kind, status=m.status, renditions=rendition_urls(m)))
    return BlindEntry(id=entry.pk, number=entry.number, title=entry.title, summary=entry.summary,
                      track=_ref(entry.track), entrant_type=entry.entrant_type, data=data, files=files)


def public(entry: Entry) -> PublicEntry:
    authors = [a.name for a in entry.authors.all() if a.name]
    show_unit = entry.entrant_type == EntrantType.UNIT or not authors
    return PublicEntry(id=entry.pk, number=entry.number, title=entry.title, summary=entry.summary,
                       track=_ref(entry.track), campaign=_ref(entry.track.campaign),
                       unit=_ref(entry.unit) if show_unit else None, authors=authors)


# --- timelines ---------------------------------------------------------------------------------------

def _who(event: EntryEvent, entry: Entry, audience: str, viewer: Any) -> str | None:
    """Who took the step, as the reader may know it. The entrant never sees staff names (a level's
    name stands for its staff); unit admins see names within their own subtree only; judges and
    review steps are never named to either."""
    if event.actor_id is None:
        return None
    if event.actor_id == entry.submitter_id:
        if audience == View.MINE:
            return _("You")
        return event.actor.display_name if event.actor else None
    if audience == View.UNIT and event.level is not None and viewer is not None and (
            viewer.is_superuser or scopes_for(viewer).administers_path(event.level.path)):
        return event.actor.display_name if event.actor else None
    if event.level is not None:
        return event.level.name
    return _("Organisers")


def timeline(entry: Entry, audience: str, viewer: Any) -> list[TimelineItem]:
    """The entry's events, oldest first, as this audience may see them. Staff-only steps are left
    out for the entrant; a unit admin sees a decision of a level outside their subtree only as
    the status it left (no reason, no name)."""
    events = entry.events.select_related("actor", "level").order_by("at", "id")
    if audience == View.MINE:
        events = events.filter(entrant_visible=True)
    items: list[TimelineItem] = []
    scopes = scopes_for(viewer) if viewer is not None else None
    for ev in events:
        reason = ev.reason
        if audience == View.UNIT and ev.level is not None and scopes is not None and not (
                viewer.is_superuser or scopes.administers_path(ev.level.path)):
            reason = ""
        items.append(TimelineItem(at=ev.at, action=f"entry.{ev.transition}", from_status=ev.from_status or None,
                                  to_status=ev.to_status or None, reason=reason,
                                  actor=_who(ev, entry, audience, viewer) if not (
                                      audience == View.UNIT and ev.level is not None and reason == ""
                                      and ev.reason) else None))
    return items


def decisions(entry: Entry, viewer: Any) -> list[dict[str, Any]]:
    """The level decisions on the entry that this staff reader may see: those of levels within
    their subtree (all for a superuser)."""
    rows = list(entry.decisions.select_related("level", "actor").order_by("at", "id"))
    if not viewer.is_superuser:
        paths = scopes_for(viewer).admin_org_paths
        rows = [d for d in rows if any(d.level.path.startswith(p) for p in paths)]
    return [{"level": d.level.name, "decision": d.decision, "label": str(LevelDecision(d.decision).label),
             "reason": d.reason, "at": d.at, "actor": d.actor.display_name if d.actor else None} for d in rows]
