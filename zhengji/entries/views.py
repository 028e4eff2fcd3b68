"""Entry pages. Thin: they read input, call the domain functions and render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.campaigns.policy import format_when
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.media.models import MediaFile
from zhengji.media.uploads.services import unfinished_uploads
from zhengji.media.views_media import status_data
from zhengji.orgs.models import Organization

from . import files as entry_files
from . import projections, services, transitions, workflow
from .forms import EntryForm
from .models import AIDeclaration, EntrantType, Entry, EntryStatus
from .pledge import PLEDGE_VERSION, pledge_text
from .queries import View, audience_of, entries_for, entry_for
from .receipt import render_receipt
from .services import Changes

ENTRY_RELATED = ("track__campaign", "unit", "submitter")


def get_visible_entry(request, pk: int) -> Entry:
    """The entry if this user may see it; 404 otherwise (its existence is not revealed)."""
    return entry_for(request.user, pk)


@login_required
@require_GET
def mine(request):
    entries = list(entries_for(request.user, View.MINE).order_by("-updated", "-id"))
    services.annotate_deadlines(entries)
    return render(request, "entries/mine.html", {"entries": entries, "show_deadline": True, "show_delete": True,
                                                 "is_unit_admin": bool(scopes_for(request.user).admin_org_paths)})


@login_required
@require_GET
def unit_list(request):
    """Entries of the admin's subtree (read only for now; drafts stay private to the entrant)."""
    if not scopes_for(request.user).admin_org_paths:
        raise PermissionDenied
    entries = entries_for(request.user, View.UNIT).order_by("-updated", "-id")[:500]
    return render(request, "entries/unit_list.html", {"entries": entries})


@login_required
@require_GET
def choose_track(request):
    return render(request, "entries/choose_track.html", {"tracks": services.open_tracks()})


@login_required
@require_http_methods(["GET", "POST"])
def new(request, track_id: int):
    track = get_object_or_404(Track.objects.select_related("campaign"), pk=track_id)
    types = services.entrant_types_for(track)
    units = list(services.unit_choices(request.user)[:500]) if EntrantType.UNIT in types else []
    member_unit, member_confirmed = services.member_unit(request.user)
    error = None
    if request.method == "POST":
        entrant_type = request.POST.get("entrant_type") or None
        unit = None
        unit_id = request.POST.get("unit", "")
        if entrant_type == EntrantType.UNIT and (unit_pk := parse_id(unit_id)):
            unit = Organization.objects.filter(pk=unit_pk).first()
        try:
            entry = services.create_draft(request.user, track, entrant_type=entrant_type, unit=unit,
                                          changes=Changes(title=request.POST.get("title", "")), reuse_empty=True)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("entries:edit", pk=entry.pk)
    # Offer a unit entry only to those who administer a unit.
    shown = [t for t in types if t != EntrantType.UNIT or units] or types
    context = {"track": track, "types": [(t, EntrantType(t).label) for t in shown], "units": units,
               "member_unit": member_unit, "member_confirmed": member_confirmed,
               "policy": services.policy_of(track), "error": error, "collecting": services.is_collecting(track),
               "typed_title": request.POST.get("title", "")}
    return render(request, "entries/new.html", context, status=400 if error else 200)


def _limits_hint(f) -> str:
    """The field's limits in words, so the entrant knows them before submitting."""
    if f.type == "text" and f.max_length:
        return _("At most %(n)d characters.") % {"n": f.max_length}
    if f.type in ("longtext", "richtext") and (f.min_words or f.max_words):
        if f.min_words and f.max_words:
            return _("%(min)d to %(max)d characters or words.") % {"min": f.min_words, "max": f.max_words}
        if f.max_words:
            return _("At most %(max)d characters or words.") % {"max": f.max_words}
        return _("At least %(min)d characters or words.") % {"min": f.min_words}
    if f.type == "number" and (f.min_value is not None or f.max_value is not None):
        lo = "" if f.min_value is None else f"{f.min_value:g}"
        hi = "" if f.max_value is None else f"{f.max_value:g}"
        return _("From %(min)s to %(max)s.") % {"min": lo or "…", "max": hi or "…"}
    return ""


def _typed_media(entry: Entry, typed_files: dict) -> dict[str, list[MediaFile]]:
    """The files of each slot as the entrant left them in a form that was refused: ids uploaded
    before the refusal are not attached yet (a submitted entry's edit is all or nothing), but the
    widget must still show them, or the uploads would silently drop out of the entry. Only the
    submitter's own files that are free or this entry's are shown (as the domain would take)."""
    wanted = {key: entry_files.parse_ids(value) for key, value in typed_files.items()}
    all_ids = {pk for ids in wanted.values() for pk in ids}
    found = entry_files.attachable(entry, list(all_ids))
    return {key: [found[pk] for pk in ids if pk in found] for key, ids in wanted.items()}


def _edit_context(request, entry: Entry, form: EntryForm, typed_files: dict | None = None) -> dict:
    media = entry_files.files_by_slot(entry)
    typed = _typed_media(entry, typed_files) if typed_files else {}
    unfinished = unfinished_uploads(request.user, entry=str(entry.pk))
    rows = []
    for f in form.schema:
        if f.type == "file":
            files = typed.get(f.key, media.get(f.key, []))
            value = ",".join(str(m.pk) for m in files)
            rows.append({"def": f, "file": True, "media": files, "value": value,
                         "errors": form.slot_errors.get(f.key, []),
                         "unfinished": [u for u in unfinished if u.metadata.get("slot") == f.key]})
        else:
            rows.append({"def": f, "file": False, "bound": form[f.key], "hint": _limits_hint(f)})
    if form.is_bound and "author_name" in form.data:
        authors = form.typed_authors()
    else:
        authors = [{"name": a.name, "unit_name": a.unit_name, "role": a.role} for a in entry.authors.all()]
    blank = 2 if entry.entrant_type != EntrantType.INDIVIDUAL else (0 if authors else 1)
    authors = authors + [{"name": "", "unit_name": "", "role": ""}] * blank
    when = services.deadline_for_entry(entry)
    return {"entry": entry, "form": form, "rows": rows, "authors": authors, "track": entry.track,
            "deadline": format_when(when), "deadline_at": when, "return_reason": projections.return_reason(entry),
            "pledge_text": pledge_text(),
            "pledge_version": PLEDGE_VERSION,
            "draftlike": request.user.has_perm("entries.submit_entry", entry),
            "membership_wait": not services.may_submit_as_member(request.user, entry),
            "can_delete": request.user.has_perm("entries.delete_entry", entry),
            "resubmission": transitions.get("resubmit").allows(entry.status),
            "autosave_seconds": settings.ENTRIES_AUTOSAVE_SECONDS,
            "pledge_checked": request.POST.get("entry_pledge") == "on",
            # The AI declaration: what was posted, else what the entry holds, else "none" (the
            # entrant changes it when it applies; every page submission records one).
            "ai_choices": AIDeclaration.choices,
            "ai_value": request.POST.get("entry_ai") or entry.ai_declaration or AIDeclaration.NONE,
            "ai_tools": request.POST.get("entry_ai_tools", entry.ai_tools)}


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    entry = get_visible_entry(request, pk)
    if entry.submitter_id != request.user.pk:
        raise PermissionDenied
    if not request.user.has_perm("entries.change_entry", entry):
        messages.info(request, _("This entry can no longer be changed."))
        return redirect("entries:detail", pk=entry.pk)
    try:
        fields = services.track_fields(entry.track)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("entries:detail", pk=entry.pk)
    if request.method == "GET":
        form = EntryForm(entry=entry, fields=fields)
        return render(request, "entries/edit.html", _edit_context(request, entry, form))
    form = EntryForm(request.POST, entry=entry, fields=fields)
    changes = form.changes()
    action = request.POST.get("action", "save")
    try:
        entry = services.save_draft(request.user, entry, changes)
        if action == "submit":
            resubmitted = entry.status == EntryStatus.RETURNED
            entry = services.submit(request.user, entry, pledge=request.POST.get("entry_pledge") == "on",
                                    ai_declaration=request.POST.get("entry_ai"),
                                    ai_tools=request.POST.get("entry_ai_tools", ""))
            messages.success(request, (_("Resubmitted. Entry number: %(number)s") if resubmitted
                                       else _("Submitted. Entry number: %(number)s")) % {"number": entry.number})
            return redirect("entries:detail", pk=entry.pk)
    except ValidationError as exc:
        form.add_domain_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
    except DomainError as exc:
        form.add_domain_errors({exc.field or "__all__": [str(exc.message)]})
    else:
        messages.success(request, _("Saved."))
        return redirect("entries:edit", pk=entry.pk)
    entry.refresh_from_db()
    return render(request, "entries/edit.html", _edit_context(request, entry, form, changes.files), status=400)


@login_required
@require_POST
def autosave(request, pk: int):
    """htmx autosave of a draft while the entrant types; answers a small status line only, so
    nothing on the page (and nothing typed) is replaced."""
    entry = get_visible_entry(request, pk)
    if entry.submitter_id != request.user.pk:
        raise PermissionDenied
    ok, message = True, ""
    if not request.user.has_perm("entries.submit_entry", entry):
        ok, message = False, _("Submitted entries are saved with the Save button.")
    else:
        try:
            fields = services.track_fields(entry.track)
            form = EntryForm(request.POST, entry=entry, fields=fields)
            services.save_draft(request.user, entry, form.changes())
        except DomainError as exc:
            ok, message = False, str(exc.message)
        except ValidationError as exc:
            ok, message = False, " ".join(exc.messages)
    return render(request, "entries/_autosave_status.html",
                  {"ok": ok, "message": message, "at": timezone.localtime()})


@login_required
@require_GET
def author_row(request):
    return render(request, "entries/_author_row.html", {"a": {"name": "", "unit_name": "", "role": ""}})


@login_required
@require_GET
def detail(request, pk: int):
    entry = get_visible_entry(request, pk)
    fields = []
    try:
        fields = services.track_fields(entry.track)
    except DomainError:
        pass
    media = entry_files.files_by_slot(entry)
    answers = []
    for f in fields:
        if f.type == "file":
            # Each file with its processing status and rendition URLs (the media app's status JSON).
            items = [{"media": m, "info": status_data(m, request.user)} for m in media.get(f.key, [])]
            answers.append({"def": f, "file": True, "media": items})
        else:
            value = (entry.data or {}).get(f.key, "")
            if f.type in ("choice", "multichoice"):
                labels = {c.value: c for c in f.choices}
                values = value if isinstance(value, list) else ([value] if value else [])
                value = [labels.get(v, v) for v in values]
            answers.append({"def": f, "file": False, "value": value})
    user = request.user
    audience = audience_of(user, entry)
    is_owner = audience == View.MINE
    can_change = user.has_perm("entries.change_entry", entry)
    deadline = services.deadline_for_entry(entry)
    context = {
        "entry": entry, "answers": answers, "authors": list(entry.authors.all()),
        "history": projections.timeline(entry, audience, user), "is_owner": is_owner,
        "decisions": projections.decisions(entry, user) if user.has_perm("entries.view_history", entry) else [],
        "return_reason": projections.return_reason(entry, user),
        "can_edit": can_change and services.can_edit_now(entry),
        "can_submit": user.has_perm("entries.submit_entry", entry),
        "can_withdraw": user.has_perm("entries.withdraw_entry", entry),
        "can_delete": user.has_perm("entries.delete_entry", entry),
        "deadline": format_when(deadline), "deadline_at": deadline,
        "orphan_media": [m for slot, ms in media.items() if slot not in {f.key for f in fields} for m in ms],
    }
    return render(request, "entries/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    entry = get_visible_entry(request, pk)
    if entry.submitter_id != request.user.pk:
        raise PermissionDenied
    error = None
    refused = None
    if not request.user.has_perm("entries.withdraw_entry", entry):
        refused = workflow.refusal(transitions.get("withdraw"), entry.status).message
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm the withdrawal.")
        else:
            try:
                services.withdraw(request.user, entry, reason=request.POST.get("reason", ""))
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, _("The entry was withdrawn."))
                return redirect("entries:detail", pk=entry.pk)
    return render(request, "entries/withdraw.html", {"entry": entry, "error": error, "refused": refused},
                  status=400 if error else (409 if refused else 200))


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    """Delete a draft that was never submitted: a confirm page, then the domain function."""
    entry = get_visible_entry(request, pk)
    if entry.submitter_id != request.user.pk:
        raise PermissionDenied
    refused = None if services.draft_deletable(request.user, entry) else _(
        "Only a draft that was never submitted can be deleted.")
    error = None
    if request.method == "POST" and refused is None:
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm the deletion.")
        else:
            try:
                services.delete_draft(request.user, entry)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, _("The draft was deleted."))
                return redirect("entries:mine")
    return render(request, "entries/delete.html", {"entry": entry, "error": error, "refused": refused},
                  status=400 if error else (409 if refused else 200))


@login_required
@require_GET
def receipt(request, pk: int):
    entry = get_visible_entry(request, pk)
    if not entry.number:
        raise Http404
    pdf = render_receipt(entry, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{entry.number}.pdf"'
    return response


@login_required
@require_GET
def blind(request, pk: int):
    """The entry as a judge sees it: the blind projection only (no author, phone, unit or file
    name). Judges reach only entries of their track under review, never their own subtree's."""
    entry = entry_for(request.user, pk, view=View.JUDGE)
    view = projections.blind(entry)
    return render(request, "entries/blind.html", {"view": view, "answers": projections.blind_fields(entry)})
