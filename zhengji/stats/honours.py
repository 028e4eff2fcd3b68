"""Suggestions of outstanding organising units and individuals for a campaign's results notice
(`common.registry.honour_suggestions`, registered in StatsConfig.ready; review's notice editor
shows them and staff choose).

Built from the reporting indicators only: the admins' picks on the statistics page first, then the
best units of the first two levels below the campaign's organisation by awards won, entries
recommended, participation and coverage, then the workers with the most awards and recommended
entries. Public votes and likes are never used to evaluate a unit or a person (policy: online vote
counts are not an indicator), so nothing here reads them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Campaign
from zhengji.entries.models import EntryStatus
from zhengji.orgs.models import Organization
from zhengji.review.models import ResultLine

from .models import OutstandingPick, PickKind
from .queries import candidate_levels, individual_page, person_name, unit_candidates

TOP_UNITS = 8
TOP_PEOPLE = 10
LEVELS = 2
AWARDED = (EntryStatus.AWARDED, EntryStatus.PUBLISHED)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _awards_by_prefix(campaign: Campaign, length: int) -> dict[str, int]:
    """Awarded entries per subtree whose root path has `length` characters (one grouped query)."""
    rows = (ResultLine.objects.filter(track__campaign=campaign, tier__isnull=False, entry__status__in=AWARDED)
            .annotate(n=Length("entry__unit__path")).filter(n__gte=length)
            .annotate(key=Substr("entry__unit__path", 1, length)).values("key")
            .annotate(c=Count("pk")).values_list("key", "c").order_by())
    return dict(rows)


def _awards_by_submitter(campaign: Campaign, user_ids: list[int]) -> dict[int, int]:
    return dict(ResultLine.objects.filter(track__campaign=campaign, tier__isnull=False, entry__status__in=AWARDED,
                                          entry__submitter_id__in=user_ids)
                .values("entry__submitter_id").annotate(c=Count("pk"))
                .values_list("entry__submitter_id", "c").order_by())


def _unit_why(c: Any) -> str:
    return _("Awards %(a)d, entries recommended %(r)d, participation %(p)s, coverage %(c)s") % {
        "a": c.awards or 0, "r": c.recommended, "p": _pct(c.participation), "c": _pct(c.coverage)}


def picked(campaign: Campaign) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in OutstandingPick.objects.filter(campaign=campaign).select_related("org", "user").order_by("kind", "id"):
        why = _("Picked on the statistics page") + (f"：{p.note}" if p.note else "")
        if p.kind == PickKind.UNIT and p.org is not None:
            out.append({"kind": "unit", "name": p.org.name, "unit": "", "why": why})
        elif p.user is not None:
            out.append({"kind": "person", "name": person_name(p.user), "unit": "", "why": why})
    return out


def units(campaign: Campaign) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    step = Organization.steplen
    for depth, _label in candidate_levels(campaign)[:LEVELS]:
        cands = unit_candidates(campaign, depth, sort="recommended")
        awards = _awards_by_prefix(campaign, depth * step)
        for c in cands:
            c.awards = awards.get(c.org.path, 0)
        useful = [c for c in cands if c.awards or c.recommended]
        useful.sort(key=lambda c: (-(c.awards or 0), -c.recommended, -(c.participation or 0), -(c.coverage or 0),
                                   c.org.path))
        out += [{"kind": "unit", "name": c.org.name, "unit": "", "why": _unit_why(c)} for c in useful[:TOP_UNITS]]
    return out


def people(campaign: Campaign) -> list[dict[str, Any]]:
    _page, rows = individual_page(campaign, 1)
    awards = _awards_by_submitter(campaign, [r.user_id for r in rows])
    for r in rows:
        r.awards = awards.get(r.user_id, 0)
    useful = [r for r in rows if r.awards or r.recommended]
    useful.sort(key=lambda r: (-(r.awards or 0), -r.recommended, -r.reported, -r.entries, r.user_id))
    return [{"kind": "person", "name": r.name, "unit": r.unit.split(" › ")[-1] if r.unit else "",
             "why": _("Awards %(a)d, entries recommended %(r)d, entries %(n)d") % {
                 "a": r.awards or 0, "r": r.recommended, "n": r.entries}}
            for r in useful[:TOP_PEOPLE]]


def suggest(campaign_id: int) -> list[dict[str, Any]]:
    """The honour suggestions of a campaign: [{"kind", "name", "unit", "why"}]."""
    campaign = Campaign.objects.select_related("org").filter(pk=campaign_id).first()
    if campaign is None:
        return []
    return picked(campaign) + units(campaign) + people(campaign)


__all__ = ["suggest"]
