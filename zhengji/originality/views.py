"""Staff pages of originality: the comparison view with the decision, the campaign's reference
set, a track's AI rule. Thin: parse, call one domain function or query, render."""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhengji.campaigns.models import Campaign, Track
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.entries.models import Entry
from zhengji.media.models import MediaFile

from . import domain
from .models import Flag, ReferenceItem
from .queries import flag_for

TEXT_LIMIT = 20000  # characters compared side by side (a diff of longer texts is cut)
REFS_PAGE = 50


def _media_url(media: MediaFile | None) -> str:
    if media is None:
        return ""
    name = "web" if media.kind == "image" else "preview"
    try:
        return reverse("media:rendition", args=[media.pk, name])
    except NoReverseMatch:
        return ""


def _side_text(subject: tuple[str, int] | None) -> str:
    if subject is None:
        return ""
    kind, pk = subject
    if kind == "entrytext":
        entry = Entry.objects.select_related("track").filter(pk=pk).first()
        return domain.entry_text(entry) if entry is not None else ""
    if kind == "ref":
        return ReferenceItem.objects.filter(pk=pk).values_list("text", flat=True).first() or ""
    return ""


def _pairs(flag: Flag) -> list[dict[str, Any]]:
    """What the page shows of each matching pair: images side by side and overlaid, texts with
    their differences marked, audio/video players with the matching segments."""
    raw = flag.detail.get("pairs", [])[:domain.MAX_PAIRS]
    subjects = [domain.parse_subject(p.get(k, "")) for p in raw for k in ("subject", "other")]
    media = MediaFile.objects.in_bulk([s[1] for s in subjects if s and s[0] == "media"])
    out = []
    for p in raw:
        left, right = domain.parse_subject(p.get("subject", "")), domain.parse_subject(p.get("other", ""))
        lm = media.get(left[1]) if left and left[0] == "media" else None
        rm = media.get(right[1]) if right and right[0] == "media" else None
        row: dict[str, Any] = {"medium": p.get("medium", ""), "score": p.get("score", 0),
                               "left_name": getattr(lm, "filename", ""), "right_name": getattr(rm, "filename", "")}
        if lm is None and rm is None:
            a, b = _side_text(left)[:TEXT_LIMIT], _side_text(right)[:TEXT_LIMIT]
            sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
            row.update(kind="text", diff=[(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in sm.get_opcodes()])
        elif lm is not None and rm is not None and lm.kind == "image" and rm.kind == "image":
            row.update(kind="image", left_url=_media_url(lm), right_url=_media_url(rm))
        elif lm is not None and rm is not None and lm.kind in ("video", "audio"):
            row.update(kind="av", left_url=_media_url(lm), right_url=_media_url(rm),
                       segments=(p.get("detail") or {}).get("segments", [])[:50])
        else:
            row.update(kind="file")
        out.append(row)
    return out


@login_required
@require_http_methods(["GET"])
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    flag = flag_for(request.user, pk)
    return render(request, "originality/compare.html", {
        "flag": flag, "entry": flag.entry, "matched": flag.matched_entry, "reference": flag.reference,
        "pairs": _pairs(flag), "can_decide": request.user.has_perm("originality.decide_flag", flag.entry),
        "suspicion": domain.suspicion_of(flag.entry_id),
        "can_suspect": request.user.has_perm("originality.mark_suspected", flag.entry)})


@login_required
@require_POST
def suspect(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Mark the entry as suspected AI-generated (action=mark) or withdraw the mark
    (action=withdraw), with a reason; back to the page the form was on."""
    entry = get_object_or_404(Entry.objects.select_related("unit", "track"), pk=entry_id)
    if not request.user.has_perm("originality.view_flags", entry):
        raise PermissionDenied
    action = request.POST.get("action", "")
    try:
        if action not in ("mark", "withdraw"):
            raise DomainError(_("Choose to mark or to withdraw the mark."), code="invalid_action")
        domain.mark_suspected(request.user, entry, suspected=action == "mark", reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as suspected AI-generated content: the published work carries the label.")
                         if action == "mark" else _("The suspected AI-generated mark was withdrawn."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        flag = Flag.objects.filter(entry_id=entry.pk).values_list("pk", flat=True).first()
        target = reverse("originality:compare", args=[flag]) if flag else "/"
    return redirect(target)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    flag = flag_for(request.user, pk)
    try:
        result = domain.decide(request.user, flag, request.POST.get("status", ""), request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if result.flag.status == "cleared":
            messages.success(request, _("The flag was cleared."))
        elif result.handed_over:
            messages.warning(request, _("Recorded as disqualified. The entry itself is taken out where it waits: "
                                        "not recommended at its level or disqualified in vetting."))
        else:
            messages.success(request, _("Disqualified: the entry was taken out."))
    return redirect("originality:compare", pk=flag.pk)


@login_required
@require_http_methods(["GET", "POST"])
def references(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm("originality.manage_references", campaign):
        raise PermissionDenied
    if request.method == "POST":
        media = None
        raw = (request.POST.get("media") or "").strip()
        try:
            if raw:
                media_id = parse_id(raw)
                media = MediaFile.objects.filter(pk=media_id).first() if media_id else None
                if media is None:
                    raise DomainError(_("No such file."), code="invalid_file", field="media")
            domain.add_reference(request.user, campaign, title=request.POST.get("title", ""),
                                 source_url=request.POST.get("source_url", ""), text=request.POST.get("text", ""),
                                 media=media)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The reference work was added and compared with the entries."))
            return redirect("originality:references", slug=campaign.slug)
    page = Paginator(ReferenceItem.objects.filter(campaign=campaign).select_related("media"), REFS_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "originality/references.html", {"campaign": campaign, "page": page})


@login_required
@require_POST
def reference_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ref = get_object_or_404(ReferenceItem.objects.select_related("campaign"), pk=pk)
    if not request.user.has_perm("originality.manage_references", ref.campaign):
        raise PermissionDenied
    domain.remove_reference(request.user, ref)
    messages.success(request, _("The reference work was removed."))
    return redirect("originality:references", slug=ref.campaign.slug)


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, track_id: int) -> HttpResponse:
    track = get_object_or_404(Track.objects.select_related("campaign"), pk=track_id)
    if not request.user.has_perm("originality.set_track_policy", track):
        raise PermissionDenied
    if request.method == "POST":
        domain.set_track_policy(request.user, track, request.POST.get("allow_generated") == "1")
        messages.success(request, _("Saved."))
        return redirect("originality:policy", track_id=track.pk)
    return render(request, "originality/policy.html", {"track": track, "allowed": domain.allows_generated(track)})
