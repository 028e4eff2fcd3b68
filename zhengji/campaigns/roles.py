"""The roles campaigns owns, registered from `CampaignsConfig.ready()`:

- campaign admin and moderator of a campaign;
- host-unit staff and judge of a track.

Who grants them: campaign admins grant campaign admin and moderator for their campaign, host staff
and judges for its tracks; host-unit staff appoint judges for their own track (superusers: all)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhengji.accounts import roles
from zhengji.accounts import scopes as role_scopes
from zhengji.accounts.scopes import scopes_for
from zhengji.common.i18n import localized

from .models import Campaign, Track


class CampaignRole(StrEnum):
    CAMPAIGN_ADMIN = role_scopes.CAMPAIGN_ADMIN
    MODERATOR = role_scopes.MODERATOR
    HOST_STAFF = role_scopes.HOST_STAFF
    JUDGE = role_scopes.JUDGE


CAMPAIGN_ROLES = (CampaignRole.CAMPAIGN_ADMIN, CampaignRole.MODERATOR)
TRACK_ROLES = (CampaignRole.HOST_STAFF, CampaignRole.JUDGE)


def _campaign_admin_of(actor: Any, campaign: Campaign) -> bool:
    return campaign.pk in scopes_for(actor).campaign_admin


def _may_appoint_host(actor: Any, track: Track) -> bool:
    return track.campaign_id in scopes_for(actor).campaign_admin


def _may_appoint_judge(actor: Any, track: Track) -> bool:
    s = scopes_for(actor)
    return track.campaign_id in s.campaign_admin or track.pk in s.host_tracks


def _describe_campaign(campaign: Campaign) -> str:
    return localized(campaign, "name")


def _describe_track(track: Track) -> str:
    return f"{localized(track, 'name')} ({localized(track.campaign, 'name')})"


def _campaign_audit(campaign: Campaign) -> Mapping[str, Any]:
    return {"campaign_id": campaign.pk}


def _track_audit(track: Track) -> Mapping[str, Any]:
    return {"campaign_id": track.campaign_id}


def register() -> None:
    for name, label in ((CampaignRole.CAMPAIGN_ADMIN, _("Campaign admin")), (CampaignRole.MODERATOR, _("Moderator"))):
        roles.register(roles.RoleKind(
            name=name, label=label, scope_model="campaigns.campaign", may_grant=_campaign_admin_of,
            describe=_describe_campaign, audit_scope=_campaign_audit, scope_label=_("campaign")))
    roles.register(roles.RoleKind(
        name=CampaignRole.HOST_STAFF, label=_("Host-unit staff"), scope_model="campaigns.track",
        may_grant=_may_appoint_host, describe=_describe_track, related=("campaign",), audit_scope=_track_audit,
        scope_label=_("track")))
    roles.register(roles.RoleKind(
        name=CampaignRole.JUDGE, label=_("Judge"), scope_model="campaigns.track",
        may_grant=_may_appoint_judge, describe=_describe_track, related=("campaign",), audit_scope=_track_audit,
        scope_label=_("track")))
