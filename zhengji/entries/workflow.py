"""The one function that moves an entry along its lifecycle (`apply`), and the record of it.

Applying a step of `entries.transitions` always: locks the entry row, refuses a step that the
table does not open from the entry's state (a clear, translated message), checks the
state-aware permission, runs the caller's `prepare` on the locked row (the domain checks and
changes of that step: validation, numbering, field edits), writes the status, records an
`EntryEvent` (and an `EntryDecision` for a level's decision), writes the audit record with an
explicit scope, notifies on commit and sends `entry_transitioned` for later apps.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.orgs.models import Organization

from . import transitions
from .models import Entry, EntryDecision, EntryEvent
from .transitions import Transition

# Sent after the transaction commits: sender=Entry (the class; a signal's sender must be hashable),
# transition=Transition, entry=Entry, event=EntryEvent.
entry_transitioned = Signal()

# A step of the same kind by the same person within this time extends the last event instead
# of adding one (autosaves while typing are one "saved" in the timeline).
COLLAPSE_WITHIN = dt.timedelta(minutes=30)
COLLAPSIBLE = {"save", "edit"}

Notifier = Callable[[Entry, EntryEvent], None]
_notifiers: dict[str, list[Notifier]] = {}


def on_applied(name: str, notifier: Notifier) -> None:
    """Run `notifier(entry, event)` inside the transaction whenever step `name` is applied
    (messages that go out by SMS or e-mail are themselves deferred to the commit)."""
    _notifiers.setdefault(name, []).append(notifier)


class TransitionRefused(DomainError):
    code = "invalid_transition"
    status = 409


@dataclass
class Applied:
    entry: Entry
    event: EntryEvent
    transition: Transition


def lock(entry: Entry | int) -> Entry:
    pk = entry if isinstance(entry, int) else entry.pk
    return (Entry.objects.select_for_update(of=("self",))
            .select_related("track__campaign", "unit", "submitter").get(pk=pk))


def refusal(t: Transition, status: str) -> TransitionRefused:
    message, code = t.refusals.get(status, (t.refusal, t.refusal_code))
    return TransitionRefused(str(message), code=code)


def check_allowed(actor: Any, entry: Entry, t: Transition) -> None:
    """The actor holds the step's (state-aware) permission. When they do not, say why: the step
    is not open from the entry's state (for someone who could take it in a state where it is),
    or they may not take it at all."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if t.allows(entry.status):
        if actor.has_perm(t.permission, entry):
            return
    else:
        probe = copy.copy(entry)
        probe.status = sorted(t.sources)[0]
        if actor.has_perm(t.permission, probe):
            raise refusal(t, entry.status)
    raise NotPermitted(_("You may not do this with this entry."))


def apply(actor: Any, entry: Entry | int, name: str, *, reason: str = "", level: Organization | None = None,
          at: dt.datetime | None = None, prepare: Callable[[Entry], dict[str, Any] | None] | None = None) -> Applied:
    """Apply step `name` to the entry, all or nothing. `prepare(locked_entry)` does the step's
    own checks and changes and may return details for the audit record."""
    t = transitions.get(name)
    when = at or timezone.now()
    with transaction.atomic():
        locked = lock(entry)
        check_allowed(actor, locked, t)
        reason = (reason or "").strip()[:2000]
        if t.needs_reason and not reason:
            raise DomainError(_("Say why."), code="reason_required", field="reason")
        if t.decision is not None and level is None:
            raise DomainError(_("Say at which level this is decided."), code="level_required")
        before = locked.status
        details = (prepare(locked) if prepare is not None else None) or {}
        if t.target is not None:
            locked.status = t.target
        locked.save()
        event = _record_event(actor, locked, t, before, reason=reason, level=level, at=when)
        if t.decision is not None and level is not None:
            EntryDecision.objects.create(entry=locked, level=level, decision=t.decision, reason=reason,
                                         actor=actor, at=when, event=event)
        _audit(actor, locked, t, before, reason=reason, level=level, details=details, at=when)
        for notifier in _notifiers.get(t.name, []):
            notifier(locked, event)
        transaction.on_commit(
            lambda: entry_transitioned.send(sender=Entry, transition=t, entry=locked, event=event), robust=True)
    return Applied(locked, event, t)


def record_creation(actor: Any, entry: Entry, *, at: dt.datetime | None = None) -> EntryEvent:
    """The first event of a new entry (created as a draft by `services.create_draft`)."""
    event = EntryEvent.objects.create(entry=entry, at=at or timezone.now(), actor=actor, transition="create",
                                      from_status="", to_status=entry.status)
    audit.record("entry.create", entry, actor=actor, before=None,
                 after={"status": entry.status, "track": entry.track_id, "unit": entry.unit_id,
                        "entrant_type": entry.entrant_type},
                 at=at, **_scope(entry, None))
    return event


def _record_event(actor: Any, entry: Entry, t: Transition, before: str, *, reason: str,
                  level: Organization | None, at: dt.datetime) -> EntryEvent:
    if t.name in COLLAPSIBLE:
        last = entry.events.order_by("-at", "-id").first()
        if (last is not None and last.transition == t.name and last.actor_id == getattr(actor, "pk", None)
                and at - last.at <= COLLAPSE_WITHIN):
            last.at = at
            last.save(update_fields=["at"])
            return last
    return EntryEvent.objects.create(entry=entry, at=at, actor=actor, transition=t.name, from_status=before,
                                     to_status=entry.status, level=level, reason=reason,
                                     entrant_visible=t.entrant_visible)


def _scope(entry: Entry, level: Organization | None, *, entrant_visible: bool = True) -> dict[str, Any]:
    """A level's decision belongs to that level's subtree; everything else to the entry's unit."""
    org = level if level is not None else entry.unit
    audience = audit.ENTRANT if entrant_visible else audit.STAFF
    return {"scope": audit.AuditScope(org_path=org.path, campaign_id=entry.track.campaign_id, audience=audience)}


def _audit(actor: Any, entry: Entry, t: Transition, before: str, *, reason: str, level: Organization | None,
           details: dict[str, Any], at: dt.datetime) -> None:
    after: dict[str, Any] = {"status": entry.status, **details}
    if level is not None:
        after["level"] = level.pk
    audit.record(t.audit_action, entry, actor=actor, before={"status": before}, after=after, reason=reason,
                 at=at, **_scope(entry, level, entrant_visible=t.entrant_visible))
