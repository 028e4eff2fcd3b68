"""`{% reader_deadlines track %}`: the deadlines that apply to the person reading the page, from
the one policy (`CampaignPolicy.reader_deadlines`), rendered by campaigns/_reader_deadlines.html.
One policy per campaign and one membership lookup per request, however many tracks a page shows."""

from __future__ import annotations

from typing import Any

from django import template

from zhengji.campaigns.models import Track
from zhengji.campaigns.policy import CampaignPolicy, ReaderDeadline, policy_for, worker_unit_of

register = template.Library()

_UNSET = object()


def deadlines_for(context: template.Context, track: Track,
                  policy: CampaignPolicy | None = None) -> list[ReaderDeadline]:
    """The reader's deadlines, with the campaign policies and the worker's unit cached on the
    request (one policy per campaign, one membership lookup, however many tracks are shown)."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    cache: dict[str, Any] = getattr(request, "_zj_deadlines", None) or {"policies": {}, "unit": _UNSET}
    if request is not None:
        request._zj_deadlines = cache
    policies: dict[int, CampaignPolicy] = cache["policies"]
    if policy is not None:
        policies.setdefault(track.campaign_id, policy)
    policy = policies.get(track.campaign_id)
    if policy is None:
        policy = policies[track.campaign_id] = policy_for(track.campaign)
    if cache["unit"] is _UNSET:
        cache["unit"] = worker_unit_of(user)
    return policy.reader_deadlines(track, user, worker_unit=cache["unit"], unit_known=True)


@register.inclusion_tag("campaigns/_reader_deadlines.html", takes_context=True)
def reader_deadlines(context: template.Context, track: Track, compact: bool = False,
                     policy: CampaignPolicy | None = None) -> dict[str, Any]:
    """The reader's deadlines for `track` as a list (compact: smaller, for cards). A page that
    already holds the campaign's policy passes it (its level rules are loaded once)."""
    return {"deadlines": deadlines_for(context, track, policy), "track": track, "compact": compact}
