"""Start-up wiring of the gallery area (signals, registries), called from PublicConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.common import registry
from zhengji.common.i18n import localized
from zhengji.common.registry import Panel, PanelItem
from zhengji.entries.models import Entry, EntryStatus

from . import audit_sentences
from .domain import showcase as domain
from .gate import SHOWABLE_STATES
from .rules import showcase_tracks_q

HUB_TRACKS = 20
BEFORE_HOST = frozenset({EntryStatus.DRAFT, EntryStatus.SUBMITTED, EntryStatus.RECOMMENDED, EntryStatus.RETURNED,
                         EntryStatus.REJECTED})
CENTRE_ENTRIES = 10


def _entry_saved(sender: Any, instance: Entry, **kw: Any) -> None:
    # After the commit: authors are written after the entry row in the same transaction, and a
    # decision's status must be final before the gallery follows it. An entry still with its unit
    # never was in the gallery (no query for drafts and autosaves).
    if kw.get("raw") or instance.status in BEFORE_HOST:
        return
    pk = instance.pk
    transaction.on_commit(lambda: domain.sync_entries([pk]))


def hub_panels(user: Any) -> list[Panel]:
    """Staff hub: the tracks whose gallery this user manages, with entries awaiting approval."""
    if not user.is_authenticated:
        return []
    s = scopes_for(user)
    if not (user.is_superuser or s.host_tracks or s.campaign_admin):
        return []
    q = showcase_tracks_q(user)
    qs = Track.objects.select_related("campaign").order_by("-campaign__year", "campaign_id", "number")
    tracks = list((qs.filter(q) if q is not None else qs)[:HUB_TRACKS])
    if not tracks:
        return []
    pending = dict(Entry.objects.filter(track_id__in=[t.pk for t in tracks], status__in=SHOWABLE_STATES)
                   .exclude(showcase__approved=True).values("track_id").annotate(n=Count("id"))
                   .values_list("track_id", "n"))
    items = tuple(PanelItem(f"{localized(t.campaign, 'name')} · {localized(t, 'name')}",
                            reverse("public:showcase_manage", args=[t.pk]),
                            _("Awaiting display approval: %(n)d") % {"n": pending.get(t.pk, 0)})
                  for t in tracks)
    return [Panel("public.gallery", _("Gallery display"), icon="bi-images", items=items)]


def centre_panels(user: Any) -> list[Panel]:
    """Personal centre: the public status of the user's entries, each linking to its credit page."""
    if not user.is_authenticated:
        return []
    entries = list(Entry.objects.filter(submitter_id=user.pk).exclude(status=EntryStatus.DRAFT)
                   .select_related("showcase").order_by("-id")[:CENTRE_ENTRIES])
    if not entries:
        return []
    items = []
    for e in entries:
        row = getattr(e, "showcase", None)
        if row is not None and row.listed:
            note = _("Shown in the gallery")
        elif e.status in SHOWABLE_STATES:
            note = _("Awaiting display approval")
        else:
            note = _("Not public")
        items.append(PanelItem(e.title or str(e), reverse("public:credit", args=[e.pk]), note))
    return [Panel("public.credit", _("My entries in public"), icon="bi-eye", items=tuple(items))]


def connect() -> None:
    audit_sentences.register_gallery()
    post_save.connect(_entry_saved, sender=Entry, weak=False, dispatch_uid="public.gallery.entry_saved")
    registry.hub.register("public.gallery", hub_panels, order=40)
    registry.centre.register("public.credit", centre_panels, order=55)
