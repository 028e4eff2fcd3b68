"""Forms only shape and label input; the domain functions in services.py decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _attrs(**kw):
    return {"class": "form-control", **kw}


class PhoneField(forms.CharField):
    def __init__(self, **kw):
        kw.setdefault("label", _("Mobile number"))
        kw.setdefault("max_length", 20)
        kw.setdefault("widget", forms.TextInput(attrs=_attrs(inputmode="numeric", autocomplete="tel",
                                                             placeholder="13800000000")))
        super().__init__(**kw)


class CodeField(forms.CharField):
    def __init__(self, **kw):
        kw.setdefault("label", _("Verification code"))
        kw.setdefault("max_length", 6)
        kw.setdefault("required", False)  # required only when submitting, not when asking for a code
        kw.setdefault("widget", forms.TextInput(attrs=_attrs(inputmode="numeric", autocomplete="one-time-code",
                                                             pattern=r"\d{6}")))
        super().__init__(**kw)


def _password(label, autocomplete="new-password", required=True):
    return forms.CharField(label=label, required=required, strip=False,
                           widget=forms.PasswordInput(attrs=_attrs(autocomplete=autocomplete)))


class RegisterForm(forms.Form):
    phone = PhoneField()
    code = CodeField()
    real_name = forms.CharField(label=_("Real name"), max_length=60, required=False,
                                widget=forms.TextInput(attrs=_attrs(autocomplete="name")))
    password = _password(_("Password"), required=False)
    password2 = _password(_("Password again"), required=False)


class ResetForm(forms.Form):
    phone = PhoneField()
    code = CodeField()
    new_password = _password(_("New password"), required=False)
    new_password2 = _password(_("New password again"), required=False)


class LoginForm(forms.Form):
    # Named `phone` for django-axes (AXES_USERNAME_FORM_FIELD); staff may type a username.
    phone = forms.CharField(label=_("Mobile number (staff: username)"), max_length=150,
                            widget=forms.TextInput(attrs=_attrs(autocomplete="username", autofocus=True)))
    password = _password(_("Password"), autocomplete="current-password")


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code from your authenticator app"), max_length=8,
                            widget=forms.TextInput(attrs=_attrs(inputmode="numeric", autocomplete="one-time-code",
                                                                autofocus=True)))


class PasswordChangeForm(forms.Form):
    old_password = _password(_("Current password"), autocomplete="current-password")
    new_password = _password(_("New password"))
    new_password2 = _password(_("New password again"))


class PasswordConfirmForm(forms.Form):
    password = _password(_("Password"), autocomplete="current-password")


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=60,
                           widget=forms.TextInput(attrs=_attrs(placeholder=_("e.g. statistics script"))))


class ProfileForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=60,
                                widget=forms.TextInput(attrs=_attrs(autocomplete="name")))
