"""Start-up wiring of the comments area (signals, registries), called from PublicConfig.ready():
its permission predicates, its audit sentences and its card on the staff hub."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.common import registry
from zhengji.common.registry import Panel, PanelItem


def hub_panels(user: Any) -> list[Panel]:
    """Moderators' card: how many comments wait, reported, held for words; the settings."""
    from . import comments_rules  # noqa: PLC0415 (imports models: loaded only after ready())
    from .domain import comments as domain  # noqa: PLC0415 (as above)

    if not comments_rules.may_moderate_any(user):
        return []
    counts = domain.queue_counts(user)
    queue = reverse("public:comment_queue")
    items = [
        PanelItem(ngettext("%(n)d comment awaiting moderation", "%(n)d comments awaiting moderation",
                           counts["pending"]) % {"n": counts["pending"]}, f"{queue}?state=pending"),
        PanelItem(ngettext("%(n)d reported comment", "%(n)d reported comments", counts["reported"])
                  % {"n": counts["reported"]}, f"{queue}?state=reported"),
        PanelItem(ngettext("%(n)d comment held for sensitive words", "%(n)d comments held for sensitive words",
                           counts["held"]) % {"n": counts["held"]}, f"{queue}?state=held"),
    ]
    if user.is_superuser:
        items.append(PanelItem(_("Global sensitive words"), reverse("public:comment_words")))
    return [Panel("public.comments", _("Comments"), icon="bi-chat-dots", items=tuple(items))]


def connect() -> None:
    from . import comments_audit, comments_rules  # noqa: F401, PLC0415 (rules register on import; after apps load)

    comments_audit.register()
    registry.hub.register("public.comments", hub_panels, order=60)
