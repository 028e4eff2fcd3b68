"""The public results pages of publicity (/results/, namespace "results"): the tracks whose
results are on notice or final, a track's proposed (or final) results by tier with the notice
period, the frozen-results hash and any reopenings; the objection form; a user's own objections.
Public projection only: title, number, authors and unit, never a phone number."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.entries.files import parse_ids
from zhengji.media.filerules import FileRule
from zhengji.media.models import MediaFile

from . import objection_files
from . import publicity_queries as pq
from .domain import publicity as domain
from .models import Publicity

LINES_PER_PAGE = 200
MINE_PER_PAGE = 20


@dataclass(frozen=True)
class UploadSlot:
    """What the uploader widget (`media/_uploader.html`) reads of its field."""

    key: str
    label: str
    file: FileRule
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Tracks whose results are on public notice or final, by campaign."""
    page = Paginator(pq.public_publicities(), 100).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(p, pq.state(p, now)) for p in page.object_list]
    campaigns = [(c, list(items)) for c, items in groupby(rows, key=lambda r: r[0].track.campaign)]
    return render(request, "review/public/index.html", {"page": page, "campaigns": campaigns})


def _detail(request: HttpRequest, pub: Publicity) -> HttpResponse:
    now = timezone.now()
    page = Paginator(pq.proposed_lines(pub), LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "review/public/publicity.html", {
        "pub": pub, "track": pub.track, "campaign": pub.track.campaign, "state": pq.state(pub, now),
        "groups": pq.by_tier(page.object_list), "page": page, "reopenings": pq.reopenings(pub.track_id),
        "takes_objections": objection_files.takes_objections(pub, now)})


@require_GET
def publicity(request: HttpRequest, publicity_id: int) -> HttpResponse:
    """One track's results on notice (or final): by tier, the period, the hash, reopenings."""
    pub = pq.public_publicity(publicity_id)
    if pub is None:
        raise Http404
    return _detail(request, pub)


@require_GET
def track(request: HttpRequest, track_id: int) -> HttpResponse:
    """A track's latest public results: the final results once finalised."""
    pub = pq.latest_public_of_track(track_id)
    if pub is None:
        raise Http404
    return _detail(request, pub)


class ObjectionForm(forms.Form):
    entry = forms.TypedChoiceField(label=gettext_lazy("Entry objected to"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Your real name"), max_length=domain.MAX_NAME)
    unit_name = forms.CharField(label=gettext_lazy("Your work unit"), max_length=domain.MAX_UNIT)
    reason = forms.CharField(label=gettext_lazy("What you object to, and why"), max_length=domain.MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 6}))
    on_behalf_of_unit = forms.BooleanField(label=gettext_lazy("I object on behalf of a unit"), required=False,
                                           help_text=gettext_lazy("Then upload the scan of the unit's letter with "
                                                                  "its seal below."))

    def __init__(self, *args: Any, lines: Sequence[pq.PublicLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["entry"]).choices = [("", "—")] + [
            (ln.entry_id, f"{ln.number} {ln.title}" if ln.number else ln.title) for ln in lines]
        for f in self.fields.values():
            if not isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-control" if not isinstance(f, forms.ChoiceField)
                                          else "form-select")
            else:
                f.widget.attrs.setdefault("class", "form-check-input")


def _phone_ok(user: Any) -> bool:
    return bool(user.phone_verified and user.phone)


def _media(ids: list[int], owner_id: int | None) -> list[MediaFile]:
    found = {m.pk: m for m in MediaFile.objects.filter(pk__in=ids, owner_id=owner_id)}
    return [found[pk] for pk in ids if pk in found]


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request: HttpRequest, publicity_id: int) -> HttpResponse:
    """The real-name objection form (logged in, verified phone, while the notice runs)."""
    pub = pq.public_publicity(publicity_id)
    if pub is None:
        raise Http404
    lines = [pq.public_line(ln) for ln in pq.proposed_lines(pub)]
    context: dict = {"pub": pub, "track": pub.track, "campaign": pub.track.campaign,
                     "phone_ok": _phone_ok(request.user), "open": objection_files.takes_objections(pub)}
    if not context["open"] or not context["phone_ok"]:
        return render(request, "review/public/objection_form.html", context,
                      status=200 if request.method == "GET" else 409)
    evidence_ids = parse_ids(request.POST.get("evidence", "")) if request.method == "POST" else []
    letter_ids = parse_ids(request.POST.get("sealed_letter", "")) if request.method == "POST" else []
    if request.method == "POST":
        form = ObjectionForm(request.POST, lines=lines)
        if form.is_valid():
            d = form.cleaned_data
            try:
                domain.file_objection(request.user, pub, d["entry"], d["name"], d["unit_name"], d["reason"],
                                      evidence_ids, d["on_behalf_of_unit"], letter_ids[0] if letter_ids else None)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Your objection has been filed. You will be told when it is answered."))
                return redirect("results:my_objections")
    else:
        initial = {"name": getattr(request.user, "real_name", "")}
        entry = parse_id(request.GET.get("entry", ""))
        if entry:
            initial["entry"] = str(entry)
        form = ObjectionForm(initial=initial, lines=lines)
    ingest = {"target": objection_files.TARGET_NAME, "publicity": str(pub.pk)}
    context.update({
        "form": form,
        "evidence_field": UploadSlot(key="evidence", label=_("Evidence (images or PDF)"), label_en="Evidence",
                                     file=objection_files.EVIDENCE_RULE),
        "letter_field": UploadSlot(key="sealed_letter", label=_("Scan of the unit's letter with its seal"),
                                   label_en="Scan of the sealed letter", file=objection_files.LETTER_RULE,
                                   help=_("Needed only when you object on behalf of a unit."),
                                   help_en="Needed only when you object on behalf of a unit."),
        "evidence_ingest": json.dumps({**ingest, "slot": "evidence"}),
        "letter_ingest": json.dumps({**ingest, "slot": "sealed_letter"}),
        "evidence_existing": _media(evidence_ids, request.user.pk),
        "letter_existing": _media(letter_ids[:1], request.user.pk),
        "evidence_value": request.POST.get("evidence", "") if request.method == "POST" else None,
        "letter_value": request.POST.get("sealed_letter", "") if request.method == "POST" else None,
    })
    return render(request, "review/public/objection_form.html", context,
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def my_objections(request: HttpRequest) -> HttpResponse:
    """The user's own objections with their status and the moderators' replies."""
    page = Paginator(pq.my_objections(request.user), MINE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "review/public/my_objections.html", {"page": page})
