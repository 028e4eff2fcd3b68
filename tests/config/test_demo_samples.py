"""Sample entries (real files generated at load time, back-dated into 2025 through the domain
functions) and the live copy of the campaign (collecting today)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhengji.accounts.models import RoleAssignment, User
from zhengji.campaigns.models import Campaign, LevelRule, Phase, Track
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.models import AuditLog, Notification
from zhengji.demo import entries as demo_entries
from zhengji.demo import loader
from zhengji.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from zhengji.demo.campaign import LIVE_SLUG
from zhengji.demo.loader import Report, load_demo, load_live_campaign, load_orgs
from zhengji.entries import services as entries
from zhengji.entries.models import Entry, EntryStatus
from zhengji.media import samples
from zhengji.media.models import MediaFile, MediaStatus

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SH = dt.timezone(dt.timedelta(hours=8))


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Entry, MediaFile, AuditLog, Notification, Campaign, Track,
                                                    LevelRule, RoleAssignment)}


def test_sample_entries_are_real_and_load_idempotently(django_capture_on_commit_callbacks):
    # On commit the processing tasks run (immediately in the tests): the renditions are made.
    with django_capture_on_commit_callbacks(execute=True):
        out = load("--live")
    assert f"{len(demo_entries.SAMPLE_ENTRIES)} sample entries" in out
    assert abs(timezone.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)  # the real clock is back
    first = counts()
    assert "nothing changed" in load("--live")
    assert counts() == first
    assert not load_demo(live=True).changed_anything

    campaign = Campaign.objects.get(slug="good-netizen-2025")
    sample = list(Entry.objects.filter(track__campaign=campaign).select_related("track", "submitter", "unit"))
    assert len(sample) == len(demo_entries.SAMPLE_ENTRIES) == 5
    assert {e.track.slug for e in sample} == {"photography", "micro-dramas", "recitation", "commentary",
                                               "union-accounts"}
    assert {e.submitter.username for e in sample} == {"worker_yian", "worker_jiaoqu", "admin_yian"}
    collect_start = dt.datetime(2025, 6, 1, tzinfo=SH)
    for e in sample:
        assert e.status == EntryStatus.AWARDED  # the 2025 results archive took it through the review
        assert re.fullmatch(rf"2025-{e.track.number:02d}-\d{{6}}", e.number), e.number
        assert e.pledge_version and e.pledge_ip == "127.0.0.1"
        assert collect_start <= e.created < e.pledged_at == e.submitted_at
        assert e.submitted_at <= entries.deadline_for_entry(e)  # in time, by the domain's own rule
        actions = list(AuditLog.objects.filter(object_type="entries.entry", object_id=str(e.pk))
                       .order_by("at").values_list("action", "at"))
        assert actions[0][0] == "entry.create" and ("entry.submit", e.submitted_at) in actions
        assert actions[-1][0] == "showcase.approve"
        assert all(at.year == 2025 for _a, at in actions)
        events = list(e.events.order_by("at").values_list("transition", "at"))
        assert events[0][0] == "create" and ("submit", e.submitted_at) in events
        assert [t for t, _at in events[-3:]] == ["vet_eligible", "mark_scored", "award"]
        assert Notification.objects.filter(user=e.submitter, title__contains=e.number).exists()
        assert not entries.validate(e, entries.track_fields(e.track))  # complete by the track's form
    by_track = {e.track.slug: e for e in sample}
    unit_entry = by_track["union-accounts"]
    assert unit_entry.entrant_type == "unit" and unit_entry.unit.code == "AH-TL-YA"
    assert unit_entry.data["platform"] == "wechat" and unit_entry.data["followers"] == 12600
    assert "<strong>" in by_track["commentary"].data["body"]
    assert by_track["micro-dramas"].authors.count() == 3

    media = list(MediaFile.objects.filter(entry_link__entry__in=sample).select_related("entry_link__entry__track"))
    slots = {(m.entry_link.entry.track.slug, m.entry_link.slot) for m in media}
    assert slots == {("photography", "photos"), ("micro-dramas", "video"), ("recitation", "audio"),
                     ("union-accounts", "verification")}
    assert sum(m.entry_link.slot == "photos" for m in media) == 3
    assert len({m.sha256 for m in media}) == len(media)  # three different photographs
    for m in media:
        with m.original.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == m.sha256
        assert m.status == MediaStatus.READY, (m.filename, m.error)
        assert m.thumbnail or m.preview
    video = next(m for m in media if m.kind == "video")
    assert (video.width, video.height) == (1280, 720) and 2 <= video.duration <= 3.5 and video.preview
    photo = next(m for m in media if m.entry_link.slot == "photos")
    assert photo.width * photo.height >= 3_000_000
    audio = next(m for m in media if m.kind == "audio")
    assert audio.duration > 3 and audio.preview  # espeak-ng speech, not a one-second beep


def test_sample_entries_are_made_once_even_if_the_user_withdrew_one(monkeypatch):
    from zhengji.demo import archive  # noqa: PLC0415

    # Without the 2025 results archive, which would take the entries into the review.
    with monkeypatch.context() as m:
        m.setattr(archive, "load_results_archive", lambda *args: None)
        load_demo(samples=True)
        e = Entry.objects.get(title="最后一公里")
        # A withdrawal after the deadline is still allowed (the entry is not under review).
        entries.withdraw(e.submitter, e, reason="demo")
        before = counts()
        report = load_demo()
        assert not report.changed_anything and counts() == before
    # The archive then leaves the withdrawn entry (and its track) out, and awards the others.
    load_demo()
    e.refresh_from_db()
    assert e.status == EntryStatus.WITHDRAWN
    assert Entry.objects.filter(track__campaign=e.track.campaign, status=EntryStatus.AWARDED).count() == 4


def test_without_samples_no_entries_and_no_ffmpeg():
    report = load_demo(samples=False)
    assert "sample entries" not in report.created and not Entry.objects.exists()


def test_live_copy_collects_today_and_a_worker_can_submit():
    load("--live", "--no-samples")
    live = Campaign.objects.get(slug=LIVE_SLUG)
    old = Campaign.objects.get(slug="good-netizen-2025")
    today = timezone.localdate()
    assert live.phase == Phase.COLLECTING and old.phase == Phase.CONCLUDED
    assert live.collect_start == today - dt.timedelta(days=30) and live.collect_end == today + dt.timedelta(days=60)
    assert live.year == today.year and live.name.endswith("（演示）") and live.is_published
    dates = [p["start"] for p in live.timeline()]
    assert dates == sorted(dates)
    tracks = list(live.tracks.order_by("number"))
    assert [(t.slug, t.form_schema, t.host_unit_id, t.entrant_types) for t in tracks] == [
        (t.slug, t.form_schema, t.host_unit_id, t.entrant_types) for t in old.tracks.order_by("number")]
    end = dt.datetime.combine(live.collect_end, dt.time(23, 59, 59), tzinfo=SH)
    rules = {r.org_kind: r for r in LevelRule.objects.filter(campaign=live, track=None)}
    assert rules["grassroots"].deadline == end - dt.timedelta(days=10) and rules["city"].deadline == end
    assert rules["county"].quota == 5 and rules["city"].quota == 10
    # Its rules state its own deadlines, not those of 2025.
    assert f"{live.collect_end.month}月{live.collect_end.day}日" in tracks[0].rules and "9月15日" not in tracks[0].rules
    # Campaign and track roles cover the live copy too.
    assert RoleAssignment.objects.in_scope(live).filter(user__username="campaign_admin",
                                                        role=CampaignRole.CAMPAIGN_ADMIN).exists()
    assert RoleAssignment.objects.filter(user__username="judge_photo", scope_type="campaigns.track",
                                         scope_id__in=live.tracks.values("pk")).exists()

    # What a person trying the demo does: a worker enters the live campaign.
    worker = User.objects.get(username="worker_jiaoqu")
    commentary = live.tracks.get(slug="commentary")
    assert commentary in entries.open_tracks()
    e = entries.create_draft(worker, commentary, changes=entries.Changes(
        title="试一试", data={"body": "<p>在演示活动里提交一篇网评。</p>"}))
    e = entries.submit(worker, e, pledge=True)
    assert e.status == EntryStatus.SUBMITTED and e.number == f"{today.year}-07-000001"


def test_live_dates_follow_the_day_of_loading():
    load_demo(live=True, samples=False)
    later = timezone.localdate() + dt.timedelta(days=45)
    report = Report()
    live = load_live_campaign(report, load_orgs(Report()), today=later)
    assert report.updated.get("campaigns") == 1 and live.collect_start == later - dt.timedelta(days=30)
    assert live.phase_on(later) == Phase.COLLECTING


def test_public_pages_with_both_campaigns(client):
    load("--live", "--no-samples")
    home = client.get("/")
    html = home.content.decode()
    assert home.status_code == 200 and '<html lang="zh-CN"' in html
    assert "（演示）" in html
    live = Campaign.objects.get(slug=LIVE_SLUG)
    for t in live.tracks.all():
        assert t.name in html
    listing = client.get("/campaigns/").content.decode()
    assert "/c/good-netizen-2025/" in listing and f"/c/{LIVE_SLUG}/" in listing
    old = client.get("/c/good-netizen-2025/")
    assert old.status_code == 200
    old_tracks = Campaign.objects.get(slug="good-netizen-2025").tracks.all()
    assert sum(t.name in old.content.decode() for t in old_tracks) == 10


def test_worker_sees_the_sample_entries_in_my_entries(client, settings):
    load_demo(live=True)
    assert client.login(username="worker_yian", password=DEMO_PASSWORD)
    page = client.get("/entries/").content.decode()
    mine = Entry.objects.filter(submitter__username="worker_yian")
    assert mine.count() == 2
    for e in mine:
        assert e.number in page and e.title in page
    assert "读书会诵读" not in page  # another worker's entry


def test_accounts_table_matches_the_roles_loaded():
    load("--live", "--no-samples")
    out = StringIO()
    call_command("demo_accounts", "--live", stdout=out)
    table = out.getvalue()
    live = Campaign.objects.get(slug=LIVE_SLUG)
    for spec in ACCOUNTS:
        line = next(x for x in table.splitlines() if f"| {spec['username']} " in x)
        assert DEMO_PASSWORD in line and spec["phone"] in line
        in_live = RoleAssignment.objects.in_scope(live).filter(user__username=spec["username"]).exists() or (
            RoleAssignment.objects.filter(user__username=spec["username"], scope_type="campaigns.track",
                                          scope_id__in=live.tracks.values("pk")).exists())
        assert ("live copy" in line) == in_live, line
    assert f"/c/{LIVE_SLUG}/" in table


@pytest.mark.parametrize(("flag", "live"), [(None, True), ("DEMO_LIVE=1", True), ("DEMO_LIVE=0", False)])
def test_make_run_loads_and_prints_as_configured(flag, live):
    """`make run` loads the live copy by default and prints the table that matches (dry run)."""
    args = ["make", "-n", "run", *([flag] if flag else [])]
    p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    load_line = next(x for x in lines if "manage.py load_demo" in x)
    table_line = next(x for x in lines if "manage.py demo_accounts" in x)
    assert ("--live" in load_line) == live and ("--live" in table_line) == live


def test_the_loader_never_moves_the_clock():
    """The sample entries are back-dated by asking the domain about a moment (`at=`), not by
    patching Django's clock: nothing in the demo package replaces `timezone.now`."""
    source = "\n".join(p.read_text() for p in Path(loader.__file__).parent.glob("*.py"))
    assert "timezone.now =" not in source and "demo_clock" not in source


def test_a_missing_tool_skips_only_the_entries_that_need_it(monkeypatch):
    monkeypatch.setattr(loader, "_sample_dir", None)  # generate afresh, not from this process's cache
    monkeypatch.setattr(samples, "FFMPEG", "ffmpeg-not-installed")
    report = load_demo()
    made = set(Entry.objects.values_list("track__slug", flat=True))
    # Video and speech need ffmpeg; the JPEGs, the PNG and the rich text do not.
    assert made == {"photography", "commentary", "union-accounts"}
    assert report.created["sample entries"] == 3 and report.created["media files"] == 4
    assert report.created["2025 results finalised"] == 3  # the archive skips the tracks without one, quietly
    assert not MediaFile.objects.filter(entry_link=None).exists()
    # With the tool back, the next load adds the missing two and nothing else.
    monkeypatch.setattr(samples, "FFMPEG", "ffmpeg")
    created = load_demo().created
    # (and the 2025 results archive takes the two through the review: reported, finalised, shown)
    assert {k: created.pop(k) for k in ("sample entries", "media files")} == {"sample entries": 2, "media files": 2}
    assert created == {"batches reported": 6, "2025 results finalised": 2, "gallery approvals": 2}


def test_the_live_copy_has_a_public_side(client, django_capture_on_commit_callbacks):
    """`make run`'s visitor finds works in the live gallery, can open one, sees its comment, and a
    worker may vote: four sample works reported level by level to their host units, approved for
    display, the vote open on their tracks. A second load changes nothing."""
    from zhengji.demo.public import LIVE_PUBLIC
    from zhengji.public.models import Comment, CommentStatus, Showcase, VoteWindow

    with django_capture_on_commit_callbacks(execute=True):
        report = load_demo(live=True)
    assert report.created["live public works"] == len(LIVE_PUBLIC) == 4
    live = Entry.objects.filter(track__campaign__slug=LIVE_SLUG).select_related("track")
    assert sorted(e.status for e in live) == [EntryStatus.REPORTED] * 4
    assert all(e.track.slug in dict(LIVE_PUBLIC) for e in live)
    assert Showcase.objects.filter(entry__in=live, approved=True).count() == 4
    now = timezone.now()
    windows = VoteWindow.objects.filter(track__campaign__slug=LIVE_SLUG)
    assert windows.count() == 4 and all(w.enabled and w.opens_at <= now < w.closes_at for w in windows)
    assert Comment.objects.filter(entry__in=live, status=CommentStatus.PUBLISHED).count() == 1
    assert not load_demo(live=True).changed_anything

    photo = live.get(track__slug="photography")
    page = client.get(f"/c/{LIVE_SLUG}/gallery/?track=photography").content.decode()
    assert photo.title in page
    entry_page = client.get(f"/w/{photo.pk}/").content.decode()
    assert "看完很受触动" in entry_page
    assert client.login(username="worker_yian", password=DEMO_PASSWORD)
    voted = client.post(f"/api/public/votes/entries/{photo.pk}", content_type="application/json")
    assert voted.status_code == 200, voted.content


def test_the_2025_campaign_has_a_finished_results_archive(client):
    """Winners by tier, final results with their SHA-256, a published notice; loading again
    changes nothing."""
    from zhengji.review.domain.results import verify  # noqa: PLC0415
    from zhengji.review.models import Notice, Publicity, PublicityStatus, ResultLine, ResultSnapshot  # noqa: PLC0415

    load("--live")
    campaign = Campaign.objects.get(slug="good-netizen-2025")
    awarded = list(Entry.objects.filter(track__campaign=campaign, status=EntryStatus.AWARDED).order_by("number"))
    assert {e.track.slug for e in awarded} >= {"photography", "micro-dramas", "recitation", "commentary"}
    pubs = list(Publicity.objects.filter(track__campaign=campaign).select_related("snapshot", "track"))
    assert pubs and all(p.status == PublicityStatus.FINALISED for p in pubs)
    for p in pubs:
        assert p.starts.year == p.ends.year == p.finalised_at.year == 2025 and p.starts < p.ends < p.finalised_at
        assert verify(p.snapshot) and p.snapshot.frozen_at.year == 2025

    html = client.get("/c/good-netizen-2025/winners/").content.decode()
    assert "评选结果尚未公布" not in html
    assert "一等奖" in html
    for e in awarded:
        assert e.number in html
    assert "网络正能量摄影作品征集" in html and "铜花绽放" in html

    results = client.get("/results/").content.decode()
    for p in pubs:
        assert f"/results/notice/{p.pk}/" in results
    photo = next(p for p in pubs if p.track.slug == "photography")
    page = client.get(f"/results/tracks/{photo.track_id}/").content.decode()
    assert photo.snapshot.sha256 in page and "铜花绽放" in page and "一等奖" in page

    notices = client.get("/results/notices/").content.decode()
    notice = Notice.objects.get(campaign=campaign)
    assert notice.published_at is not None and notice.published_at.year == 2025
    assert notice.number in notices and notice.title in notices
    gallery = client.get("/c/good-netizen-2025/gallery/?track=photography").content.decode()
    assert "铜花绽放" in gallery

    models = (ResultLine, ResultSnapshot, Publicity, Notice, Entry, AuditLog)
    before = {m.__name__: m.objects.count() for m in models}
    assert "nothing changed" in load("--live")
    assert {m.__name__: m.objects.count() for m in models} == before
