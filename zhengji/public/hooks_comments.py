"""Start-up wiring of the comments area (signals, registries), called from PublicConfig.ready():
its permission predicates, its audit sentences and its card on the staff hub. Imported only from
ready(), so the models are loaded."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign
from zhengji.common import registry
from zhengji.common.i18n import localized
from zhengji.common.registry import Panel, PanelItem

from . import comments_audit, comments_rules
from .domain import comments as domain


def hub_panels(user: Any) -> list[Panel]:
    """Moderators' card: how many comments wait, are reported, are held for words; the settings
    of the campaigns the user administers; the global word list for superusers."""
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
    administered = (Campaign.objects.filter(pk__in=sorted(scopes_for(user).campaign_admin))
                    .order_by("-year", "pk").only("slug", "name", "name_en")[:10])
    items += [PanelItem(_("Comment settings: %(campaign)s") % {"campaign": localized(c, "name")},
                        reverse("public:comment_settings", args=[c.slug])) for c in administered]
    if user.is_superuser:
        items.append(PanelItem(_("Global sensitive words"), reverse("public:comment_words")))
    return [Panel("public.comments", _("Comments"), icon="bi-chat-dots", items=tuple(items))]


def connect() -> None:
    # comments_rules registered its permissions when imported (above).
    comments_audit.register()
    registry.hub.register("public.comments", hub_panels, order=60)
