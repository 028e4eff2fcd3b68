"""Input parsing for the pages. The rules are the domain's (`services.check_*`): a form shows
every error at its field and keeps what was typed; the domain function checks again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengji.campaigns.models import Campaign
from zhengji.common.numbers import parse_id
from zhengji.orgs.models import Organization

from . import services
from .models import ActivityKind


def parse_ids(value: Any) -> list[int]:
    """The uploader's hidden input: comma-separated MediaFile ids, in order."""
    ids: list[int] = []
    for item in str(value or "").split(","):
        pk = parse_id(item.strip())
        if pk and pk not in ids:
            ids.append(pk)
    return ids


class _RecordForm(forms.Form):
    org = forms.TypedChoiceField(label=_("Unit"), coerce=int)

    def __init__(self, *args: Any, campaign: Campaign, units: list[Organization],
                 current: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        choices = [(o.pk, o.display_name) for o in units]
        if current is not None and current.pk not in {o.pk for o in units}:
            choices.insert(0, (current.pk, current.display_name))
        org_field = self.fields["org"]
        assert isinstance(org_field, forms.ChoiceField)
        org_field.choices = choices
        if current is not None:
            self.fields["org"].initial = current.pk
        elif len(choices) == 1:
            self.fields["org"].initial = choices[0][0]
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            if not isinstance(f.widget, forms.HiddenInput):
                f.widget.attrs.setdefault("class", css)

    def _merge(self, errors: dict[str, list[str]], *, skip_invalid: bool = False) -> None:
        """Add the domain's errors (in `clean`, not again to a field that already has one)."""
        for name, messages in errors.items():
            if skip_invalid and name in self.errors:
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ActivityForm(_RecordForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.OFFLINE)
    title = forms.CharField(label=_("Name of the activity"), max_length=services.LIMITS["title"])
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label=_("Place"), max_length=services.LIMITS["place"], required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=services.MAX_PARTICIPANTS,
                                      initial=0)
    description = forms.CharField(label=_("Description"), max_length=services.LIMITS["description"], required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    link = forms.CharField(label=_("Link"), max_length=services.LIMITS["link"], required=False,
                           help_text=_("A web address starting with http:// or https://"),
                           widget=forms.URLInput())
    photos = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._merge(services.check_activity(self.campaign, self.to_data()), skip_invalid=True)
        return data

    def to_data(self) -> services.ActivityData:
        d = self.cleaned_data
        return services.ActivityData(org_id=d.get("org"), kind=d.get("kind", ""), title=d.get("title", ""),
                                     held_on=d.get("held_on"), place=d.get("place", ""),
                                     participants=d.get("participants"), description=d.get("description", ""),
                                     link=d.get("link", ""), photos=parse_ids(d.get("photos")))


class BrandProjectForm(_RecordForm):
    name = forms.CharField(label=_("Project name"), max_length=services.LIMITS["name"])
    started_on = forms.DateField(label=_("Started"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(label=_("Description"), max_length=services.LIMITS["description"], required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    link = forms.CharField(label=_("Link"), max_length=services.LIMITS["link"], required=False,
                           help_text=_("A web address starting with http:// or https://"),
                           widget=forms.URLInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._merge(services.check_brand_project(self.to_data()), skip_invalid=True)
        return data

    def to_data(self) -> services.BrandProjectData:
        d = self.cleaned_data
        return services.BrandProjectData(org_id=d.get("org"), name=d.get("name", ""), started_on=d.get("started_on"),
                                         description=d.get("description", ""), link=d.get("link", ""))


class VolunteerForm(_RecordForm):
    name = forms.CharField(label=_("Name"), max_length=services.LIMITS["volunteer_name"])
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    skills = forms.CharField(label=_("Skills"), max_length=services.LIMITS["skills"], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._merge(services.check_volunteer(self.to_data()), skip_invalid=True)
        return data

    def to_data(self) -> services.VolunteerData:
        d = self.cleaned_data
        return services.VolunteerData(org_id=d.get("org"), name=d.get("name", ""), phone=d.get("phone", ""),
                                      skills=d.get("skills", ""))
