"""The deadline-extension page: the level above lists its child units' deadlines in a track,
extends one (with a reason) or revokes it; permissions and clear messages for every error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengji.campaigns.models import DeadlineExtension
from zhengji.campaigns.policy import policy_for
from zhengji.common.models import AuditLog

pytestmark = pytest.mark.django_db


def later(days=20):
    return (timezone.localtime(timezone.now()) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def grant(client, rw, unit="ya1", until=None, reason="停电三天"):
    return client.post(reverse("reporting:extension_grant"),
                       {"track": rw.track.pk, "level": rw.tree["yian"].pk, "org": rw.tree[unit].pk,
                        "until": until if until is not None else later(), "reason": reason}, follow=True)


def msgs(r):
    return [str(m) for m in r.context["messages"]]


def test_permissions(client, rw):
    page = reverse("reporting:extensions")
    posts = [reverse("reporting:extension_grant"), reverse("reporting:extension_revoke", args=[1])]
    for url in [page, *posts]:
        r = client.get(url) if url == page else client.post(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"]
    client.force_login(rw.worker)
    assert client.get(page).status_code == 403
    assert client.post(posts[0]).status_code == 403
    client.force_login(rw.yian_admin)
    assert client.post(page).status_code == 405
    assert client.get(posts[0]).status_code == 405
    assert client.get(posts[1]).status_code == 405


def test_list_grant_and_revoke(client, rw, django_assert_max_num_queries):
    client.force_login(rw.yian_admin)
    url = reverse("reporting:extensions")
    with django_assert_max_num_queries(16):
        r = client.get(url, {"track": rw.track.pk, "level": rw.tree["yian"].pk})
    assert r.status_code == 200
    assert [row.unit for row in r.context["rows"]] == [rw.tree["ya1"], rw.tree["ya2"]]
    base = policy_for(rw.campaign).level_deadline(rw.track, "grassroots")
    assert r.context["rows"][0].deadline == base and r.context["rows"][0].extension is None

    r = grant(client, rw)
    assert r.status_code == 200 and "义安区某公司工会" in msgs(r)[0]
    ext = DeadlineExtension.objects.get(org=rw.tree["ya1"], track=rw.track)
    assert ext.reason == "停电三天" and ext.until > base
    assert AuditLog.objects.filter(action="deadline.extend", actor=rw.yian_admin).exists()
    row = r.context["rows"][0]
    assert row.extension == ext and row.deadline == ext.until
    assert policy_for(rw.campaign).deadline(rw.track, rw.tree["ya1"]) == ext.until

    r = client.post(reverse("reporting:extension_revoke", args=[ext.pk]),
                    {"track": rw.track.pk, "level": rw.tree["yian"].pk}, follow=True)
    assert not DeadlineExtension.objects.exists() and msgs(r)
    assert AuditLog.objects.filter(action="deadline.unextend").exists()
    # Revoking again: gone, a clear message.
    r = client.post(reverse("reporting:extension_revoke", args=[ext.pk]), follow=True)
    assert msgs(r) and r.status_code == 200


def test_every_error_is_a_clear_message(client, rw):
    client.force_login(rw.yian_admin)
    cases = [
        ({"until": ""}, ("date", "日期")),
        ({"until": "not a date"}, ("date", "日期")),
        ({"until": later(-1)}, ("future", "现在")),
        ({"reason": "  "}, ("why", "原因")),
    ]
    for change, word in cases:
        r = grant(client, rw, **change)
        assert r.status_code == 200
        text = " ".join(msgs(r))
        assert any(w in text for w in word), (change, text)
        assert not DeadlineExtension.objects.exists()
    # Not its child: 义安区 cannot extend 郊区's unit, nor its own deadline.
    r = grant(client, rw, unit="jq1")
    assert msgs(r) and not DeadlineExtension.objects.exists()
    r = client.post(reverse("reporting:extension_grant"),
                    {"track": rw.track.pk, "org": rw.tree["yian"].pk, "until": later(), "reason": "x"}, follow=True)
    assert msgs(r) and not DeadlineExtension.objects.exists()
    r = client.post(reverse("reporting:extension_grant"), {"track": 0, "org": 0}, follow=True)
    assert msgs(r)


def test_other_unit_admin_cannot_revoke(client, rw):
    ext = DeadlineExtension.objects.create(campaign=rw.campaign, track=rw.track, org=rw.tree["ya1"],
                                           until=timezone.now() + dt.timedelta(days=30), reason="r")
    client.force_login(rw.jiao_admin)
    r = client.post(reverse("reporting:extension_revoke", args=[ext.pk]), follow=True)
    assert msgs(r) and DeadlineExtension.objects.filter(pk=ext.pk).exists()
    client.force_login(rw.ya1_admin)  # the unit itself cannot
    client.post(reverse("reporting:extension_revoke", args=[ext.pk]))
    assert DeadlineExtension.objects.filter(pk=ext.pk).exists()


def test_linked_from_the_queue(client, rw):
    rw.submitted()
    client.force_login(rw.yian_admin)
    body = client.get(reverse("reporting:queue")).content.decode()
    assert reverse("reporting:extensions") in body and reverse("reporting:reminders") in body
