"""The activities app's plug-ins into the media file service (registered in
`ActivitiesConfig.ready()`):

- the ingest target `activity_photo`: an image (jpg, png, webp; at most 20 MB) uploaded by someone
  who may record activities in the campaign named by the field `campaign`; an activity holds at
  most `MAX_PHOTOS` of them (checked when they are attached, `services.set_photos`);
- the viewer rule `activities.unit_admin`: the admins of the activity's unit subtree and the
  campaign's admins may see the renditions of its photos. Originals stay with their uploader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from zhengji.accounts.rules import is_superuser, is_unit_admin
from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Campaign
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.numbers import parse_id
from zhengji.media.filerules import FileRule
from zhengji.media.models import MediaFile
from zhengji.media.targets import Target

from .models import ActivityPhoto

TARGET_NAME = "activity_photo"
VIEWER_RULE_NAME = "activities.unit_admin"
PURPOSE = "activity_photo"
MAX_PHOTOS = 9
PHOTO_RULE = FileRule(kinds=["image"], extensions=["jpg", "jpeg", "png", "webp"], max_size_mb=20,
                      max_count=MAX_PHOTOS)


def photo_target(campaign: Campaign) -> Target:
    return Target(rule=PHOTO_RULE, purpose=PURPOSE, label=_("Photos"), label_en="Photos", required=False,
                  campaign_id=campaign.pk, fields={"target": TARGET_NAME, "campaign": str(campaign.pk)})


def resolve_activity_photo(data: Mapping[str, Any], user: AbstractBaseUser) -> Target:
    """The `activity_photo` resolver: `campaign` (id) from the ingest request; only those who may
    record activities (unit admins, superusers) upload photos."""
    raw = str(data.get("campaign", ""))
    campaign_pk = parse_id(raw)
    campaign = Campaign.objects.filter(pk=campaign_pk).first() if campaign_pk else None
    if campaign is None:
        raise DomainError(_("Choose a valid campaign."), code="invalid_campaign")
    if not (is_superuser(user) or is_unit_admin(user)):
        raise NotPermitted(_("Only unit administrators upload activity photos."))
    return photo_target(campaign)


def unit_admin_sees_activity_photo(user: AbstractBaseUser | AnonymousUser, media: MediaFile) -> bool:
    """Admins of the activity's unit subtree and the campaign's admins see its photos. No query for
    someone who administers nothing."""
    scopes = scopes_for(user)
    if not scopes.admin_org_paths and not scopes.campaign_admin:
        return False
    row = (ActivityPhoto.objects.filter(media_id=media.pk)
           .values_list("activity__org__path", "activity__campaign_id").first())
    if row is None:
        return False
    path, campaign_id = row
    return scopes.administers_path(path) or campaign_id in scopes.campaign_admin
