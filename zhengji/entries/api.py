"""Entries API (mounted at /api/entries): thin over entries.services."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.errors import DomainError
from zhengji.orgs.models import Organization

from . import projections, services
from .models import Entry
from .projections import BlindEntry, EntryDetail, EntryListItem, TimelineItem
from .queries import View, audience_of, entries_for, entry_for
from .receipt import render_receipt
from .services import Changes

router = Router()


class AuthorSchema(InputSchema):
    name: str = Field("", max_length=60)
    unit_name: str = Field("", max_length=200)
    role: str = Field("", max_length=60)


class EntryCreate(InputSchema):
    track: int
    entrant_type: Literal["individual", "team", "unit"] | None = None
    unit: int | None = Field(None, description="For a unit entry: an organisation in your subtree.")
    title: str = Field("", max_length=200)
    summary: str = ""
    contact_phone: str | None = None
    data: dict[str, Any] | None = None
    authors: list[AuthorSchema] | None = None
    files: dict[str, list[int]] | None = Field(None, description="Slot key -> MediaFile ids, in order.")


class EntryPatch(InputSchema):
    title: str | None = Field(None, max_length=200)
    summary: str | None = None
    contact_phone: str | None = None
    data: dict[str, Any] | None = None
    authors: list[AuthorSchema] | None = None
    files: dict[str, list[int]] | None = None


class SubmitIn(InputSchema):
    pledge: bool = Field(False, description="The entrant accepts the originality pledge and licence grant.")
    ai_declaration: str | None = Field(None, description="AI-generated content: none, partly or wholly "
                                       "(the pledge page always asks it; omitted keeps the entry's).")
    ai_tools: str = Field("", max_length=200, description="The AI tools used (required unless none).")


class WithdrawIn(InputSchema):
    reason: str = ""


class StatusOut(Schema):
    id: int
    number: str | None
    status: str
    status_label: str
    return_reason: str
    history: list[TimelineItem]



def _changes(payload: Schema) -> Changes:
    d = payload.dict(exclude_unset=True)
    if d.get("authors") is not None:
        d["authors"] = [dict(a) for a in d["authors"]]
    return Changes.from_dict(d)


def _visible(request: HttpRequest, pk: int) -> Entry:
    return entry_for(request.user, pk)


def _out(request: HttpRequest, entry: Entry) -> EntryDetail:
    return projections.detail(entry, request.user)


ERRORS = {400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


@router.get("", response={200: list[EntryListItem], 403: ApiError})
def list_entries(request: HttpRequest, scope: Literal["mine", "unit"] = "mine"):
    """Your entries; with scope=unit (unit admins) the submitted entries of your subtree."""
    if scope == "unit" and not scopes_for(request.user).admin_org_paths:
        raise PermissionDenied
    qs = entries_for(request.user, View.UNIT if scope == "unit" else View.MINE).order_by("-updated", "-id")[:1000]
    return [projections.list_item(e) for e in qs]


@router.post("", response={201: EntryDetail, **ERRORS})
def create_entry(request: HttpRequest, payload: EntryCreate):
    """Start a draft in a track that is collecting entries."""
    track = get_object_or_404(Track, pk=payload.track)
    unit = None
    if payload.unit is not None:
        unit = Organization.objects.filter(pk=payload.unit).first()
        if unit is None:
            raise DomainError(_("Unknown organisation."), code="invalid", field="unit")
    entry = services.create_draft(request.user, track, entrant_type=payload.entrant_type, unit=unit,
                                  changes=_changes(EntryPatch(**payload.dict(
                                      include={"title", "summary", "contact_phone", "data", "authors", "files"},
                                      exclude_unset=True))))
    return 201, _out(request, _visible(request, entry.pk))


@router.get("/{int:entry_id}", response={200: EntryDetail, 404: ApiError})
def get_entry(request: HttpRequest, entry_id: int):
    return _out(request, _visible(request, entry_id))


@router.patch("/{int:entry_id}", response={200: EntryDetail, **ERRORS})
def patch_entry(request: HttpRequest, entry_id: int, payload: EntryPatch):
    """Save changes: a draft keeps anything; a submitted entry must stay valid (422 invalid)."""
    entry = _visible(request, entry_id)
    services.save_draft(request.user, entry, _changes(payload))
    return _out(request, _visible(request, entry_id))


class FileOrderIn(InputSchema):
    ids: list[int] = Field(description="Every MediaFile id of the field, in the new order.")


@router.post("/{int:entry_id}/files/{slot}/order", response={200: EntryDetail, **ERRORS})
def reorder_entry_files(request: HttpRequest, entry_id: int, slot: str, payload: FileOrderIn):
    """Reorder the files of one file field (e.g. a photo series): `invalid_order` unless the
    list holds exactly the field's files (400); 409 when the entry can no longer be changed."""
    entry = _visible(request, entry_id)
    services.reorder_files(request.user, entry, slot, payload.ids)
    return _out(request, _visible(request, entry_id))


def _optional_body(request: HttpRequest, schema: type[Schema]) -> Schema:
    """The action's small body, which may be left out: nothing at all, a JSON object (or null),
    or form fields (a plain HTML form or `curl -d`). Ninja's own body parameter refuses an empty
    or form-encoded body ("Cannot parse request body"), which scripts calling submit or withdraw
    hit all the time; what the domain then requires (the pledge) it says itself, translated."""
    data: Any = None
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    elif request.body.strip():
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise DomainError(_("The request body is not valid JSON."), code="invalid_body") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DomainError(_("The request body must be a JSON object."), code="invalid_body")
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False, include_context=False)) from None


def _body_doc(schema: type[Schema]) -> dict:
    """The optional body in the OpenAPI document (JSON or form fields)."""
    body = schema.model_json_schema()
    return {"requestBody": {"required": False, "content": {
        "application/json": {"schema": body}, "application/x-www-form-urlencoded": {"schema": body}}}}


@router.post("/{int:entry_id}/submit", response={200: EntryDetail, **ERRORS}, openapi_extra=_body_doc(SubmitIn))
def submit_entry(request: HttpRequest, entry_id: int):
    """Submit (or resubmit) the entry. Body `{"pledge": true}`; without it the answer is
    400 `pledge_required` (with every other missing item, 422 `invalid`)."""
    entry = _visible(request, entry_id)
    payload = _optional_body(request, SubmitIn)
    services.submit(request.user, entry, pledge=payload.pledge, ai_declaration=payload.ai_declaration,
                    ai_tools=payload.ai_tools)
    return _out(request, _visible(request, entry_id))


@router.post("/{int:entry_id}/withdraw", response={200: EntryDetail, **ERRORS}, openapi_extra=_body_doc(WithdrawIn))
def withdraw_entry(request: HttpRequest, entry_id: int):
    """Withdraw the entry (before review starts). Optional body `{"reason": "…"}`."""
    entry = _visible(request, entry_id)
    payload = _optional_body(request, WithdrawIn)
    services.withdraw(request.user, entry, reason=payload.reason)
    return _out(request, _visible(request, entry_id))


@router.get("/{int:entry_id}/status", response={200: StatusOut, 404: ApiError})
def entry_status(request: HttpRequest, entry_id: int):
    """Where the entry stands: its status and its history, oldest first."""
    entry = _visible(request, entry_id)
    history = projections.timeline(entry, audience_of(request.user, entry), request.user)
    return {"id": entry.pk, "number": entry.number, "status": entry.status,
            "status_label": str(entry.get_status_display()),
            "return_reason": projections.return_reason(entry, request.user), "history": history}


@router.get("/{int:entry_id}/receipt", response={200: None, 404: ApiError},
            openapi_extra={"responses": {200: {"description": "The receipt as a PDF",
                                               "content": {"application/pdf": {}}}}})
def entry_receipt(request: HttpRequest, entry_id: int):
    entry = _visible(request, entry_id)
    if not entry.number:
        raise Http404
    response = HttpResponse(render_receipt(entry, request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{entry.number}.pdf"'
    return response


@router.get("/{int:entry_id}/blind", response={200: BlindEntry, 404: ApiError})
def entry_blind(request: HttpRequest, entry_id: int):
    """The entry as a judge of its track sees it: no submitter, author, unit, phone or file name."""
    return projections.blind(entry_for(request.user, entry_id, view=View.JUDGE))
