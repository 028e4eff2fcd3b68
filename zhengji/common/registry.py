"""Plug-in points of the lowest floor: small registries that the apps above fill at start-up, in
their `AppConfig.ready()`, so that `common` never imports them.

- `hub` and `centre`: the panels of the staff hub (`/hub/`) and of the personal centre, each a
  function `(user) -> list[Panel]` registered under a key with an order;
- `staff_checks`: who may open the staff hub (and sees "Manage" in the menu);
- `audit_readers`: which audit records a user may read (`AuditReadScope`), used by the audit log
  browser, its CSV export and `GET /api/audit`;
- `audit_actions`: what each audit action code means (a sentence in the reader's language) and
  its kind (the audit log's filter);
- `periodic_jobs`: the jobs `manage.py scheduler` enqueues, with their intervals;
- `honour_suggestions`: outstanding units and individuals suggested for a results notice.
- `vote_counts`: where the public votes of a track's entries come from (judging's vote weight).
- `public_awards`: the award tiers the public may see (the review app provides them once published).

Registering the same key again replaces the earlier entry, so a `ready()` that runs twice (tests)
does not duplicate anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    UserLike: TypeAlias = AbstractBaseUser | AnonymousUser
else:
    UserLike: TypeAlias = Any

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries registered under a key, kept in (order, registration) order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, tuple[int, int, T]] = {}
        self._seq = 0

    def register(self, key: str, entry: T, *, order: int = 100) -> None:
        """Add (or replace) the entry under `key`; lower `order` comes first."""
        previous = self._entries.get(key)
        seq = previous[1] if previous is not None else self._next_seq()
        self._entries[key] = (order, seq, entry)

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def keys(self) -> list[str]:
        return [k for k, _v in sorted(self._entries.items(), key=lambda kv: kv[1][:2])]

    def __iter__(self) -> Iterator[T]:
        for _order, _seq, entry in sorted(self._entries.values(), key=lambda v: v[:2]):
            yield entry

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {', '.join(self.keys())}>"


# --- panels (staff hub, personal centre) ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PanelItem:
    """One line of a panel's list: a label, linked when `url` is set, and a muted note."""

    label: str
    url: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Panel:
    """A card on a page built from several apps. `key` names it (the heading's id is derived from
    it); the body is `items` as a list, or `template` rendered with the page's context plus
    `context` and `panel`."""

    key: str
    title: str
    icon: str = ""
    items: tuple[PanelItem, ...] = ()
    template: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)


PanelProvider: TypeAlias = Callable[[UserLike], list[Panel]]


class PanelRegistry(Registry[PanelProvider]):
    def panels(self, user: UserLike) -> list[Panel]:
        """The panels this user sees, in order (a provider returns [] to show nothing)."""
        out: list[Panel] = []
        for provider in self:
            out.extend(provider(user))
        return out


hub = PanelRegistry("hub")
centre = PanelRegistry("centre")


# --- who may use the staff hub ---------------------------------------------------------------------

StaffCheck: TypeAlias = Callable[[UserLike], bool]


class StaffRegistry(Registry[StaffCheck]):
    def is_staff(self, user: UserLike | None) -> bool:
        """True when any registered check says the user is staff of something."""
        if user is None or not user.is_authenticated:
            return False
        return any(check(user) for check in self)


staff_checks = StaffRegistry("staff checks")


# --- who may read which audit records ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AuditReadScope:
    """The audit records a user may read: everything (superusers), or those whose `org_path`
    lies in one of `org_paths` (administered subtrees) or whose `campaign_id` is one of
    `campaign_ids`."""

    everything: bool = False
    org_paths: frozenset[str] = frozenset()
    campaign_ids: frozenset[int] = frozenset()

    def __or__(self, other: AuditReadScope) -> AuditReadScope:
        return AuditReadScope(everything=self.everything or other.everything,
                              org_paths=self.org_paths | other.org_paths,
                              campaign_ids=self.campaign_ids | other.campaign_ids)

    @property
    def is_empty(self) -> bool:
        # An empty path would match every record: it never counts as a subtree.
        return not (self.everything or any(self.org_paths) or self.campaign_ids)


AuditReader: TypeAlias = Callable[[UserLike], AuditReadScope | None]


class AuditReaderRegistry(Registry[AuditReader]):
    def scope_for(self, user: UserLike | None) -> AuditReadScope | None:
        """The union of what every reader grants; None when the user may read nothing."""
        if user is None or not user.is_authenticated:
            return None
        total = AuditReadScope()
        for reader in self:
            granted = reader(user)
            if granted is not None:
                total = total | granted
        return None if total.is_empty else total


audit_readers = AuditReaderRegistry("audit readers")


# --- periodic jobs ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A plain function, named by its dotted path (the task queue carries the path), run every
    `interval` seconds by `manage.py scheduler`."""

    path: str
    interval: float

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError(f"the interval of {self.path} must be positive")


class PeriodicJobRegistry(Registry[PeriodicJob]):
    def add(self, path: str, interval: float) -> None:
        self.register(path, PeriodicJob(path, interval))

    def jobs(self) -> list[PeriodicJob]:
        return list(self)


periodic_jobs = PeriodicJobRegistry("periodic jobs")


# --- what the audit log's action codes mean -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AuditAction:
    """How the audit log shows one action code: `sentence` is a (lazily translated) template
    with `%(actor)s` (the actor's masked name) and `%(object)s` (the object's label); `kind` is
    the key of an `AuditKind` (the reader's filter)."""

    code: str
    sentence: Any
    kind: str
    collapsible: bool = False


@dataclass(frozen=True, slots=True)
class AuditKind:
    key: str
    label: Any


class AuditActionRegistry(Registry[AuditAction]):
    """Action code -> sentence; each app registers the codes it writes in its `ready()`.
    Kinds (the filter's choices) are registered the same way, with `kind()`."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.kinds: Registry[AuditKind] = Registry(f"{name} kinds")

    def kind(self, key: str, label: Any, *, order: int = 100) -> None:
        self.kinds.register(key, AuditKind(key, label), order=order)

    def add(self, code: str, sentence: Any, *, kind: str, collapsible: bool = False) -> None:
        """`collapsible`: consecutive records of this code by one actor on one object within a
        session are shown as one (autosaves)."""
        self.register(code, AuditAction(code, sentence, kind, collapsible))

    def add_many(self, kind: str, sentences: Mapping[str, Any]) -> None:
        for code, sentence in sentences.items():
            self.add(code, sentence, kind=kind)

    def get(self, code: str) -> AuditAction | None:
        entry = self._entries.get(code)
        return entry[2] if entry is not None else None

    def collapsible_codes(self) -> list[str]:
        return sorted(a.code for a in self if a.collapsible)

    def codes_of(self, kind: str) -> list[str]:
        return sorted(a.code for a in self if a.kind == kind)

    def kind_choices(self) -> list[tuple[str, str]]:
        """(key, label) of the kinds that have at least one action, in order."""
        used = {a.kind for a in self}
        return [(k.key, str(k.label)) for k in self.kinds if k.key in used]


audit_actions = AuditActionRegistry("audit actions")


# --- honours suggested for a campaign's results notice --------------------------------------------------

HonourProvider: TypeAlias = Callable[[int], list[dict[str, Any]]]


class HonourSuggestionRegistry(Registry[HonourProvider]):
    """Who might be named an outstanding organising unit or individual in a campaign's results
    notice (review's notice editor shows these; staff choose). A provider is `(campaign_id) ->
    [{"kind": "unit"|"person", "name": …, "unit": …, "why": …}]`; the statistics app registers
    one built from the reporting indicators (participation, coverage, entries recommended,
    awards), never from public votes."""

    def suggestions(self, campaign_id: int) -> list[dict[str, Any]]:
        """Every provider's suggestions in order, the first of equal (kind, name, unit) kept."""
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str]] = set()
        for provider in self:
            for item in provider(campaign_id):
                key = (str(item.get("kind", "")), str(item.get("name", "")), str(item.get("unit", "")))
                if key[1] and key not in seen:
                    seen.add(key)
                    out.append({"kind": key[0], "name": key[1], "unit": key[2], "why": str(item.get("why", ""))})
        return out


honour_suggestions = HonourSuggestionRegistry("honour suggestions")
# --- public votes (judging's optional public-vote weight) -------------------------------------------------

VoteProvider: TypeAlias = Callable[[int, list[int]], Mapping[int, int]]


class VoteCountRegistry(Registry[VoteProvider]):
    """Where a track's public votes come from: providers `(track_id, entry_ids) -> {entry_id: n}`
    (the public site registers one). Counts of several providers add up; with none registered,
    or for an entry no provider knows, the count is 0."""

    def counts(self, track_id: int, entry_ids: list[int]) -> dict[int, int]:
        ids = list(entry_ids)
        out = dict.fromkeys(ids, 0)
        for provider in self:
            for entry_id, n in provider(track_id, ids).items():
                if entry_id in out:
                    out[entry_id] += int(n)
        return out


vote_counts = VoteCountRegistry("vote counts")


# --- awards the public may see ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PublicAward:
    """An entry's award tier as the public may know it (the review app decides when: once the
    track's results are published for publicity)."""

    entry_id: int
    tier_id: int
    label: str
    order: int  # 1 = highest tier


PublicAwardProvider: TypeAlias = Callable[[list[int]], dict[int, PublicAward]]


class PublicAwardRegistry(Registry[PublicAwardProvider]):
    """`awards(track_ids)`: {entry_id: PublicAward} of the published results of these tracks (an
    awarded entry of a track whose results are not public yet is absent)."""

    def awards(self, track_ids: list[int]) -> dict[int, PublicAward]:
        out: dict[int, PublicAward] = {}
        for provider in self:
            out.update(provider(list(track_ids)))
        return out


public_awards = PublicAwardRegistry("public awards")
