"""Domain rules of an entry's life: numbering, pledge, validation, files, deadlines, withdrawal,
return and resubmission, unit entries."""

from __future__ import annotations

import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests import factories as f
from zhengji.campaigns.models import LevelRule
from zhengji.campaigns.policy import policy_for
from zhengji.common.context import acting
from zhengji.common.errors import DeadlinePassed, DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries import services
from zhengji.entries.models import Entry, EntryStatus, TrackCounter
from zhengji.entries.pledge import PLEDGE_VERSION, pledge_text
from zhengji.entries.projections import return_reason
from zhengji.entries.services import Changes
from zhengji.media.models import MediaStatus

from .builders import GOOD_DATA, media, worker

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- numbering ------------------------------------------------------------------------------

def test_first_submit_assigns_number_in_format(world):
    e = world.submitted()
    assert re.fullmatch(rf"{world.campaign.year}-04-000001", e.number)
    assert e.status == EntryStatus.SUBMITTED and e.submitted_at is not None


def test_numbers_are_sequential_and_unique_per_track(world):
    numbers = [world.submitted(worker(world.tree["ya1"])).number for _ in range(3)]
    assert numbers == [f"{world.campaign.year}-04-{n:06d}" for n in (1, 2, 3)]
    assert TrackCounter.objects.get(track=world.track).last == 3


def test_number_skips_a_number_already_taken(world):
    Entry.objects.create(track=world.track, submitter=world.other_worker, unit=world.tree["ya2"],
                         number=f"{world.campaign.year}-04-000001", title="imported")
    assert world.submitted().number == f"{world.campaign.year}-04-000002"


def test_resubmission_keeps_the_number(world):
    e = world.submitted()
    services.return_entry(world.yian_admin, e, "请补充说明")
    e = services.submit(world.worker, e, pledge=True)
    assert e.number.endswith("000001")
    assert e.status == EntryStatus.SUBMITTED and return_reason(e) == ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_submits_get_distinct_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one in-memory connection)")
    from .builders import World

    w = World()
    users = [worker(w.tree["ya1"]) for _ in range(4)]
    drafts = [w.complete_draft(u) for u in users]
    results, errors = [], []
    barrier = threading.Barrier(len(drafts))

    def go(u, e):
        from django.db import connection as conn
        try:
            barrier.wait()
            results.append(services.submit(u, e, pledge=True).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(u, e)) for u, e in zip(users, drafts, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [f"{w.campaign.year}-04-{n:06d}" for n in range(1, 5)]


# --- pledge and validation -----------------------------------------------------------------

def test_submit_requires_the_pledge(world):
    e = world.complete_draft()
    with pytest.raises(DomainError) as exc:
        services.submit(world.worker, e, pledge=False)
    assert exc.value.code == "pledge_required"
    e.refresh_from_db()
    assert e.status == EntryStatus.DRAFT and e.number is None


def test_pledge_version_time_and_ip_are_recorded(world):
    e = world.complete_draft()
    with acting(world.worker, "10.1.2.3"):
        e = services.submit(world.worker, e, pledge=True)
    e.refresh_from_db()
    assert e.pledge_version == PLEDGE_VERSION and e.pledged_at is not None and e.pledge_ip == "10.1.2.3"


def test_pledge_text_in_both_languages():
    assert "原创" in pledge_text(language="zh-hans")
    assert "original" in pledge_text(language="en")


def test_required_fields_and_files_are_checked_on_submit(world):
    e = world.draft(title="")
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=True)
    errs = errors_of(exc)
    assert {"title", "creator_note", "photos"} <= set(errs)
    assert "authors" not in errs  # the submitter (with a real name) is the first author by default


def test_draft_keeps_invalid_input_and_submit_reports_it(world):
    e = world.draft(title="作品", data={"minutes": "abc", "made_on": "tomorrow", "link": "not a url",
                                        "genre": "zzz"})
    e.refresh_from_db()
    assert e.data["minutes"] == "abc" and e.data["made_on"] == "tomorrow"
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=True)
    errs = errors_of(exc)
    assert {"minutes", "made_on", "link", "genre"} <= set(errs)


@pytest.mark.parametrize("value,ok", [("一二", False), ("一二三", True), ("十个字十个字十个字十", True),
                                      ("十一个字十一个字十一个", False), ("one two three", True)])
def test_longtext_word_limits(world, value, ok):
    e = world.complete_draft()
    services.save_draft(world.worker, e, Changes(data={"story": value}))
    if ok:
        assert services.submit(world.worker, e, pledge=True).status == EntryStatus.SUBMITTED
    else:
        with pytest.raises(ValidationError) as exc:
            services.submit(world.worker, e, pledge=True)
        assert "story" in errors_of(exc)


def test_text_max_length_and_number_range(world):
    e = world.complete_draft()
    services.save_draft(world.worker, e, Changes(data={"creator_note": "字" * 21, "minutes": "11"}))
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert {"creator_note", "minutes"} <= set(errors_of(exc))


def test_richtext_is_sanitised(world):
    e = world.draft(data={"intro": '<p onclick="x()">好<script>alert(1)</script><a href="javascript:x">a</a></p>'})
    e.refresh_from_db()
    assert "script" not in e.data["intro"] and "onclick" not in e.data["intro"] and "javascript" not in e.data["intro"]
    assert e.data["intro"].startswith("<p>好")


def test_values_are_normalised_on_submit(world):
    e = world.submitted()
    assert e.data["minutes"] == 5 and e.data["tags"] == ["x", "y"] and e.data["made_on"] == "2025-06-01"


# --- files -----------------------------------------------------------------------------------

def test_file_count_limits(world):
    e = world.complete_draft()
    extra = [media(world.worker, slot="photos") for _ in range(2)]
    first = e.media_files.get()
    services.save_draft(world.worker, e, Changes(files={"photos": f"{first.pk},{extra[0].pk},{extra[1].pk}"}))
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert "photos" in errors_of(exc)
    services.save_draft(world.worker, e, Changes(files={"photos": f"{extra[1].pk},{first.pk}"}))
    assert list(e.media_files.order_by("position").values_list("pk", flat=True)) == [extra[1].pk, first.pk]
    assert services.submit(world.worker, e, pledge=True).status == EntryStatus.SUBMITTED
    assert extra[0].__class__.objects.get(pk=extra[0].pk).entry_id is None  # detached


def test_only_own_free_files_of_the_slot_are_attached(world):
    e = world.draft(title="t", data=dict(GOOD_DATA))
    theirs = media(world.other_worker)
    other_entry = world.draft(world.other_worker, title="x")
    taken = media(world.worker, slot="photos")
    taken.entry = world.draft(title="another")
    taken.save()
    wrong_slot = media(world.worker, slot="video")
    services.save_draft(world.worker, e, Changes(files={"photos": [theirs.pk, taken.pk, wrong_slot.pk, 999999]}))
    assert e.media_files.count() == 0
    assert other_entry.media_files.count() == 0


def test_failed_media_blocks_submission(world):
    e = world.draft(title="t", data=dict(GOOD_DATA))
    bad = media(world.worker, slot="photos", status=MediaStatus.FAILED, name="broken.png")
    services.save_draft(world.worker, e, Changes(files={"photos": [bad.pk]}))
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert "broken.png" in " ".join(errors_of(exc)["photos"])


def test_submitted_entry_edit_is_strict_and_atomic(world):
    e = world.submitted()
    with pytest.raises(ValidationError) as exc:
        services.save_draft(world.worker, e, Changes(title="新标题", data={"minutes": "99"}))
    assert "minutes" in errors_of(exc)
    e.refresh_from_db()
    assert e.title == "我的作品" and e.data["minutes"] == 5
    services.save_draft(world.worker, e, Changes(title="新标题"))
    e.refresh_from_db()
    assert e.title == "新标题" and e.status == EntryStatus.SUBMITTED
    assert AuditLog.objects.filter(action="entry.edit", object_id=str(e.pk)).exists()


# --- collection window and deadlines ---------------------------------------------------------

def _deadline_world(world):
    when = dt.datetime(world.campaign.year, 9, 5, 23, 59, tzinfo=SH)
    LevelRule.objects.create(campaign=world.campaign, org_kind="grassroots", deadline=when, quota=5)
    return when


def test_deadline_falls_back_to_end_of_collection(world):
    when = policy_for(world.campaign).level_deadline(world.track, "grassroots")
    assert when.date() == world.campaign.collect_end and services.format_deadline(when).endswith("23:59")


def test_track_rule_overrides_campaign_rule(world):
    campaign_rule = _deadline_world(world)
    assert policy_for(world.campaign).level_deadline(world.track, "grassroots") == campaign_rule
    track_rule = campaign_rule - dt.timedelta(days=2)
    LevelRule.objects.create(campaign=world.campaign, track=world.track, org_kind="grassroots", deadline=track_rule)
    policy = policy_for(world.campaign)
    assert policy.level_deadline(world.track, "grassroots") == track_rule
    assert policy.level_deadline(world.unit_track, "grassroots") == campaign_rule
    assert policy.level_deadline(world.track, "county").date() == world.campaign.collect_end


@pytest.mark.parametrize("offset,allowed", [(-60, True), (0, True), (1, False)])
def test_submit_and_edit_deadline(world, time_machine, offset, allowed):
    # Collection dates around the deadline so the phase is "collecting" at the frozen time.
    year = world.campaign.year
    world.campaign.collect_start = dt.date(year, 6, 1)
    world.campaign.launch_date = dt.date(year, 5, 1)
    world.campaign.collect_end = dt.date(year, 9, 15)
    world.campaign.review_start = dt.date(year, 10, 1)
    world.campaign.save()
    when = _deadline_world(world)
    time_machine.move_to(dt.datetime(year, 7, 1, 9, 0, tzinfo=SH), tick=False)
    draft = world.complete_draft()
    submitted = world.submitted(worker(world.tree["ya1"]))
    time_machine.move_to(when + dt.timedelta(seconds=offset), tick=False)
    if allowed:
        assert services.submit(world.worker, draft, pledge=True).status == EntryStatus.SUBMITTED
        services.save_draft(submitted.submitter, submitted, Changes(title="改"))
    else:
        with pytest.raises(DeadlinePassed) as exc:
            services.submit(world.worker, draft, pledge=True)
        assert exc.value.code == "deadline_passed"
        assert f"{year}-09-05 23:59" in str(exc.value.message)
        with pytest.raises(DeadlinePassed):
            services.save_draft(submitted.submitter, submitted, Changes(title="改"))


def test_deadline_message_in_chinese(world):
    e = world.submitted()
    past = dt.datetime.now(SH).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    LevelRule.objects.create(campaign=world.campaign, org_kind="grassroots", deadline=past)
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(DeadlinePassed) as exc:
        services.save_draft(world.worker, e, Changes(title="改"))
    assert str(exc.value.message) == f"已超过截止时间（北京时间 {past:%Y-%m-%d %H:%M}），不能再修改"


def test_closed_track_refuses_create_and_submit(world):
    e = world.complete_draft()
    world.track.is_open = False
    world.track.save()
    with pytest.raises(DomainError) as exc:
        world.draft(title="x")
    assert exc.value.code == "collection_closed"
    with pytest.raises(DomainError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert exc.value.code == "collection_closed"


def test_campaign_outside_collection_refuses_create(world):
    today = dt.date.today()
    world.campaign.collect_start = today + dt.timedelta(days=5)
    world.campaign.save()
    with pytest.raises(DomainError) as exc:
        world.draft(title="x")
    assert exc.value.code == "collection_closed"


# --- who may enter -------------------------------------------------------------------------

def test_worker_without_confirmed_membership_cannot_enter(world):
    u = f.user()
    with pytest.raises(DomainError) as exc:
        services.create_draft(u, world.track)
    assert exc.value.code == "membership_required"


def test_entry_unit_is_the_workers_union_and_phone_defaults(world):
    e = world.draft(title="x")
    assert e.unit == world.tree["ya1"] and e.contact_phone == world.worker.phone
    assert [(a.name, a.unit_name) for a in e.authors.all()] == [("张三", world.tree["ya1"].name)]


def test_unit_entry_by_admin_in_subtree(world):
    e = services.create_draft(world.yian_admin, world.unit_track, entrant_type="unit", unit=world.tree["ya2"],
                              changes=Changes(title="义安区工会公众号", contact_phone="13800000000"))
    assert e.unit == world.tree["ya2"] and e.entrant_type == "unit"
    e = services.submit(world.yian_admin, e, pledge=True)
    assert e.number == f"{world.campaign.year}-07-000001"


def test_unit_entry_outside_subtree_or_by_worker_refused(world):
    with pytest.raises(NotPermitted):
        services.create_draft(world.yian_admin, world.unit_track, entrant_type="unit", unit=world.tree["jq1"])
    with pytest.raises(NotPermitted):
        services.create_draft(world.worker, world.unit_track, entrant_type="unit", unit=world.tree["ya1"])
    with pytest.raises(DomainError) as exc:
        services.create_draft(world.worker, world.track, entrant_type="unit", unit=world.tree["ya1"])
    assert exc.value.code == "entrant_type_not_allowed"


def test_individual_entry_has_one_author(world):
    e = world.complete_draft(authors=[{"name": "甲"}, {"name": "乙"}])
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert "authors" in errors_of(exc)


def test_team_authors_in_order(world):
    authors = [{"name": "甲", "role": "导演"}, {"name": "乙", "unit_name": "某厂"}, {"name": ""}]
    e = services.create_draft(world.worker, world.track, entrant_type="team", changes=Changes(authors=authors))
    assert [(a.position, a.name, a.role) for a in e.authors.all()] == [(0, "甲", "导演"), (1, "乙", "")]


def test_only_the_submitter_may_edit_submit_withdraw(world):
    e = world.complete_draft()
    for actor in (world.other_worker, world.yian_admin):
        with pytest.raises(NotPermitted):
            services.save_draft(actor, e, Changes(title="x"))
        with pytest.raises(NotPermitted):
            services.submit(actor, e, pledge=True)
        with pytest.raises(NotPermitted):
            services.withdraw(actor, e)


# --- withdraw, return, resubmit -------------------------------------------------------------

@pytest.mark.parametrize("status,ok", [("draft", True), ("submitted", True), ("returned", True),
                                       ("recommended", False), ("reported", False), ("withdrawn", False)])
def test_withdraw_rules(world, status, ok):
    e = world.draft(title="x")
    Entry.objects.filter(pk=e.pk).update(status=status)
    if ok:
        assert services.withdraw(world.worker, e).status == EntryStatus.WITHDRAWN
        log = AuditLog.objects.get(action="entry.withdraw", object_id=str(e.pk))
        assert log.before == {"status": status} and log.after == {"status": "withdrawn"}
    else:
        with pytest.raises(DomainError) as exc:
            services.withdraw(world.worker, e)
        assert exc.value.code == "not_withdrawable"


def test_withdrawn_entry_cannot_be_edited_or_submitted(world):
    e = world.complete_draft()
    services.withdraw(world.worker, e)
    with pytest.raises(DomainError):
        services.save_draft(world.worker, e, Changes(title="x"))
    with pytest.raises(DomainError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert exc.value.code == "not_submittable"


def test_return_and_resubmit(world):
    e = world.submitted()
    with pytest.raises(NotPermitted):
        services.return_entry(world.jiao_admin, e, "no")
    with pytest.raises(DomainError) as exc:
        services.return_entry(world.yian_admin, e, "  ")
    assert exc.value.code == "reason_required"
    e = services.return_entry(world.yian_admin, e, "请补充创作说明")
    assert e.status == EntryStatus.RETURNED and return_reason(e) == "请补充创作说明"
    decision = e.decisions.get()
    assert (decision.level, decision.decision, decision.actor) == (world.tree["yian"], "returned", world.yian_admin)
    # In the entrant's hands again: saved leniently, then resubmitted.
    services.save_draft(world.worker, e, Changes(data={"creator_note": "补充了说明"}))
    e = services.submit(world.worker, e, pledge=True)
    assert e.status == EntryStatus.SUBMITTED
    actions = [f"entry.{ev.transition}" for ev in e.events.order_by("at", "id")]
    assert actions[0] == "entry.create" and actions[-3:] == ["entry.return", "entry.save", "entry.resubmit"]
    ret = AuditLog.objects.get(action="entry.return", object_id=str(e.pk))
    assert ret.reason == "请补充创作说明" and ret.before == {"status": "submitted"}


def test_only_submitted_entries_can_be_returned(world):
    e = world.complete_draft()
    with pytest.raises(DomainError) as exc:
        services.return_entry(world.yian_admin, e, "x")
    assert exc.value.code == "not_returnable"


def test_submit_twice_is_refused(world):
    e = world.submitted()
    with pytest.raises(DomainError) as exc:
        services.submit(world.worker, e, pledge=True)
    assert exc.value.code == "already_submitted"


def test_audit_records_from_and_to(world):
    e = world.submitted()
    log = AuditLog.objects.get(action="entry.submit", object_id=str(e.pk))
    assert log.before == {"status": "draft"} and log.after["status"] == "submitted"
    assert log.after["number"] == e.number and log.org_path == world.tree["ya1"].path


def test_missing_pledge_is_reported_with_the_other_errors(world):
    e = world.draft(title="")
    with pytest.raises(ValidationError) as exc:
        services.submit(world.worker, e, pledge=False)
    assert {"pledge", "title"} <= set(errors_of(exc))
