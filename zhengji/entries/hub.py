"""The entries panel of the staff hub (registered in EntriesConfig.ready): a unit admin's way to
本单位作品 (the entries of the unions they administer), with how many there are."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.registry import Panel, PanelItem

from .queries import View, entries_for


def hub_panels(user: Any) -> list[Panel]:
    if not scopes_for(user).admin_org_paths:
        return []
    n = entries_for(user, View.UNIT).count()
    item = PanelItem(_("Entries of my units"), reverse("entries:unit"),
                     _("Entries from the unions you administer: %(n)d") % {"n": n})
    return [Panel("entries.unit", _("Entries"), icon="bi-collection", items=(item,))]
