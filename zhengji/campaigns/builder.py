"""The entry form builder's rows: one flat dict of strings per field, as the page shows and posts
them (`f-<i>-<attr>`, choices as `f-<i>-c-<j>-<attr>`), converted to and from the schema format
of campaigns.schema. What the admin typed is kept as typed so an error never loses it;
parse_schema decides what is valid.

Admins never type keys or choice values: a new field gets the key `field_<n>` and a new option
the value `<n>` (the lowest unused number) when the form is saved; once saved they stay as they
are, because entries store their answers under them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhengji.media.filerules import FileRule

from .schema import FILE_KINDS

TYPE_LABELS = {
    "text": _("Short text"), "longtext": _("Long text"), "richtext": _("Formatted text"), "number": _("Number"),
    "choice": _("One choice"), "multichoice": _("Several choices"), "date": _("Date"), "url": _("Web address"),
    "file": _("File upload"),
}
KIND_LABELS = {"video": _("Video"), "audio": _("Audio"), "image": _("Image"), "document": _("Document")}
TEXT_ATTRS = ["key", "type", "label", "label_en", "help", "help_en", "max_length", "min_words", "max_words",
              "min_value", "max_value", "file_extensions", "file_max_size_mb", "file_min_duration_s",
              "file_max_duration_s", "file_min_width", "file_min_height", "file_min_megapixels", "file_min_count",
              "file_max_count"]
FILE_NUMBERS = ["max_size_mb", "min_duration_s", "max_duration_s", "min_width", "min_height", "min_megapixels",
                "min_count", "max_count"]
CHOICE_ATTRS = ("value", "label", "label_en")
# Shown for a file field whose stored rule leaves them out (the schema omits defaults).
FILE_DEFAULTS = {a: FileRule.model_fields[a].default for a in ("min_count", "max_count")}


def empty_row(n: int = 1) -> dict:
    row: dict[str, Any] = dict.fromkeys(TEXT_ATTRS, "")
    row.update(type="text", required=False, identifying=False, file_kinds=[], choice_rows=[])
    return row


def empty_choice() -> dict:
    return dict.fromkeys(CHOICE_ATTRS, "")


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def rows_from_schema(schema: list) -> list[dict]:
    rows = []
    for i, f in enumerate(schema or [], start=1):
        if not isinstance(f, dict):
            continue
        row = empty_row(i)
        for a in ("key", "type", "label", "label_en", "help", "help_en", "max_length", "min_words", "max_words",
                  "min_value", "max_value"):
            row[a] = _s(f.get(a))
        row["required"] = bool(f.get("required"))
        row["identifying"] = bool(f.get("identifying"))
        row["choice_rows"] = [{a: _s(c.get(a)) for a in CHOICE_ATTRS}
                              for c in f.get("choices") or [] if isinstance(c, dict)]
        rule = f.get("file") or {}
        row["file_kinds"] = list(rule.get("kinds") or [])
        row["file_extensions"] = ", ".join(rule.get("extensions") or [])
        for a in FILE_NUMBERS:
            value = rule.get(a)
            if value is None and f.get("type") == "file":
                value = FILE_DEFAULTS.get(a)
            row[f"file_{a}"] = _s(value)
        rows.append(row)
    return rows


def _choices_from_lines(text: str) -> list[dict]:
    """The old one-line-per-option form `value|label|English label` (still accepted when posted)."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [x.strip() for x in line.split("|")]
        out.append({"value": parts[0], "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
                    "label_en": parts[2] if len(parts) > 2 else ""})
    return out


def _count(post, name: str, limit: int) -> int:
    try:
        return max(0, min(int(post.get(name, 0)), limit))
    except ValueError:
        return 0


def rows_from_post(post) -> list[dict]:
    rows = []
    for i in range(_count(post, "count", 200)):
        p = f"f-{i}-"
        if p + "type" not in post:
            continue
        row = empty_row()
        row.update({a: post.get(p + a, "").strip() for a in TEXT_ATTRS})
        row["type"] = row["type"] or "text"
        row["required"] = post.get(p + "required") in ("on", "1", "true")
        row["identifying"] = post.get(p + "identifying") in ("on", "1", "true")
        row["file_kinds"] = [k for k in post.getlist(p + "file_kinds") if k in FILE_KINDS]
        if p + "choices" in post:
            row["choice_rows"] = _choices_from_lines(post.get(p + "choices", ""))
        else:
            row["choice_rows"] = [{a: post.get(f"{p}c-{j}-{a}", "").strip() for a in CHOICE_ATTRS}
                                  for j in range(_count(post, p + "ccount", 100))]
        rows.append(row)
    return rows


def _num(v: str):
    """Numbers stay numbers; anything else is passed on as typed for the schema to reject."""
    v = (v or "").strip()
    if v == "":
        return None
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def fill_generated(rows: list[dict]) -> None:
    """Give every field without a key the key `field_<n>` and every option without a value the
    lowest unused number, in place, so the page shows them after a failed save too."""
    keys = {r["key"] for r in rows if r.get("key")}
    n = 1
    for r in rows:
        if not r.get("key"):
            while f"field_{n}" in keys:
                n += 1
            r["key"] = f"field_{n}"
            keys.add(r["key"])
        if r.get("type") in ("choice", "multichoice"):
            kept = [c for c in r.get("choice_rows") or [] if c.get("label") or c.get("label_en")]
            values = {c["value"] for c in kept if c.get("value")}
            v = 1
            for c in kept:
                if not c.get("value"):
                    while str(v) in values:
                        v += 1
                    c["value"] = str(v)
                    values.add(c["value"])
            r["choice_rows"] = kept


def schema_from_rows(rows: list[dict]) -> list[dict]:
    fill_generated(rows)
    schema = []
    for r in rows:
        f: dict = {"key": r["key"], "type": r["type"], "label": r["label"]}
        for a in ("label_en", "help", "help_en"):
            if r.get(a):
                f[a] = r[a]
        if r.get("required"):
            f["required"] = True
        if r.get("identifying"):
            f["identifying"] = True
        t = r["type"]
        if t == "text" and r.get("max_length"):
            f["max_length"] = _num(r["max_length"])
        if t in ("longtext", "richtext"):
            for a in ("min_words", "max_words"):
                if r.get(a):
                    f[a] = _num(r[a])
        if t == "number":
            for a in ("min_value", "max_value"):
                if r.get(a):
                    f[a] = _num(r[a])
        if t in ("choice", "multichoice"):
            choices = []
            for c in r.get("choice_rows") or []:
                choice = {"value": c["value"], "label": c.get("label") or c.get("label_en", "")}
                if c.get("label_en"):
                    choice["label_en"] = c["label_en"]
                choices.append(choice)
            f["choices"] = choices
        if t == "file":
            rule: dict = {"kinds": r.get("file_kinds") or []}
            typed = (r.get("file_extensions") or "").replace("，", ",")
            exts = [e.strip().lstrip(".").lower() for e in typed.split(",")]
            if any(exts):
                rule["extensions"] = [e for e in exts if e]
            for a in FILE_NUMBERS:
                if r.get(f"file_{a}"):
                    rule[a] = _num(r[f"file_{a}"])
            f["file"] = rule
        schema.append(f)
    return schema


def apply_action(rows: list[dict], action: str) -> list[dict]:
    """add / remove-<i> / up-<i> / down-<i> / addchoice-<i> / rmchoice-<i>-<j>: edit the rows
    without saving."""
    rows = list(rows)
    if action == "add":
        rows.append(empty_row(len(rows) + 1))
        return rows
    verb, _sep, rest = action.partition("-")
    first, _sep, second = rest.partition("-")
    try:
        i = int(first)
        j = int(second) if second else -1
    except ValueError:
        return rows
    if not 0 <= i < len(rows):
        return rows
    if verb == "remove":
        rows.pop(i)
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    elif verb == "addchoice":
        rows[i]["choice_rows"] = [*rows[i]["choice_rows"], empty_choice()]
    elif verb == "rmchoice" and 0 <= j < len(rows[i]["choice_rows"]):
        rows[i]["choice_rows"] = [c for n, c in enumerate(rows[i]["choice_rows"]) if n != j]
    return rows


# --- the preview of the entry form ------------------------------------------------------------
# The entry form belongs to an app above this one (entries); it registers how the form looks to
# a worker here, in its AppConfig.ready(), so the builder can show it without importing it.
PreviewRenderer = Callable[[Any, Any, list], str]
_preview: dict[str, PreviewRenderer] = {}


def register_preview(renderer: PreviewRenderer) -> None:
    """`renderer(request, track, fields) -> html`: the entry form of `track` built from the
    parsed `fields`, as an entrant sees it (inputs disabled)."""
    _preview["entry_form"] = renderer


def render_preview(request, track, fields: list) -> str:
    renderer = _preview.get("entry_form")
    return renderer(request, track, fields) if renderer is not None else ""
