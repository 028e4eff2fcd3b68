"""Forms of the campaign-admin pages. They only parse and show input; the rules live in
services (which the views call) so the API and the pages agree."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhengji.accounts import roles
from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import localized
from zhengji.common.numbers import is_ascii_digits, parse_id
from zhengji.common.widgets import RichTextWidget
from zhengji.orgs.models import Organization, OrgKind

from . import services
from .models import Campaign, PendingMembers, Track, WorkKind
from .roles import CAMPAIGN_ROLES, TRACK_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Levels that report upward (the top organisation receives, it does not report).
REPORTING_LEVELS = [k for k in OrgKind if k not in (OrgKind.PROVINCE,)]
RICH_HELP = _("Use the toolbar for headings, lists, bold, links and images; “Preview” shows the text as "
              "readers will see it. Without JavaScript you may type HTML; anything else is removed on save.")


SLUG_ERRORS = {"invalid": _("Use only Latin letters, digits and hyphens (-), for example “songs-2026”.")}


def explain_slug(field: forms.Field, example: str) -> None:
    """Slugs are optional on the pages: left empty they are generated and then kept."""
    field.required = False
    field.error_messages.update(SLUG_ERRORS)
    field.help_text = _("The name in the page's web address (%(example)s). Leave it empty and one is made "
                        "for you; once set it stays, so shared links keep working.") % {"example": example}


def rich_widget(campaign: Campaign, *, can_upload: bool) -> RichTextWidget:
    """The editor for a campaign's rich text; images and attachments only for its admins."""
    return RichTextWidget(
        upload_url=reverse("campaigns:richtext_upload", args=[campaign.slug]) if can_upload else "",
        preview_url=reverse("campaigns:richtext_preview", args=[campaign.slug]))


class BootstrapMixin:
    fields: dict[str, forms.Field]  # given by the form class it is mixed into

    def _style(self):
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


class CampaignForm(BootstrapMixin, forms.ModelForm):
    banner = forms.FileField(label=_("banner"), required=False,
                             help_text=_("JPEG, PNG or WebP, at most 5 MB."))
    clear_banner = forms.BooleanField(label=_("Remove the banner"), required=False)

    class Meta:
        model = Campaign
        fields = ["org", *services.CAMPAIGN_FIELDS]
        widgets = dict.fromkeys(services.PHASE_DATE_FIELDS, DATE) | {
            "summary": forms.Textarea(attrs={"rows": 3}), "summary_en": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        explain_slug(self.fields["slug"], "/manage/2026/")
        if self.instance.pk:
            del self.fields["org"]
        else:
            del self.fields["clear_banner"]
            qs = Organization.objects.filter(is_active=True).order_by("path")
            if not user.is_superuser:
                qs = qs.filter(scopes_for(user).subtree_q())
            cast(forms.ModelChoiceField, self.fields["org"]).queryset = qs
        # Optional in the form: an older client that does not send it keeps the default.
        self.fields["pending_members"].required = False
        self._style()

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # forms' clean() returns cleaned_data
        values = {f: data.get(f) for f in services.PHASE_DATE_FIELDS}
        if all(v is not None for v in values.values()):
            try:
                services.validate_phase_dates(values)
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    self.add_error(field, msgs)
        return data

    def _post_clean(self):
        # Saving goes through services, not ModelForm.save(); skip the model's own checks here
        # (uniqueness is checked by the service, with a translated message).
        pass

    def service_values(self) -> dict:
        values = {f: self.cleaned_data[f] for f in services.CAMPAIGN_FIELDS}
        if not values.get("pending_members"):
            values["pending_members"] = (self.instance.pending_members if self.instance.pk
                                         else PendingMembers.DRAFTS)
        return values


class OrgPickerWidget(forms.Widget):
    """A search box over the campaign's organisation tree and a hidden input with the chosen
    organisation's id (campaigns/orgpicker.js fills it from the results list). Without the
    script, the typed name or code is resolved on the server."""

    template_name = "campaigns/widgets/org_picker.html"

    class Media:
        js = ["campaigns/orgpicker.js"]

    def __init__(self, *, search_url: str, attrs=None) -> None:
        super().__init__(attrs)
        self.search_url = search_url

    def value_from_datadict(self, data, files, name):
        org_id, q = (data.get(name) or "").strip(), (data.get(f"{name}_q") or "").strip()
        if org_id and not is_ascii_digits(org_id):  # a name or "CODE name" posted in the id's place
            org_id, q = "", q or org_id
        return {"id": org_id, "q": q}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        org = None
        typed = ""
        if isinstance(value, dict):
            typed = value.get("q", "")
            value = value.get("id")
        if isinstance(value, Organization):
            org = value
        elif value not in (None, ""):
            pk = parse_id(value)
            org = Organization.objects.filter(pk=pk).first() if pk is not None else None
        context["widget"].update(search_url=self.search_url, org=org,
                                 display=typed or (org.name if org else ""), org_id=org.pk if org else "")
        return context


class HostUnitField(forms.Field):
    """The host unit: picked from the search results (an id), or typed: a code, a name or a short
    name that only one organisation of the campaign's tree has."""

    widget = OrgPickerWidget

    def __init__(self, *args, root: Organization, search_url: str, **kwargs):
        self.root = root
        kwargs.setdefault("widget", OrgPickerWidget(search_url=search_url))
        super().__init__(*args, **kwargs)

    def _in_tree(self):
        return Organization.objects.filter(path__startswith=self.root.path, is_active=True)

    def clean(self, value):
        value = value if isinstance(value, dict) else {"id": str(value or ""), "q": ""}
        org_id, q = value.get("id", ""), value.get("q", "")
        pk = parse_id(org_id)
        if pk is not None:
            org = Organization.objects.filter(pk=pk).first()
            if org is not None and not org.is_within(self.root):
                raise ValidationError(_("The host unit must belong to the campaign's organisation tree."))
            if org is not None:
                return org
        if not q:
            raise ValidationError(_("Choose the host unit: type part of its name and pick it from the list."))
        code = q.split(" ")[0]
        matches = list(self._in_tree().filter(Q(code=code) | Q(name=q) | Q(short_name=q))[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(_("Several organisations are called “%(q)s”: pick one from the list.") % {"q": q})
        raise ValidationError(_("No organisation of the campaign's tree is called “%(q)s”: pick one from the "
                                "list.") % {"q": q})


class TrackForm(BootstrapMixin, forms.ModelForm):
    entrant_types = forms.MultipleChoiceField(label=_("who may enter"), choices=list(services.ENTRANT_TYPES.items()),
                                              widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Track
        fields = ["number", "slug", "name", "name_en", "host_unit", "work_kind", "entrant_types", "is_open",
                  "description", "description_en", "rules", "rules_en"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "description_en": forms.Textarea(attrs={"rows": 3}),
                   }

    def __init__(self, *args, campaign: Campaign, content_only: bool = False, can_upload: bool = False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("rules", "rules_en"):
            self.fields[name].widget = rich_widget(campaign, can_upload=can_upload)
        self.fields["rules"].help_text = RICH_HELP
        self.fields["host_unit"] = HostUnitField(
            label=_("host unit"), root=campaign.org, initial=self.instance.host_unit if self.instance.pk else None,
            search_url=reverse("campaigns:org_search", args=[campaign.slug]),
            help_text=_("Type part of the name or the code, then pick from the list."))
        cast(forms.ChoiceField, self.fields["work_kind"]).choices = WorkKind.choices
        self.fields["number"].required = False
        explain_slug(self.fields["slug"], f"…/{campaign.slug}/tracks/track-1/")
        if content_only:
            for name in services.TRACK_SETTING_FIELDS:
                self.fields.pop(name, None)
        self._style()

    def _post_clean(self):
        pass

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        if "number" in data and data["number"] is None:
            data.pop("number")
        return data


class LevelRulesForm(BootstrapMixin, forms.Form):
    """One deadline and quota per reporting level."""

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {r.org_kind: r for r in (rules or [])}
        for kind in REPORTING_LEVELS:
            rule = current.get(kind)
            self.fields[f"deadline_{kind}"] = forms.DateTimeField(
                label=_("%(level)s: report by") % {"level": kind.label}, required=False, widget=DATETIME,
                initial=rule.deadline if rule else None, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
            self.fields[f"quota_{kind}"] = forms.IntegerField(
                label=_("%(level)s: quota per track") % {"level": kind.label}, required=False, min_value=0,
                initial=rule.quota if rule else None, help_text=_("Empty: no limit."))
        self._style()

    def rows(self) -> list[dict]:
        return [{"kind": k, "deadline": self[f"deadline_{k}"], "quota": self[f"quota_{k}"]} for k in REPORTING_LEVELS]

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # forms' clean() returns cleaned_data
        for kind in REPORTING_LEVELS:
            if data.get(f"quota_{kind}") is not None and data.get(f"deadline_{kind}") is None:
                self.add_error(f"deadline_{kind}", _("A quota needs a deadline."))
        return data

    def service_rows(self) -> list[dict]:
        d = self.cleaned_data
        return [{"org_kind": k.value, "deadline": d[f"deadline_{k}"], "quota": d.get(f"quota_{k}")}
                for k in REPORTING_LEVELS if d.get(f"deadline_{k}") is not None]


class AnnouncementForm(BootstrapMixin, forms.Form):
    MODES = [("draft", _("Keep as a draft")), ("now", _("Publish now")), ("schedule", _("Publish at a set time"))]
    title = forms.CharField(label=_("title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    body = forms.CharField(label=_("body"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=RICH_HELP)
    body_en = forms.CharField(label=_("English body"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    pinned = forms.BooleanField(label=_("pinned"), required=False)
    mode = forms.ChoiceField(label=_("Publishing"), choices=MODES, initial="draft", widget=forms.RadioSelect)
    publish_at = forms.DateTimeField(label=_("publish at"), required=False, widget=DATETIME,
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, campaign: Campaign | None = None, can_upload: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if campaign is not None:
            for name in ("body", "body_en"):
                self.fields[name].widget = rich_widget(campaign, can_upload=can_upload)
        self._style()

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # forms' clean() returns cleaned_data
        if data.get("mode") == "schedule" and not data.get("publish_at"):
            self.add_error("publish_at", _("Give the time to publish at."))
        return data


class TrackChoiceField(forms.ModelChoiceField):
    """Tracks as "4. 摄影" on Chinese pages and "4. Photography" on English ones."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {localized(obj, 'name')}"


class GrantForm(BootstrapMixin, forms.Form):
    phone = forms.CharField(label=_("mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    role = forms.ChoiceField(label=_("role"), choices=partial(roles.choices, [*CAMPAIGN_ROLES, *TRACK_ROLES]))
    track = TrackChoiceField(label=_("track"), queryset=Track.objects.none(), required=False,
                             help_text=_("For host-unit staff and judges."))

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["track"]).queryset = campaign.tracks.order_by("number")
        self._style()

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # forms' clean() returns cleaned_data
        if data.get("role") in services.TRACK_ROLES and not data.get("track"):
            self.add_error("track", _("Choose the track for this role."))
        return data


class SchemaJSONForm(forms.Form):
    schema = forms.CharField(label=_("Entry form (JSON)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 24, "class": "form-control font-monospace",
                                                          "spellcheck": "false"}))
