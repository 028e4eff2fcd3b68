"""Thin views: read input, call a domain function, show the result or the error."""

from __future__ import annotations

import base64
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengji.common.context import client_ip
from zhengji.common.errors import DomainError

from . import forms, services
from .auth import lockout_response, normalise_login, password_login, remember_device
from .models import ApiToken, User, attach_scopes
from .profile import membership_of

PENDING_2FA = "zj_pending_2fa"
NEW_TOKEN = "zj_new_api_token"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _next_url(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return resolve_url(default) if default else ""


# --- login / logout ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request, settings.LOGIN_REDIRECT_URL))
    form = forms.LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login_name = normalise_login(form.cleaned_data["phone"])
        user, lock = password_login(request, login_name, form.cleaned_data["password"])
        if lock is not None:
            return lockout_response(request, lock)
        if user is None:
            form.add_error(None, _("The mobile number (or username) or the password is wrong."))
        elif not user.is_active:
            form.add_error(None, _("This account is disabled."))
        elif services.confirmed_totp(user) is not None:
            request.session[PENDING_2FA] = {"uid": user.pk, "backend": user.backend, "at": time.time(),
                                            "next": _next_url(request, settings.LOGIN_REDIRECT_URL)}
            return redirect("accounts:login_verify")
        else:
            login(request, user)
            response = redirect(_next_url(request, settings.LOGIN_REDIRECT_URL))
            remember_device(request, response, user)
            return response
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def login_verify(request):
    """Second step for accounts with a confirmed authenticator device."""
    pending = request.session.get(PENDING_2FA)
    if not pending or time.time() - pending.get("at", 0) > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_2FA, None)
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_2FA, None)
        return redirect("accounts:login")
    form = forms.TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_totp_login(user, form.cleaned_data["token"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            request.session.pop(PENDING_2FA, None)
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            response = redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
            remember_device(request, response, user)
            return response
    return render(request, "accounts/login_verify.html", {"form": form})


# --- registration and password reset ----------------------------------------------------------

def _send_code_action(request, form, purpose: str) -> None:
    try:
        sent = services.send_code(form.data.get("phone", ""), purpose, ip=client_ip(request))
    except DomainError as exc:
        _form_error(form, exc)
        return
    # The same answer whether or not the number has an account (no enumeration); see send_code.
    messages.success(request, _("A verification code was sent to %(phone)s. It is valid for %(minutes)d minutes.")
                     % {"phone": sent.phone, "minutes": settings.OTP_CODE_TTL_SECONDS // 60})


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:centre")
    form = forms.RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send_code":
            _send_code_action(request, form, services.Purpose.REGISTER)
        else:
            data = form.cleaned_data
            if not data["code"]:
                form.add_error("code", _("Enter the code we sent to your phone."))
            elif data["password"] != data["password2"]:
                form.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    user = services.register(data["phone"], data["code"], data["password"], data["real_name"])
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    login(request, user, backend=MODEL_BACKEND)
                    messages.success(request, _("Welcome! Now choose your grassroots union."))
                    nxt = _next_url(request, "")
                    return redirect(nxt or reverse("join:index"))
    return render(request, "accounts/register.html", {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = forms.ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send_code":
            _send_code_action(request, form, services.Purpose.RESET)
        else:
            data = form.cleaned_data
            if not data["code"]:
                form.add_error("code", _("Enter the code we sent to your phone."))
            elif not data["new_password"] or data["new_password"] != data["new_password2"]:
                form.add_error("new_password2", _("The two passwords differ."))
            else:
                try:
                    services.reset_password(data["phone"], data["code"], data["new_password"])
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(request, _("Your password was changed. Log in with the new password."))
                    return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form})


# --- personal centre ----------------------------------------------------------------------------

def _centre_context(request, **extra) -> dict:
    user = request.user
    ctx = {
        "membership": membership_of(user),
        "roles": attach_scopes(user.roles.order_by("role", "pk")),
        "may_2fa": services.may_use_two_factor(user),
        "totp": services.confirmed_totp(user),
        "tokens": list(ApiToken.objects.filter(user=user).order_by("revoked", "-created")),
        "new_key": request.session.pop(NEW_TOKEN, None),
        "password_form": forms.PasswordChangeForm(),
        "profile_form": forms.ProfileForm(initial={"real_name": user.real_name}),
        "token_form": forms.ApiTokenForm(),
    }
    ctx.update(extra)
    return ctx


@login_required
@require_GET
def centre(request):
    return render(request, "accounts/centre.html", _centre_context(request))


@login_required
@require_POST
def profile(request):
    form = forms.ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.update_profile(request.user, form.cleaned_data["real_name"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:centre")
    return render(request, "accounts/centre.html", _centre_context(request, profile_form=form), status=400)


@login_required
@require_POST
def password_change(request):
    form = forms.PasswordChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["new_password"] != data["new_password2"]:
            form.add_error("new_password2", _("The two passwords differ."))
        else:
            try:
                services.change_password(request.user, data["old_password"], data["new_password"])
            except DomainError as exc:
                _form_error(form, exc)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your password was changed."))
                return redirect("accounts:centre")
    return render(request, "accounts/centre.html", _centre_context(request, password_form=form), status=400)


@login_required
@require_POST
def token_create(request):
    form = forms.ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.create_token(request.user, form.cleaned_data["name"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            # Shown once, on the next page only (post/redirect/get).
            request.session[NEW_TOKEN] = {"name": token.name, "key": key}
            return HttpResponseRedirect(reverse("accounts:centre") + "#tokens")
    return render(request, "accounts/centre.html", _centre_context(request, token_form=form), status=400)


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        services.revoke_token(request.user, pk)
    except DomainError:
        raise Http404 from None
    messages.success(request, _("The token was revoked."))
    return HttpResponseRedirect(reverse("accounts:centre") + "#tokens")


# --- two-factor ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Status; POST action=start makes a new key and shows its QR code; action=confirm checks
    the first code from the app and switches two-factor login on."""
    user = request.user
    if not services.may_use_two_factor(user) and services.confirmed_totp(user) is None:
        return render(request, "accounts/two_factor.html", {"allowed": False}, status=403)
    form = forms.TokenForm(request.POST) if request.POST.get("action") == "confirm" else forms.TokenForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                services.start_totp(user)
            elif action == "confirm":
                if form.is_valid():
                    services.confirm_totp(user, form.cleaned_data["token"])
                    messages.success(request, _("Two-factor login is on."))
                    return redirect("accounts:two_factor")
            else:
                return render(request, "accounts/two_factor.html", {"allowed": True}, status=400)
        except DomainError as exc:
            _form_error(form, exc) if exc.field else messages.error(request, str(exc.message))
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    ctx = {"allowed": True, "totp": services.confirmed_totp(user), "pending": pending, "form": form,
           "disable_form": forms.PasswordConfirmForm()}
    if pending is not None:
        ctx["qr_svg"] = segno.make(pending.config_url, error="m").svg_inline(scale=5, title=_("QR code"))
        ctx["secret"] = base64.b32encode(pending.bin_key).decode()
    return render(request, "accounts/two_factor.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def two_factor_disable(request):
    form = forms.PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.disable_totp(request.user, form.cleaned_data["password"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor.html",
                  {"allowed": True, "totp": services.confirmed_totp(request.user), "disable_form": form,
                   "form": forms.TokenForm()}, status=400)
