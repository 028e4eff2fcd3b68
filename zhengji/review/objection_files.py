"""Judging's plug-ins into the media file service for objections (registered in
`ReviewConfig.ready()` by `register()`):

- the ingest target `objection_evidence`: an image (jpg, png) or a PDF of at most 20 MB, uploaded
  by a logged-in user with a verified phone while the publicity named by the field `publicity`
  takes objections. The same target carries the scan of a unit's sealed letter (field `slot` =
  `sealed_letter`); an objection holds at most `MAX_EVIDENCE` evidence files (checked when it is
  filed, `domain.publicity.file_objection`);
- the viewer rule `review.objection`: the moderators and admins of the campaign and the staff who
  run the track's review see the files of its objections. They read evidence as it was sent, so
  the same rule opens the original (a PDF has no rendition to read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.numbers import parse_id
from zhengji.media import access, targets
from zhengji.media.filerules import FileRule
from zhengji.media.models import MediaFile
from zhengji.media.targets import Target

from .models import Objection, Publicity, PublicityStatus

TARGET_NAME = "objection_evidence"
VIEWER_RULE_NAME = "review.objection"
PURPOSE = "objection_evidence"
MAX_EVIDENCE = 10
MAX_SIZE_MB = 20
EXTENSIONS = ["jpg", "jpeg", "png", "pdf"]
KINDS = ("image", "document")
EVIDENCE_RULE = FileRule(kinds=["image", "document"], extensions=EXTENSIONS, max_size_mb=MAX_SIZE_MB,
                         max_count=MAX_EVIDENCE)
LETTER_RULE = FileRule(kinds=["image", "document"], extensions=EXTENSIONS, max_size_mb=MAX_SIZE_MB, max_count=1)


def objection_target(publicity: Publicity, *, letter: bool = False) -> Target:
    fields = {"target": TARGET_NAME, "publicity": str(publicity.pk)}
    if letter:
        return Target(rule=LETTER_RULE, purpose=PURPOSE, label=_("Scan of the sealed letter"),
                      label_en="Scan of the sealed letter", campaign_id=publicity.track.campaign_id,
                      fields={**fields, "slot": "sealed_letter"})
    return Target(rule=EVIDENCE_RULE, purpose=PURPOSE, label=_("Evidence"), label_en="Evidence",
                  campaign_id=publicity.track.campaign_id, fields={**fields, "slot": "evidence"})


def takes_objections(publicity: Publicity, at: Any = None) -> bool:
    at = at or timezone.now()
    return publicity.status == PublicityStatus.OPEN and publicity.starts <= at < publicity.ends


def resolve_objection_evidence(data: Mapping[str, Any], user: AbstractBaseUser) -> Target:
    """The `objection_evidence` resolver: `publicity` (id) from the ingest request; only a
    logged-in user with a verified phone, while the publicity takes objections."""
    if not user.is_authenticated:
        raise NotPermitted(_("Please log in to file an objection."))
    if not (getattr(user, "phone_verified", False) and getattr(user, "phone", "")):
        raise NotPermitted(_("Verify your mobile number before filing an objection."), code="phone_unverified")
    pk = parse_id(str(data.get("publicity", "")))
    publicity = Publicity.objects.select_related("track").filter(pk=pk).first() if pk else None
    if publicity is None:
        raise DomainError(_("These results are not on public notice."), code="invalid_publicity")
    if not takes_objections(publicity):
        raise DomainError(_("Objections to these results are no longer accepted."), code="not_open", status=409)
    return objection_target(publicity, letter=str(data.get("slot", "")) == "sealed_letter")


def staff_sees_objection_file(user: AbstractBaseUser | AnonymousUser, media: MediaFile) -> bool:
    """Moderators and admins of the campaign, and the track's review staff, see the files of its
    objections. No query for someone who holds none of these roles."""
    scopes = scopes_for(user)
    if not (scopes.moderator or scopes.campaign_admin or scopes.host_tracks):
        return False
    if media.purpose != PURPOSE:
        return False
    rows = (Objection.objects.filter(Q(evidence=media) | Q(sealed_letter=media))
            .values_list("publicity__track_id", "publicity__track__campaign_id").distinct()[:20])
    return any(track_id in scopes.host_tracks or campaign_id in scopes.moderator or campaign_id in scopes.campaign_admin
               for track_id, campaign_id in rows)


def register() -> None:
    targets.register(TARGET_NAME, resolve_objection_evidence)
    access.register_viewer(VIEWER_RULE_NAME, staff_sees_objection_file)
    access.register_original_reader(VIEWER_RULE_NAME, staff_sees_objection_file)
