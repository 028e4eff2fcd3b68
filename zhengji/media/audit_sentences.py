"""The sentences the audit log shows for this app's action codes (common.registry.audit_actions;
registered in the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("media", pgettext_lazy("audit kind", "Files"), order=70)
    actions.add("media.upload_created", _("%(actor)s started uploading %(object)s"), kind="media")
    actions.add("media.upload_completed", _("%(actor)s finished uploading %(object)s"), kind="media")
    actions.add("media.upload_terminated", _("%(actor)s cancelled the upload %(object)s"), kind="media")
    actions.add("media.upload_refused", _("%(actor)s uploaded %(object)s, which was refused as unsafe and deleted"),
                kind="media")
    actions.add("media.upload_expired", _("%(actor)s discarded the unfinished upload %(object)s"), kind="media")
    actions.add("media.created", _("%(actor)s added the file %(object)s"), kind="media")
    actions.add("media.processed", _("%(actor)s finished processing the file %(object)s"), kind="media")
    actions.add("media.processing_failed", _("%(actor)s could not process the file %(object)s"), kind="media")
    actions.add("media.requeued", _("%(actor)s queued the file %(object)s for processing again"), kind="media")
    actions.add("media.retry", _("%(actor)s retried processing the file %(object)s"), kind="media")
