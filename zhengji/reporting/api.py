"""Reporting chain API (mounted at /api/reporting): the vetting queue, decisions, the level's
order and opinions, batches and their summary table. Thin over `reporting.services` and
`reporting.queries`, with the pages' permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign, Track
from zhengji.common.apitypes import ApiError, InputSchema, IsoDate
from zhengji.common.context import current_ip
from zhengji.common.errors import DomainError
from zhengji.entries import services as entry_services
from zhengji.entries.models import Entry
from zhengji.entries.services import Changes
from zhengji.orgs.models import Organization

from . import host, imports, onbehalf, queries, reminders, services, tasks, views_exports
from .exports import summary_response
from .models import Batch, EntryImport, OnBehalf, ReminderRound

router = Router()



ERRORS = {400: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError}


class Ref(Schema):
    id: int
    name: str


class QueueItem(Schema):
    id: int
    number: str | None
    title: str
    status: str
    status_label: str
    track: Ref
    unit: Ref
    level: Ref
    arrived_at: dt.datetime
    submitted_at: dt.datetime | None
    recommended: bool
    rank: int | None
    opinion: str
    can_recommend: bool
    can_return: bool
    can_reject: bool


class LevelTrackOut(Schema):
    level: Ref
    track: Ref
    quota: int | None
    used: int
    left: int | None
    deadline: dt.datetime
    open: bool


class QueueOut(Schema):
    items: list[QueueItem]
    next_cursor: str | None
    levels: list[LevelTrackOut]


class QueueParams(Schema):
    track: int | None = None
    state: Literal["", "waiting", "recommended", "returned", "rejected"] = ""
    unit: int | None = Field(None, description="A child organisation: entries of its subtree.")
    level: int | None = Field(None, description="Only entries waiting at this level.")
    q: str = Field("", max_length=100, description="Search in titles and entry numbers.")
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    sort: Literal["-arrived", "arrived", "number", "-number", "rank"] = "-arrived"
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE)


class DecisionIn(InputSchema):
    action: Literal["recommend", "return", "reject"]
    entries: list[int] = Field(..., min_length=1, max_length=services.MAX_BULK)
    level: int | None = Field(None, description="The level deciding; by default where the entries wait.")
    reason: str = Field("", max_length=2000)


class DecisionOut(Schema):
    action: str
    entries: list[int]
    statuses: dict[str, str]


class OpinionIn(InputSchema):
    text: str = Field("", max_length=2000)
    level: int | None = None


class OrderIn(InputSchema):
    level: int
    track: int
    entries: list[int] = Field(..., max_length=1000)


class BatchIn(InputSchema):
    level: int
    track: int
    note: str = Field("", max_length=2000)


class BatchOut(Schema):
    id: int
    number: str
    status: str
    level: Ref
    target: Ref
    to_host: bool
    track: Ref
    note: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    has_stamp: bool


class BatchEntry(Schema):
    id: int
    number: str | None
    title: str
    status: str
    unit: Ref


class BatchDetail(BatchOut):
    entries: list[BatchEntry]


def _ref(obj: Organization | Track) -> Ref:
    return Ref(id=obj.pk, name=obj.name)


def _require_admin(request: HttpRequest) -> None:
    if not (request.user.is_superuser or scopes_for(request.user).admin_org_paths):
        raise PermissionDenied


def _item(user, e: Entry, opinions: dict[int, str]) -> QueueItem:
    pos = e.chain_position
    return QueueItem(id=e.pk, number=e.number, title=e.title, status=e.status,
                     status_label=str(e.get_status_display()), track=_ref(e.track), unit=_ref(e.unit),
                     level=_ref(pos.level), arrived_at=pos.arrived_at, submitted_at=e.submitted_at,
                     recommended=pos.recommended, rank=pos.rank, opinion=opinions.get(e.pk, ""),
                     can_recommend=user.has_perm("reporting.recommend_entry", e) and not pos.recommended,
                     can_return=user.has_perm("reporting.return_entry", e),
                     can_reject=user.has_perm("reporting.reject_entry", e))


def _level_out(lt: queries.LevelTrack) -> LevelTrackOut:
    return LevelTrackOut(level=_ref(lt.level), track=_ref(lt.track), quota=lt.quota, used=lt.used, left=lt.left,
                         deadline=lt.deadline, open=lt.open)


@router.get("/queue", response={200: QueueOut, **ERRORS})
def get_queue(request: HttpRequest, params: Query[QueueParams]):
    """Entries waiting at the levels you administer, newest arrival first, a page at a time
    (keyset: pass `next_cursor` back as `cursor`)."""
    _require_admin(request)
    filters = queries.QueueFilters.from_params(params.dict())
    try:
        pg = queries.page(queries.queue(request.user, filters), filters.sort, params.cursor, params.limit)
    except queries.BadCursor:
        raise DomainError(_("This page link is no longer valid; start from the first page."), code="bad_cursor")
    levels = queries.level_summary(queries.administered_levels(request.user), queries.queue_tracks(request.user))
    return QueueOut(items=[_item(request.user, e, pg.opinions) for e in pg.rows], next_cursor=pg.next_cursor,
                    levels=[_level_out(lt) for lt in levels])


@router.post("/decisions", response={200: DecisionOut, **ERRORS})
def decide(request: HttpRequest, payload: DecisionIn):
    """Recommend, return (with a reason) or reject (with a reason) entries of one track waiting at
    one level, all or nothing. A recommendation counts against the level's quota (409
    `quota_exceeded`); after the level's deadline every decision is 409 `deadline_passed`."""
    _require_admin(request)
    entries = queries.waiting_entries(request.user, payload.entries)
    level = queries.deciding_level(payload.level, entries)
    if payload.action == "recommend":
        done = services.recommend(request.user, entries, level)
    elif payload.action == "return":
        done = services.return_for_revision(request.user, entries, level, payload.reason)
    else:
        done = services.reject(request.user, entries, level, payload.reason)
    return DecisionOut(action=payload.action, entries=[e.pk for e in done],
                       statuses={str(e.pk): e.status for e in done})


@router.post("/entries/{int:entry_id}/opinion", response={200: dict, **ERRORS})
def set_opinion(request: HttpRequest, entry_id: int, payload: OpinionIn):
    """The level's opinion on an entry waiting there (printed on the summary table)."""
    _require_admin(request)
    entries = queries.waiting_entries(request.user, [entry_id])
    level = queries.deciding_level(payload.level, entries)
    op = services.set_opinion(request.user, entries[0], level, payload.text)
    return {"entry": entry_id, "level": level.pk, "text": op.text}


@router.post("/order", response={200: dict, **ERRORS})
def set_order(request: HttpRequest, payload: OrderIn):
    """Order the level's recommended entries of a track (every one of them, once)."""
    _require_admin(request)
    level = Organization.objects.filter(pk=payload.level).first()
    track = Track.objects.select_related("campaign").filter(pk=payload.track).first()
    if level is None or track is None:
        raise Http404
    ids = services.reorder_recommended(request.user, level, track, payload.entries)
    return {"level": level.pk, "track": track.pk, "entries": ids}


def _batch_out(b: Batch) -> dict:
    return dict(id=b.pk, number=b.number, status=b.status, level=_ref(b.level), target=_ref(b.target),
                to_host=b.to_host, track=_ref(b.track), note=b.note, created_at=b.created_at, sent_at=b.sent_at,
                has_stamp=bool(b.stamp_scan))


def _batch(request: HttpRequest, batch_id: int) -> Batch:
    batch = queries.batch_for(request.user, batch_id)
    if batch is None:
        raise Http404
    return batch


@router.get("/batches", response={200: list[BatchOut], **ERRORS})
def list_batches(request: HttpRequest, direction: Literal["sent", "received"] = "sent"):
    """Batches your levels reported (`sent`, drafts included) or that reached them (`received`)."""
    qs = queries.batches_for(request.user, direction)[:500]
    return [_batch_out(b) for b in qs]


@router.post("/batches", response={201: BatchDetail, **ERRORS})
def create_batch(request: HttpRequest, payload: BatchIn):
    """The level's draft batch of its recommended entries of the track (created, or refreshed)."""
    _require_admin(request)
    level = Organization.objects.filter(pk=payload.level).first()
    track = Track.objects.filter(pk=payload.track).first()
    if level is None or track is None:
        raise Http404
    batch = services.create_batch(request.user, level, track, note=payload.note)
    return 201, _detail(_batch(request, batch.pk))


def _detail(b: Batch) -> dict:
    entries = [BatchEntry(id=e.pk, number=e.number, title=e.title, status=e.status, unit=_ref(e.unit))
               for e in queries.batch_entries(b)]
    return {**_batch_out(b), "entries": entries}


@router.get("/batches/{int:batch_id}", response={200: BatchDetail, **ERRORS})
def get_batch(request: HttpRequest, batch_id: int):
    return _detail(_batch(request, batch_id))


@router.post("/batches/{int:batch_id}/send", response={200: BatchDetail, **ERRORS})
def send_batch(request: HttpRequest, batch_id: int):
    """Report the batch to the next level (or, from the top level, to the track's host unit)."""
    services.send_batch(request.user, _batch(request, batch_id))
    return _detail(_batch(request, batch_id))


@router.post("/batches/{int:batch_id}/stamp", response={200: BatchOut, **ERRORS})
def upload_stamp(request: HttpRequest, batch_id: int, file: File[UploadedFile]):
    """Upload the scan of the stamped summary table (PDF, JPG or PNG)."""
    batch = services.attach_stamp(request.user, _batch(request, batch_id), file)
    return _batch_out(batch)


@router.get("/batches/{int:batch_id}/summary.xlsx", response={200: None, **ERRORS},
            openapi_extra={"responses": {200: {"description": "The summary table", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}})
def batch_summary(request: HttpRequest, batch_id: int):
    """The batch's summary table (报送汇总表) as .xlsx; phones masked; the download is audited."""
    batch = _batch(request, batch_id)
    return summary_response(request, batch)


# --- reminders -------------------------------------------------------------------------------------

class ReminderIn(InputSchema):
    campaign: str = Field(..., description="The campaign's slug.")
    kind: Literal["silent", "drafts"] = Field(..., description="`silent`: units that have not taken part; "
                                                               "`drafts`: entrants with unfinished drafts.")
    level: int = Field(..., description="One of your levels: its subtree is reminded.")
    track: int | None = Field(None, description="Required for `drafts`.")
    template: str = Field("plain", description="A text key (`plain`, `short`).")


class ReminderPreviewOut(Schema):
    recipients: int
    skipped: int
    to_send: int
    deadline: dt.datetime
    message: str
    items: list[Ref]
    page: int
    pages: int


class RoundOut(Schema):
    id: int
    kind: str
    campaign: str
    track: Ref | None
    level: Ref | None
    automatic: bool
    sender: str
    deadline: dt.datetime
    message: str
    recipients: int
    skipped: int
    created_at: dt.datetime


class ReminderSettingIn(InputSchema):
    days_before: int = Field(..., ge=0, le=30, description="0: no automatic reminders.")


class ReminderSettingOut(Schema):
    campaign: str
    days_before: int


def _reminder_args(request: HttpRequest, payload: ReminderIn) -> tuple[Campaign, Organization, Track | None]:
    _require_admin(request)
    campaign = Campaign.objects.select_related("org").filter(slug=payload.campaign).first()
    level = Organization.objects.filter(pk=payload.level).first()
    track = Track.objects.filter(pk=payload.track).first() if payload.track is not None else None
    if campaign is None or level is None or (payload.track is not None and track is None):
        raise Http404
    return campaign, level, track


def _round_out(r: ReminderRound) -> RoundOut:
    return RoundOut(id=r.pk, kind=r.kind, campaign=r.campaign.slug, track=_ref(r.track) if r.track else None,
                    level=_ref(r.scope) if r.scope else None, automatic=r.automatic,
                    sender=r.sender.display_name if r.sender else "", deadline=r.deadline, message=r.message,
                    recipients=r.recipients, skipped=r.skipped, created_at=r.created_at)


@router.get("/reminders/preview", response={200: ReminderPreviewOut, **ERRORS})
def reminder_preview(request: HttpRequest, params: Query[ReminderIn], page: int = 1):
    """Who a reminder would reach (count, one page of units or entrants) and its text; nothing is
    sent. People reminded in the last 24 hours are counted in `skipped`."""
    campaign, level, track = _reminder_args(request, params)
    p = reminders.preview(request.user, campaign, params.kind, level, track=track, template=params.template)
    pg = Paginator(reminders.recipients_page(params.kind, campaign, track, p.scope), 25).get_page(page)
    items = [Ref(id=o.pk, name=o.display_name) for o in pg.object_list]
    return ReminderPreviewOut(recipients=p.recipients, skipped=p.skipped, to_send=p.to_send, deadline=p.deadline,
                              message=p.message, items=items, page=pg.number, pages=pg.paginator.num_pages)


@router.post("/reminders", response={201: RoundOut, 429: ApiError, **ERRORS})
def reminder_send(request: HttpRequest, payload: ReminderIn):
    """Send the reminder: one message per recipient (site, SMS, e-mail where known). One round per
    level, campaign, track and kind a day (429 `rate_limited`); 400 `no_recipients` when nobody is
    left; 409 `deadline_passed`."""
    campaign, level, track = _reminder_args(request, payload)
    rnd = reminders.send_manual(request.user, campaign, payload.kind, level, track=track, template=payload.template)
    return 201, _round_out(rnd)


@router.get("/reminders/log", response={200: list[RoundOut], **ERRORS})
def reminder_log(request: HttpRequest, page: int = 1):
    """Reminder rounds of your levels and campaigns, newest first, 50 a page."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    pg = Paginator(reminders.rounds_for(request.user), 50).get_page(page)
    return [_round_out(r) for r in pg.object_list]


def _campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.select_related("org").filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


@router.get("/reminders/settings/{slug}", response={200: ReminderSettingOut, **ERRORS})
def reminder_settings(request: HttpRequest, slug: str):
    """Automatic reminders of a campaign: N days before each deadline (campaign admins)."""
    campaign = _campaign(slug)
    if not reminders.can_configure(request.user, campaign):
        raise PermissionDenied
    return ReminderSettingOut(campaign=slug, days_before=reminders.reminder_days(campaign))


@router.put("/reminders/settings/{slug}", response={200: ReminderSettingOut, **ERRORS})
def put_reminder_settings(request: HttpRequest, slug: str, payload: ReminderSettingIn):
    s = reminders.set_reminder_days(request.user, _campaign(slug), payload.days_before)
    return ReminderSettingOut(campaign=slug, days_before=s.days_before)
# --- entries on behalf of workers (代报), their import and their claim -------------------------------

class AuthorIn(InputSchema):
    name: str = Field("", max_length=60)
    unit_name: str = Field("", max_length=200)
    role: str = Field("", max_length=60)


class OnBehalfIn(InputSchema):
    track: int
    unit: int = Field(..., description="The worker's unit: an organisation in your subtree.")
    worker_name: str = Field(..., max_length=60)
    phone: str = Field(..., max_length=20, description="The worker's mobile number (11 digits).")
    title: str = Field("", max_length=200)
    summary: str = ""
    data: dict[str, Any] | None = None
    authors: list[AuthorIn] | None = Field(None, description="In credit order; by default the worker.")
    files: dict[str, list[int]] | None = Field(None, description="Slot key -> your MediaFile ids, in order.")
    submit: bool = Field(False, description="Submit at once (needs `pledge`); otherwise a draft is kept.")
    pledge: bool = Field(False, description="You accept the pledge and licence grant on the worker's behalf.")


class OnBehalfOut(Schema):
    entry: int
    number: str | None
    status: str
    title: str
    worker_name: str
    phone: str = Field(description="In full for the admins of the unit's subtree and the worker; else masked.")
    unit: Ref
    entered_by: int | None
    pledged_by: int | None
    claimed_by: int | None
    claimed_at: dt.datetime | None


class ImportOut(Schema):
    id: int
    track: Ref
    status: str
    status_label: str
    sheet_name: str
    archive_name: str
    total_rows: int
    bad_rows: int
    message: str
    created_entries: int
    created_at: dt.datetime
    applied_at: dt.datetime | None


class RowError(Schema):
    column: str
    message: str


class ImportRowOut(Schema):
    row: int
    title: str
    worker_name: str
    unit: str
    errors: list[RowError]
    entry: int | None


class ImportDetail(ImportOut):
    rows: list[ImportRowOut]
    next_after: int | None = Field(None, description="Pass as `after` for the next page of rows.")


class ApplyIn(InputSchema):
    pledge: bool = Field(False, description="You accept the pledge and licence grant on the workers' behalf.")


class ClaimCodeOut(Schema):
    phone: str
    expires_at: dt.datetime
    waiting: int


class ClaimIn(InputSchema):
    code: str = Field(..., max_length=10)
    entries: list[int] | None = Field(None, description="Only these entries (default: every one waiting).")


class ClaimOut(Schema):
    entries: list[int]


OPTIONAL_FILE = File(None)


def _require_enterer(request: HttpRequest) -> None:
    if not onbehalf.may_enter(request.user):
        raise PermissionDenied


def _ob_out(request: HttpRequest, ob: OnBehalf) -> OnBehalfOut:
    e = ob.entry
    return OnBehalfOut(entry=e.pk, number=e.number, status=e.status, title=e.title, worker_name=ob.worker_name,
                       phone=onbehalf.shown_phone(request.user, ob), unit=_ref(e.unit), entered_by=ob.entered_by_id,
                       pledged_by=ob.pledged_by_id, claimed_by=ob.claimed_by_id, claimed_at=ob.claimed_at)


@router.post("/onbehalf", response={201: OnBehalfOut, **ERRORS})
def create_on_behalf(request: HttpRequest, payload: OnBehalfIn):
    """Enter a work for a named worker of a unit in your subtree (unit admins): a draft with the
    track's form answers, authors and files (uploaded by you beforehand); with `submit` and
    `pledge` it is submitted at once, the pledge made by you on the worker's behalf."""
    _require_enterer(request)
    track = Track.objects.select_related("campaign").filter(pk=payload.track).first()
    unit = Organization.objects.filter(pk=payload.unit).first()
    if track is None:
        raise Http404
    authors = [a.dict() for a in payload.authors] if payload.authors is not None else None
    with transaction.atomic():
        entry = onbehalf.start(request.user, track, unit=unit, worker_name=payload.worker_name, phone=payload.phone,
                               changes=Changes(title=payload.title, summary=payload.summary, data=payload.data,
                                               authors=authors))
        if payload.files:
            entry = entry_services.save_draft(request.user, entry, Changes(files=payload.files))
        if payload.submit:
            entry = entry_services.submit(request.user, entry, pledge=payload.pledge)
    ob = onbehalf.entered_for(request.user).get(entry_id=entry.pk)
    return 201, _ob_out(request, ob)


@router.get("/onbehalf", response={200: list[OnBehalfOut], **ERRORS})
def list_on_behalf(request: HttpRequest, before: int | None = None,
                   limit: int = Query(50, ge=1, le=200)):
    """On-behalf entries of your subtree, newest first (pass the last `entry` as `before`)."""
    _require_enterer(request)
    qs = onbehalf.entered_for(request.user).order_by("-entry_id")
    if before:
        qs = qs.filter(entry_id__lt=before)
    return [_ob_out(request, ob) for ob in qs[:limit]]


def _import_out(imp: EntryImport) -> dict[str, Any]:
    return dict(id=imp.pk, track=_ref(imp.track), status=imp.status, status_label=str(imp.get_status_display()),
                sheet_name=imp.sheet_name, archive_name=imp.archive_name, total_rows=imp.total_rows,
                bad_rows=imp.bad_rows, message=imp.message, created_entries=imp.created_entries,
                created_at=imp.created_at, applied_at=imp.applied_at)


def _import(request: HttpRequest, import_id: int) -> EntryImport:
    _require_enterer(request)
    imp = imports.import_for(request.user, import_id)
    if imp is None:
        raise Http404
    return imp


@router.get("/imports/template", response={200: None, **ERRORS},
            openapi_extra={"responses": {200: {"description": "The sheet template", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}})
def import_template(request: HttpRequest, track: int):
    """The .xlsx template of a track's import (columns from the track's form schema)."""
    _require_enterer(request)
    t = Track.objects.select_related("campaign").filter(pk=track).first()
    if t is None:
        raise Http404
    response = HttpResponse(imports.template_xlsx(t),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="entries-track-{t.number:02d}.xlsx"'
    return response


@router.post("/imports", response={201: ImportOut, **ERRORS})
def upload_import(request: HttpRequest, track: Form[int], sheet: File[UploadedFile],
                  archive: UploadedFile | None = OPTIONAL_FILE):
    """Upload the sheet (.xlsx) and the files (.zip) of an import. The check runs in the
    background: poll `GET imports/{id}` until the status is `ready` or `invalid`."""
    _require_enterer(request)
    t = Track.objects.select_related("campaign").filter(pk=track).first()
    if t is None:
        raise Http404
    imp = imports.upload(request.user, t, sheet, archive)
    tasks.check_import.enqueue(imp.pk)
    imp.refresh_from_db()
    return 201, _import_out(imp)


@router.get("/imports/{int:import_id}", response={200: ImportDetail, **ERRORS})
def get_import(request: HttpRequest, import_id: int, only_errors: bool = False, after: int | None = None,
               limit: int = Query(100, ge=1, le=500)):
    """The import's status and its rows with their errors (row, column, message), a page at a time."""
    imp = _import(request, import_id)
    rows = imp.rows.order_by("row")
    if only_errors:
        rows = rows.exclude(errors=[])
    if after:
        rows = rows.filter(row__gt=after)
    page = list(rows[:limit + 1])
    more = len(page) > limit
    page = page[:limit]
    out = [ImportRowOut(row=r.row, title=r.title, worker_name=r.worker_name, unit=r.unit_name,
                        errors=[RowError(**e) for e in r.errors], entry=r.entry_id) for r in page]
    return {**_import_out(imp), "rows": out, "next_after": page[-1].row if more and page else None}


@router.post("/imports/{int:import_id}/apply", response={202: ImportOut, **ERRORS})
def apply_import(request: HttpRequest, import_id: int, payload: ApplyIn):
    """Create every entry of a checked import without errors, all or nothing, in the background
    (409 `not_ready` otherwise; 400 `pledge_required` without the pledge). Poll `GET
    imports/{id}`: `applied`, or `failed` with the row that failed (nothing was created)."""
    imp = imports.request_apply(request.user, _import(request, import_id), pledge=payload.pledge)
    tasks.apply_import.enqueue(imp.pk)
    imp.refresh_from_db()
    return 202, _import_out(imp)


@router.get("/claims", response={200: list[OnBehalfOut], **ERRORS})
def list_claimable(request: HttpRequest):
    """Entries entered for your mobile number that you can claim."""
    return [_ob_out(request, ob) for ob in onbehalf.claimable(request.user)[:200]]


@router.post("/claims/code", response={200: ClaimCodeOut, **ERRORS, 429: ApiError})
def claim_code(request: HttpRequest):
    """Send an SMS code to your own number (404 `nothing_to_claim` when no entry waits for it;
    429 `rate_limited`)."""
    sent = onbehalf.send_claim_code(request.user, ip=current_ip())
    return ClaimCodeOut(phone=str(getattr(request.user, "masked_phone", "")), expires_at=sent.expires_at,  # type: ignore[arg-type]
                        waiting=onbehalf.claimable(request.user).count())


@router.post("/claims", response={200: ClaimOut, **ERRORS})
def claim(request: HttpRequest, payload: ClaimIn):
    """Verify the code and take over the entries (400 `code_wrong`/`code_expired`/…: nothing changes)."""
    done = onbehalf.claim(request.user, payload.code, entries=payload.entries)
    return ClaimOut(entries=[e.pk for e in done])


# --- recommendation forms, summary PDF, the host unit and its export package ----------------------

FILE_RESPONSES: dict[str, dict] = {"application/pdf": {}, "application/zip": {},
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}


def _file_doc(description: str) -> dict:
    return {"responses": {200: {"description": description, "content": FILE_RESPONSES}}}


@router.get("/batches/{int:batch_id}/forms/{int:entry_id}/{fmt}", response={200: None, **ERRORS},
            openapi_extra=_file_doc("The recommendation form"))
def batch_form(request: HttpRequest, batch_id: int, entry_id: int, fmt: Literal["xlsx", "pdf"]):
    """One entry's recommendation form (推荐表) of the batch as .xlsx or PDF; the contact phone is
    whole only for admins of the entry's unit subtree. 404 when the batch or entry is not yours."""
    return views_exports.batch_form(request.user, _batch(request, batch_id), entry_id, fmt)


@router.get("/batches/{int:batch_id}/forms.zip", response={200: None, 206: None, 416: None, **ERRORS},
            openapi_extra=_file_doc("The batch's recommendation forms"))
def batch_forms_zip(request: HttpRequest, batch_id: int):
    """Every recommendation form of the batch (.xlsx and PDF, a folder per entry) with the summary
    table, as a zip; Range requests answer 206 (416 past the end)."""
    batch = _batch(request, batch_id)
    return views_exports.package_response(request, views_exports.batch_forms_package(request.user, batch),
                                          audit_action="batch.export", audit_obj=batch,
                                          scope=views_exports.batch_scope(batch))


@router.get("/batches/{int:batch_id}/summary.pdf", response={200: None, **ERRORS},
            openapi_extra=_file_doc("The summary table"))
def batch_summary_pdf(request: HttpRequest, batch_id: int):
    """The batch's summary table (报送汇总表) as PDF."""
    return views_exports.batch_summary_pdf(request.user, _batch(request, batch_id))


class HostTrackOut(Schema):
    id: int
    name: str
    campaign: Ref
    host_unit: Ref


class HostEntryOut(Schema):
    id: int
    number: str | None
    title: str
    status: str
    unit: Ref


class HostEntriesOut(Schema):
    items: list[HostEntryOut]
    next_after: str | None
    cities: list[Ref]


class HostParams(Schema):
    city: int | None = Field(None, description="A city (a level that reported to the host): its entries.")
    batch: int | None = Field(None, description="One batch that reached the host: its entries.")
    after: str | None = Field(None, description="next_after of the previous page (an entry number).")
    limit: int = Field(host.PAGE_SIZE, ge=1, le=host.MAX_PAGE_SIZE)


def _host_track(request: HttpRequest, track_id: int) -> Track:
    track = host.hosted_track(request.user, track_id)
    if track is None:
        raise Http404
    return track


@router.get("/host/tracks", response={200: list[HostTrackOut], **ERRORS})
def host_tracks(request: HttpRequest):
    """The tracks you host (host-unit staff of the track, campaign admins)."""
    return [HostTrackOut(id=t.pk, name=t.name, campaign=Ref(id=t.campaign.pk, name=t.campaign.name),
                         host_unit=_ref(t.host_unit))
            for t in host.hosted_tracks(request.user)[:500]]


@router.get("/host/{int:track_id}/entries", response={200: HostEntriesOut, **ERRORS})
def host_entries(request: HttpRequest, track_id: int, params: Query[HostParams]):
    """The track's entries reported to the host unit from every city, by entry number, a page at
    a time (pass `next_after` back as `after`). 404 for a track you do not host."""
    track = _host_track(request, track_id)
    filters = host.HostFilters(city=params.city, batch=params.batch)
    pg = host.page(host.host_entries(request.user, track, filters).select_related("unit"), params.after,
                   params.limit)
    return HostEntriesOut(items=[HostEntryOut(id=e.pk, number=e.number, title=e.title, status=e.status,
                                              unit=_ref(e.unit)) for e in pg.rows],
                          next_after=pg.next_after, cities=[_ref(c) for c in host.cities(track)])


@router.get("/host/{int:track_id}/package.zip", response={200: None, 206: None, 416: None, **ERRORS},
            openapi_extra=_file_doc("The export package"))
def host_package(request: HttpRequest, track_id: int, params: Query[HostParams]):
    """The export package: a folder per entry (its files and its recommendation form as .xlsx and
    PDF) and the summary table, streamed as a zip with Content-Length and ETag; a Range request
    (one range, If-Range honoured) answers 206 with those bytes, 416 past the end."""
    track = _host_track(request, track_id)
    filters = host.HostFilters(city=params.city, batch=params.batch)
    return views_exports.package_response(request, views_exports.host_package(request.user, track, filters),
                                          audit_action="host.package", audit_obj=track,
                                          scope=views_exports.track_scope(track))
