"""Reminder pages and API: who may use them (anonymous, worker, other unit's admin, wrong method),
the preview and the send, the log, a campaign's automatic-reminder setting, query counts."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from zhengji.activities.models import Activity
from zhengji.common.models import AuditLog, Notification
from zhengji.reporting.models import ReminderDelivery, ReminderRound, ReminderSetting

from .builders import ReportWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(db):
    rw = ReportWorld()
    rw.submitted()  # ya1 took part
    Activity.objects.create(campaign=rw.campaign, org=rw.tree["jq1"], title="讲座", held_on=timezone.localdate())
    rw.ya2_admin = f.unit_admin(rw.tree["ya2"])
    rw.jq2_admin = f.unit_admin(rw.tree["jq2"])
    rw.campaign_admin = f.user()
    f.grant(rw.campaign_admin, "campaign_admin", campaign=rw.campaign)
    return rw


def params(rw, level="city", **kw):
    return {"campaign": rw.campaign.pk, "kind": "silent", "level": rw.tree[level].pk, "template": "plain", **kw}


def test_who_may_open_the_pages(client, rw):
    pages = [reverse("reporting:reminders"), reverse("reporting:reminder_log"),
             reverse("reporting:reminder_settings", args=[rw.campaign.slug])]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"]
    client.force_login(rw.worker)
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reporting:reminders"), params(rw)).status_code == 403
    client.force_login(rw.city_admin)
    assert client.get(pages[0]).status_code == 200
    assert client.get(pages[1]).status_code == 200
    assert client.get(pages[2]).status_code == 403  # a unit admin is not a campaign admin
    assert client.put(pages[0]).status_code == 405
    assert client.post(pages[1]).status_code == 405


def test_preview_lists_recipients_and_send_goes_once(client, rw, django_assert_max_num_queries,
                                                     django_capture_on_commit_callbacks):
    client.force_login(rw.city_admin)
    url = reverse("reporting:reminders")
    with django_assert_max_num_queries(20):
        r = client.get(url, params(rw))
    body = r.content.decode()
    assert r.status_code == 200
    assert r.context["preview"].to_send == 2
    assert rw.tree["ya2"].name in body and rw.tree["jq2"].name in body and rw.tree["ya1"].name not in body
    assert "北京时间" in body and 'id="send-reminder"' in body
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, params(rw), follow=True)
    assert "2" in str(list(r.context["messages"])[0])
    assert Notification.objects.filter(user__in=[rw.ya2_admin, rw.jq2_admin]).count() == 2
    # Again today: a clear message, nothing sent, the choices kept in the address.
    r = client.post(url, params(rw))
    assert r.status_code == 302 and f"level={rw.tree['city'].pk}" in r["Location"]
    r = client.get(r["Location"])
    assert "今天" in str(list(r.context["messages"])[0]) or "today" in str(list(r.context["messages"])[0])
    assert ReminderRound.objects.count() == 1
    # The log shows the round, sent counts from the deliveries.
    r = client.get(reverse("reporting:reminder_log"))
    row = r.context["page"].object_list[0]
    assert (row.recipients, row.sent, row.failed) == (2, 2, 0)


def test_other_unit_admin_cannot_remind_someone_elses_subtree(client, rw):
    client.force_login(rw.jq1_admin)
    # The level is not one of theirs: the form falls back to their own level (jq1: nobody silent).
    r = client.get(reverse("reporting:reminders"), params(rw, level="yian"))
    assert r.context["choice"].level == rw.tree["jq1"]
    assert r.context["preview"].recipients == 0 and "send-reminder" not in r.content.decode()
    r = client.post(reverse("reporting:reminders"), params(rw, level="yian"), follow=True)
    assert ReminderRound.objects.count() == 0
    assert list(r.context["messages"])
    # The log of the city's round is not theirs to read.
    ReminderRound.objects.create(key="k", campaign=rw.campaign, kind="silent", scope=rw.tree["yian"],
                                 deadline=timezone.now(), title="t", message="m")
    assert list(client.get(reverse("reporting:reminder_log")).context["page"].object_list) == []


def test_drafts_preview_needs_a_track(client, rw):
    client.force_login(rw.city_admin)
    r = client.get(reverse("reporting:reminders"), params(rw, kind="drafts"))
    assert r.status_code == 200 and r.context["error"]
    r = client.get(reverse("reporting:reminders"), params(rw, kind="drafts", track=rw.track.pk))
    assert r.context["preview"].recipients == 0 and not r.context["error"]


def test_settings_page(client, rw):
    client.force_login(rw.campaign_admin)
    url = reverse("reporting:reminder_settings", args=[rw.campaign.slug])
    assert client.get(url).status_code == 200
    r = client.post(url, {"days_before": "99"})
    assert r.status_code == 400 and r.context["value"] == "99" and "30" in r.context["error"]
    r = client.post(url, {"days_before": "abc"})
    assert r.status_code == 400
    r = client.post(url, {"days_before": "3"})
    assert r.status_code == 302
    assert ReminderSetting.objects.get(campaign=rw.campaign).days_before == 3
    assert AuditLog.objects.filter(action="reminder.settings", actor=rw.campaign_admin).exists()
    assert client.get(reverse("reporting:reminder_settings", args=["nope"])).status_code == 404


# --- API -----------------------------------------------------------------------------------------------

def api_params(rw, level="city", **kw):
    return {"campaign": rw.campaign.slug, "kind": "silent", "level": rw.tree[level].pk, **kw}


def test_api(client, rw, django_capture_on_commit_callbacks):
    base = "/api/reporting/reminders"
    assert client.get(f"{base}/preview", api_params(rw)).status_code in (401, 403)
    client.force_login(rw.worker)
    assert client.get(f"{base}/preview", api_params(rw)).status_code == 403
    client.force_login(rw.jq1_admin)
    r = client.get(f"{base}/preview", api_params(rw))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    client.force_login(rw.city_admin)
    r = client.get(f"{base}/preview", api_params(rw))
    assert r.status_code == 200
    data = r.json()
    assert data["to_send"] == 2 and {i["id"] for i in data["items"]} == {rw.tree["ya2"].pk, rw.tree["jq2"].pk}
    assert client.get(f"{base}/preview", api_params(rw, campaign="nope")).status_code == 404
    assert client.get(f"{base}/preview", api_params(rw, kind="drafts")).json()["code"] == "track_required"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(base, json.dumps(api_params(rw)), content_type="application/json")
    assert r.status_code == 201 and r.json()["recipients"] == 2
    r = client.post(base, json.dumps(api_params(rw)), content_type="application/json")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert ReminderDelivery.objects.count() == 2
    log = client.get(f"{base}/log").json()
    assert [x["recipients"] for x in log] == [2]
    assert client.delete(base).status_code == 405


def test_api_settings(client, rw):
    url = f"/api/reporting/reminders/settings/{rw.campaign.slug}"
    client.force_login(rw.city_admin)
    assert client.get(url).status_code == 403
    r = client.put(url, json.dumps({"days_before": 2}), content_type="application/json")
    assert r.status_code == 403
    client.force_login(rw.campaign_admin)
    assert client.get(url).json() == {"campaign": rw.campaign.slug, "days_before": 0}
    assert client.put(url, json.dumps({"days_before": 99}), content_type="application/json").status_code == 422
    r = client.put(url, json.dumps({"days_before": 2}), content_type="application/json")
    assert r.status_code == 200 and r.json()["days_before"] == 2
    assert client.get("/api/reporting/reminders/settings/nope").status_code == 404


def test_hub_links(client, rw):
    client.force_login(rw.campaign_admin)
    body = client.get("/hub/").content.decode()
    assert reverse("reporting:reminder_settings", args=[rw.campaign.slug]) in body
    client.force_login(rw.city_admin)
    body = client.get("/hub/").content.decode()
    assert reverse("reporting:reminders") in body and reverse("reporting:extensions") in body


def test_settings_page_shows_what_is_due(client, rw):
    ReminderSetting.objects.create(campaign=rw.campaign, days_before=30)
    client.force_login(rw.campaign_admin)
    r = client.get(reverse("reporting:reminder_settings", args=[rw.campaign.slug]))
    assert r.status_code == 200 and r.context["due"]
    assert rw.track.name in r.content.decode()
