"""Background originality work: look an entry up once it is (re)submitted, and a subject once its
fingerprints are stored. Both follow the fingerprints' switch (settings.FINGERPRINT_ON_READY)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django_tasks import task

from zhengji.entries.models import Entry

from . import domain

log = logging.getLogger(__name__)

SCAN_ON = ("submit", "resubmit")


def on_fingerprinted(sender: Any = None, *, subject: tuple[str, int], **kwargs: Any) -> None:
    """Sent after the fingerprint task's commit (already in the background): match now."""
    try:
        domain.on_fingerprinted((str(subject[0]), int(subject[1])))
    except Exception:
        # Advice for staff: a failed look-up never breaks fingerprinting.
        log.exception("originality look-up of %s failed", subject)


def on_transitioned(sender: Any = None, *, transition: Any, entry: Entry, **kwargs: Any) -> None:
    if transition.name in SCAN_ON and settings.FINGERPRINT_ON_READY:
        scan_entry_task.enqueue(entry.pk)


@task()
def scan_entry_task(entry_id: int) -> int:
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        return 0
    try:
        return len(domain.scan_entry(entry))
    except Exception:
        log.exception("originality scan of entry %s failed", entry_id)
        return -1
