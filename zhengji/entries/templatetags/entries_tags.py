from __future__ import annotations

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from zhengji.campaigns.policy import format_when
from zhengji.entries.answers import sanitize_rich
from zhengji.entries.models import Entry, EntryStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def uploader(context, field, track, existing, value=None, unfinished=None):
    """The media uploader widget of a file slot (media/_uploader.html from the media app). Its
    contract: a hidden input named field.key holding comma-separated MediaFile ids. Until that
    template exists, a plain hidden input stands in."""
    try:
        tpl = get_template("media/_uploader.html")
    except TemplateDoesNotExist:
        tpl = get_template("entries/_uploader_fallback.html")
    ctx = context.flatten()
    if value is None:
        value = ",".join(str(m.pk) for m in existing)
    ctx.update({"field": field, "track": track, "existing": existing, "value": value, "unfinished": unfinished or []})
    return tpl.render(ctx, context.get("request"))


@register.simple_tag
def recent_entries(user, limit=5):
    """The user's latest entries, for the personal centre (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Entry.objects.filter(submitter=user).select_related("track").order_by("-updated", "-id")[:limit])


STATUS_BADGES = {
    "draft": "secondary", "submitted": "primary", "returned": "warning", "withdrawn": "dark",
    "rejected": "danger", "disqualified": "danger", "recommended": "success", "reported": "success",
    "eligible": "success", "scored": "info", "awarded": "success", "not_awarded": "secondary", "published": "success",
}


@register.filter
def rich(value) -> str:
    """Rich-text answers are sanitised on save; sanitise again on output in case the schema
    changed a field's type after it was answered."""
    return mark_safe(sanitize_rich(str(value or "")))  # noqa: S308 - nh3 output


@register.filter
def when(value) -> str:
    """A deadline as the policy words it: local date and time with the zone (北京时间)."""
    return format_when(value) if value else ""


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "secondary")


@register.filter
def filesize(n) -> str:
    try:
        n = float(n)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


ACTION_LABELS = {
    "entry.create": _("Draft started"),
    "entry.save": _("Draft saved"),
    "entry.edit": _("Changed after submission"),
    "entry.submit": _("Submitted"),
    "entry.resubmit": _("Resubmitted"),
    "entry.return": _("Returned for changes"),
    "entry.withdraw": _("Withdrawn"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def status_label(value) -> str:
    try:
        return str(EntryStatus(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def join_if_list(value) -> str:
    """A multichoice answer (a list) as 、-joined text; anything else as it is."""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value
