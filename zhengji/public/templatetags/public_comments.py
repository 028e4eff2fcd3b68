"""{% comment_thread entry %} / {% comment_thread announcement %}: the first page of published
comments, rendered inside the entry and announcement pages (and so inside their cached HTML:
those pages are tagged "entry:<pk>" / "announcement:<pk>", which a comment's publication bumps)."""

from __future__ import annotations

from typing import Any

from django import template

from zhengji.campaigns.models import Announcement

from ..domain import comments as domain

register = template.Library()


def target_of_page_object(obj: Any) -> domain.Target | None:
    """The target of an object the including page already showed (so already through its gate)."""
    if obj is None or obj == "":
        return None
    if isinstance(obj, Announcement):
        return domain.Target("announcement", obj, obj.campaign_id, None)
    return domain.Target("entry", obj, obj.track.campaign_id, obj.track_id)


@register.inclusion_tag("public/comments/_thread_body.html", takes_context=True)
def comment_thread(context: template.Context, obj: Any) -> dict:
    tgt = target_of_page_object(obj)
    return {"target": tgt, "thread": domain.thread(tgt) if tgt is not None else None,
            "csrf_token": context.get("csrf_token"), "request": context.get("request")}
