"""JSON API of the public site's votes area (added to the public router, /api/public).

Voters: cast a vote, remaining votes today, a proof-of-work challenge; anyone: a track's window;
host staff and campaign admins: set the window, the queue of flagged votes, confirm/release."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from zhengji.campaigns.models import Track
from zhengji.common.apitypes import InputSchema

from . import votes_challenge
from .domain import votes as domain
from .models import AnomalyGroup, GroupState, Vote, VoteState
from .views_votes import origin_of
from .votes_rules import can_manage_votes, managed_tracks_q, manages_any

router = Router(tags=["public votes"])


class CastVoteIn(InputSchema):
    proof: str | None = None  # the ALTCHA payload (base64), when a challenge was demanded


class CastVoteOut(Schema):
    entry_id: int
    held: bool
    remaining_today: int
    count: int | None


class VoteRemainingOut(Schema):
    track_id: int
    remaining_today: int | None


class VoteWindowOut(Schema):
    track_id: int
    enabled: bool
    is_open: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    per_entry_daily: int
    per_account_daily: int
    show_counts: bool


class VoteWindowIn(InputSchema):
    enabled: bool
    opens_at: dt.datetime
    closes_at: dt.datetime
    per_entry_daily: int = 1
    per_account_daily: int = 10
    show_counts: bool = True


class VoteAnomalyGroupOut(Schema):
    id: int
    track_id: int
    kind: str
    kind_label: str
    key: str
    entry_id: int | None
    detail: str
    held_votes: int
    state: str
    created: dt.datetime


class VoteDecideIn(InputSchema):
    group_ids: list[int]
    action: str  # "confirm" | "release"


class VoteDecideOut(Schema):
    decided: int


def _window_out(w) -> dict:
    return {"track_id": w.track_id, "enabled": w.enabled, "is_open": w.is_open(), "opens_at": w.opens_at,
            "closes_at": w.closes_at, "per_entry_daily": w.per_entry_daily,
            "per_account_daily": w.per_account_daily, "show_counts": w.show_counts}


def _proof(request: HttpRequest) -> str | None:
    """The ALTCHA payload from a JSON body `{"proof": …}` or a form field; no body is fine."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return None
        proof = data.get("proof") if isinstance(data, dict) else None
    else:
        proof = request.POST.get("proof") or request.POST.get("altcha")
    return proof if isinstance(proof, str) and proof else None


@router.post("/votes/entries/{entry_id}", response=CastVoteOut, summary="Cast a vote for a public entry",
             openapi_extra={"requestBody": {"required": False, "content": {
                 "application/json": {"schema": CastVoteIn.model_json_schema()}}}})
def cast_vote(request: HttpRequest, entry_id: int):
    cast = domain.cast(request.user, entry_id, origin=origin_of(request), proof=_proof(request))
    return {"entry_id": cast.entry_id, "held": cast.held, "remaining_today": cast.remaining_today,
            "count": cast.count}


@router.get("/votes/tracks/{track_id}/remaining", response=VoteRemainingOut, summary="My votes left today in a track")
def my_remaining(request: HttpRequest, track_id: int):
    get_object_or_404(Track, pk=track_id, campaign__is_published=True)
    return {"track_id": track_id, "remaining_today": domain.remaining_today(request.user, track_id)}


@router.get("/votes/challenge", summary="A proof-of-work challenge (ALTCHA v2) for my next vote")
def challenge(request: HttpRequest):
    return votes_challenge.create(int(request.user.pk or 0))  # the router requires a login


@router.get("/votes/tracks/{track_id}/window", response=VoteWindowOut, auth=None, summary="A track's voting window")
def get_window(request: HttpRequest, track_id: int):
    track = get_object_or_404(Track, pk=track_id, campaign__is_published=True)
    w = domain.window_of(track)
    if w is None:
        raise domain.VoteRefused(_("There is no public vote for this track."), code="not_found", status=404)
    return _window_out(w)


@router.put("/votes/tracks/{track_id}/window", response=VoteWindowOut, summary="Set a track's voting window (staff)")
def set_window(request: HttpRequest, track_id: int, payload: VoteWindowIn):
    track = get_object_or_404(Track, pk=track_id)
    if not can_manage_votes(request.user, track):
        raise PermissionDenied
    return _window_out(domain.set_window(request.user, track, **payload.dict()))


@router.get("/votes/anomalies", response=list[VoteAnomalyGroupOut], summary="Flagged vote groups of my tracks (staff)")
def anomalies(request: HttpRequest, state: str = GroupState.OPEN, page: int = 1):
    if not manages_any(request.user):
        raise PermissionDenied
    page = max(1, page)
    groups = list(AnomalyGroup.objects.filter(managed_tracks_q(request.user, "track__"), state=state)
                  .order_by("-created")[(page - 1) * 50: page * 50])
    held = dict(Vote.objects.filter(group__in=[g.pk for g in groups], state=VoteState.HELD).values("group")
                .annotate(n=Count("id")).values_list("group", "n"))
    return [{"id": g.pk, "track_id": g.track_id, "kind": g.kind, "kind_label": str(g.get_kind_display()),
             "key": g.key, "entry_id": g.entry_id, "detail": g.detail, "held_votes": held.get(g.pk, 0),
             "state": g.state, "created": g.created} for g in groups]


@router.post("/votes/anomalies/decide", response=VoteDecideOut, summary="Confirm or release flagged groups (staff)")
def decide(request: HttpRequest, payload: VoteDecideIn):
    if not manages_any(request.user):
        raise PermissionDenied
    return {"decided": domain.decide(request.user, payload.group_ids, payload.action)}
