"""The entry form builder's rows: one flat dict of strings per field, as the page shows and posts
them (`f-<i>-<attr>`), converted to and from the schema format of campaigns.schema. What the admin
typed is kept as typed so an error never loses it; parse_schema decides what is valid."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .schema import FILE_KINDS

TYPE_LABELS = {
    "text": _("Short text"), "longtext": _("Long text"), "richtext": _("Formatted text"), "number": _("Number"),
    "choice": _("One choice"), "multichoice": _("Several choices"), "date": _("Date"), "url": _("Web address"),
    "file": _("File upload"),
}
KIND_LABELS = {"video": _("Video"), "audio": _("Audio"), "image": _("Image"), "document": _("Document")}
TEXT_ATTRS = ["key", "type", "label", "label_en", "help", "help_en", "max_length", "min_words", "max_words",
              "min_value", "max_value", "choices", "file_extensions", "file_max_size_mb", "file_min_duration_s",
              "file_max_duration_s", "file_min_width", "file_min_height", "file_min_megapixels", "file_min_count",
              "file_max_count"]
FILE_NUMBERS = ["max_size_mb", "min_duration_s", "max_duration_s", "min_width", "min_height", "min_megapixels",
                "min_count", "max_count"]


def empty_row(n: int = 1) -> dict:
    row: dict[str, Any] = dict.fromkeys(TEXT_ATTRS, "")
    row.update(key=f"field_{n}", type="text", required=False, file_kinds=[])
    return row


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
        row["choices"] = "\n".join(
            "|".join(x for x in (c.get("value", ""), c.get("label", ""), c.get("label_en", "")) if x is not None)
            for c in f.get("choices") or [] if isinstance(c, dict))
        rule = f.get("file") or {}
        row["file_kinds"] = list(rule.get("kinds") or [])
        row["file_extensions"] = ", ".join(rule.get("extensions") or [])
        for a in FILE_NUMBERS:
            row[f"file_{a}"] = _s(rule.get(a))
        rows.append(row)
    return rows


def rows_from_post(post) -> list[dict]:
    try:
        count = min(int(post.get("count", 0)), 200)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        p = f"f-{i}-"
        if p + "key" not in post:
            continue
        row = {a: post.get(p + a, "").strip() if a != "choices" else post.get(p + a, "") for a in TEXT_ATTRS}
        row["required"] = post.get(p + "required") in ("on", "1", "true")
        row["file_kinds"] = [k for k in post.getlist(p + "file_kinds") if k in FILE_KINDS]
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


def schema_from_rows(rows: list[dict]) -> list[dict]:
    schema = []
    for r in rows:
        f: dict = {"key": r["key"], "type": r["type"], "label": r["label"]}
        for a in ("label_en", "help", "help_en"):
            if r.get(a):
                f[a] = r[a]
        if r.get("required"):
            f["required"] = True
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
            for line in (r.get("choices") or "").splitlines():
                if not line.strip():
                    continue
                parts = [x.strip() for x in line.split("|")]
                value = parts[0]
                label = parts[1] if len(parts) > 1 and parts[1] else value
                c = {"value": value, "label": label}
                if len(parts) > 2 and parts[2]:
                    c["label_en"] = parts[2]
                choices.append(c)
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
    """add / remove-<i> / up-<i> / down-<i>: edit the list of rows without saving."""
    rows = list(rows)
    if action == "add":
        keys = {r["key"] for r in rows}
        n = len(rows) + 1
        while f"field_{n}" in keys:
            n += 1
        rows.append(empty_row(n))
        return rows
    verb, _sep, idx = action.partition("-")
    try:
        i = int(idx)
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
    return rows
