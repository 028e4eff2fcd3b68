"""`{% originality_flags entry %}` (staff: the entry's flags, with the score and the matched work)
and `{% ai_label_of entry as label %}` (public: the explicit AI label). Both are batched: the first
call on a page loads the answer for every entry the page lists (found in the template context:
rows with `.entry`, a page or list of entries) in one query and keeps it on the request, so a list
page costs the same number of queries whatever its length."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.core.paginator import Page
from django.db.models import QuerySet

from ..labels import ai_labels
from ..queries import flags_by_entry

register = template.Library()

MAX_SIBLINGS = 1000


def _entry_id(obj: Any) -> int | None:
    """An Entry, a projection with `id`, or a row with `.entry`."""
    from zhengji.entries.models import Entry  # noqa: PLC0415 (template libraries load before models)

    if isinstance(obj, Entry):
        return obj.pk
    inner = getattr(obj, "entry", None) if not isinstance(obj, dict) else obj.get("entry")
    if isinstance(inner, Entry):
        return inner.pk
    return None


def _listed(value: Any) -> Iterable[Any]:
    if isinstance(value, Page):
        return value.object_list if not isinstance(value.object_list, QuerySet) or \
            value.object_list._result_cache is not None else []
    if isinstance(value, QuerySet):
        return value._result_cache or []  # never evaluate a queryset the page has not
    if isinstance(value, list | tuple):
        return value
    return []


def _siblings(context: template.Context) -> set[int]:
    ids: set[int] = set()
    for value in context.flatten().values():
        for item in list(_listed(value))[:MAX_SIBLINGS]:
            pk = _entry_id(item)
            if pk is not None:
                ids.add(pk)
    return ids


def _cached(context: template.Context, name: str, entry_id: int, load: Any) -> Any:
    holder = context.get("request") or context.render_context
    cache: dict[int, Any] | None = (getattr(holder, name, None) if not isinstance(holder, dict)
                                    else holder.get(name))
    if cache is None or entry_id not in cache:
        ids = _siblings(context) | {entry_id}
        fresh = load(ids)
        cache = {**(cache or {}), **{i: fresh.get(i) for i in ids}}
        if isinstance(holder, dict) or not hasattr(holder, "__dict__"):
            holder[name] = cache
        else:
            setattr(holder, name, cache)
    return cache.get(entry_id)


@register.inclusion_tag("originality/_flags.html", takes_context=True)
def originality_flags(context: template.Context, entry: Any, compact: bool = False) -> dict[str, Any]:
    """The entry's flags for a viewer who may see them (nothing for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    pk = _entry_id(entry) or getattr(entry, "pk", None) or getattr(entry, "id", None)
    if user is None or pk is None or not _may_view(user, entry, pk):
        return {"flags": [], "compact": compact}
    flags = _cached(context, "_originality_flags", int(pk), flags_by_entry) or []
    out = {"flags": flags, "compact": compact, "request": request, "entry_id": int(pk)}
    if not compact:  # the entry's own staff page: the "suspected AI-generated" mark and its form
        out.update(_suspicion(user, entry, int(pk)))
    return out


def _suspicion(user: Any, entry: Any, pk: int) -> dict[str, Any]:
    from zhengji.entries.models import Entry  # noqa: PLC0415 (template libraries load before models)

    from ..domain import suspicion_of  # noqa: PLC0415 (keeps the library import light)

    obj = entry if isinstance(entry, Entry) else Entry.objects.select_related("unit", "track").filter(pk=pk).first()
    return {"suspicion": suspicion_of(pk), "show_suspicion": True,
            "can_suspect": bool(obj is not None and user.has_perm("originality.mark_suspected", obj))}


def _may_view(user: Any, entry: Any, pk: int) -> bool:
    from zhengji.entries.models import Entry  # noqa: PLC0415 (template libraries load before models)

    from ..rules import may_see_any  # noqa: PLC0415 (keeps the library import light)

    if not may_see_any(user):
        return False
    obj = entry if isinstance(entry, Entry) else getattr(entry, "entry", None)
    if not isinstance(obj, Entry):
        obj = Entry.objects.select_related("unit", "track").filter(pk=pk).first()
    return bool(obj is not None and user.has_perm("originality.view_flags", obj))


@register.simple_tag(takes_context=True)
def ai_label_of(context: template.Context, entry: Any) -> str:
    """The explicit AI label of an entry (or an entry id), "" when it has none."""
    pk = entry if isinstance(entry, int) else (_entry_id(entry) or getattr(entry, "pk", None)
                                               or getattr(entry, "id", None))
    if pk is None:
        return ""
    return _cached(context, "_originality_ai_labels", int(pk), ai_labels) or ""
