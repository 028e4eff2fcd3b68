"""Publicity and objections, domain functions: publish (frozen results, one at a time, the
working-day period), file an objection (and every refusal), uphold and dismiss (who is told),
finalise before and after the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from tests.review.builders_publicity import PublicityWorld, evidence
from zhengji.common import sms
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.entries.models import Entry, EntryStatus
from zhengji.review.domain import publicity as domain
from zhengji.review.models import (
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityStatus,
    ReviewSetup,
    RoundStatus,
)
from zhengji.review.workdays import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return PublicityWorld()


def file(w, pub, who=None, entry=None, **kw):
    args = dict(name="张三", unit_name="某公司", reason="作品涉嫌抄袭", evidence_media_ids=[],
                on_behalf_of_unit=False, sealed_letter_media_id=None)
    args.update(kw)
    return domain.file_objection(who or w.objector, pub, entry or w.awarded[0], **args)


# --- publish ------------------------------------------------------------------------------------------

def test_publish_needs_frozen_results_and_staff(w):
    w.reopen(w.snapshot)
    with pytest.raises(DomainError) as exc:
        domain.publish(w.host_staff, w.track)
    assert exc.value.code == "not_frozen"
    w.snapshot = w.freeze()
    for outsider in (w.objector, w.moderator, w.other_staff, w.judge(None).user):
        with pytest.raises(NotPermitted):
            domain.publish(outsider, w.track)
    pub = domain.publish(w.host_staff, w.track)
    assert pub.snapshot == w.snapshot and pub.status == PublicityStatus.OPEN
    assert pub.ends == add_working_days(w.campaign, pub.starts, 5)
    assert AuditLog.objects.filter(action="review.publicity_publish", object_id=str(pub.pk)).exists()


def test_publish_waits_until_the_scoring_rounds_are_closed(w):
    rnd = w.scoring_round()
    with pytest.raises(DomainError) as exc:
        domain.publish(w.host_staff, w.track)
    assert exc.value.code == "round_open" and rnd.name in str(exc.value.message)
    rnd.status = RoundStatus.CLOSED
    rnd.save()
    assert domain.publish(w.host_staff, w.track).status == PublicityStatus.OPEN


def test_one_current_publicity_per_track_and_the_setup_days(w):
    ReviewSetup.objects.create(track=w.track, publicity_days=7)
    pub = domain.publish(w.campaign_admin, w.track)
    assert pub.ends == add_working_days(w.campaign, pub.starts, 7)
    with pytest.raises(DomainError) as exc:
        domain.publish(w.host_staff, w.track)
    assert exc.value.code == "already_published"
    with pytest.raises(DomainError) as exc:
        domain.withdraw(w.host_staff, pub, "")
    assert exc.value.code == "reason_required"
    with pytest.raises(NotPermitted):
        domain.withdraw(w.moderator, pub, "错误")
    domain.withdraw(w.host_staff, pub, "名单有误")
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.WITHDRAWN
    assert domain.publish(w.host_staff, w.track).pk != pub.pk


# --- objections ---------------------------------------------------------------------------------------

def test_file_an_objection_with_evidence_notifies_moderators(w, django_capture_on_commit_callbacks):
    pub = w.publicity()
    m1, m2 = evidence(w.objector), evidence(w.objector, name="b.pdf", kind="document")
    with django_capture_on_commit_callbacks(execute=True):
        obj = file(w, pub, evidence_media_ids=[m1.pk, m2.pk])
    assert obj.phone == w.objector.phone and obj.status == ObjectionStatus.OPEN
    assert set(obj.evidence.values_list("pk", flat=True)) == {m1.pk, m2.pk}
    assert AuditLog.objects.filter(action="review.objection_file", object_id=str(obj.pk)).exists()
    told = set(Notification.objects.filter(url__contains=f"/objections/{obj.pk}/").values_list("user_id", flat=True))
    assert told == {w.moderator.pk, w.campaign_admin.pk}
    # A file already used cannot be used again.
    with pytest.raises(DomainError) as exc:
        file(w, pub, evidence_media_ids=[m1.pk])
    assert exc.value.code == "invalid_file"


def test_refusals(w):
    pub = w.publicity()
    anonymous = type("Anon", (), {"is_authenticated": False, "pk": None})()
    with pytest.raises(NotPermitted):
        file(w, pub, who=anonymous)
    with pytest.raises(NotPermitted) as exc:
        file(w, pub, who=w.unverified)
    assert exc.value.code == "phone_unverified"
    with pytest.raises(DomainError) as exc:
        file(w, pub, entry=w.others[0])
    assert exc.value.code == "not_on_list"
    other_track_entry = w.reported(1, status=EntryStatus.SCORED, track=w.other_track)[0]
    with pytest.raises(DomainError) as exc:
        file(w, pub, entry=other_track_entry)
    assert exc.value.code == "not_on_list"
    with pytest.raises(DomainError) as exc:
        file(w, pub, on_behalf_of_unit=True)
    assert exc.value.code == "sealed_letter_required" and exc.value.field == "sealed_letter"
    with pytest.raises(DomainError) as exc:
        file(w, pub, reason="  ")
    assert exc.value.field == "reason"
    # Someone else's upload, an upload for another purpose, a failed one.
    for m in (evidence(w.moderator), evidence(w.objector, purpose="photos"),
              evidence(w.objector, status="failed")):
        with pytest.raises(DomainError) as exc:
            file(w, pub, evidence_media_ids=[m.pk])
        assert exc.value.code == "invalid_file"
    assert not Objection.objects.exists()
    # On behalf of a unit with the scan of its sealed letter.
    letter = evidence(w.objector, name="公函.pdf", kind="document")
    obj = file(w, pub, on_behalf_of_unit=True, sealed_letter_media_id=letter.pk)
    assert obj.sealed_letter == letter and obj.on_behalf_of_unit


def test_only_while_the_notice_runs(w):
    now = timezone.now()
    ended = w.publicity(starts=now - dt.timedelta(days=9), ends=now - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        file(w, ended)
    assert exc.value.code == "not_open" and exc.value.status == 409
    Publicity.objects.filter(pk=ended.pk).update(status=PublicityStatus.WITHDRAWN)
    upcoming = w.publicity(starts=now + dt.timedelta(hours=1))
    with pytest.raises(DomainError) as exc:
        file(w, upcoming)
    assert exc.value.code == "not_open"
    # At the last moment it is still open; at `ends` it is closed.
    Publicity.objects.filter(pk=upcoming.pk).update(starts=now - dt.timedelta(days=1), ends=now + dt.timedelta(days=1))
    upcoming.refresh_from_db()
    assert file(w, upcoming, at=upcoming.ends - dt.timedelta(microseconds=1))
    with pytest.raises(DomainError):
        file(w, upcoming, at=upcoming.ends)


def test_rate_limit_per_user_publicity_and_day(w):
    pub = w.publicity(starts=timezone.now() - dt.timedelta(days=3))
    for _ in range(domain.OBJECTIONS_PER_DAY):
        file(w, pub)
    with pytest.raises(DomainError) as exc:
        file(w, pub)
    assert exc.value.code == "rate_limited" and exc.value.status == 429
    # Someone else may still object; so may the same user tomorrow.
    file(w, pub, who=f.user())
    tomorrow = domain.start_of_day(timezone.now()) + dt.timedelta(days=1, hours=9)
    Publicity.objects.filter(pk=pub.pk).update(ends=tomorrow + dt.timedelta(days=2))
    assert file(w, pub, at=tomorrow)


def test_uphold_tells_the_objector_and_the_staff(w, django_capture_on_commit_callbacks):
    pub = w.publicity()
    obj = file(w, pub)
    for outsider in (w.host_staff, w.objector, w.other_staff):
        with pytest.raises(NotPermitted):
            domain.uphold(outsider, obj, "成立")
    with django_capture_on_commit_callbacks(execute=True):
        done = domain.uphold(w.moderator, obj, "经核查，异议成立")
    assert done.status == ObjectionStatus.UPHELD and done.handled_by == w.moderator
    note = Notification.objects.get(user=w.objector)
    assert "经核查" in note.body and note.url == "/results/objections/mine/"
    assert [m["phone"] for m in sms.outbox] == [w.objector.phone]
    staff_note = Notification.objects.get(user=w.host_staff)
    assert "冻结" in staff_note.body or "frozen" in staff_note.body  # frozen: reopen to change
    assert AuditLog.objects.filter(action="review.objection_uphold", object_id=str(obj.pk)).exists()
    with pytest.raises(DomainError) as exc:
        domain.dismiss(w.moderator, obj, "再次")
    assert exc.value.code == "already_handled"


def test_dismiss_needs_a_reply_and_tells_the_objector(w, django_capture_on_commit_callbacks):
    pub = w.publicity()
    obj = file(w, pub)
    with pytest.raises(DomainError) as exc:
        domain.dismiss(w.campaign_admin, obj, "  ")
    assert exc.value.code == "reply_required"
    with django_capture_on_commit_callbacks(execute=True):
        domain.dismiss(w.campaign_admin, obj, "经核查，不属实")
    assert Objection.objects.get(pk=obj.pk).status == ObjectionStatus.DISMISSED
    assert Notification.objects.filter(user=w.objector, body="经核查，不属实").exists()
    assert not Notification.objects.filter(user=w.host_staff).exists()
    assert len(sms.outbox) == 1


# --- finalise -----------------------------------------------------------------------------------------

def test_finalise_refused_before_the_end_with_the_date(w):
    pub = domain.publish(w.host_staff, w.track)
    with pytest.raises(DomainError) as exc:
        domain.finalise(w.host_staff, w.track)
    assert exc.value.code == "period_not_over"
    assert timezone.localtime(pub.ends).strftime("%Y-%m-%d") in str(exc.value.message)
    with pytest.raises(NotPermitted):
        domain.finalise(w.moderator, w.track, at=pub.ends)


def test_finalise_after_the_end_awards_and_not_awards(w):
    pub = w.publicity()
    obj = file(w, pub)
    with pytest.raises(DomainError) as exc:
        domain.finalise(w.host_staff, w.track, at=pub.ends)
    assert exc.value.code == "objections_open"
    domain.dismiss(w.moderator, obj, "不属实")
    done = domain.finalise(w.host_staff, w.track, at=pub.ends)
    assert done.status == PublicityStatus.FINALISED and done.finalised_by == w.host_staff
    statuses = dict(Entry.objects.filter(track=w.track).values_list("pk", "status"))
    assert {statuses[e.pk] for e in w.awarded} == {EntryStatus.AWARDED}
    assert {statuses[e.pk] for e in w.others} == {EntryStatus.NOT_AWARDED}
    log = AuditLog.objects.get(action="review.publicity_finalise")
    assert log.after["awarded"] == 3 and log.after["not_awarded"] == len(w.others)
    with pytest.raises(DomainError) as exc:
        domain.finalise(w.host_staff, w.track, at=pub.ends)
    assert exc.value.code == "not_published"
    with pytest.raises(DomainError) as exc:
        domain.publish(w.host_staff, w.track)
    assert exc.value.code == "already_finalised"


def test_finalise_refused_when_the_results_were_reopened(w):
    pub = w.publicity()
    w.reopen(w.snapshot)
    w.freeze()
    with pytest.raises(DomainError) as exc:
        domain.finalise(w.host_staff, w.track, at=pub.ends)
    assert exc.value.code == "snapshot_changed"
