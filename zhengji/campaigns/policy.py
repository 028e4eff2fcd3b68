"""The one answer to every question about a campaign's rules at a given moment.

Phases, whether a track is collecting, the effective level rule (the track's override, else the
campaign's), each level's deadline and quota, and extensions granted to one organisation. Every
page, the API, the public site and the domain functions ask here; nothing else reads `LevelRule`
or compares phase dates. The moment is passed in (`at`), never patched: the demo loader and the
tests ask about 2025 by saying so.

A `CampaignPolicy` loads the campaign's level rules once (one query) and extensions of one
organisation on demand (one query each, cached), so a page that asks many questions stays cheap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhengji.accounts.scopes import scopes_for
from zhengji.common.errors import DeadlinePassed, DomainError
from zhengji.orgs.models import Membership, MembershipStatus, Organization, OrgKind

from .models import Campaign, DeadlineExtension, EntrantType, LevelRule, PendingMembers, Phase, Track

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, SHANGHAI).date() if timezone.is_aware(at) else at.date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def format_when(when: dt.datetime) -> str:
    """A deadline as people read it: local date and time with the zone, e.g. 2025-09-05 23:59 (北京时间)."""
    local = timezone.localtime(when, SHANGHAI)
    return _("%(when)s (Beijing time)") % {"when": formats.date_format(local, "Y-m-d H:i")}


def level_label(kind: str) -> str:
    return str(OrgKind(kind).label) if kind in OrgKind.values else kind


@dataclass(frozen=True)
class EffectiveRule:
    """The rule one level of the hierarchy works under in one track."""

    org_kind: str
    deadline: dt.datetime
    quota: int | None
    track_override: bool

    @property
    def level_label(self) -> str:
        return level_label(self.org_kind)


@dataclass(frozen=True)
class ReaderDeadline:
    """One deadline as a page shows it to one reader: who it binds (`role`: "entrant" for a
    worker's entries, "unit" for a unit admin's level, "level" for a visitor's list), a label,
    the moment, and whether an extension moved it."""

    role: str
    label: str
    when: dt.datetime
    org_kind: str
    extended: bool = False
    org_id: int | None = None

    @property
    def text(self) -> str:
        return format_when(self.when)


def worker_unit_of(user: AbstractBaseUser | AnonymousUser | None) -> Organization | None:
    """The worker's confirmed, active grassroots union (the unit their entries are entered in)."""
    if user is None or not user.is_authenticated:
        return None
    m = (Membership.objects.select_related("org")
         .filter(user_id=user.pk, status=MembershipStatus.CONFIRMED, org__is_active=True).first())
    return m.org if m else None


def entrant_types_of(track: Track) -> list[str]:
    """Who may enter the track, in its order; individuals when it says nothing usable."""
    valid = [t for t in (track.entrant_types or []) if t in EntrantType.values]
    return valid or [EntrantType.INDIVIDUAL]


class CampaignPolicy:
    """The rules of one campaign at one moment."""

    def __init__(self, campaign: Campaign, at: dt.datetime | None = None) -> None:
        self.campaign = campaign
        self.at = at if at is not None else now()
        self.day = local_day(self.at)
        self._rules: list[LevelRule] | None = None
        self._extensions: dict[int, list[DeadlineExtension]] = {}

    # --- phases ------------------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self.campaign.phase_on(self.day)

    @property
    def dated_phase(self) -> str:
        """The phase the dates give even for an unpublished campaign (previews, timelines)."""
        return self.campaign.dated_phase_on(self.day)

    @property
    def collection_start(self) -> dt.datetime:
        return start_of_day(self.campaign.collect_start)

    @property
    def collection_end(self) -> dt.datetime:
        """Collection ends with the last collection day, Asia/Shanghai."""
        return end_of_day(self.campaign.collect_end)

    def is_collecting(self, track: Track | None = None) -> bool:
        """The campaign is published, the track (if given) open, and `at` is a collection day."""
        if track is not None and not track.is_open:
            return False
        return self.phase == Phase.COLLECTING

    # --- level rules ---------------------------------------------------------------------------

    def _all_rules(self) -> list[LevelRule]:
        if self._rules is None:
            self._rules = list(LevelRule.objects.filter(campaign_id=self.campaign.pk).order_by("deadline", "id"))
        return self._rules

    def level_rule(self, track: Track, org_kind: str) -> EffectiveRule | None:
        """The track's rule for this level, else the campaign's; None when the level has none."""
        general = None
        for r in self._all_rules():
            if r.org_kind != org_kind:
                continue
            if r.track_id == track.pk:
                return EffectiveRule(r.org_kind, r.deadline, r.quota, True)
            if r.track_id is None:
                general = r
        if general is None:
            return None
        return EffectiveRule(general.org_kind, general.deadline, general.quota, False)

    def level_rules(self, track: Track) -> list[EffectiveRule]:
        """Every level's effective rule for the track, by deadline (for pages and the API)."""
        kinds = dict.fromkeys(r.org_kind for r in self._all_rules() if r.track_id in (None, track.pk))
        found = [self.level_rule(track, k) for k in kinds]
        return sorted((r for r in found if r is not None), key=lambda r: (r.deadline, r.org_kind))

    def extension(self, track: Track, org: Organization) -> DeadlineExtension | None:
        """The extension granted to this organisation for the track (or the whole campaign)."""
        if org.pk not in self._extensions:
            self._extensions[org.pk] = list(DeadlineExtension.objects.filter(campaign_id=self.campaign.pk,
                                                                             org_id=org.pk))
        found = self._extensions[org.pk]
        specific = [e for e in found if e.track_id == track.pk]
        general = [e for e in found if e.track_id is None]
        for found_one in (specific, general):
            if found_one:
                return found_one[0]
        return None

    def level_deadline(self, track: Track, org_kind: str) -> dt.datetime:
        """The level's report deadline in the track: its rule, else the end of collection."""
        rule = self.level_rule(track, org_kind)
        return rule.deadline if rule is not None else self.collection_end

    def deadline(self, track: Track, org: Organization) -> dt.datetime:
        """When this organisation must have acted in the track: its level's deadline, moved later
        by an extension granted to it."""
        when = self.level_deadline(track, org.kind)
        ext = self.extension(track, org)
        if ext is not None and ext.until > when:
            return ext.until
        return when

    def entrant_deadline(self, track: Track) -> dt.datetime:
        """The entrants' deadline of a level with no extension: the grassroots level's."""
        return self.level_deadline(track, OrgKind.GRASSROOTS)

    def reader_deadlines(self, track: Track, user: AbstractBaseUser | AnonymousUser | None,
                         *, worker_unit: Organization | None = None, unit_known: bool = False,
                         max_units: int = 5) -> list[ReaderDeadline]:
        """The deadlines that apply to this reader in the track, labelled, as every page shows
        them: a worker's entry deadline (their grassroots unit's, extensions included); a unit
        admin's level deadline for each unit they administer (at most `max_units`); for anyone
        else (a visitor) the entrants' deadline and each level's, labelled. The same answers
        `check_accepts_entries` and the reporting chain enforce. `worker_unit` with
        `unit_known=True` saves the membership query when the caller knows the unit (or None)."""
        found: list[ReaderDeadline] = []
        unit = worker_unit if unit_known else worker_unit_of(user)
        if unit is not None:
            when = self.deadline(track, unit)
            found.append(ReaderDeadline("entrant", _("Your entry deadline"), when, unit.kind,
                                        extended=when != self.level_deadline(track, unit.kind), org_id=unit.pk))
        paths = scopes_for(user).admin_org_paths if user is not None and user.is_authenticated else []
        if paths:
            for org in Organization.objects.filter(path__in=paths).order_by("path")[:max_units]:
                when = self.deadline(track, org)
                found.append(ReaderDeadline(
                    "unit", _("%(unit)s reports by") % {"unit": org.name}, when, org.kind,
                    extended=when != self.level_deadline(track, org.kind), org_id=org.pk))
        if found:
            return found
        rules = self.level_rules(track)
        # The grassroots level's deadline is the entrants' (their entries wait at that level).
        found.append(ReaderDeadline("level", _("Entrants submit by"), self.entrant_deadline(track),
                                    OrgKind.GRASSROOTS))
        found.extend(ReaderDeadline("level", _("%(level)s reports by") % {"level": r.level_label}, r.deadline,
                                    r.org_kind) for r in rules if r.org_kind != OrgKind.GRASSROOTS)
        return found

    def quota(self, track: Track, org_kind: str) -> int | None:
        """How many entries of the track one organisation of this level may recommend upward."""
        rule = self.level_rule(track, org_kind)
        return rule.quota if rule is not None else None

    def before_deadline(self, track: Track, org: Organization) -> bool:
        return self.at <= self.deadline(track, org)

    # --- what entrants may do ------------------------------------------------------------------

    def accepts_entries(self, track: Track, unit: Organization) -> bool:
        """An entrant of `unit` may start, edit and submit entries in the track now: the track is
        collecting (or the unit holds an extension running past the end of collection) and the
        unit's deadline has not passed."""
        if not self.campaign.is_published or not track.is_open:
            return False
        if self.at < self.collection_start:
            return False
        if not self.before_deadline(track, unit):
            return False
        return self.is_collecting(track) or self.extension(track, unit) is not None

    # --- members whose grassroots union has not confirmed them yet --------------------------------

    def member_may_draft(self, confirmed: bool) -> bool:
        """A worker may start and save drafts: always once confirmed; while the membership awaits
        confirmation as the campaign says (default: yes)."""
        return confirmed or self.campaign.pending_members in (PendingMembers.DRAFTS, PendingMembers.SUBMIT)

    def member_may_submit(self, confirmed: bool) -> bool:
        """A worker may submit: once confirmed, or before if the campaign allows it (default: no)."""
        return confirmed or self.campaign.pending_members == PendingMembers.SUBMIT

    def check_member_may_draft(self, confirmed: bool) -> None:
        if not self.member_may_draft(confirmed):
            raise DomainError(_("Join your grassroots union (and wait for its confirmation) before entering."),
                              code="membership_required")

    def check_member_may_submit(self, confirmed: bool) -> None:
        if not self.member_may_submit(confirmed):
            raise DomainError(_("Your grassroots union has not confirmed your membership yet. Your draft is saved; "
                                "you can submit it once the membership is confirmed."),
                              code="membership_unconfirmed", status=409)

    def check_collecting(self, track: Track) -> None:
        if not self.is_collecting(track):
            raise DomainError(_("“%(track)s” is not accepting entries now.") % {"track": track.name},
                              code="collection_closed", status=409)

    def check_accepts_entries(self, track: Track, unit: Organization) -> None:
        """Raise a clear, translated error unless an entrant of `unit` may act in the track now."""
        if self.accepts_entries(track, unit):
            return
        if self.is_collecting(track) or self.extension(track, unit) is not None:
            self.check_deadline(track, unit)
        raise DomainError(_("“%(track)s” is not accepting entries now.") % {"track": track.name},
                          code="collection_closed", status=409)

    def check_deadline(self, track: Track, org: Organization) -> None:
        if not self.before_deadline(track, org):
            raise DeadlinePassed(_("The deadline (%(deadline)s) has passed; the entry can no longer be changed.")
                                 % {"deadline": format_when(self.deadline(track, org))})


def policy_for(campaign: Campaign, at: dt.datetime | None = None) -> CampaignPolicy:
    return CampaignPolicy(campaign, at)


def collecting_tracks(at: dt.datetime | None = None) -> QuerySet[Track]:
    """Tracks of published campaigns that are collecting at `at` (the same rule as
    `CampaignPolicy.is_collecting`, as one query)."""
    day = local_day(at if at is not None else now())
    return (Track.objects.select_related("campaign")
            .filter(Q(is_open=True), campaign__is_published=True, campaign__collect_start__lte=day,
                    campaign__collect_end__gte=day)
            .order_by("-campaign__year", "campaign_id", "number"))
