"""The entrant hears of every change of their entry: in-site, SMS and e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from zhengji.common import sms
from zhengji.common.models import Notification
from zhengji.entries import services

pytestmark = pytest.mark.django_db


def test_submit_notifies_in_site_sms_and_mail(world, django_capture_on_commit_callbacks):
    e = world.complete_draft()
    with django_capture_on_commit_callbacks(execute=True):
        e = services.submit(world.worker, e, pledge=True)
    n = Notification.objects.get(user=world.worker)
    assert e.number in n.title and n.url.endswith(f"/entries/{e.pk}/")
    assert sms.outbox[-1]["phone"] == e.contact_phone and e.number in sms.outbox[-1]["message"]
    assert mail.outbox[-1].to == ["worker@example.org"] and e.number in mail.outbox[-1].subject
    assert "已提交" in n.title or "submitted" in n.title


def test_return_withdraw_and_resubmit_notify(world, django_capture_on_commit_callbacks):
    e = world.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_entry(world.yian_admin, e, "请补充说明")
    assert "请补充说明" in sms.outbox[-1]["message"]
    assert Notification.objects.filter(user=world.worker, body__contains="请补充说明").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(world.worker, e, pledge=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(world.worker, e)
    assert Notification.objects.filter(user=world.worker).count() == 4
    # The first submission's SMS/e-mail wait for a commit that never comes in this test.
    assert len(mail.outbox) == 3 and len(sms.outbox) == 3


def test_no_mail_without_address_and_sms_to_contact_phone(world, django_capture_on_commit_callbacks):
    e = world.complete_draft(user=world.other_worker)
    services.save_draft(world.other_worker, e, services.Changes(contact_phone="13700000001"))
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(world.other_worker, e, pledge=True)
    assert mail.outbox == [] and sms.outbox[-1]["phone"] == "13700000001"


def test_nothing_sent_when_the_change_fails(world, django_capture_on_commit_callbacks):
    e = world.draft(title="")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.submit(world.worker, e, pledge=True)
    assert sms.outbox == [] and mail.outbox == [] and not Notification.objects.exists()
