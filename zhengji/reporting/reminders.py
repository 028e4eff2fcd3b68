"""Reminders before deadlines (催报): who gets one, the texts, the domain functions that send them
by hand or automatically, and the sender that delivers each message exactly once.

Recipients
- silent units (`silent`): the leaf organisations (grassroots unions, no children) of a subtree
  inside the campaign's tree that have at least one unit admin, no entry beyond a draft in the
  campaign and no activity or brand project recorded for it; the reminder goes to their admins;
- unfinished drafts (`drafts`): the entrants with a draft entry in the track whose unit lies in the
  subtree;
- waiting entries (`queue`, automatic only): the admins of each organisation of a level that has
  undecided entries of the track waiting at it, before that level's deadline.

Exactly once. A round (`ReminderRound`) has a unique key: an automatic round exists once per
(campaign, track, kind, deadline), a manual one once per (level, campaign, track, kind, local
day), which is also the sender's rate limit. Its deliveries are inserted first, unique per
(round, recipient) (`bulk_create(ignore_conflicts=True)`), and sent afterwards: a sender claims
pending rows with one `UPDATE … SET status='sending', claim=<token> WHERE status='pending'`, and
sends only the rows that carry its token. Two schedulers, two workers or a retried task insert the
same rows once and claim each row once. A failed channel is retried (up to
`REMINDER_MAX_ATTEMPTS`) without repeating the channels that already went out.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.scopes import UNIT_ADMIN, scopes_for
from zhengji.activities.models import Activity, BrandProject
from zhengji.campaigns.models import Campaign, Track
from zhengji.campaigns.policy import CampaignPolicy, format_when, policy_for
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.models import Notification
from zhengji.common.sms import send_sms
from zhengji.entries.models import Entry, EntryStatus
from zhengji.orgs.models import Organization, OrgKind

from .models import DeliveryStatus, ReminderDelivery, ReminderKind, ReminderRound, ReminderSetting
from .rules import administers_level

log = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK = 500
MAX_DAYS_BEFORE = 30


def recipient_hours() -> int:
    """A person gets at most one manual reminder in this many hours."""
    return int(getattr(settings, "REMINDER_RECIPIENT_HOURS", 24))


def max_attempts() -> int:
    return int(getattr(settings, "REMINDER_MAX_ATTEMPTS", 3))


def inline_max() -> int:
    """Rounds with at most this many recipients are sent on commit; larger ones by a task."""
    return int(getattr(settings, "REMINDER_INLINE_MAX", 20))


# --- texts ------------------------------------------------------------------------------------------

TEMPLATES: dict[str, list[tuple[str, Any]]] = {
    ReminderKind.SILENT: [
        ("plain", gettext_lazy("“%(campaign)s” closes on %(deadline)s. Your union has not submitted an entry "
                               "or recorded an activity yet; please organise your members to take part.")),
        ("short", gettext_lazy("Reminder: “%(campaign)s” collection ends %(deadline)s. Your union has not "
                               "taken part yet.")),
    ],
    ReminderKind.DRAFTS: [
        ("plain", gettext_lazy("Your draft in “%(track)s” of “%(campaign)s” is not submitted yet. Submit it "
                               "before %(deadline)s, or it will not be considered.")),
        ("short", gettext_lazy("Reminder: submit your draft in “%(track)s” before %(deadline)s.")),
    ],
    ReminderKind.QUEUE: [
        ("plain", gettext_lazy("Entries of “%(track)s” (%(campaign)s) are waiting for your unit's decision. "
                               "Your unit's reporting deadline is %(deadline)s.")),
    ],
}


def template_choices(kind: str) -> list[tuple[str, str]]:
    return [(key, str(text)) for key, text in TEMPLATES.get(kind, [])]


def render_message(kind: str, template: str, campaign: Campaign, track: Track | None,
                   deadline: dt.datetime) -> str:
    texts = dict(TEMPLATES.get(kind, []))
    if template not in texts:
        raise DomainError(_("Choose one of the texts."), code="bad_template", field="template")
    return str(texts[template]) % {"campaign": campaign.name, "track": track.name if track else "",
                                   "deadline": format_when(deadline)}


def title_for(kind: str) -> str:
    titles: dict[str, str] = {ReminderKind.SILENT: _("Reminder: please take part before the deadline"),
                              ReminderKind.DRAFTS: _("Reminder: your draft is not submitted"),
                              ReminderKind.QUEUE: _("Reminder: entries are waiting for your decision")}
    return titles.get(kind, _("Reminder"))


# --- recipients ---------------------------------------------------------------------------------------

def _unit_admin_rows() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(role=UNIT_ADMIN, scope_type="orgs.organization")


def silent_units(campaign: Campaign, scope: Organization) -> QuerySet[Organization]:
    """Leaf organisations of `scope`'s subtree (inside the campaign's tree) with an admin, no
    non-draft entry in the campaign and no activity recorded in it."""
    active_units = (Entry.objects.filter(track__campaign_id=campaign.pk).exclude(status=EntryStatus.DRAFT)
                    .values("unit_id"))
    orgs: QuerySet[Organization] = Organization.objects.all()
    return (orgs.filter(path__startswith=scope.path, numchild=0, is_active=True)
            .filter(path__startswith=campaign.org.path)
            .filter(pk__in=_unit_admin_rows().values("scope_id"))
            .exclude(pk__in=active_units)
            # activities.queries.org_ids_with_activity is a UNION of two ordered querysets, which
            # SQLite refuses inside a subquery: the same two tables, as two NOT IN subqueries.
            .exclude(pk__in=Activity.objects.filter(campaign_id=campaign.pk).order_by().values("org_id"))
            .exclude(pk__in=BrandProject.objects.filter(campaign_id=campaign.pk).order_by().values("org_id"))
            .order_by("path"))


def draft_entries(track: Track, scope: Organization) -> QuerySet[Entry]:
    return Entry.objects.filter(track=track, status=EntryStatus.DRAFT, unit__path__startswith=scope.path)


def draft_entrants(track: Track, scope: Organization) -> QuerySet[User]:
    """Entrants with a draft in the track whose unit lies in `scope`'s subtree."""
    return (User.objects.filter(pk__in=draft_entries(track, scope).values("submitter_id"), is_active=True)
            .order_by("pk"))


def waiting_levels(track: Track, org_kind: str) -> QuerySet[Organization]:
    """Organisations of this level (inside the campaign's tree) with undecided entries of the
    track waiting at them."""
    waiting = (Entry.objects.filter(track=track, status__in=[EntryStatus.SUBMITTED, EntryStatus.RECOMMENDED],
                                    chain_position__recommended=False)
               .values("chain_position__level_id"))
    orgs: QuerySet[Organization] = Organization.objects.all()
    return (orgs.filter(kind=org_kind, path__startswith=track.campaign.org.path, pk__in=waiting)
            .order_by("path"))


def _recipient_rows(kind: str, campaign: Campaign, track: Track | None,
                    scope: Organization | None, org_kind: str = "") -> QuerySet[Any]:
    """(user id, unit id) of every recipient, ordered by user (one row per user and unit)."""
    if kind == ReminderKind.DRAFTS:
        assert track is not None and scope is not None
        return (draft_entries(track, scope).filter(submitter__is_active=True)
                .values_list("submitter_id", "unit_id").order_by("submitter_id", "pk"))
    if kind == ReminderKind.SILENT:
        assert scope is not None
        orgs = silent_units(campaign, scope).values("pk")
    else:
        assert track is not None
        orgs = waiting_levels(track, org_kind).values("pk")
    return (_unit_admin_rows().filter(scope_id__in=orgs, user__is_active=True)
            .values_list("user_id", "scope_id").order_by("user_id", "scope_id"))


def _recipient_pairs(kind: str, campaign: Campaign, track: Track | None,
                     scope: Organization | None, org_kind: str = "") -> Iterator[tuple[int, int | None]]:
    """The recipients streamed in chunks (memory stays flat)."""
    yield from _recipient_rows(kind, campaign, track, scope, org_kind).iterator(chunk_size=2000)


def _recently_reminded(since: dt.datetime) -> QuerySet[ReminderDelivery]:
    return ReminderDelivery.objects.filter(created_at__gte=since).exclude(status=DeliveryStatus.FAILED)


# --- manual rounds ------------------------------------------------------------------------------------

def reminder_campaigns(user: Any) -> list[Campaign]:
    """Published campaigns whose tree overlaps a level the user administers (a short list)."""
    if not user.is_authenticated:
        return []
    found = []
    for c in Campaign.objects.filter(is_published=True).select_related("org").order_by("-year", "-id")[:100]:
        if user.is_superuser or any(lv.path.startswith(c.org.path) or c.org.path.startswith(lv.path)
                                    for lv in _levels(user)):
            found.append(c)
    return found


def _levels(user: Any) -> list[Organization]:
    cached: list[Organization] | None = getattr(user, "_zj_reminder_levels", None)
    if cached is None:
        cached = list(Organization.objects.filter(pk__in=scopes_for(user).admin_org_ids).order_by("path"))
        user._zj_reminder_levels = cached
    return cached


def sender_scope(campaign: Campaign, level: Organization) -> Organization:
    """The part of the campaign's tree a level reminds: the level itself, or the campaign's owner
    when the level lies above it."""
    if level.is_within(campaign.org) or level.pk == campaign.org_id:
        return level
    if campaign.org.is_within(level):
        return campaign.org
    raise DomainError(_("This level is not part of the campaign."), code="not_in_campaign", field="level")


def entrant_deadline(policy: CampaignPolicy, track: Track) -> dt.datetime:
    """When entrants must have submitted: the end of collection or the grassroots deadline,
    whichever comes first."""
    return min(policy.collection_end, policy.level_deadline(track, OrgKind.GRASSROOTS))


def round_deadline(policy: CampaignPolicy, kind: str, track: Track | None) -> dt.datetime:
    if kind == ReminderKind.DRAFTS:
        assert track is not None
        return entrant_deadline(policy, track)
    return policy.collection_end


@dataclass
class Preview:
    """What a manual round would do: the recipients' count and the text."""

    campaign: Campaign
    track: Track | None
    kind: str
    scope: Organization
    deadline: dt.datetime
    message: str
    recipients: int
    skipped: int
    day_key: str

    @property
    def to_send(self) -> int:
        return max(self.recipients - self.skipped, 0)


def _check_manual(actor: Any, campaign: Campaign, kind: str, track: Track | None,
                  level: Organization) -> Organization:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not administers_level(actor, level):
        raise NotPermitted(_("You do not administer this level."))
    if not campaign.is_published:
        raise NotFound(_("Not found."))
    if kind not in (ReminderKind.SILENT, ReminderKind.DRAFTS):
        raise DomainError(_("Choose whom to remind."), code="bad_kind", field="kind")
    if kind == ReminderKind.DRAFTS and track is None:
        raise DomainError(_("Choose the track whose drafts are meant."), code="track_required", field="track")
    if track is not None and track.campaign_id != campaign.pk:
        raise NotFound(_("Not found."))
    return sender_scope(campaign, level)


def _manual_key(scope: Organization, campaign: Campaign, track: Track | None, kind: str, day: dt.date) -> str:
    return f"manual:{scope.pk}:{campaign.pk}:{track.pk if track else 0}:{kind}:{day.isoformat()}"


def preview(actor: Any, campaign: Campaign, kind: str, level: Organization, *, track: Track | None = None,
            template: str = "plain", at: dt.datetime | None = None) -> Preview:
    """Count the recipients of a manual round (nothing is written)."""
    scope = _check_manual(actor, campaign, kind, track, level)
    policy = policy_for(campaign, at)
    deadline = round_deadline(policy, kind, track)
    message = render_message(kind, template, campaign, track, deadline)
    # Counted in the database (two queries), whatever the number of recipients.
    rows = _recipient_rows(kind, campaign, track, scope)
    user_col = "submitter_id" if kind == ReminderKind.DRAFTS else "user_id"
    users = rows.order_by().values(user_col)
    since = policy.at - dt.timedelta(hours=recipient_hours())
    skipped = (_recently_reminded(since).filter(recipient_id__in=users).order_by()
               .values("recipient_id").distinct().count())
    return Preview(campaign, track, kind, scope, deadline, message, users.distinct().count(), skipped,
                   _manual_key(scope, campaign, track, kind, policy.day))


def recipients_page(kind: str, campaign: Campaign, track: Track | None, scope: Organization) -> QuerySet[Any]:
    """The list a preview pages through: silent units (with their admins) or draft entrants."""
    if kind == ReminderKind.DRAFTS:
        assert track is not None
        return draft_entrants(track, scope)
    return silent_units(campaign, scope)


def send_manual(actor: Any, campaign: Campaign, kind: str, level: Organization, *, track: Track | None = None,
                template: str = "plain", at: dt.datetime | None = None) -> ReminderRound:
    """Send a reminder round now: one message per recipient (site notification, SMS, and e-mail
    where the person has an address). One round per level, campaign, track and kind a day;
    people reminded in the last REMINDER_RECIPIENT_HOURS hours are skipped. Audited; sent on
    commit (a task for large rounds)."""
    scope = _check_manual(actor, campaign, kind, track, level)
    policy = policy_for(campaign, at)
    deadline = round_deadline(policy, kind, track)
    if policy.at >= deadline:
        raise DomainError(_("The deadline (%(deadline)s) has passed; there is nothing to remind of.")
                          % {"deadline": format_when(deadline)}, code="deadline_passed", status=409)
    message = render_message(kind, template, campaign, track, deadline)
    key = _manual_key(scope, campaign, track, kind, policy.day)
    since = policy.at - dt.timedelta(hours=recipient_hours())
    with transaction.atomic():
        try:
            with transaction.atomic():
                rnd = ReminderRound.objects.create(
                    key=key, campaign=campaign, track=track, kind=kind, scope=scope, automatic=False, sender=actor,
                    deadline=deadline, title=title_for(kind), message=message, created_at=policy.at)
        except IntegrityError:
            raise DomainError(_("These recipients were already reminded today (one round a day); try again "
                                "tomorrow."), code="rate_limited", status=429) from None
        recent = _recently_reminded(since)
        added, skipped = _insert_deliveries(rnd, _recipient_pairs(kind, campaign, track, scope), recent, policy.at)
        if added == 0:
            raise DomainError(_("Nobody to remind: no recipient matches, or all were reminded in the last "
                                "%(hours)d hours.") % {"hours": recipient_hours()}, code="no_recipients")
        rnd.recipients, rnd.skipped = added, skipped
        rnd.save(update_fields=["recipients", "skipped"])
        audit.record("reminder.send", rnd, actor=actor,
                     after={"kind": kind, "track": track.pk if track else None, "level": scope.pk,
                            "recipients": added, "skipped": skipped, "deadline": deadline.isoformat(),
                            "message": message},
                     scope=audit.AuditScope(org_path=scope.path, campaign_id=campaign.pk))
        _dispatch_on_commit(rnd)
    return rnd


def _dispatch_on_commit(rnd: ReminderRound) -> None:
    if rnd.recipients <= inline_max():
        transaction.on_commit(lambda: dispatch(rnd.pk))
    else:
        transaction.on_commit(lambda: send_round.enqueue(rnd.pk))


def _insert_deliveries(rnd: ReminderRound, pairs: Iterator[tuple[int, int | None]],
                       recent: QuerySet[ReminderDelivery] | None, at: dt.datetime) -> tuple[int, int]:
    """Insert one pending delivery per recipient (chunks; duplicates ignored). Returns (inserted
    for this round, skipped because reminded recently)."""
    seen: set[int] = set()
    skipped = 0
    chunk: list[tuple[int, int | None]] = []

    def flush() -> None:
        nonlocal skipped
        users = [u for u, _o in chunk]
        if recent is not None and users:
            busy = set(recent.filter(recipient_id__in=users).values_list("recipient_id", flat=True))
            skipped += len(busy)
        else:
            busy = set()
        ReminderDelivery.objects.bulk_create(
            [ReminderDelivery(round=rnd, recipient_id=u, org_id=o, created_at=at) for u, o in chunk if u not in busy],
            ignore_conflicts=True)
        chunk.clear()

    for user_id, org_id in pairs:
        if user_id in seen:
            continue
        seen.add(user_id)
        chunk.append((user_id, org_id))
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return ReminderDelivery.objects.filter(round=rnd).count(), skipped


# --- the sender -----------------------------------------------------------------------------------------

def _retrying(fn: Callable[[], T], tries: int = 8) -> T:
    """Run `fn`, retrying when SQLite reports a lock held by a concurrent writer."""
    for n in range(tries):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc) or n == tries - 1:
                raise
            time.sleep(0.05 * (n + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _claim(round_id: int | None, limit: int, tried: set[int]) -> list[ReminderDelivery]:
    """Switch up to `limit` pending (or retryable failed) deliveries to `sending` under a fresh
    token in one UPDATE, and return the rows that carry it: nobody else can have claimed them."""
    token = uuid.uuid4().hex
    ready = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.FAILED, attempts__lt=max_attempts())
    base = ReminderDelivery.objects.filter(ready)
    if round_id is not None:
        base = base.filter(round_id=round_id)
    if tried:
        base = base.exclude(pk__in=tried)
    ids = list(base.order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    _retrying(lambda: ReminderDelivery.objects.filter(ready, pk__in=ids).update(
        status=DeliveryStatus.SENDING, claim=token))
    return list(ReminderDelivery.objects.filter(claim=token, status=DeliveryStatus.SENDING)
                .select_related("round__campaign", "recipient").order_by("pk"))


def _deliver(d: ReminderDelivery) -> None:
    """Send one message on every channel not yet done (site, SMS, e-mail), then record it."""
    done = set(filter(None, d.channels.split(",")))
    user, rnd = d.recipient, d.round
    error = ""
    url = reverse("entries:mine") if rnd.kind == ReminderKind.DRAFTS else reverse("reporting:queue")
    try:
        if "site" not in done:
            Notification.objects.create(user=user, title=rnd.title, body=rnd.message, url=url)
            done.add("site")
        if user.phone and "sms" not in done:
            send_sms(user.phone, f"{rnd.title}: {rnd.message}")
            done.add("sms")
        if user.email and "email" not in done:
            send_mail(rnd.title, rnd.message, None, [user.email])
            done.add("email")
    except Exception as exc:  # a channel failed: retried later, without repeating the others
        log.warning("reminder %s to user %s failed: %s", d.pk, user.pk, exc)
        error = str(exc)[:300] or exc.__class__.__name__
    d.channels = ",".join(sorted(done))
    d.attempts += 1
    d.error = error
    d.status = DeliveryStatus.FAILED if error else DeliveryStatus.SENT
    d.sent_at = None if error else timezone.now()
    _retrying(lambda: d.save(update_fields=["channels", "attempts", "error", "status", "sent_at"]))


def dispatch(round_id: int | None = None, *, limit: int | None = None) -> int:
    """Send the pending deliveries (of one round, or all), a chunk at a time; returns how many
    were claimed here."""
    total = 0
    tried: set[int] = set()  # a failure is retried by the next run, not in a loop here
    while limit is None or total < limit:
        batch = _claim(round_id, CHUNK if limit is None else min(CHUNK, limit - total), tried)
        if not batch:
            break
        for d in batch:
            _deliver(d)
            if d.status == DeliveryStatus.FAILED:
                tried.add(d.pk)
        total += len(batch)
    return total


@task()
def send_round(round_id: int) -> int:
    """Background work: deliver one round's messages."""
    return dispatch(round_id)


# --- automatic reminders ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """One deadline whose reminder window is open now."""

    campaign: Campaign
    track: Track | None
    kind: str
    deadline: dt.datetime
    org_kind: str = ""

    @property
    def label(self) -> str:
        return str(ReminderKind(self.kind).label)

    @property
    def key(self) -> str:
        return (f"auto:{self.campaign.pk}:{self.track.pk if self.track else 0}:{self.kind}:{self.org_kind}:"
                f"{self.deadline.isoformat()}")


def due_reminders(at: dt.datetime | None = None) -> list[Due]:
    """The deadlines of campaigns with automatic reminders that fall within their N days from
    `at` (and have not passed)."""
    now = at if at is not None else timezone.now()
    found: list[Due] = []
    settings_rows = (ReminderSetting.objects.filter(days_before__gt=0, campaign__is_published=True)
                     .select_related("campaign__org"))
    for s in settings_rows:
        c = s.campaign
        policy = policy_for(c, now)
        window = dt.timedelta(days=s.days_before)

        def due(when: dt.datetime, window: dt.timedelta = window) -> bool:
            return when - window <= now < when

        if policy.at >= policy.collection_start and due(policy.collection_end):
            found.append(Due(c, None, ReminderKind.SILENT, policy.collection_end))
        for track in Track.objects.filter(campaign=c, is_open=True).order_by("number"):
            track.campaign = c
            when = entrant_deadline(policy, track)
            if policy.at >= policy.collection_start and due(when):
                found.append(Due(c, track, ReminderKind.DRAFTS, when))
            for rule in policy.level_rules(track):
                if rule.org_kind != OrgKind.GRASSROOTS and due(rule.deadline):
                    found.append(Due(c, track, ReminderKind.QUEUE, rule.deadline, rule.org_kind))
    return found


def _auto_round(d: Due, at: dt.datetime) -> tuple[ReminderRound, bool]:
    message = render_message(d.kind, "plain", d.campaign, d.track, d.deadline)
    try:
        with transaction.atomic():
            rnd = ReminderRound.objects.create(
                key=d.key, campaign=d.campaign, track=d.track, kind=d.kind, scope=None, automatic=True,
                deadline=d.deadline, title=title_for(d.kind), message=message, created_at=at)
            return rnd, True
    except IntegrityError:
        return ReminderRound.objects.get(key=d.key), False


def _fill_auto_round(d: Due, rnd: ReminderRound, created: bool, now: dt.datetime) -> None:
    """Insert the round's deliveries (existing ones are kept) and audit a new round."""
    org = d.campaign.org
    with transaction.atomic():
        _insert_deliveries(rnd, _recipient_pairs(d.kind, d.campaign, d.track, org, d.org_kind), None, now)
        n = ReminderDelivery.objects.filter(round=rnd).count()
        if created or rnd.recipients != n:
            ReminderRound.objects.filter(pk=rnd.pk).update(recipients=n)
        if created:
            audit.record("reminder.auto", rnd, actor=None,
                         after={"kind": d.kind, "track": d.track.pk if d.track else None,
                                "deadline": d.deadline.isoformat(), "recipients": n},
                         scope=audit.AuditScope(org_path=org.path, campaign_id=d.campaign.pk))


def run_due(at: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job (`manage.py scheduler`): open the rounds of every deadline now within its
    campaign's N days, insert their deliveries, and send whatever is pending. Safe to run from
    several schedulers at once: rounds and deliveries are unique, and each delivery is claimed once."""
    now = at if at is not None else timezone.now()
    rounds = 0
    for d in due_reminders(now):
        if (not ReminderRound.objects.filter(key=d.key).exists()
                and not _recipient_rows(d.kind, d.campaign, d.track, d.campaign.org, d.org_kind).exists()):
            continue  # nobody to remind (yet): no empty round
        rnd, created = _retrying(lambda d=d: _auto_round(d, now))  # type: ignore[misc]
        if created:
            rounds += 1
        # The whole transaction is retried on a lock error (never a statement inside it).
        _retrying(lambda d=d, rnd=rnd, created=created: _fill_auto_round(d, rnd, created, now))  # type: ignore[misc]
    sent = dispatch()
    return {"rounds": rounds, "sent": sent}


# --- settings -------------------------------------------------------------------------------------------------

def can_configure(actor: Any, campaign: Campaign) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.has_perm("campaigns.change_campaign",
                                                                               campaign))


def reminder_days(campaign: Campaign) -> int:
    found = ReminderSetting.objects.filter(campaign=campaign).values_list("days_before", flat=True).first()
    return int(found or 0)


def set_reminder_days(actor: Any, campaign: Campaign, days: int) -> ReminderSetting:
    """Automatic reminders N days before each deadline of the campaign (0: off). Campaign admins."""
    if not can_configure(actor, campaign):
        raise NotPermitted(_("Only a campaign admin can change its reminders."))
    if not isinstance(days, int) or not 0 <= days <= MAX_DAYS_BEFORE:
        raise DomainError(_("Between 0 and %(max)d days.") % {"max": MAX_DAYS_BEFORE}, code="invalid",
                          field="days_before")
    with transaction.atomic():
        s, _c = ReminderSetting.objects.select_for_update().get_or_create(campaign=campaign)
        before = s.days_before
        if before != days or _c:
            s.days_before, s.updated_by, s.updated = days, actor, timezone.now()
            s.save()
            audit.record("reminder.settings", s, actor=actor, before={"days_before": before},
                         after={"days_before": days},
                         scope=audit.AuditScope(org_path=campaign.org.path, campaign_id=campaign.pk))
    return s


def rounds_for(user: Any) -> QuerySet[ReminderRound]:
    """The reminder log a user may read: rounds of levels in their subtrees, and every round of the
    campaigns they administer."""
    qs = ReminderRound.objects.select_related("campaign", "track", "scope", "sender").order_by("-created_at", "-id")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    scopes = scopes_for(user)
    return qs.filter(scopes.subtree_q("scope__") | Q(campaign_id__in=scopes.campaign_admin))
