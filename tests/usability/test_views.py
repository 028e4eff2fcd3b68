"""Every page of issue 8 points 1 and 7, for the right admin, another unit's admin, a worker,
anonymous, and the wrong method."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from tests.entries.builders import media
from zhengji.campaigns.models import PendingMembers
from zhengji.common.models import AuditLog
from zhengji.entries.models import Entry
from zhengji.orgs import membership
from zhengji.orgs.models import Membership, MembershipStatus

pytestmark = pytest.mark.django_db

PENDING = reverse("orgs:pending")
DECIDE = reverse("orgs:pending_decide")


def request(org, name="新职工"):
    return membership.join_org(f.user(real_name=name), org)


# --- the queue ---------------------------------------------------------------------------------

def test_queue_for_the_right_admin(client, world):
    m = request(world.tree["ya1"], "钱七")
    other = request(world.tree["jq1"], "孙八")
    client.force_login(world.yian_admin)
    html = client.get(PENDING).content.decode()
    assert f'id="m-{m.pk}"' in html and f'id="m-{other.pk}"' not in html and "钱七" in html
    html = client.get(PENDING, {"unit": world.tree["ya2"].pk}).content.decode()
    assert f'id="m-{m.pk}"' not in html and 'id="pending-empty"' in html
    assert client.get(PENDING, {"unit": world.tree["jq1"].pk}).status_code == 404  # not theirs
    assert client.get(PENDING, {"unit": "x"}).status_code == 404


def test_queue_keyset_pages(client, world, settings, monkeypatch):
    from zhengji.orgs import queries

    monkeypatch.setattr(queries, "PENDING_PAGE", 2)
    ms = [request(world.tree["ya1"]) for _ in range(3)]
    client.force_login(world.yian_admin)
    monkeypatch.setattr("zhengji.orgs.views.pending_page",
                        lambda user, **kw: queries.pending_page(user, limit=2, **kw))
    html = client.get(PENDING).content.decode()
    assert f"after={ms[1].pk}" in html and f'id="m-{ms[2].pk}"' not in html
    html = client.get(PENDING, {"after": ms[1].pk}).content.decode()
    assert f'id="m-{ms[2].pk}"' in html and f'id="m-{ms[0].pk}"' not in html
    assert client.get(PENDING, {"after": "junk"}).status_code == 200


def test_queue_query_count(client, world, django_assert_max_num_queries):
    for i in range(40):
        request(world.tree["ya1" if i % 2 else "ya2"])
    client.force_login(world.yian_admin)
    client.get(PENDING)
    with django_assert_max_num_queries(14):
        r = client.get(PENDING)
    assert r.content.decode().count('name="m"') == 40


def test_queue_refuses_workers_anonymous_and_wrong_method(client, world):
    r = client.get(PENDING)
    assert r.status_code == 302 and "/login" in r["Location"]
    assert client.post(DECIDE, {"m": "1", "action": "confirm"}).status_code == 302
    client.force_login(world.worker)
    assert client.get(PENDING).status_code == 403
    assert client.post(DECIDE, {"m": "1", "action": "confirm"}).status_code == 403
    client.force_login(world.yian_admin)
    assert client.post(PENDING).status_code == 405
    assert client.get(DECIDE).status_code == 405


def test_bulk_confirm_from_the_queue(client, world):
    ms = [request(world.tree["ya1"]), request(world.tree["ya2"])]
    client.force_login(world.yian_admin)
    r = client.post(DECIDE, {"m": [m.pk for m in ms], "action": "confirm"})
    assert r.status_code == 302 and r["Location"] == PENDING
    assert Membership.objects.filter(pk__in=[m.pk for m in ms], status=MembershipStatus.CONFIRMED).count() == 2


def test_bulk_decline_with_reason_keeps_the_unit_filter(client, world):
    m = request(world.tree["ya1"])
    client.force_login(world.ya1_admin)
    r = client.post(DECIDE, {"m": [m.pk], "action": "decline", "reason": "非本单位", "unit": world.tree["ya1"].pk})
    assert r["Location"] == f"{PENDING}?unit={world.tree['ya1'].pk}"
    m.refresh_from_db()
    assert m.status == MembershipStatus.REJECTED and m.decision_reason == "非本单位"


def test_other_units_admin_cannot_decide(client, world):
    m = request(world.tree["ya1"])
    client.force_login(world.jiao_admin)
    assert client.post(DECIDE, {"m": [m.pk], "action": "confirm"}).status_code == 403
    assert Membership.objects.get(pk=m.pk).status == MembershipStatus.PENDING


def test_bad_bulk_input_is_a_message_not_an_error(client, world):
    m = request(world.tree["ya1"])
    client.force_login(world.yian_admin)
    for data in ({"m": [m.pk], "action": "maybe"}, {"action": "confirm"}, {"m": ["x", "0"], "action": "confirm"},
                 {"m": [m.pk, 99999999], "action": "confirm"}):
        r = client.post(DECIDE, data, follow=True)
        assert r.status_code == 200 and r.context["messages"]
    assert Membership.objects.get(pk=m.pk).status == MembershipStatus.PENDING


def test_single_decide_on_the_members_page_keeps_working(client, world):
    m = request(world.tree["ya1"])
    client.force_login(world.ya1_admin)
    url = reverse("orgs:decide", args=[world.tree["ya1"].pk, m.pk])
    assert client.post(url, {"confirm": "0", "reason": "重复申请"}).status_code == 302
    m.refresh_from_db()
    assert m.status == MembershipStatus.REJECTED and m.decision_reason == "重复申请"


# --- counts on the hub and the tree --------------------------------------------------------------

def test_counts_on_hub_tree_and_detail(client, world):
    request(world.tree["ya1"])
    request(world.tree["ya2"])
    client.force_login(f.unit_admin(world.tree["city"]))
    hub = client.get("/hub/").content.decode()
    assert PENDING in hub
    index = client.get(reverse("orgs:index")).content.decode()
    assert 'id="pending-link"' in index and "btn-warning" in index
    kids = client.get(reverse("orgs:children", args=[world.tree["city"].pk])).content.decode()
    assert f'{PENDING}?unit={world.tree["yian"].pk}' in kids and f'?unit={world.tree["jiao"].pk}' not in kids
    detail = client.get(reverse("orgs:detail", args=[world.tree["yian"].pk])).content.decode()
    assert 'id="subtree-pending"' in detail


# --- the worker's side ---------------------------------------------------------------------------

def test_worker_sees_status_and_contact(client, world):
    m = request(world.tree["ya1"])
    world.tree["ya1"].contact_name = "赵主席"
    world.tree["ya1"].contact_phone = "0562-1234567"
    world.tree["ya1"].save()
    client.force_login(m.user)
    html = client.get(reverse("join:index")).content.decode()
    assert 'id="membership-card"' in html and "赵主席" in html and "tel:0562-1234567" in html
    centre = client.get(reverse("accounts:centre")).content.decode()
    assert reverse("join:index") in centre and world.tree["ya1"].name in centre
    membership.decide_membership(world.ya1_admin, m, confirm=False, reason="请用邀请码加入")
    html = client.get(reverse("join:index")).content.decode()
    assert "请用邀请码加入" in html


def test_join_by_search_sends_the_request(client, world, django_capture_on_commit_callbacks):
    u = f.user()
    client.force_login(u)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("join:index"), {"org": world.tree["ya1"].pk})
    assert r.status_code == 302
    assert Membership.objects.get(user=u).status == MembershipStatus.PENDING
    assert world.ya1_admin.notifications.count() == 1


def test_new_entry_page_tells_a_pending_member(client, world):
    m = request(world.tree["ya1"])
    client.force_login(m.user)
    html = client.get(reverse("entries:new", args=[world.track.pk])).content.decode()
    assert 'id="pending-note"' in html
    r = client.post(reverse("entries:new", args=[world.track.pk]), {"title": "等待中的草稿"})
    assert r.status_code == 302
    e = Entry.objects.get(submitter=m.user)
    r2 = client.post(reverse("entries:new", args=[world.track.pk]), {"title": "再点一次"})
    assert r2["Location"] == r["Location"] and Entry.objects.filter(submitter=m.user).count() == 1
    e.refresh_from_db()
    assert e.title == "再点一次"


def test_new_entry_refused_when_campaign_says_nothing(client, world):
    world.campaign.pending_members = PendingMembers.NOTHING
    world.campaign.save()
    m = request(world.tree["ya1"])
    client.force_login(m.user)
    r = client.post(reverse("entries:new", args=[world.track.pk]), {"title": "x"})
    assert r.status_code == 400 and not Entry.objects.filter(submitter=m.user).exists()


# --- deleting drafts ---------------------------------------------------------------------------

def test_delete_draft_page(client, world):
    e = world.draft(title="要删除的草稿")
    m = media(world.worker, slot="photos", entry=e)
    url = reverse("entries:delete", args=[e.pk])
    client.force_login(world.worker)
    mine = client.get(reverse("entries:mine")).content.decode()
    assert url in mine
    assert url in client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert url in client.get(reverse("entries:edit", args=[e.pk])).content.decode()
    assert client.get(url).status_code == 200
    r = client.post(url, {})
    assert r.status_code == 400 and Entry.objects.filter(pk=e.pk).exists()
    r = client.post(url, {"confirm": "yes"})
    assert r.status_code == 302 and r["Location"] == reverse("entries:mine")
    assert not Entry.objects.filter(pk=e.pk).exists() and AuditLog.objects.filter(action="entry.delete").exists()
    m.refresh_from_db()


def test_delete_refused_for_others_anonymous_and_submitted(client, world):
    e = world.draft(title="x")
    url = reverse("entries:delete", args=[e.pk])
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r["Location"]
    for who in (world.other_worker, world.ya1_admin, world.jiao_admin):
        client.force_login(who)
        assert client.post(url, {"confirm": "yes"}).status_code == 404
    client.force_login(world.worker)
    assert client.put(url).status_code == 405
    s = world.submitted()
    surl = reverse("entries:delete", args=[s.pk])
    assert client.get(surl).status_code == 409
    assert client.post(surl, {"confirm": "yes"}).status_code == 409
    assert surl not in client.get(reverse("entries:mine")).content.decode()
    assert Entry.objects.filter(pk__in=[e.pk, s.pk]).count() == 2


def test_admin_entering_on_behalf_cannot_be_deleted_by_the_admin_of_another_unit(client, world):
    e = world.draft(title="x")
    client.force_login(world.yian_admin)  # administers the unit, but drafts are private
    assert client.get(reverse("entries:delete", args=[e.pk])).status_code == 404


# --- the call to action on the public site ----------------------------------------------------

def test_track_page_and_home_cards_offer_to_enter(client, world):
    track_url = reverse("public:track", args=[world.campaign.slug, world.track.slug])
    new_url = reverse("entries:new", args=[world.track.pk])
    html = client.get(track_url).content.decode()
    assert 'id="track-cta"' in html and f"?next={new_url}" in html
    client.force_login(world.worker)
    html = client.get(track_url).content.decode()
    assert f'href="{new_url}"' in html
    home = client.get(reverse("public:campaign", args=[world.campaign.slug])).content.decode()
    assert f'href="{new_url}"' in home
    client.force_login(f.user())
    assert reverse("join:index") in client.get(track_url).content.decode()
    world.track.is_open = False
    world.track.save()
    assert 'id="track-cta"' not in client.get(track_url).content.decode()


def test_public_pages_refuse_post(client, world):
    track_url = reverse("public:track", args=[world.campaign.slug, world.track.slug])
    assert client.post(track_url).status_code == 405


def test_campaign_form_shows_the_pending_setting(client, world):
    su = f.user(is_superuser=True)
    client.force_login(su)
    html = client.get(f"/manage/{world.campaign.slug}/edit/").content.decode()
    assert 'name="pending_members"' in html


def test_edit_page_tells_a_pending_member_and_hides_submit(client, world):
    m = request(world.tree["ya1"])
    e = world.draft(m.user, title="草稿")
    client.force_login(m.user)
    url = reverse("entries:edit", args=[e.pk])
    html = client.get(url).content.decode()
    assert 'id="membership-wait"' in html and 'value="submit"' not in html
    r = client.post(url, {"title": "草稿", "action": "submit", "entry_pledge": "on"})
    assert r.status_code == 400 and Entry.objects.get(pk=e.pk).status == "draft"
    membership.decide_membership(world.ya1_admin, m, confirm=True)
    html = client.get(url).content.decode()
    assert 'id="membership-wait"' not in html and 'value="submit"' in html


def test_edit_page_of_a_confirmed_worker_has_no_wait_note(client, world):
    e = world.draft(title="x")
    client.force_login(world.worker)
    assert 'id="membership-wait"' not in client.get(reverse("entries:edit", args=[e.pk])).content.decode()
