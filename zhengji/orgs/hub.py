"""The organisations panel of the staff hub and the membership panel of the personal centre
(registered in OrgsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import localized
from zhengji.common.registry import Panel, PanelItem

from .models import Membership, MembershipStatus, Organization
from .queries import pending_count


def hub_panels(user: Any) -> list[Panel]:
    """The organisations this user administers: every root for a superuser, else the roots of
    the administered subtrees; first, how many membership requests wait in those subtrees."""
    if user.is_superuser:
        orgs = list(Organization.objects.get_root_nodes())
    else:
        ids = scopes_for(user).admin_org_ids
        orgs = list(Organization.objects.filter(pk__in=ids).order_by("path")) if ids else []
    if not orgs:
        return []
    n = pending_count(user)
    waiting = PanelItem(ngettext("%(n)d member awaiting confirmation", "%(n)d members awaiting confirmation", n)
                        % {"n": n}, reverse("orgs:pending"),
                        _("Confirm or decline them") if n else _("Nobody is waiting"))
    items = tuple(PanelItem(localized(o, "name"), reverse("orgs:detail", args=[o.pk]), o.get_kind_display())
                  for o in orgs)
    return [Panel("orgs", _("Organisations you administer"), icon="bi-diagram-3", items=(waiting, *items))]


def centre_panels(user: Any) -> list[Panel]:
    """In the worker's personal centre, while a request waits or after it was declined: what is
    happening and whom to ask."""
    m = (Membership.objects.select_related("org").filter(user=user)
         .exclude(status=MembershipStatus.CONFIRMED).first())
    if m is None:
        return []
    if m.status == MembershipStatus.PENDING:
        when = formats.date_format(m.requested_at or m.created, "Y-m-d")
        label = _("Your request to join %(org)s is awaiting confirmation (sent %(when)s).") % {
            "org": m.org.name, "when": when}
    else:
        label = _("Your request to join %(org)s was declined.") % {"org": m.org.name}
    item = PanelItem(label, reverse("join:index"), _("Status, and whom to contact"))
    return [Panel("orgs.membership", _("Your membership"), icon="bi-hourglass-split", items=(item,))]
