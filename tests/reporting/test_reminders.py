"""Reminders: recipients on a hand-made tree, manual rounds (rate limits per sender and per
recipient, audit, channels), automatic rounds N days before each deadline (frozen clock), retries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests import factories as f
from tests.entries.builders import GOOD_DATA, worker
from zhengji.activities.models import Activity
from zhengji.common import sms
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.entries import services as entry_services
from zhengji.entries.services import Changes
from zhengji.reporting import reminders
from zhengji.reporting.models import (
    DeliveryStatus,
    ReminderDelivery,
    ReminderKind,
    ReminderRound,
    ReminderSetting,
)

from .builders import ReportWorld


@pytest.fixture
def world(db):
    rw = ReportWorld()
    # ya1 has two admins and a submitted entry; jq1 recorded an activity; ya2 and jq2 are silent,
    # but only ya2 has an admin to receive the reminder.
    rw.submitted()
    Activity.objects.create(campaign=rw.campaign, org=rw.tree["jq1"], title="征文讲座", held_on=timezone.localdate())
    rw.ya2_admin = f.unit_admin(rw.tree["ya2"], email="ya2@example.org")
    return rw


def draft(rw, unit="ya2", user=None):
    user = user or worker(rw.tree[unit])
    entry_services.create_draft(user, rw.track, changes=Changes(title="草稿", data=dict(GOOD_DATA)))
    return user


def test_silent_units_are_leaves_with_admins_and_no_entry_or_activity(world):
    rw = world
    assert list(reminders.silent_units(rw.campaign, rw.tree["city"])) == [rw.tree["ya2"]]
    assert list(reminders.silent_units(rw.campaign, rw.tree["jiao"])) == []
    # A draft does not count as taking part.
    draft(rw, "ya2")
    assert list(reminders.silent_units(rw.campaign, rw.tree["yian"])) == [rw.tree["ya2"]]
    # An activity of another campaign does not count either; one of this campaign does.
    other = f.campaign(rw.tree["province"], slug="other", year=2024)
    Activity.objects.create(campaign=other, org=rw.tree["ya2"], title="别的", held_on=timezone.localdate())
    assert list(reminders.silent_units(rw.campaign, rw.tree["yian"])) == [rw.tree["ya2"]]
    Activity.objects.create(campaign=rw.campaign, org=rw.tree["ya2"], title="本届", held_on=timezone.localdate())
    assert list(reminders.silent_units(rw.campaign, rw.tree["yian"])) == []


def test_draft_entrants_of_the_subtree(world):
    rw = world
    a = draft(rw, "ya2")
    b = draft(rw, "jq2")
    assert set(reminders.draft_entrants(rw.track, rw.tree["city"])) == {a, b}
    assert list(reminders.draft_entrants(rw.track, rw.tree["yian"])) == [a]
    assert list(reminders.draft_entrants(rw.other_track, rw.tree["city"])) == []


def test_manual_round_sends_one_message_per_recipient_on_every_channel(world, django_capture_on_commit_callbacks):
    rw = world
    p = reminders.preview(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"])
    assert (p.recipients, p.skipped, p.to_send) == (1, 0, 1)
    assert "北京时间" in p.message and rw.campaign.name in p.message
    with django_capture_on_commit_callbacks(execute=True):
        rnd = reminders.send_manual(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"])
    assert rnd.recipients == 1 and rnd.scope == rw.tree["city"]
    d = ReminderDelivery.objects.get(round=rnd)
    assert d.recipient == rw.ya2_admin and d.org == rw.tree["ya2"]
    assert d.status == DeliveryStatus.SENT and d.channels == "email,site,sms"
    assert Notification.objects.filter(user=rw.ya2_admin, title=rnd.title).count() == 1
    assert [m["phone"] for m in sms.outbox] == [rw.ya2_admin.phone]
    assert [m.to for m in mail.outbox] == [["ya2@example.org"]]
    log = AuditLog.objects.get(action="reminder.send")
    assert log.actor == rw.city_admin and log.after["recipients"] == 1 and log.org_path == rw.tree["city"].path


def test_rate_limits_per_sender_and_per_recipient(world, django_capture_on_commit_callbacks):
    rw = world
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_manual(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"])
    # The same level, campaign and kind again today: refused.
    with pytest.raises(DomainError) as exc:
        reminders.send_manual(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"])
    assert exc.value.code == "rate_limited" and exc.value.status == 429
    # Another level reaching the same person within 24 hours: skipped, so nobody is left.
    p = reminders.preview(rw.yian_admin, rw.campaign, ReminderKind.SILENT, rw.tree["yian"])
    assert (p.recipients, p.skipped, p.to_send) == (1, 1, 0)
    with pytest.raises(DomainError) as exc:
        reminders.send_manual(rw.yian_admin, rw.campaign, ReminderKind.SILENT, rw.tree["yian"])
    assert exc.value.code == "no_recipients"
    assert ReminderRound.objects.count() == 1  # the refused round rolled back
    # A day later both work again.
    with (time_machine.travel(timezone.now() + dt.timedelta(days=1, hours=1)),
          django_capture_on_commit_callbacks(execute=True)):
        rnd = reminders.send_manual(rw.yian_admin, rw.campaign, ReminderKind.SILENT, rw.tree["yian"])
    assert rnd.recipients == 1
    assert Notification.objects.filter(user=rw.ya2_admin).count() == 2


def test_manual_round_permissions_and_errors(world):
    rw = world
    with pytest.raises(NotPermitted):
        reminders.send_manual(rw.jq1_admin, rw.campaign, ReminderKind.SILENT, rw.tree["yian"])
    with pytest.raises(NotPermitted):
        reminders.preview(rw.worker, rw.campaign, ReminderKind.SILENT, rw.tree["ya1"])
    with pytest.raises(DomainError) as exc:
        reminders.preview(rw.city_admin, rw.campaign, ReminderKind.DRAFTS, rw.tree["city"])
    assert exc.value.code == "track_required"
    with pytest.raises(DomainError) as exc:
        reminders.preview(rw.city_admin, rw.campaign, "queue", rw.tree["city"])
    assert exc.value.code == "bad_kind"
    with pytest.raises(DomainError) as exc:
        reminders.preview(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"], template="nope")
    assert exc.value.code == "bad_template"
    other = f.campaign(rw.tree["province"], slug="other2", year=2024)
    other_track = f.track(other, rw.host, number=1, slug="o1")
    with pytest.raises(NotFound):
        reminders.preview(rw.city_admin, rw.campaign, ReminderKind.DRAFTS, rw.tree["city"], track=other_track)
    # Outside the campaign's tree.
    elsewhere = f.org("别省总工会", "province", code="ZJ")
    admin = f.unit_admin(elsewhere)
    with pytest.raises(DomainError) as exc:
        reminders.preview(admin, rw.campaign, ReminderKind.SILENT, elsewhere)
    assert exc.value.code == "not_in_campaign"
    # After the deadline there is nothing to remind of.
    with pytest.raises(DomainError) as exc:
        reminders.send_manual(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"],
                              at=timezone.now() + dt.timedelta(days=40))
    assert exc.value.code == "deadline_passed"


def test_drafts_round_goes_to_entrants(world, django_capture_on_commit_callbacks):
    rw = world
    a = draft(rw, "ya2")
    draft(rw, "ya2", user=a)  # two drafts, one message
    with django_capture_on_commit_callbacks(execute=True):
        rnd = reminders.send_manual(rw.yian_admin, rw.campaign, ReminderKind.DRAFTS, rw.tree["yian"],
                                    track=rw.track, template="short")
    assert rnd.recipients == 1
    n = Notification.objects.get(user=a)
    assert rw.track.name in n.body and n.url == "/entries/"


def test_large_round_is_queued_as_a_task(world, settings, django_capture_on_commit_callbacks):
    rw = world
    settings.REMINDER_INLINE_MAX = 1
    users = [draft(rw, "ya2") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        rnd = reminders.send_manual(rw.yian_admin, rw.campaign, ReminderKind.DRAFTS, rw.tree["yian"], track=rw.track)
    assert rnd.recipients == 3
    assert Notification.objects.filter(user__in=users).count() == 3
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_failed_channel_is_retried_without_repeating_the_others(world, settings):
    rw = world
    settings.SMS_BACKEND = "tests.reporting.test_reminders.FailingSMS"
    with pytest.MonkeyPatch.context():
        reminders.send_manual(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"])
        reminders.dispatch()
    d = ReminderDelivery.objects.get()
    assert d.status == DeliveryStatus.FAILED and d.channels == "site" and "provider down" in d.error
    settings.SMS_BACKEND = "zhengji.common.sms.LocMemSMSBackend"
    assert reminders.dispatch() == 1
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2 and d.channels == "email,site,sms"
    assert Notification.objects.filter(user=rw.ya2_admin).count() == 1
    assert len(sms.outbox) == 1 and reminders.dispatch() == 0


class FailingSMS(sms.BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        raise RuntimeError("provider down")


def test_failures_stop_after_max_attempts(world, settings):
    rw = world
    settings.SMS_BACKEND = "tests.reporting.test_reminders.FailingSMS"
    reminders.send_manual(rw.city_admin, rw.campaign, ReminderKind.SILENT, rw.tree["city"])
    for _ in range(5):
        reminders.dispatch()
    assert ReminderDelivery.objects.get().attempts == 3


# --- automatic reminders -------------------------------------------------------------------------------

def test_settings_need_a_campaign_admin(world):
    rw = world
    with pytest.raises(NotPermitted):
        reminders.set_reminder_days(rw.city_admin, rw.campaign, 3)
    admin = f.user()
    f.grant(admin, "campaign_admin", campaign=rw.campaign)
    with pytest.raises(DomainError):
        reminders.set_reminder_days(admin, rw.campaign, 99)
    s = reminders.set_reminder_days(admin, rw.campaign, 3)
    assert s.days_before == 3 and reminders.reminder_days(rw.campaign) == 3
    reminders.set_reminder_days(admin, rw.campaign, 3)  # unchanged: no second record
    assert AuditLog.objects.filter(action="reminder.settings").count() == 1


def test_automatic_reminders_n_days_before_each_deadline(world):
    rw = world
    a = draft(rw, "jq2")
    rw.submitted(unit="jq1")  # waiting at jq1, a grassroots level: no queue reminder there
    ReminderSetting.objects.create(campaign=rw.campaign, days_before=3)
    collection_end = reminders.policy_for(rw.campaign).collection_end  # in 20 days
    level_deadline = timezone.now() + dt.timedelta(days=15)  # every level's rule, grassroots too

    # 10 days before collection ends (5 before the levels' deadline): nothing due.
    with time_machine.travel(collection_end - dt.timedelta(days=10), tick=False):
        assert reminders.run_due() == {"rounds": 0, "sent": 0}
    # 2 days before the grassroots deadline: entrants with drafts (their deadline), once.
    with time_machine.travel(level_deadline - dt.timedelta(days=2), tick=False):
        assert reminders.run_due() == {"rounds": 1, "sent": 1}
        assert reminders.run_due() == {"rounds": 0, "sent": 0}
    rnd = ReminderRound.objects.get()
    assert (rnd.kind, rnd.track, rnd.recipients, rnd.automatic) == (ReminderKind.DRAFTS, rw.track, 1, True)
    assert Notification.objects.filter(user=a).count() == 1
    assert "北京时间" in Notification.objects.get(user=a).body
    # 2 days before collection ends: the silent units, once.
    with time_machine.travel(collection_end - dt.timedelta(days=2), tick=False):
        assert reminders.run_due() == {"rounds": 1, "sent": 1}
        assert reminders.run_due() == {"rounds": 0, "sent": 0}
    assert ReminderRound.objects.get(kind=ReminderKind.SILENT).recipients == 1
    assert Notification.objects.filter(user=rw.ya2_admin).count() == 1
    assert AuditLog.objects.filter(action="reminder.auto").count() == 2
    # After the deadline: nothing.
    with time_machine.travel(collection_end + dt.timedelta(hours=1), tick=False):
        assert reminders.run_due()["rounds"] == 0


def test_queue_reminder_before_a_level_deadline(world):
    rw = world
    e = rw.submitted(unit="ya2")
    reminders_setting = ReminderSetting.objects.create(campaign=rw.campaign, days_before=2)
    # Move the entry up to 义安区 the way the chain does (a position at the county).
    from zhengji.reporting.models import ChainPosition  # noqa: PLC0415 (test-local)

    ChainPosition.objects.filter(entry=e).update(level=rw.tree["yian"])
    level_deadline = timezone.now() + dt.timedelta(days=15)
    with time_machine.travel(level_deadline - dt.timedelta(days=1), tick=False):
        assert reminders.run_due()["rounds"] >= 1
    rnd = ReminderRound.objects.get(kind=ReminderKind.QUEUE)
    assert rnd.recipients == 1 and rnd.track == rw.track
    assert list(ReminderDelivery.objects.filter(round=rnd).values_list("recipient_id", flat=True)) == [rw.yian_admin.pk]
    reminders_setting.days_before = 0
    reminders_setting.save()
    assert reminders.due_reminders() == []


def test_off_by_default(world):
    assert reminders.due_reminders() == []
    assert reminders.reminder_days(world.campaign) == 0

