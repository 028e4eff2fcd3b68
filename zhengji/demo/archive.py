# ruff: noqa: E501  (Chinese text counts double in line width; these are data lines)
"""The finished results archive of the 2025 campaign: each sample entry is reported up to its
track's host unit, vetted, scored by the demo judge in a scoring round, decided, frozen (SHA-256),
put on public notice in December 2025 and finalised; the awarded works are approved for the
winners' gallery, and the campaign's results notice (通报) is published.

Everything goes through the domain functions staff's clicks go through, back-dated into 2025 by
their `at=` argument where they have one. A few functions stamp "now" with no `at=`; the row
timestamps they write are set to the 2025 moment afterwards (each place says so), as loader.py
does for the sample entries. Idempotent: a track whose results are finalised is left alone, the
notice is found again by its document number. A track whose sample entry could not be made (no
ffmpeg or espeak-ng) has nothing to archive and is skipped."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from zhengji.accounts.models import User
from zhengji.campaigns.models import Campaign, Track
from zhengji.common.context import acting
from zhengji.common.models import AuditLog
from zhengji.entries import workflow
from zhengji.entries.models import Entry, EntryStatus
from zhengji.public.domain import showcase
from zhengji.public.models import Showcase
from zhengji.review.domain import assignment as assign
from zhengji.review.domain import notice, publicity, results, scoring, setup
from zhengji.review.models import (
    Assignment,
    AssignmentStatus,
    Notice,
    PanelMember,
    Publicity,
    PublicityStatus,
    ResultLine,
    ResultSnapshot,
    Round,
    RoundKind,
    RoundStatus,
)

from . import entries as demo_entries
from .loader import SHANGHAI, Report
from .public import _report_up

log = logging.getLogger(__name__)

TIERS = [{"name": "一等奖", "name_en": "First prize", "quota": 1},
         {"name": "二等奖", "name_en": "Second prize", "quota": 2},
         {"name": "三等奖", "name_en": "Third prize", "quota": 3}]
CRITERIA = [{"name": "思想性", "name_en": "Message", "maximum": 40, "weight": 1},
            {"name": "艺术性", "name_en": "Craft", "maximum": 60, "weight": 1}]
# The demo judge's points per track (思想性, 艺术性), so the tracks do not all read the same.
POINTS = {"photography": (36, 53), "micro-dramas": (35, 51), "recitation": (33, 50), "commentary": (37, 49),
          "union-accounts": (34, 52)}
NOTICE_NUMBER = "皖工办〔2025〕58号"
NOTICE_RECIPIENTS = "各市总工会，省各产业工会，省总直属工会"
# Written out (not the defaults, which follow the loader's language): an official document is Chinese.
NOTICE_TITLE = "关于2025年“皖美职工正能量 争做中国好网民”主题活动优秀成果的通报"
NOTICE_BODY = ("2025年“皖美职工正能量 争做中国好网民”主题活动开展以来，全省各级工会广泛发动、精心组织，"
               "广大职工踊跃参与。经各子项目承办单位组织评审，并于2025年12月1日至5日在平台公示，"
               "现将获奖作品通报如下。\n希望获奖单位和个人珍惜荣誉、再接再厉，持续传播网络正能量。")


def _at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# The 2025 calendar (campaign.py: review October–November, publicity from 1 December).
VETTED = _at(2025, 10, 9, 10, 0)
ROUND_OPENS, ROUND_CLOSES = _at(2025, 10, 10, 9, 0), _at(2025, 11, 14, 18, 0)
DECIDED, FROZEN = _at(2025, 11, 20, 10, 0), _at(2025, 11, 21, 10, 0)
PUBLISHED = _at(2025, 12, 1, 10, 0)   # a Monday morning: the five working days end on Friday 5 December
FINALISED = _at(2025, 12, 11, 10, 0)
SHOWN = _at(2025, 12, 11, 11, 0)
NOTICE_DAY = dt.date(2025, 12, 19)


def _staff(track: Track, users: dict[str, User]) -> User:
    """Who runs the track's review: its host staff where the demo has one, else the campaign admin."""
    return users["host_photo"] if track.slug == "photography" else users["campaign_admin"]


def _sample_entries(campaign: Campaign) -> dict[str, Entry]:
    """{track slug: the 2025 sample entry}, for the entries that exist (and were not withdrawn)."""
    out: dict[str, Entry] = {}
    for spec in demo_entries.SAMPLE_ENTRIES:
        e = (Entry.objects.filter(track__campaign=campaign, track__slug=spec["track"], title=spec["title"],
                                  submitter__username=spec["username"]).select_related("track").first())
        if e is not None and e.status != EntryStatus.WITHDRAWN:
            out[str(spec["track"])] = e
    return out


def _judge_seat(staff: User, track: Track, judge: User) -> None:
    if not PanelMember.objects.filter(track=track, user=judge, active=True).exists():
        setup.invite_judge(staff, track, judge.phone or "", judge.real_name, affiliation="省网络文明评审专家库")


def _score_round(staff: User, track: Track, entry: Entry, judge: User, n: int) -> None:
    """One scoring round, its rubric, the judge assigned and the entry scored, then closed. A round
    opens only while its closing time is ahead, so it is opened with a closing time tomorrow and
    set to its 2025 closing time once closed (a direct write: no domain function edits a closed
    round)."""
    rnd = Round.objects.filter(track=track, kind=RoundKind.SCORING).first()
    if rnd is None:
        rnd = setup.create_round(staff, track, RoundKind.SCORING, "终评", ROUND_OPENS,
                                 timezone.now() + dt.timedelta(days=1), judges_per_entry=1, name_en="Final scoring")
        setup.set_criteria(staff, rnd, CRITERIA)
    if rnd.status == RoundStatus.DRAFT:
        setup.open_round(staff, rnd)
    if rnd.status != RoundStatus.CLOSED:
        a = Assignment.objects.filter(round=rnd, entry=entry, judge=judge, status=AssignmentStatus.ACTIVE).first()
        if a is None:
            a = assign.add(staff, rnd, entry, judge)
        judge = User.objects.get(pk=judge.pk)  # afresh: its cached scopes predate the judge role just granted
        crit = list(rnd.criteria.order_by("position"))
        points = POINTS.get(track.slug, (34, 50))
        with acting(judge, ip="127.0.0.1"):
            scoring.save_score(judge, a, {str(c.pk): p for c, p in zip(crit, points, strict=True)},
                               comment="主题鲜明，贴近职工生活。", submit=True,
                               at=_at(2025, 10, 20 + n, 15, 0))
        # The end of scoring on its 2025 day (close_round would stamp it today; then it finds it done).
        workflow.apply(staff, entry.pk, "mark_scored", at=ROUND_CLOSES)
        setup.close_round(staff, Round.objects.get(pk=rnd.pk))
        Round.objects.filter(pk=rnd.pk).update(closes=ROUND_CLOSES)


def _archive_track(report: Report, track: Track, entry: Entry, users: dict[str, User], n: int) -> None:
    staff, judge = _staff(track, users), users["judge_photo"]
    entry.refresh_from_db()
    # Reported by the unit admins a day after it was submitted (before 2025's level deadlines).
    if entry.status in (EntryStatus.SUBMITTED, EntryStatus.RECOMMENDED) and entry.submitted_at is not None:
        day_after = entry.submitted_at + dt.timedelta(days=1)
        _report_up(report, entry, users, at=max(day_after, _at(2025, 9, 3, 10, 0)))
        entry.refresh_from_db()
    if entry.status not in (EntryStatus.REPORTED, EntryStatus.ELIGIBLE, EntryStatus.SCORED):
        log.warning("2025 archive: %s skipped (entry %s is %s)", track.slug, entry.number, entry.status)
        return
    with acting(staff, ip="127.0.0.1"):
        if not track.award_tiers.exists():
            setup.set_tiers(staff, track, TIERS)
        if entry.status == EntryStatus.REPORTED:
            # setup.vet() is this step without a moment to give; the workflow takes one.
            workflow.apply(staff, entry.pk, "vet_eligible", at=VETTED)
        _judge_seat(staff, track, judge)
        _score_round(staff, track, entry, judge, n)
        if results.current_snapshot(track) is None:
            first = track.award_tiers.order_by("position").first()
            results.decide(staff, track, [results.Decision(entry.pk, first.pk if first else None, "评审委员会一致同意")])
            # decide() stamps today; its 2025 day is set before the freeze, which hashes it.
            ResultLine.objects.filter(track=track).update(decided_at=DECIDED)
            snap = results.freeze(staff, track)
            ResultSnapshot.objects.filter(pk=snap.pk).update(frozen_at=FROZEN)  # not part of the hash
            AuditLog.objects.filter(object_type="review.resultsnapshot", object_id=str(snap.pk)).update(at=FROZEN)
        if not Publicity.objects.filter(track=track).exists():
            publicity.publish(staff, track, at=PUBLISHED)
        publicity.finalise(staff, track, at=FINALISED)
    report.add("2025 results finalised", True)


def _gallery(report: Report, campaign: Campaign, users: dict[str, User]) -> None:
    """The awarded works approved for the public gallery (and so the winners' page)."""
    staff = users["campaign_admin"]
    awarded = Entry.objects.filter(track__campaign=campaign, status=EntryStatus.AWARDED)
    by_track: dict[int, list[int]] = {}
    for e in awarded.exclude(showcase__approved=True):
        by_track.setdefault(e.track_id, []).append(e.pk)
    for track_id, ids in by_track.items():
        with acting(staff, ip="127.0.0.1"):
            changed = showcase.approve(staff, Track.objects.get(pk=track_id), ids)
        # approve() stamps today; the works went up the hour after the results were final.
        Showcase.objects.filter(entry_id__in=ids).update(approved_at=SHOWN, listed_at=SHOWN, updated=SHOWN)
        AuditLog.objects.filter(action="showcase.approve", object_type="entries.entry",
                                object_id__in=[str(pk) for pk in ids]).update(at=SHOWN)
        report.add("gallery approvals", bool(changed))


def _notice(report: Report, campaign: Campaign, users: dict[str, User]) -> None:
    """The campaign's results notice, issued on 19 December 2025 (found again by its number)."""
    if Notice.objects.filter(campaign=campaign, number=NOTICE_NUMBER).exists():
        return
    if not Entry.objects.filter(track__campaign=campaign, status=EntryStatus.AWARDED).exists():
        return  # publishing needs a finalised award
    admin = users["campaign_admin"]
    with acting(admin, ip="127.0.0.1"):
        n = notice.create_notice(admin, campaign, number=NOTICE_NUMBER, title=NOTICE_TITLE,
                                 recipients=NOTICE_RECIPIENTS, body=NOTICE_BODY, issued_on=NOTICE_DAY)
        n = notice.publish_notice(admin, n)
    published = dt.datetime.combine(NOTICE_DAY, dt.time(10, 0), tzinfo=SHANGHAI)
    # publish_notice stamps today; the notice's own date is 2025's (the list shows the time).
    Notice.objects.filter(pk=n.pk).update(published_at=published)
    report.add("results notices", True)


def load_results_archive(report: Report, campaign: Campaign, users: dict[str, User]) -> None:
    """The finished review of the 2025 campaign's tracks that have a sample entry (see the module)."""
    if not {"campaign_admin", "host_photo", "judge_photo"} <= set(users):
        return
    for n, (slug, entry) in enumerate(sorted(_sample_entries(campaign).items(), key=lambda kv: kv[1].track.number)):
        track = entry.track
        if Publicity.objects.filter(track=track, status=PublicityStatus.FINALISED).exists():
            continue
        with transaction.atomic():
            _archive_track(report, track, entry, users, n)
        log.debug("2025 archive: %s done", slug)
    _gallery(report, campaign, users)
    _notice(report, campaign, users)
