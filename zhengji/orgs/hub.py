"""The organisations panel of the staff hub (registered in OrgsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import localized
from zhengji.common.registry import Panel, PanelItem

from .models import Organization


def hub_panels(user: Any) -> list[Panel]:
    """The organisations this user administers: every root for a superuser, else the roots of
    the administered subtrees."""
    if user.is_superuser:
        orgs = list(Organization.objects.get_root_nodes())
    else:
        ids = scopes_for(user).admin_org_ids
        orgs = list(Organization.objects.filter(pk__in=ids).order_by("path")) if ids else []
    if not orgs:
        return []
    items = tuple(PanelItem(localized(o, "name"), reverse("orgs:detail", args=[o.pk]), o.get_kind_display())
                  for o in orgs)
    return [Panel("orgs", _("Organisations you administer"), icon="bi-diagram-3", items=items)]
