"""The less travelled paths: SMS without a number or with a failing provider, panels, races."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import factories as f
from zhengji.common import sms
from zhengji.common.errors import NotFound
from zhengji.common.models import Notification
from zhengji.common.notify import notify, notify_many
from zhengji.entries import services
from zhengji.entries.models import Entry
from zhengji.orgs import membership
from zhengji.orgs.hub import centre_panels, hub_panels
from zhengji.orgs.queries import membership_status

pytestmark = pytest.mark.django_db


class Broken(sms.BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        raise OSError("provider down")


def test_sms_skips_users_without_a_number_and_survives_a_broken_provider(settings, caplog):
    sms.outbox.clear()
    nophone = f.user()
    nophone.phone = ""
    nophone.save()
    notify(nophone, "标题", sms="短信")
    assert sms.outbox == [] and Notification.objects.filter(user=nophone).count() == 1
    settings.SMS_BACKEND = f"{__name__}.Broken"
    u = f.user()
    assert notify_many([u], "标题", sms="短信") == 1
    assert Notification.objects.filter(user=u).count() == 1 and "SMS to user" in caplog.text


def test_centre_panel_follows_the_request(world):
    assert centre_panels(world.worker) == []  # confirmed: nothing to say
    u = f.user()
    assert centre_panels(u) == []
    m = membership.join_org(u, world.tree["ya1"])
    (panel,) = centre_panels(u)
    assert world.tree["ya1"].name in panel.items[0].label
    membership.decide_membership(world.ya1_admin, m, confirm=False)
    (panel,) = centre_panels(u)
    assert world.tree["ya1"].name in panel.items[0].label and panel.items[0].url == "/accounts/join/"


def test_hub_panel_for_superusers_and_nobody(world):
    su = f.user(is_superuser=True)
    membership.join_org(f.user(), world.tree["ya1"])
    (panel,) = hub_panels(su)
    assert panel.items[0].url == "/orgs/pending/" and "1" in panel.items[0].label
    assert hub_panels(world.worker) == []


def test_membership_status_for_anonymous_and_confirmed(world):
    assert membership_status(AnonymousUser()) is None
    st = membership_status(world.worker)
    assert st.contacts == []  # confirmed, and the union published no contact


def test_deleting_a_draft_that_is_already_gone(world):
    e = world.draft(title="x")
    Entry.objects.filter(pk=e.pk).delete()
    with pytest.raises(NotFound):
        services.delete_draft(world.worker, e)
