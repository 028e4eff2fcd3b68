"""Permission predicates of judging and results, in one place.

- host-unit staff of the track, admins of its campaign, superusers: set up the review, vet, assign,
  see scores, decide, freeze, publish, finalise;
- a judge on the panel: their own assignments in an open round (blind), declare a conflict;
- moderators of the campaign (and its admins): handle objections;
- campaign admins: the campaign's holidays and its results notice.

Step permissions are state-aware like the kernel's (`entries.rules.step_open`).
"""

from __future__ import annotations

from typing import Any

import rules

from zhengji.accounts.rules import is_superuser
from zhengji.accounts.scopes import scopes_for
from zhengji.entries.rules import step_open


def _track_of(obj: Any) -> Any:
    """A track, or the track of an entry / round / publicity / objection."""
    if obj is None:
        return None
    if hasattr(obj, "host_unit_id"):
        return obj
    for attr in ("track", "publicity"):
        inner = getattr(obj, attr, None)
        if inner is not None:
            return _track_of(inner)
    return None


@rules.predicate
def runs_review(user: Any, obj: Any) -> bool:
    """Host-unit staff of the track, or an admin of its campaign."""
    track = _track_of(obj)
    if track is None or user is None or not user.is_authenticated:
        return False
    scopes = scopes_for(user)
    return track.pk in scopes.host_tracks or track.campaign_id in scopes.campaign_admin


@rules.predicate
def judges_track(user: Any, obj: Any) -> bool:
    track = _track_of(obj)
    return (track is not None and user is not None and user.is_authenticated
            and track.pk in scopes_for(user).judge_tracks)


@rules.predicate
def moderates(user: Any, obj: Any) -> bool:
    """A moderator or admin of the campaign of the track (objections)."""
    track = _track_of(obj)
    if track is None or user is None or not user.is_authenticated:
        return False
    scopes = scopes_for(user)
    return track.campaign_id in scopes.moderator or track.campaign_id in scopes.campaign_admin


@rules.predicate
def administers_campaign(user: Any, campaign: Any) -> bool:
    return (campaign is not None and user is not None and user.is_authenticated
            and campaign.pk in scopes_for(user).campaign_admin)


staff = is_superuser | runs_review

rules.add_perm("review.run_review", staff)
rules.add_perm("review.judge", judges_track)
rules.add_perm("review.moderate", is_superuser | moderates)
rules.add_perm("review.manage_notice", is_superuser | administers_campaign)
# Entry steps (objects: entries).
rules.add_perm("review.vet_entry", staff & (step_open("vet_eligible") | step_open("vet_disqualify")))
rules.add_perm("review.requalify_entry", staff & step_open("requalify"))
rules.add_perm("review.score_entry", staff & step_open("mark_scored"))
rules.add_perm("review.decide_entry", staff & (step_open("award") | step_open("not_award")))
rules.add_perm("review.reopen_entry", staff & step_open("reopen_result"))

# --- publicity area: objections ---------------------------------------------------------------------
# Who may read objections of a track (and view their evidence): its moderators and campaign admins,
# and the staff who run its review (they act on an upheld objection). Handling stays
# "review.moderate".
rules.add_perm("review.view_objection", is_superuser | moderates | runs_review)

# --- notice (results notice and award certificates) -------------------------------------------------

@rules.predicate
def administers_campaign_of(user: Any, obj: Any) -> bool:
    """An admin of the campaign of a notice, a track, an entry or a certificate."""
    campaign_id = _campaign_id_of(obj)
    return (campaign_id is not None and user is not None and user.is_authenticated
            and campaign_id in scopes_for(user).campaign_admin)


def _campaign_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    if hasattr(obj, "entry_id") and hasattr(obj, "code"):  # a certificate
        obj = obj.entry
    if hasattr(obj, "track_id") and hasattr(obj, "submitter_id"):  # an entry
        obj = obj.track
    return getattr(obj, "campaign_id", None)


@rules.predicate
def holds_awarded_entry(user: Any, certificate: Any) -> bool:
    """The submitter of the certificate's entry, while the entry stands awarded."""
    if certificate is None or user is None or not user.is_authenticated:
        return False
    entry = certificate.entry
    return entry.submitter_id == user.pk and entry.status in ("awarded", "published")


# Who may manage the notice of a campaign also issues and revokes its certificates (objects: a
# notice, a track or a certificate).
rules.add_perm("review.manage_certificates", is_superuser | administers_campaign_of)
# A certificate's PDF: its entrant (entry awarded and the certificate not revoked: checked by the
# view), the campaign's admins, superusers.
rules.add_perm("review.download_certificate", is_superuser | administers_campaign_of | holds_awarded_entry)
# --- setup area ---------------------------------------------------------------------------------
# The campaign's public holidays (publicity periods count working days): its admins.
rules.add_perm("review.manage_holidays", is_superuser | administers_campaign)

# --- judge area: a judge's own assignment ----------------------------------------------------------

@rules.predicate
def holds_assignment(user: Any, assignment: Any) -> bool:
    """The judge of this active assignment, still a judge of its track (objects: assignments)."""
    if assignment is None or user is None or not user.is_authenticated:
        return False
    return (assignment.judge_id == user.pk and assignment.status == "active"
            and assignment.round.track_id in scopes_for(user).judge_tracks)


rules.add_perm("review.score_assignment", holds_assignment)
