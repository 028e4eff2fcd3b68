"""Domain functions of the common app: notifications read state, audit-log export."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import AuditScope, record
from .audit_log import can_browse_audit
from .errors import NotFound, NotPermitted
from .models import Notification


@transaction.atomic
def mark_notification_read(user, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (reads are not audited)."""
    n = Notification.objects.filter(user=user, pk=notification_id).first() if user.is_authenticated else None
    if n is None:
        raise NotFound(_("Notification not found."))
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n


@transaction.atomic
def mark_all_notifications_read(user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    if not user.is_authenticated:
        raise NotPermitted(_("Please log in."))
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def record_audit_export(user, filters: dict, count: int | None = None) -> None:
    """Exports of personal data are audited: who exported which slice of the log, and when."""
    if not can_browse_audit(user):
        raise NotPermitted(_("You do not have permission to export the audit log."))
    shown = {k: str(v) for k, v in filters.items() if v not in (None, "")}
    # The export is the reader's own act, not part of a subtree or campaign: platform admins read it.
    record("audit.export", user, actor=user, after={"filters": shown, "rows": count},
           reason=_("Audit log exported to CSV."), scope=AuditScope())
