"""The live campaign's public side for the demo: a few works entered today, recommended up the
chain to their track's host unit by the demo unit admins, approved for the gallery by the campaign
admin, a public vote open on their tracks and a moderated comment, so that a visitor of `make run`
finds a gallery to browse, search, vote in and comment on.

Everything goes through the domain functions a person's clicks go through (entries, reporting,
public showcase, votes, comments), so the audit log and the timelines read as they would. The
loader is idempotent like the rest of the demo: a work is found again by (track, submitter, title),
a step already taken is not taken again, and a second load on the same day changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhengji.accounts.models import User
from zhengji.campaigns.models import Campaign, Track
from zhengji.common.context import acting
from zhengji.entries.models import Entry, EntryStatus
from zhengji.orgs.models import Organization
from zhengji.public.domain import comments, showcase, votes
from zhengji.public.models import Comment, CommentStatus, VoteWindow
from zhengji.reporting import services as reporting
from zhengji.reporting.models import ChainPosition
from zhengji.reporting.rules import administers_level

from . import entries as demo_entries
from .loader import SHANGHAI, Report, _load_sample_entry

# (track, who enters it in the live campaign): the sample works of 2025 again, by the account the
# README's tours do not use for a new entry (worker_yian enters a photo series in the worker's tour,
# and votes and comments in the visitor's).
LIVE_PUBLIC = [("photography", "worker_jiaoqu"), ("micro-dramas", "worker_jiaoqu"),
               ("recitation", "worker_jiaoqu"), ("commentary", "worker_jiaoqu")]
# Unit admins who recommend at each level, lowest first (the platform admin is the fallback).
RECOMMENDERS = ["admin_yian", "admin_jiaoqu", "admin_tongling", "admin"]
COMMENT = ("看完很受触动，身边的劳动者就是最好的故事。", "郊区冶炼工")


def _spec(track_slug: str, username: str, when: dt.datetime) -> dict[str, Any] | None:
    for spec in demo_entries.SAMPLE_ENTRIES:
        if spec["track"] == track_slug:
            return {**spec, "username": username, "when": when.replace(tzinfo=None), "unit": None}
    return None


def _report_up(report: Report, entry: Entry, users: dict[str, User], at: dt.datetime | None = None) -> None:
    """At each level the entry waits at, its admin recommends it and sends the level's batch of
    the track, until the entry reaches the track's host unit (status reported). `at` back-dates
    the steps (the 2025 archive reports before that year's deadlines)."""
    admins = [users[name] for name in RECOMMENDERS if name in users]
    for _step in range(8):  # a chain is a handful of levels; a step that does not advance ends it
        entry.refresh_from_db()
        if entry.status not in (EntryStatus.SUBMITTED, EntryStatus.RECOMMENDED):
            return
        pos = ChainPosition.objects.select_related("level").filter(entry_id=entry.pk).first()
        if pos is None:
            return
        level: Organization = pos.level
        actor = next((u for u in admins if administers_level(u, level)), None)
        if actor is None:
            return
        with acting(actor, ip="127.0.0.1"):
            if not pos.recommended:
                reporting.recommend(actor, [entry.pk], level, at=at)
            batch = reporting.create_batch(actor, level, entry.track, at=at)
            reporting.send_batch(actor, batch, at=at)
        report.add("batches reported", True)


def load_public_demo(report: Report, campaign: Campaign, users: dict[str, User],
                     orgs: dict[str, Organization]) -> None:
    now = timezone.now()
    tracks = {t.slug: t for t in campaign.tracks.all()}
    shown: dict[int, list[int]] = {}
    for i, (slug, username) in enumerate(LIVE_PUBLIC):
        track, user = tracks.get(slug), users.get(username)
        spec = _spec(slug, username, (now - dt.timedelta(hours=6 + i)).astimezone(SHANGHAI))
        if track is None or user is None or spec is None:
            continue
        entry = Entry.objects.filter(track=track, submitter=user, title=spec["title"]).first()
        if entry is None:
            _load_sample_entry(report, spec, track, user, orgs, label="live public works")
            entry = Entry.objects.filter(track=track, submitter=user, title=spec["title"]).first()
            if entry is None:  # its files could not be generated (no ffmpeg or espeak-ng)
                continue
        _report_up(report, entry, users)
        entry.refresh_from_db()
        if entry.status == EntryStatus.REPORTED:
            shown.setdefault(track.pk, []).append(entry.pk)
    staff = users["campaign_admin"]
    by_pk = {t.pk: t for t in tracks.values()}
    for track_id, ids in shown.items():
        track = by_pk[track_id]
        with acting(staff, ip="127.0.0.1"):
            changed = showcase.approve(staff, track, ids)
        report.add("gallery approvals", bool(changed))
        _open_vote(report, staff, track, now)
    _comment(report, users, shown)


def _open_vote(report: Report, staff: User, track: Track, now: dt.datetime) -> None:
    """Open the track's vote from yesterday to the end of collection (kept when already open)."""
    close = track.campaign.collect_end
    closes_at = dt.datetime.combine(close, dt.time(23, 59), tzinfo=SHANGHAI) if close else now + dt.timedelta(days=60)
    w = VoteWindow.objects.filter(track=track).first()
    if w is not None and w.enabled and w.opens_at <= now and w.closes_at == closes_at:
        return
    opens_at = min(now - dt.timedelta(days=1), closes_at - dt.timedelta(days=1))
    with acting(staff, ip="127.0.0.1"):
        votes.set_window(staff, track, enabled=True, opens_at=opens_at, closes_at=closes_at,
                         per_entry_daily=1, per_account_daily=10)
    report.add("vote windows", w is None, changed=w is not None)


def _comment(report: Report, users: dict[str, User], shown: dict[int, list[int]]) -> None:
    """One comment by worker_yian on the first shown work, approved by the moderator."""
    author, moderator = users.get("worker_yian"), users.get("moderator")
    first = next((ids[0] for ids in shown.values() if ids), None)
    if author is None or moderator is None or first is None:
        return
    tgt = comments.entry_target(author, first)
    if Comment.objects.filter(tgt.q, author=author).exists():
        return
    body, nickname = COMMENT
    with acting(author, ip="127.0.0.1"):
        posted = comments.post(author, tgt, body, nickname=nickname, ip="127.0.0.1")
    if posted.status != CommentStatus.PUBLISHED:
        with acting(moderator, ip="127.0.0.1"):
            comments.moderate(moderator, [posted.pk], "approve")
    report.add("comments", True)
