"""Pages for reminders (preview and send a round, the log, a campaign's automatic reminders) and
for deadline extensions of child units. Thin: parse, call one domain function or query, render."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns import services as campaign_services
from zhengji.campaigns.models import Campaign, Track
from zhengji.campaigns.policy import SHANGHAI
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_count, parse_id
from zhengji.orgs.models import Organization

from . import extensions, queries, reminders
from .models import DeliveryStatus, ReminderKind

PAGE = 25


def _require_admin(request: HttpRequest) -> None:
    if not (request.user.is_superuser or scopes_for(request.user).admin_org_paths):
        raise PermissionDenied


def _num(value: Any) -> int | None:
    return parse_id(str(value or "").strip())


class ReminderChoice:
    """The choices of the reminder form, parsed from GET or POST (unknown values become None)."""

    def __init__(self, request: HttpRequest, data: Any) -> None:
        self.campaigns = reminders.reminder_campaigns(request.user)
        self.levels = queries.administered_levels(request.user)
        cid, tid, lid = _num(data.get("campaign")), _num(data.get("track")), _num(data.get("level"))
        self.campaign = next((c for c in self.campaigns if c.pk == cid), None)
        if self.campaign is None and len(self.campaigns) == 1:
            self.campaign = self.campaigns[0]
        self.tracks = list(Track.objects.filter(campaign=self.campaign).order_by("number")) if self.campaign else []
        self.track = next((t for t in self.tracks if t.pk == tid), None)
        self.level = next((lv for lv in self.levels if lv.pk == lid), None) or (self.levels[0] if self.levels else None)
        kind = str(data.get("kind") or ReminderKind.SILENT)
        self.kind = kind if kind in (ReminderKind.SILENT, ReminderKind.DRAFTS) else ReminderKind.SILENT
        self.templates = reminders.template_choices(self.kind)
        template = str(data.get("template") or "plain")
        self.template = template if template in dict(self.templates) else "plain"

    def params(self) -> dict[str, str]:
        out = {"campaign": self.campaign.pk if self.campaign else None, "kind": self.kind,
               "track": self.track.pk if self.track else None, "level": self.level.pk if self.level else None,
               "template": self.template}
        return {k: str(v) for k, v in out.items() if v is not None}


@login_required
@require_http_methods(["GET", "POST"])
def reminder_page(request: HttpRequest) -> HttpResponse:
    """Preview the recipients of a reminder (count, a page of the list, the text) and send it."""
    _require_admin(request)
    data = request.POST if request.method == "POST" else request.GET
    choice = ReminderChoice(request, data)
    here = f"{reverse('reporting:reminders')}?{urlencode(choice.params())}"
    if request.method == "POST":
        try:
            if choice.campaign is None or choice.level is None:
                raise DomainError(_("Choose a campaign and a level."), code="invalid")
            rnd = reminders.send_manual(request.user, choice.campaign, choice.kind, choice.level,
                                        track=choice.track, template=choice.template)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Reminder sent to %(n)d people (%(skipped)d reminded recently were skipped).")
                             % {"n": rnd.recipients, "skipped": rnd.skipped})
        return redirect(here)
    preview, error, page = None, "", None
    if choice.campaign is not None and choice.level is not None and "kind" in request.GET:
        try:
            preview = reminders.preview(request.user, choice.campaign, choice.kind, choice.level,
                                        track=choice.track, template=choice.template)
        except DomainError as exc:
            error = str(exc.message)
        else:
            listing = reminders.recipients_page(choice.kind, choice.campaign, choice.track, preview.scope)
            if choice.kind == ReminderKind.DRAFTS:
                listing = listing.annotate(drafts=Count("entries", filter=Q(
                    entries__track=choice.track, entries__status="draft")))
            page = Paginator(listing, PAGE).get_page(request.GET.get("page"))
    context = {"choice": choice, "preview": preview, "error": error, "page": page, "here": here,
               "kinds": [(ReminderKind.SILENT, ReminderKind.SILENT.label),
                         (ReminderKind.DRAFTS, ReminderKind.DRAFTS.label)],
               "can_configure": choice.campaign is not None and reminders.can_configure(request.user,
                                                                                       choice.campaign),
               "page_params": urlencode({**choice.params()})}
    return render(request, "reporting/reminders.html", context)


@login_required
@require_GET
def reminder_log(request: HttpRequest) -> HttpResponse:
    """The reminder rounds of the user's levels and campaigns, newest first."""
    scopes = scopes_for(request.user)
    if not (request.user.is_superuser or scopes.admin_org_paths or scopes.campaign_admin):
        raise PermissionDenied
    rounds = reminders.rounds_for(request.user).annotate(
        sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)))
    page = Paginator(rounds, PAGE).get_page(request.GET.get("page"))
    return render(request, "reporting/reminder_log.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """A campaign's automatic reminders: N days before each deadline (0: off)."""
    campaign = get_object_or_404(Campaign.objects.select_related("org"), slug=slug)
    if not reminders.can_configure(request.user, campaign):
        raise PermissionDenied
    value = str(reminders.reminder_days(campaign))
    error = ""
    if request.method == "POST":
        value = request.POST.get("days_before", "").strip()
        try:
            days = parse_count(value, maximum=10_000)
            days = -1 if days is None else days
            reminders.set_reminder_days(request.user, campaign, days)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Automatic reminders saved."))
            return redirect("reporting:reminder_settings", slug=campaign.slug)
    due = [d for d in reminders.due_reminders() if d.campaign.pk == campaign.pk]
    return render(request, "reporting/reminder_settings.html",
                  {"campaign": campaign, "value": value, "error": error, "due": due,
                   "max_days": reminders.MAX_DAYS_BEFORE}, status=400 if error else 200)


# --- deadline extensions of child units ------------------------------------------------------------------

@login_required
@require_GET
def extensions_page(request: HttpRequest) -> HttpResponse:
    """The level above lists its child units' deadlines in a track and extends or revokes one."""
    _require_admin(request)
    tracks = extensions.tracks_for(request.user)
    track = next((t for t in tracks if t.pk == _num(request.GET.get("track"))), tracks[0] if tracks else None)
    levels = queries.administered_levels(request.user)
    level = next((lv for lv in levels if lv.pk == _num(request.GET.get("level"))), levels[0] if levels else None)
    rows, page = [], None
    if track is not None and level is not None:
        page = Paginator(extensions.child_units(level), PAGE).get_page(request.GET.get("page"))
        rows = extensions.deadline_rows(track, list(page.object_list))
    context = {"tracks": tracks, "track": track, "levels": levels, "level": level, "rows": rows, "page": page,
               "unit": _num(request.GET.get("unit")),
               "params": urlencode({"track": track.pk if track else "", "level": level.pk if level else ""})}
    return render(request, "reporting/extensions.html", context)


def _back_to_extensions(request: HttpRequest) -> HttpResponse:
    params = {k: request.POST.get(k, "") for k in ("track", "level", "page")}
    return redirect(f"{reverse('reporting:extensions')}?{urlencode({k: v for k, v in params.items() if v})}")


def _parse_until(raw: str) -> dt.datetime | None:
    raw = (raw or "").strip()
    value = parse_datetime(raw) if raw else None
    if value is None and len(raw) == 10:
        value = parse_datetime(f"{raw}T23:59:59")
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=SHANGHAI)
    return value


@login_required
@require_POST
def extension_grant(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    track = Track.objects.select_related("campaign__org").filter(pk=_num(request.POST.get("track")) or 0).first()
    org = Organization.objects.filter(pk=_num(request.POST.get("org")) or 0).first()
    try:
        if track is None or org is None:
            raise Http404
        until = _parse_until(request.POST.get("until", ""))
        if until is None:
            raise DomainError(_("Enter the new deadline as a date and time."), code="invalid", field="until")
        ext = campaign_services.grant_extension(request.user, track.campaign, org, until, track=track,
                                                reason=request.POST.get("reason", ""))
    except Http404:
        messages.error(request, _("Choose a track and a unit."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The deadline of %(unit)s in “%(track)s” is extended to %(until)s.")
                         % {"unit": org.name, "track": track.name,
                            "until": timezone.localtime(ext.until, SHANGHAI).strftime("%Y-%m-%d %H:%M")})
    return _back_to_extensions(request)


@login_required
@require_POST
def extension_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    ext = extensions.extension_for(request.user, pk)
    if ext is None:
        messages.error(request, _("This extension no longer exists."))
        return _back_to_extensions(request)
    try:
        campaign_services.revoke_extension(request.user, ext)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The extension of %(unit)s is revoked.") % {"unit": ext.org.name})
    return _back_to_extensions(request)
