"""The entries app's plug-ins into the media file service (registered in `EntriesConfig.ready()`):

- the ingest target `entry_slot` (the default): an upload for a track's file field, named by the
  fields `track` (id) and `slot` (the field's key), is checked against that field's FileRule;
- the viewer rule `entries.unit_admin`: a unit admin of the entry's unit (or an ancestor) may see
  the renditions and status of the files of an entry that is no longer a draft. Drafts stay
  private to their entrant; originals stay with the owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.campaigns.models import Track
from zhengji.campaigns.schema import FieldDef, parse_schema
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_id
from zhengji.media.models import MediaFile
from zhengji.media.targets import Target

from .models import EntryFile, EntryStatus
from .queries import View, entries_for

TARGET_NAME = "entry_slot"
VIEWER_RULE_NAME = "entries.unit_admin"
JUDGE_RULE_NAME = "entries.judge"


def track_slot_target(track: Track, slot_key: str) -> Target:
    """The ingest target of `track`'s file field `slot_key`; DomainError when there is none."""
    try:
        fields: dict[str, FieldDef] = {f.key: f for f in parse_schema(track.form_schema)}
    except ValidationError:
        fields = {}
    field = fields.get(slot_key)
    if field is None or field.type != "file":
        raise DomainError(_("This track's form has no such file field."), code="invalid_slot")
    if field.file is None:
        raise DomainError(_("This form has no file field “%(slot)s”.") % {"slot": slot_key}, code="no_such_slot")
    return Target(rule=field.file, purpose=slot_key, label=field.label, label_en=field.label_en,
                  required=field.required, campaign_id=track.campaign_id,
                  fields={"track": str(track.pk), "slot": slot_key})


def resolve_entry_slot(data: Mapping[str, Any], user: AbstractBaseUser) -> Target:
    """The `entry_slot` resolver: `track` (id) and `slot` from the ingest request."""
    track_id, slot = str(data.get("track", "")), str(data.get("slot", ""))
    track_pk = parse_id(track_id)
    track = Track.objects.filter(pk=track_pk).select_related("campaign").first() if track_pk else None
    if track is None:
        raise DomainError(_("Choose a valid track."), code="invalid_track")
    return track_slot_target(track, slot)


def unit_admin_sees_entry_file(user: AbstractBaseUser | AnonymousUser, media: MediaFile) -> bool:
    """A unit admin sees the renditions of the files of the non-draft entries of their subtree.
    No query for someone who administers nothing."""
    scopes = scopes_for(user)
    if not scopes.admin_org_paths:
        return False
    path = (EntryFile.objects.filter(media_id=media.pk).exclude(entry__status=EntryStatus.DRAFT)
            .values_list("entry__unit__path", flat=True).first())
    return path is not None and scopes.administers_path(path)


def judge_sees_entry_file(user: AbstractBaseUser | AnonymousUser, media: MediaFile) -> bool:
    """A judge sees the renditions (stripped of metadata) of the files of the entries the gate
    gives them in the judge view (blind review); never an original. No query for a non-judge."""
    if not scopes_for(user).judge_tracks:
        return False
    entry_id = EntryFile.objects.filter(media_id=media.pk).values_list("entry_id", flat=True).first()
    return entry_id is not None and entries_for(user, View.JUDGE).filter(pk=entry_id).exists()
