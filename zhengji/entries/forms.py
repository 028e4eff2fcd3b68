"""The entry form, built from the track's form schema. It only renders and reads the input: every
rule is the domain's (services.validate), whose per-field errors are put back on this form, so
the form and the API enforce exactly the same thing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengji.campaigns.schema import FieldDef
from zhengji.common.i18n import localized

from .models import Entry
from .services import Changes

# Domain error keys -> form field names (schema keys are used as they are).
CORE_NAMES = {"title": "entry_title", "summary": "entry_summary", "contact_phone": "entry_phone",
              "pledge": "entry_pledge"}


class LooseMultipleChoiceField(forms.MultipleChoiceField):
    """Check boxes whose values the domain validates (never a second, different message here)."""

    def validate(self, value):
        return None


def _field_for(f: FieldDef) -> forms.Field:
    label = localized(f, "label")
    help_text = localized(f, "help")
    common = {"label": label, "required": False, "help_text": help_text}
    attrs = {"aria-required": "true"} if f.required else {}
    if f.type == "text":
        if f.max_length:
            attrs["maxlength"] = str(f.max_length)
        return forms.CharField(widget=forms.TextInput(attrs={"class": "form-control", **attrs}), **common)
    if f.type in ("longtext", "richtext"):
        return forms.CharField(widget=forms.Textarea(attrs={"class": "form-control", "rows": 6, **attrs}),
                               strip=False, **common)
    if f.type == "number":
        if f.min_value is not None:
            attrs["min"] = str(f.min_value)
        if f.max_value is not None:
            attrs["max"] = str(f.max_value)
        return forms.CharField(widget=forms.NumberInput(attrs={"class": "form-control", "step": "any", **attrs}),
                               **common)
    if f.type == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"class": "form-control", "type": "date", **attrs}),
                               **common)
    if f.type == "url":
        return forms.CharField(widget=forms.URLInput(attrs={"class": "form-control", **attrs}), **common)
    choices = [(c.value, localized(c, "label")) for c in f.choices]
    if f.type == "choice":
        return forms.CharField(widget=forms.Select(choices=[("", "—")] + choices,
                                                   attrs={"class": "form-select", **attrs}), **common)
    if f.type == "multichoice":
        return LooseMultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    raise ValueError(f.type)


class EntryForm(forms.Form):
    entry_title = forms.CharField(label=_("Title"), required=False,
                                  widget=forms.TextInput(attrs={"class": "form-control", "maxlength": "200",
                                                                "aria-required": "true"}))
    entry_summary = forms.CharField(label=_("Summary of the work"), required=False, strip=False,
                                    widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}))
    entry_phone = forms.CharField(label=_("Contact phone"), required=False,
                                  help_text=_("Shown masked to the organisers' reviewers."),
                                  widget=forms.TextInput(attrs={"class": "form-control", "type": "tel",
                                                                "inputmode": "numeric", "autocomplete": "tel",
                                                                "aria-required": "true"}))

    def __init__(self, *args, entry: Entry, fields: list[FieldDef], **kwargs):
        self.entry = entry
        self.schema = fields
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_from(entry, fields))
        super().__init__(*args, **kwargs)
        for f in fields:
            if f.type != "file":
                self.fields[f.key] = _field_for(f)
        self.author_errors: list[str] = []
        self.slot_errors: dict[str, list[str]] = {}

    @staticmethod
    def initial_from(entry: Entry, fields: list[FieldDef]) -> dict:
        initial = {"entry_title": entry.title, "entry_summary": entry.summary, "entry_phone": entry.contact_phone}
        for f in fields:
            if f.type != "file":
                value = (entry.data or {}).get(f.key, "")
                initial[f.key] = value if value is not None else ""
        return initial

    def changes(self) -> Changes:
        """The typed input as domain changes (raw: the domain normalises and validates)."""
        post = self.data
        data: dict = {}
        files: dict[str, str] = {}
        for f in self.schema:
            if f.type == "file":
                if f.key in post:
                    files[f.key] = post.get(f.key, "")
            elif f.type == "multichoice":
                data[f.key] = post.getlist(f.key)
            else:
                data[f.key] = post.get(f.key, "")
        names = post.getlist("author_name")
        units = post.getlist("author_unit")
        roles = post.getlist("author_role")
        authors = [{"name": n, "unit_name": u, "role": r} for n, u, r in zip(names, units, roles, strict=False)]
        return Changes(title=post.get("entry_title", ""), summary=post.get("entry_summary", ""),
                       contact_phone=post.get("entry_phone", ""), data=data,
                       authors=authors if "author_name" in post else None, files=files)

    def typed_authors(self) -> list[dict]:
        post = self.data
        return [{"name": n, "unit_name": u, "role": r} for n, u, r in
                zip(post.getlist("author_name"), post.getlist("author_unit"), post.getlist("author_role"),
                    strict=False)]

    def add_domain_errors(self, errors: dict[str, list[str]]) -> None:
        self.is_valid()  # cleaned_data must exist before add_error
        for key, messages in errors.items():
            if key == "authors":
                self.author_errors.extend(messages)
                continue
            if any(f.key == key and f.type == "file" for f in self.schema):
                self.slot_errors.setdefault(key, []).extend(messages)
                continue
            name = CORE_NAMES.get(key, key)
            for m in messages:
                self.add_error(name if name in self.fields else None, m)
