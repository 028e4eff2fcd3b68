"""Campaign-admin pages under /manage/. Thin: parse, call a service, show the result or
the form again with what was typed and the error."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhengji.accounts.scopes import scopes_for
from zhengji.common.errors import DomainError
from zhengji.orgs.models import Organization

from . import builder, richfiles, services
from .forms import AnnouncementForm, CampaignForm, GrantForm, LevelRulesForm, SchemaJSONForm, TrackForm
from .models import Announcement, Campaign, LevelRule, Phase, Track
from .policy import policy_for
from .sanitize import clean_html
from .schema import FILE_KINDS, check_schema

form_methods = require_http_methods(["GET", "HEAD", "POST"])


def _campaign(request, slug: str, perm: str = "campaigns.view_manage") -> Campaign:
    c = get_object_or_404(Campaign.objects.select_related("org"), slug=slug)
    if not request.user.has_perm(perm, c):
        raise PermissionDenied
    return c


def _track(request, campaign: Campaign, track_slug: str, perm: str = "campaigns.change_track") -> Track:
    t = get_object_or_404(Track.objects.select_related("host_unit"), campaign=campaign, slug=track_slug)
    t.campaign = campaign
    if not request.user.has_perm(perm, t):
        raise PermissionDenied
    return t


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _ctx(request, campaign: Campaign, tab: str, **extra) -> dict:
    u = request.user
    return {"campaign": campaign, "tab": tab,
            "can_manage": u.has_perm("campaigns.change_campaign", campaign), **extra}


# --- campaigns --------------------------------------------------------------------------------

@login_required
@require_safe
def campaign_list(request):
    u = request.user
    qs = Campaign.objects.select_related("org").annotate(n_tracks=Count("tracks", distinct=True))
    if not u.is_superuser:
        s = scopes_for(u)
        qs = qs.filter(Q(pk__in=s.campaign_admin) | Q(tracks__pk__in=s.host_tracks)).distinct()
    can_add = u.has_perm("campaigns.add_campaign")
    campaigns = list(qs)
    if not campaigns and not can_add:
        raise PermissionDenied
    for c in campaigns:
        c.phase_label = Phase(policy_for(c).phase).label
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns, "can_add": can_add})


@login_required
@form_methods
def campaign_create(request):
    if not request.user.has_perm("campaigns.add_campaign"):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.create_campaign(request.user, org=form.cleaned_data["org"],
                                         banner=form.cleaned_data.get("banner"), **form.service_values())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The campaign was created as a draft."))
            return redirect("campaigns:detail", slug=c.slug)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
@require_safe
def campaign_detail(request, slug):
    c = _campaign(request, slug)
    u = request.user
    tracks = list(c.tracks.select_related("host_unit").order_by("number"))
    for t in tracks:
        t.can_edit = u.has_perm("campaigns.change_track", t)
    return render(request, "campaigns/campaign_detail.html", _ctx(request, c, "overview", tracks=tracks,
                                                                  today=timezone.localdate()))


@login_required
@form_methods
def campaign_edit(request, slug):
    c = _campaign(request, slug, "campaigns.change_campaign")
    form = CampaignForm(request.POST or None, request.FILES or None, instance=c, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(request.user, c, banner=form.cleaned_data.get("banner"),
                                     clear_banner=form.cleaned_data.get("clear_banner", False),
                                     **form.service_values())
        except DomainError as exc:
            c.refresh_from_db()
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("campaigns:detail", slug=c.slug)
    return render(request, "campaigns/campaign_form.html", _ctx(request, c, "settings", form=form))


@login_required
@require_POST
def campaign_publish(request, slug):
    c = _campaign(request, slug, "campaigns.publish_campaign")
    publish = request.POST.get("action") == "publish"
    try:
        services.set_campaign_published(request.user, c, publish)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The campaign is published.") if publish else _("The campaign is unpublished."))
    return redirect("campaigns:detail", slug=c.slug)


@login_required
@require_safe
def org_search(request, slug):
    """Options for the host-unit search box: organisations of the campaign's tree (at most 20)."""
    c = _campaign(request, slug)
    q = (request.GET.get("host_unit_q") or request.GET.get("q") or "").strip()
    orgs: list[Organization] = []
    if q:
        orgs = list(Organization.objects.filter(path__startswith=c.org.path, is_active=True)
                    .filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__istartswith=q))
                    .order_by("path")[:20])
        # Each result with its parent's name, so two unions of the same name can be told apart.
        step = Organization.steplen
        parents = dict(Organization.objects.filter(path__in={o.path[:-step] for o in orgs if o.depth > 1})
                       .values_list("path", "name"))
        for o in orgs:
            o.parent_name = parents.get(o.path[:-step], "")
    return render(request, "campaigns/_org_options.html", {"orgs": orgs, "q": q})


# --- rich text: preview, images and attachments ------------------------------------------------

@login_required
@require_POST
def richtext_preview(request, slug):
    """The editor's HTML cleaned as on save and rendered as the public pages render it."""
    _campaign(request, slug)
    html = clean_html(request.POST.get("html", ""))
    return render(request, "campaigns/_richtext_preview.html", {"html": html})


@login_required
@require_POST
def richtext_upload(request, slug):
    """The editor's image / attachment upload: JSON {url, name} (201) or {code, message} (4xx)."""
    c = _campaign(request, slug, "campaigns.change_campaign")
    kind = "file" if request.POST.get("kind") == "file" else "image"
    upload = request.FILES.get("file")
    try:
        stored = richfiles.store_richtext_file(request.user, c, upload, kind=kind)
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=exc.status)
    return JsonResponse({"url": stored.url, "name": stored.original_name}, status=201)


@require_safe
def richtext_file(request, stem, ext):
    """A stored rich-text image or attachment, for anyone (they belong to public pages)."""
    name = f"{richfiles.PREFIX}/{stem}.{ext}"
    if ext not in richfiles.CONTENT_TYPES or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=richfiles.CONTENT_TYPES[ext],
                            as_attachment=ext not in richfiles.IMAGE_FORMATS.values(), filename=f"{stem}.{ext}")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- tracks -----------------------------------------------------------------------------------

@login_required
@form_methods
def track_create(request, slug):
    c = _campaign(request, slug, "campaigns.add_track")
    form = TrackForm(request.POST or None, campaign=c, initial={"entrant_types": ["individual"]}, can_upload=True)
    if request.method == "POST" and form.is_valid():
        try:
            t = services.create_track(request.user, c, **form.service_values())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The track was created. Now build its entry form."))
            return redirect("campaigns:form_builder", slug=c.slug, track_slug=t.slug)
    return render(request, "campaigns/track_form.html", _ctx(request, c, "overview", form=form, track=None))


@login_required
@form_methods
def track_edit(request, slug, track_slug):
    c = _campaign(request, slug)
    t = _track(request, c, track_slug)
    content_only = not request.user.has_perm("campaigns.configure_track", t)
    form = TrackForm(request.POST or None, instance=t, campaign=c, content_only=content_only,
                     can_upload=request.user.has_perm("campaigns.change_campaign", c))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_track(request.user, t, **form.service_values())
        except DomainError as exc:
            t.refresh_from_db()
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("campaigns:track", slug=c.slug, track_slug=t.slug)
    return render(request, "campaigns/track_form.html",
                  _ctx(request, c, "overview", form=form, track=t, content_only=content_only))


@login_required
@require_POST
def track_move(request, slug, track_slug):
    c = _campaign(request, slug, "campaigns.add_track")
    t = _track(request, c, track_slug, "campaigns.configure_track")
    try:
        services.move_track(request.user, t, -1 if request.POST.get("direction") == "up" else 1)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("campaigns:detail", slug=c.slug)


def _builder_context(request, c, t, rows, errors, **extra):
    by_row: dict[int, list[str]] = {}
    general: list[str] = []
    for n, msg in errors:
        (by_row.setdefault(n - 1, []) if n else general).append(msg)
    for i, r in enumerate(rows):
        r["index"] = i
        r["errors"] = by_row.get(i, [])
        if not r.get("choice_rows"):
            r["choice_rows"] = [builder.empty_choice(), builder.empty_choice()]
    return _ctx(request, c, "overview", track=t, rows=rows, general_errors=general, count=len(rows),
                type_labels=builder.TYPE_LABELS, kind_labels=[(k, builder.KIND_LABELS[k]) for k in FILE_KINDS],
                **extra)


@login_required
@form_methods
def form_builder(request, slug, track_slug):
    c = _campaign(request, slug)
    t = _track(request, c, track_slug)
    errors: list = []
    preview = None
    if request.method == "POST":
        rows = builder.rows_from_post(request.POST)
        action = request.POST.get("action", "save")
        if action == "preview":
            fields, errors = check_schema(builder.schema_from_rows(rows), for_people=True)
            if not errors:
                preview = builder.render_preview(request, t, fields)
        elif action != "save":
            rows = builder.apply_action(rows, action)
        else:
            try:
                services.set_track_form(request.user, t, builder.schema_from_rows(rows), for_people=True)
            except services.SchemaInvalid as exc:
                errors = exc.errors
            else:
                messages.success(request, _("The entry form was saved."))
                return redirect("campaigns:form_builder", slug=c.slug, track_slug=t.slug)
    else:
        rows = builder.rows_from_schema(t.form_schema)
    return render(request, "campaigns/form_builder.html",
                  _builder_context(request, c, t, rows, errors, preview=preview))


@login_required
@form_methods
def form_json(request, slug, track_slug):
    c = _campaign(request, slug)
    t = _track(request, c, track_slug)
    errors: list[str] = []
    if request.method == "POST":
        form = SchemaJSONForm(request.POST)
        form.is_valid()
        text = form.cleaned_data.get("schema", "")
        try:
            data = json.loads(text) if text.strip() else []
        except json.JSONDecodeError as exc:
            errors = [_("This is not valid JSON (line %(line)s, column %(col)s).") % {"line": exc.lineno,
                                                                                   "col": exc.colno}]
        else:
            try:
                services.set_track_form(request.user, t, data)
            except services.SchemaInvalid as exc:
                errors = [m for _n, m in exc.errors]
            else:
                messages.success(request, _("The entry form was saved."))
                return redirect("campaigns:form_json", slug=c.slug, track_slug=t.slug)
    else:
        form = SchemaJSONForm(initial={"schema": json.dumps(t.form_schema, ensure_ascii=False, indent=2)})
    return render(request, "campaigns/form_json.html", _ctx(request, c, "overview", track=t, form=form,
                                                            errors=errors))


# --- level rules ------------------------------------------------------------------------------

@login_required
@form_methods
def level_rules(request, slug, track_slug=None):
    c = _campaign(request, slug, "campaigns.manage_level_rules")
    t = _track(request, c, track_slug, "campaigns.configure_track") if track_slug else None
    current = LevelRule.objects.filter(campaign=c, track=t)
    form = LevelRulesForm(request.POST or None, rules=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_level_rules(request.user, c, form.service_rows(), track=t)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            if t:
                return redirect("campaigns:track_levels", slug=c.slug, track_slug=t.slug)
            return redirect("campaigns:levels", slug=c.slug)
    campaign_rules = {r.org_kind: r for r in LevelRule.objects.filter(campaign=c, track__isnull=True)} if t else {}
    rows = form.rows()
    for row in rows:
        row["campaign_rule"] = campaign_rules.get(row["kind"].value)
    return render(request, "campaigns/level_rules.html", _ctx(request, c, "levels", form=form, track=t, rows=rows))


# --- announcements ----------------------------------------------------------------------------

@login_required
@require_safe
def announcement_list(request, slug):
    c = _campaign(request, slug, "campaigns.manage_announcements")
    items = list(c.announcements.select_related("author"))
    return render(request, "campaigns/announcement_list.html",
                  _ctx(request, c, "announcements", items=items, now=timezone.now()))


def _announcement_values(form) -> dict:
    return {k: form.cleaned_data[k] for k in ("title", "title_en", "body", "body_en", "pinned")}


@login_required
@form_methods
def announcement_edit(request, slug, pk=None):
    c = _campaign(request, slug, "campaigns.manage_announcements")
    a = get_object_or_404(Announcement, campaign=c, pk=pk) if pk else None
    initial = {}
    if a is not None:
        initial = {k: getattr(a, k) for k in ("title", "title_en", "body", "body_en", "pinned")}
        if a.publish_at:
            initial.update(mode="schedule", publish_at=timezone.localtime(a.publish_at))
    form = AnnouncementForm(request.POST or None, initial=initial, campaign=c,
                            can_upload=request.user.has_perm("campaigns.change_campaign", c))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_announcement(request.user, c, a, mode=form.cleaned_data["mode"],
                                       publish_at=form.cleaned_data.get("publish_at"), **_announcement_values(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("campaigns:announcements", slug=c.slug)
    return render(request, "campaigns/announcement_form.html",
                  _ctx(request, c, "announcements", form=form, announcement=a))


@login_required
@require_POST
def announcement_action(request, slug, pk):
    c = _campaign(request, slug, "campaigns.manage_announcements")
    a = get_object_or_404(Announcement, campaign=c, pk=pk)
    a.campaign = c
    action = request.POST.get("action")
    actions = {
        "publish": lambda: services.publish_announcement(request.user, a),
        "unpublish": lambda: services.unpublish_announcement(request.user, a),
        "pin": lambda: services.set_announcement_pinned(request.user, a, True),
        "unpin": lambda: services.set_announcement_pinned(request.user, a, False),
        "delete": lambda: services.delete_announcement(request.user, a),
    }
    if action not in actions:
        messages.error(request, _("Unknown action."))
    else:
        try:
            actions[action]()
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Done."))
    return redirect("campaigns:announcements", slug=c.slug)


# --- people -----------------------------------------------------------------------------------

@login_required
@form_methods
def people(request, slug):
    c = _campaign(request, slug, "campaigns.manage_roles")
    form = GrantForm(request.POST or None, campaign=c)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_campaign_role(request.user, c, phone=form.cleaned_data["phone"],
                                         role=form.cleaned_data["role"], track=form.cleaned_data.get("track"))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The role was granted."))
            return redirect("campaigns:people", slug=c.slug)
    holders = services.holders_with_scopes(c)
    return render(request, "campaigns/people.html", _ctx(request, c, "people", form=form, holders=holders))


@login_required
@require_POST
def people_revoke(request, slug, pk):
    c = _campaign(request, slug, "campaigns.manage_roles")
    try:
        services.revoke_campaign_role(request.user, c, pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("campaigns:people", slug=c.slug)
