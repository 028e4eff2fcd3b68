"""The entry form as a worker sees it, built from a schema that may not be saved yet: the
campaign admin's preview in the form builder (registered in apps.ready with
campaigns.builder.register_preview)."""

from __future__ import annotations

from django.template.loader import render_to_string

from zhengji.campaigns.models import Track
from zhengji.campaigns.schema import FieldDef

from .forms import EntryForm
from .models import Entry
from .views import _limits_hint


def render_form_preview(request, track: Track, fields: list[FieldDef]) -> str:
    form = EntryForm(entry=Entry(track=track), fields=fields)
    for bound in form:
        bound.field.disabled = True
    rows = []
    for f in fields:
        if f.type == "file":
            rows.append({"def": f, "file": True})
        else:
            rows.append({"def": f, "file": False, "bound": form[f.key], "hint": _limits_hint(f)})
    return render_to_string("entries/_form_preview.html", {"form": form, "rows": rows, "track": track},
                            request=request)
