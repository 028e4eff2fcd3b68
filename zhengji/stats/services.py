"""Picking outstanding units and individuals (issue 9, point 8): one audited function each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Campaign
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.orgs.models import Organization

from . import queries
from .models import OutstandingPick, Participant, PickKind


def _check(actor: Any, campaign: Campaign) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm("stats.pick_outstanding", campaign):
        raise NotPermitted(_("Only the campaign's administrators pick outstanding units and individuals."))


def pick_unit(actor: Any, campaign: Campaign, org: Organization, *, note: str = "") -> OutstandingPick:
    """Pick an organisation of the campaign's subtree, with its indicators as they stand now."""
    _check(actor, campaign)
    if not org.path.startswith(campaign.org.path) or org.pk == campaign.org_id:
        raise DomainError(_("Only a unit below the campaign's organisation can be picked."), code="not_in_campaign")
    found = queries.unit_candidates(campaign, org.depth, only=org)
    indicators = found[0].indicators() if found else {}
    return _create(actor, OutstandingPick(campaign=campaign, kind=PickKind.UNIT, org=org, note=note.strip()[:500],
                                          indicators=indicators, picked_by=actor))


def pick_individual(actor: Any, campaign: Campaign, user_id: int, *, note: str = "") -> OutstandingPick:
    """Pick a worker who took part in the campaign, with their indicators as they stand now."""
    _check(actor, campaign)
    rows = list(queries.individuals(campaign).filter(user_id=user_id))
    user = get_user_model().objects.filter(pk=user_id).first()
    if not rows or user is None:
        raise DomainError(_("Only a worker with entries in this campaign can be picked."), code="not_participant")
    r = rows[0]
    indicators = {"entries": r["n"], "recommended": r["rec"], "reported": r["rep"], "awards": None}
    unit = Organization.objects.filter(path=r["unit_path"]).first()
    return _create(actor, OutstandingPick(campaign=campaign, kind=PickKind.INDIVIDUAL, user=user,
                                          note=note.strip()[:500], indicators=indicators, picked_by=actor),
                   org_path=unit.path if unit is not None else "")


def _create(actor: Any, pick: OutstandingPick, *, org_path: str | None = None) -> OutstandingPick:
    try:
        with transaction.atomic():
            pick.save()
            audit.record("stats.pick", pick, actor=actor, before=None, after=_state(pick), **_scope(pick, org_path))
    except IntegrityError:
        raise DomainError(_("This one has already been picked."), code="already_picked", status=409) from None
    return pick


def unpick(actor: Any, pick: OutstandingPick, *, reason: str = "") -> None:
    with transaction.atomic():
        locked = OutstandingPick.objects.select_for_update(of=("self",)).select_related(
            "campaign", "org").filter(pk=pick.pk).first()
        if locked is None:
            raise DomainError(_("This pick no longer exists."), code="not_found", status=404)
        _check(actor, locked.campaign)
        org_path = None
        if locked.user_id is not None:
            org_path = (Participant.objects.filter(campaign=locked.campaign, user_id=locked.user_id)
                        .order_by("-entries").values_list("path", flat=True).first() or "")
        audit.record("stats.unpick", locked, actor=actor, before=_state(locked), after=None,
                     reason=reason.strip()[:500], **_scope(locked, org_path))
        locked.delete()


def _state(pick: OutstandingPick) -> dict[str, Any]:
    return {"kind": pick.kind, "org": pick.org_id, "user": pick.user_id, "note": pick.note,
            "indicators": pick.indicators}


def _scope(pick: OutstandingPick, org_path: str | None) -> dict[str, Any]:
    if org_path is None:
        return {}
    return {"scope": audit.AuditScope(org_path=org_path, campaign_id=pick.campaign_id)}
