"""The worker's side of membership: find a union and join it, or join with an invite code.
Mounted at /accounts/join/ (the invite links already handed out point there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengji.common.errors import DomainError
from zhengji.common.i18n import localized

from . import membership as membership_services
from .forms import JoinCodeForm
from .models import Invite, Organization
from .queries import membership_status, membership_view, org_path_labels, search_orgs


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    invite_form = JoinCodeForm()
    status = 200
    if request.method == "POST":
        try:
            if "code" in request.POST:
                invite_form = JoinCodeForm(request.POST)
                if invite_form.is_valid():
                    m = membership_services.join_by_invite(request.user, invite_form.cleaned_data["code"])
                    messages.success(request, _("You joined %(org)s.") % {"org": localized(m.org, "name")})
                    return redirect("accounts:centre")
                status = 400
            else:
                org = Organization.objects.filter(pk=_int(request.POST.get("org")), is_active=True).first()
                if org is None:
                    messages.error(request, _("Choose an organisation from the list."))
                    status = 400
                else:
                    membership_services.join_org(request.user, org)
                    messages.success(request, _("Your request to join %(org)s was sent. Its administrators have "
                                                "been notified and will confirm it.") % {"org": localized(org, "name")})
                    return redirect("accounts:centre")
        except DomainError as exc:
            if "code" in request.POST:
                _form_error(invite_form, exc)
            else:
                messages.error(request, str(exc.message))
            status = 400
    q = request.GET.get("q", "")
    return render(request, "orgs/join/join.html",
                  {"q": q, "results": search_orgs(q), "invite_form": invite_form,
                   "membership": membership_view(request.user), "status": membership_status(request.user)},
                  status=status)


@login_required
@require_GET
def join_search(request):
    q = request.GET.get("q", "")
    template = "orgs/join/_org_results.html" if request.htmx else "orgs/join/join.html"
    return render(request, template, {"q": q, "results": search_orgs(q), "invite_form": JoinCodeForm(),
                                      "membership": membership_view(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def join_invite(request, code: str):
    invite = Invite.objects.select_related("org").filter(code=code.replace("\x00", "").strip().upper()).first()
    if invite is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            m = membership_services.join_by_invite(request.user, invite.code)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("You joined %(org)s.") % {"org": localized(m.org, "name")})
            return redirect("accounts:centre")
    label = org_path_labels([invite.org])[invite.org.pk]
    return render(request, "orgs/join/invite.html", {"invite": invite, "org_label": label, "error": error},
                  status=400 if error else 200)
