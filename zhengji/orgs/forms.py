from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import OrgKind


class OrgForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    short_name = forms.CharField(label=_("short name"), max_length=60, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=OrgKind.choices, initial=OrgKind.GRASSROOTS)
    code = forms.CharField(label=_("code"), max_length=40)
    member_count = forms.IntegerField(label=_("member count"), min_value=0, initial=0)
    contact_name = forms.CharField(label=_("contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)


class MoveForm(forms.Form):
    target_code = forms.CharField(label=_("Code of the new parent organisation"), max_length=40)


class AppointForm(forms.Form):
    phone = forms.RegexField(label=_("Mobile number of the new admin"), regex=r"^1[3-9]\d{9}$", max_length=11,
                             error_messages={"invalid": _("Enter a valid mainland mobile number (11 digits).")})


class InviteForm(forms.Form):
    max_uses = forms.IntegerField(label=_("Maximum uses (empty: unlimited)"), min_value=1, required=False)
    days = forms.IntegerField(label=_("Valid for days (empty: no expiry)"), min_value=1, max_value=365,
                              required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if f.size > settings.ORGS_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(n)d MB.")
                                        % {"n": settings.ORGS_IMPORT_MAX_BYTES // (1024 * 1024)})
        return f


class JoinCodeForm(forms.Form):
    """A worker joins with an invite code (the join pages)."""

    code = forms.CharField(label=_("Invite code"), max_length=16,
                           widget=forms.TextInput(attrs={"class": "form-control", "autocapitalize": "characters"}))
