"""Unit-admin pages for the organisation tree. Thin: reads are scoped querysets, every change is a
call to services.py / membership.py. Anything outside the user's subtree answers 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengji.common.context import acting, client_ip
from zhengji.common.errors import DomainError
from zhengji.common.i18n import localized

from . import importing, membership, services, uploads
from .forms import AppointForm, ImportForm, InviteForm, MoveForm, OrgForm
from .models import Invite, Membership, MembershipStatus, Organization
from .queries import pending_by_child, pending_count, pending_page, pending_units
from .roles import admin_assignments
from .scoping import admin_roots, clean_query, get_org_or_404, in_scope, path_names, visible_orgs
from .stats import member_totals, subtree_summary

CHILDREN_PAGE = 100
MEMBERS_PAGE = 50


def org_admin_required(view):
    """Anonymous → login; signed-in users who administer nothing → 403. Changes are audited with
    the request's actor and IP."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("orgs.access"):
            raise PermissionDenied
        with acting(request.user, client_ip(request)):
            return view(request, *args, **kwargs)

    return wrapper


def _fail(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _children(org: Organization):
    return (Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
            .order_by("code"))


@require_GET
@org_admin_required
def index(request):
    q = clean_query(request.GET.get("q"))
    results, names = None, {}
    if q:
        results = list(visible_orgs(request.user).filter(Q(name__icontains=q) | Q(short_name__icontains=q)
                                                         | Q(code__icontains=q)).order_by("path")[:50])
        names = path_names(results)
        for o in results:
            o.ancestor_names = names.get(o.pk, [])
    roots = list(admin_roots(request.user))
    totals = member_totals(roots)
    for o in roots:
        o.pending = pending_count(request.user, o)  # type: ignore[attr-defined]  # for the template
        o.member_total = totals[o.pk]  # type: ignore[attr-defined]
    return render(request, "orgs/index.html", {"roots": roots, "q": q, "results": results,
                                               "pending_total": pending_count(request.user)})


def _with_pending(org: Organization, kids) -> None:
    """Each child of `org` carries `pending`: requests waiting in its subtree (one query), and
    `member_total`: the declared members of its subtree, as its own page counts them (one query)."""
    counts = pending_by_child(org)
    totals = member_totals(kids)
    for o in kids:
        o.pending = counts.get(o.path, 0)
        o.member_total = totals[o.pk]


@require_GET
@org_admin_required
def children(request, pk: int):
    """htmx partial: one level of the tree, lazily loaded."""
    org = get_org_or_404(request.user, pk)
    page = Paginator(_children(org), CHILDREN_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # the annotated instances are the ones rendered
    _with_pending(org, page.object_list)
    return render(request, "orgs/_children.html", {"org": org, "page": page})


def _breadcrumb(user, org: Organization) -> list[tuple[str, int | None]]:
    step = Organization.steplen
    prefixes = [org.path[:i] for i in range(step, len(org.path), step)]
    found = {o.path: o for o in Organization.objects.filter(path__in=prefixes).only("id", "path", "name", "name_en")}
    return [(localized(found[p], "name"), found[p].pk if in_scope(user, found[p]) else None)
            for p in prefixes if p in found]


@require_GET
@org_admin_required
def detail(request, pk: int):
    org = get_org_or_404(request.user, pk)
    kids = list(_children(org)[:CHILDREN_PAGE])
    _with_pending(org, kids)
    counts = dict(org.memberships.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    admins = admin_assignments(org).select_related("user").order_by("created")
    invites = org.invites.filter(revoked=False).order_by("-created")[:20]
    user = request.user
    return render(request, "orgs/detail.html", {
        "org": org, "children": kids, "more_children": org.numchild > len(kids),
        "summary": subtree_summary(org), "counts": counts, "subtree_pending": pending_count(user, org),
        "admins": admins, "invites": invites,
        "breadcrumb": _breadcrumb(user, org),
        "can_move": user.has_perm("orgs.move_org", org), "can_deactivate": user.has_perm("orgs.deactivate_org", org),
        "appoint_form": AppointForm(), "invite_form": InviteForm(),
        "join_base": request.build_absolute_uri("/accounts/join/"),
    })


@require_http_methods(["GET", "POST"])
@org_admin_required
def create_child(request, pk: int):
    parent = get_org_or_404(request.user, pk)
    form = OrgForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.create_child(request.user, parent, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": child.name})
            return redirect("orgs:detail", pk=child.pk)
    return render(request, "orgs/form.html", {"form": form, "org": parent, "creating": True})


@require_http_methods(["GET", "POST"])
@org_admin_required
def edit(request, pk: int):
    org = get_org_or_404(request.user, pk)
    initial = {f: getattr(org, f) for f in services.EDITABLE_FIELDS}
    form = OrgForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_org(request.user, org, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "org": org, "creating": False})


@require_http_methods(["GET", "POST"])
@org_admin_required
def move(request, pk: int):
    org = get_org_or_404(request.user, pk)
    if not request.user.has_perm("orgs.move_org", org):
        raise PermissionDenied
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = visible_orgs(request.user).filter(code=form.cleaned_data["target_code"].strip()).first()
        if target is None:
            form.add_error("target_code", _("No organisation with this code in your scope."))
        else:
            try:
                services.move_org(request.user, org, target)
            except DomainError as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("%(name)s now belongs to %(target)s.")
                                 % {"name": org.name, "target": target.name})
                return redirect("orgs:detail", pk=org.pk)
    parent = Organization.objects.get_parent(org)
    return render(request, "orgs/move.html", {"form": form, "org": org, "parent": parent})


@require_POST
@org_admin_required
def deactivate(request, pk: int):
    org = get_org_or_404(request.user, pk)
    try:
        n = services.deactivate_org(request.user, org, reason=request.POST.get("reason", "")[:500])
        messages.success(request, _("%(n)d organisation(s) deactivated.") % {"n": n})
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied
        messages.error(request, exc.message)
    return redirect("orgs:detail", pk=org.pk)


@require_POST
@org_admin_required
def reactivate(request, pk: int):
    org = get_org_or_404(request.user, pk)
    try:
        services.reactivate_org(request.user, org)
        messages.success(request, _("%(name)s is active again.") % {"name": org.name})
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied
        messages.error(request, exc.message)
    return redirect("orgs:detail", pk=org.pk)


def member_rows(org: Organization):
    """Members of one organisation, pending requests first."""
    return (org.memberships.select_related("user")
            .annotate(pending_first=Case(When(status=MembershipStatus.PENDING, then=Value(0)), default=Value(1),
                                         output_field=IntegerField()))
            .order_by("pending_first", "-created", "-pk"))


@require_GET
@org_admin_required
def members(request, pk: int):
    org = get_org_or_404(request.user, pk)
    page = Paginator(member_rows(org), MEMBERS_PAGE).get_page(request.GET.get("page"))
    invites = org.invites.filter(revoked=False).order_by("-created")[:20]
    return render(request, "orgs/members.html", {
        "org": org, "page": page, "invites": invites, "invite_form": InviteForm(),
        "show_phones": request.user.has_perm("orgs.view_member_phones", org),
        "join_base": request.build_absolute_uri("/accounts/join/"),
    })


@require_POST
@org_admin_required
def decide(request, pk: int, mid: int):
    org = get_org_or_404(request.user, pk)
    m = Membership.objects.filter(pk=mid, org=org).select_related("org", "user").first()
    if m is None:
        raise Http404
    confirm = request.POST.get("confirm") == "1"
    try:
        membership.decide_membership(request.user, m, confirm=confirm, reason=request.POST.get("reason", ""))
        messages.success(request, _("Membership confirmed.") if confirm else _("Request declined."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orgs:members", pk=org.pk)


def _cursor(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


@require_GET
@org_admin_required
def pending(request):
    """The queue of membership requests across the admin's whole subtree, oldest first; filter by
    a unit (its subtree), keyset pages (`?after=<id>`)."""
    unit = None
    if request.GET.get("unit"):
        unit = get_org_or_404(request.user, request.GET.get("unit"))
    rows, next_after = pending_page(request.user, unit=unit, after=_cursor(request.GET.get("after")))
    return render(request, "orgs/pending.html", {
        "rows": rows, "unit": unit, "next_after": next_after, "total": pending_count(request.user, unit),
        "first_page": not request.GET.get("after"), "units": pending_units(request.user),
    })


@require_POST
@org_admin_required
def pending_decide(request):
    """Confirm or decline the ticked requests at once (all or nothing)."""
    ids = [i for i in (_cursor(v) for v in request.POST.getlist("m")) if i is not None]
    action = request.POST.get("action")
    back = reverse("orgs:pending") + (f"?unit={_cursor(request.POST.get('unit'))}"
                                      if _cursor(request.POST.get("unit")) else "")
    if action not in ("confirm", "decline"):
        messages.error(request, _("Choose whether to confirm or to decline."))
        return redirect(back)
    try:
        done = membership.decide_memberships(request.user, ids, confirm=action == "confirm",
                                             reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied
        messages.error(request, exc.message)
    else:
        n = len(done)
        messages.success(request, (ngettext("%(n)d membership confirmed.", "%(n)d memberships confirmed.", n)
                                   if action == "confirm" else
                                   ngettext("%(n)d request declined.", "%(n)d requests declined.", n)) % {"n": n})
    return redirect(back)


@require_POST
@org_admin_required
def invite_create(request, pk: int):
    org = get_org_or_404(request.user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("orgs:members", pk=org.pk)
    days = form.cleaned_data.get("days")
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    try:
        inv = membership.create_invite(request.user, org, expires_at=expires,
                                       max_uses=form.cleaned_data.get("max_uses"))
        messages.success(request, _("Invite code %(code)s created.") % {"code": inv.code})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orgs:members", pk=org.pk)


@require_POST
@org_admin_required
def invite_revoke(request, pk: int, iid: int):
    org = get_org_or_404(request.user, pk)
    inv = Invite.objects.filter(pk=iid, org=org).select_related("org").first()
    if inv is None:
        raise Http404
    try:
        membership.revoke_invite(request.user, inv)
        messages.success(request, _("Invite code %(code)s revoked.") % {"code": inv.code})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orgs:members", pk=org.pk)


@require_POST
@org_admin_required
def admin_appoint(request, pk: int):
    org = get_org_or_404(request.user, pk)
    form = AppointForm(request.POST)
    if form.is_valid():
        try:
            ra = services.appoint_admin(request.user, org, form.cleaned_data["phone"])
            messages.success(request, _("%(user)s is now an admin of %(org)s.")
                             % {"user": ra.user.display_name, "org": org.name})
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("orgs:detail", pk=org.pk)


@require_POST
@org_admin_required
def admin_revoke(request, pk: int, rid: int):
    org = get_org_or_404(request.user, pk)
    ra = admin_assignments(org).filter(pk=rid).select_related("user").first()
    if ra is None:
        raise Http404
    ra.scope = org
    try:
        services.revoke_admin(request.user, org, ra)
        messages.success(request, _("The admin role was revoked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orgs:detail", pk=org.pk)


# --- import ----------------------------------------------------------------------------------


@require_GET
@org_admin_required
def import_template(request):
    resp = HttpResponse(importing.build_template(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''orgs-template.xlsx"
    return resp


@require_http_methods(["GET", "POST"])
@org_admin_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            importing.read_file(f.name, f)  # refuse unreadable files now, not on the preview
        except DomainError as exc:
            _fail(form, exc)
        else:
            f.seek(0)
            ref = uploads.save(request.user, f)
            return redirect("orgs:import_preview", ref=ref)
    return render(request, "orgs/import_upload.html", {"form": form})


PREVIEW_PAGE = 200


@require_http_methods(["GET", "POST"])
@org_admin_required
def import_preview(request, ref: str):
    found = uploads.find(request.user, ref)
    if found is None:
        raise Http404
    name, original = found
    try:
        with uploads.open_upload(name) as fh:
            raw = importing.read_file(name, fh)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("orgs:import")
    if request.method == "POST":
        try:
            result = services.apply_import(request.user, raw, filename=original)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            uploads.delete(name)
            messages.success(request, _("Imported: %(c)d created, %(u)d updated, %(m)d moved.")
                             % {"c": result.created, "u": result.updated, "m": result.moved})
            return redirect(reverse("orgs:detail", args=[result.anchor.pk]) if result.anchor else "orgs:index")
    plan = importing.validate(request.user, raw)
    errors = [r for r in plan.rows if r.errors]
    page = Paginator(plan.rows, PREVIEW_PAGE).get_page(request.GET.get("page"))
    return render(request, "orgs/import_preview.html", {
        "plan": plan, "page": page, "errors": errors[:1000], "more_errors": max(0, len(errors) - 1000),
        "ref": ref, "filename": original, "n_create": plan.count("create"), "n_update": plan.count("update"),
        "n_error": len(errors),
    })
