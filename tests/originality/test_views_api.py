"""Originality's pages and API through the test client: who may use them (anonymous, another
user, staff), wrong methods, the flags in the reporting queue and vetting pages at constant query
counts, and the declaration on the entry pages."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django.utils.translation import gettext as _

from tests.originality.builders import OrigWorld, fingerprint, png
from zhengji.common.audit import AuditLog
from zhengji.entries.models import Entry, EntryStatus
from zhengji.originality.models import Flag, FlagKind, FlagStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return OrigWorld()


@pytest.fixture
def pair(w):
    first = w.entry(png((120, 0, 0)), unit="ya1", title="江城夜色")
    again = w.entry(png((120, 0, 0)), unit="jq1", user=w.jq1_worker, title="夜色江城")
    fingerprint(first)
    fingerprint(again)
    return first, again, Flag.objects.get(entry=again, kind=FlagKind.SIMILAR)


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_the_unit_admin_sees_the_flag_in_the_queue_and_the_entry_page(w, pair):
    first, again, flag = pair
    page = client(w.jq1_admin).get("/reporting/").content.decode()
    assert f'data-flag="{flag.pk}"' in page and first.number in page
    page = client(w.jq1_admin).get(f"/reporting/entries/{again.pk}/").content.decode()
    assert f"/originality/flags/{flag.pk}/" in page
    # The entrant never sees flags.
    assert "data-flag" not in client(w.jq1_worker).get(f"/entries/{again.pk}/").content.decode()


def test_compare_page_and_decision(w, pair):
    first, again, flag = pair
    url = f"/originality/flags/{flag.pk}/"
    assert client().get(url).status_code == 302
    assert client(w.stranger).get(url).status_code == 403
    assert client(w.yian_admin).get(url).status_code == 403  # another county
    assert client(w.jq1_admin).get("/originality/flags/999999/").status_code == 404
    r = client(w.jq1_admin).get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert first.title in html and again.title in html and 'id="decide-form"' in html
    decide = f"/originality/flags/{flag.pk}/decide/"
    assert client(w.jq1_admin).get(decide).status_code == 405
    assert client(w.stranger).post(decide, {"status": "disqualified", "reason": "x"}).status_code == 403
    r = client(w.jq1_admin).post(decide, {"status": "disqualified", "reason": ""}, follow=True)
    assert _("Say why.") in r.content.decode()
    r = client(w.jq1_admin).post(decide, {"status": "disqualified", "reason": "与江城夜色相同"})
    assert r.status_code == 302
    flag.refresh_from_db()
    again.refresh_from_db()
    assert flag.status == FlagStatus.DISQUALIFIED and again.status == EntryStatus.REJECTED
    assert AuditLog.objects.get(action="originality.decide").reason == "与江城夜色相同"


def test_the_text_comparison_marks_differences(w, pair):
    first, again, flag = pair
    Entry.objects.filter(pk=first.pk).update(summary="清晨的巢湖笼罩在薄雾之中")
    Entry.objects.filter(pk=again.pk).update(summary="清晨的巢湖笼罩在浓雾之中")
    flag.detail = {"pairs": [{"subject": f"entrytext:{again.pk}", "other": f"entrytext:{first.pk}",
                              "medium": "text", "score": 0.8, "detail": {}}]}
    flag.save()
    html = client(w.jq1_admin).get(f"/originality/flags/{flag.pk}/").content.decode()
    assert "<del" in html and "<ins" in html and "浓" in html


def test_queue_query_count_does_not_grow_with_flagged_entries(w):
    def count(n):
        for i in range(n):
            e = w.entry(png((i, 50, 50 + n)), unit="jq1", title=f"作品{n}-{i}")
            o = w.entry(png((i, 50, 50 + n)), unit="ya1", title=f"原作{n}-{i}")
            fingerprint(e)
            fingerprint(o)
        c = client(w.jq1_admin)
        c.get("/reporting/")
        with CaptureQueriesContext(connection) as ctx:
            r = c.get("/reporting/")
        assert r.content.decode().count("data-flag=") >= n
        return len(ctx.captured_queries)

    assert count(2) == count(6)


def test_vetting_page_shows_flags_at_constant_queries(w):
    def count(n):
        for i in range(n):
            e = w.entry(png((i, 90, 10 + n)), unit="jq1", title=f"作品{n}-{i}")
            o = w.entry(png((i, 90, 10 + n)), unit="ya1", title=f"原作{n}-{i}")
            Entry.objects.filter(pk=e.pk).update(status=EntryStatus.REPORTED)
            fingerprint(e)
            fingerprint(o)
        c = client(w.host_staff)
        c.get(f"/review/tracks/{w.track.pk}/vetting/")
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(f"/review/tracks/{w.track.pk}/vetting/?state=reported")
        assert r.status_code == 200 and r.content.decode().count("data-flag=") >= n
        return len(ctx.captured_queries)

    assert count(2) == count(5)


def test_references_page(w):
    url = f"/originality/campaigns/{w.campaign.slug}/references/"
    assert client().get(url).status_code == 302
    assert client(w.ya1_admin).get(url).status_code == 403
    assert client(w.campaign_admin).get(url).status_code == 200
    r = client(w.campaign_admin).post(url, {"title": "《巢湖晨曦》", "source_url": "https://example.org/x",
                                           "text": "清晨的巢湖"})
    assert r.status_code == 302
    assert "《巢湖晨曦》" in client(w.campaign_admin).get(url).content.decode()
    r = client(w.campaign_admin).post(url, {"title": "", "text": "x"}, follow=True)
    assert escape(_("Give the work's title.")) in r.content.decode()


def test_track_policy_page(w):
    url = f"/originality/tracks/{w.track.pk}/ai/"
    assert client().get(url).status_code == 302
    assert client(w.ya1_admin).get(url).status_code == 403
    assert client(w.host_staff).get(url).status_code == 200
    assert client(w.host_staff).post(url, {"allow_generated": "0"}).status_code == 302
    assert not w.track.ai_policy.allow_generated


def test_the_pledge_page_asks_the_declaration_and_the_entry_page_shows_it(w):
    e = w.entry(png((8, 8, 8)), submit=False, user=w.worker)
    c = client(w.worker)
    html = c.get(f"/entries/{e.pk}/edit/").content.decode()
    assert 'name="entry_ai"' in html and 'id="id_entry_ai_none" value="none" checked' in html
    assert 'name="entry_ai_tools"' in html
    from zhengji.entries import services

    services.submit(w.worker, e, pledge=True, ai_declaration="partly", ai_tools="某绘图模型")
    html = c.get(f"/entries/{e.pk}/").content.decode()
    assert "某绘图模型" in html and str(_("Partly generated with AI")) in html


def test_api_submit_takes_the_declaration(w):
    e = w.entry(png((8, 8, 9)), submit=False, user=w.worker)
    r = client(w.worker).post(f"/api/entries/{e.pk}/submit", json.dumps(
        {"pledge": True, "ai_declaration": "partly", "ai_tools": "某模型"}), content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["ai_declaration"] == "partly" and body["ai_tools"] == "某模型"


# --- API ------------------------------------------------------------------------------------------

def test_api_flags_of_an_entry_and_a_list(w, pair):
    first, again, flag = pair
    url = f"/api/originality/entries/{again.pk}/flags"
    assert client().get(url).status_code in (401, 403)
    assert client(w.stranger).get(url).status_code == 403
    assert client(w.jq1_worker).get(url).status_code == 403
    r = client(w.jq1_admin).get(url)
    assert r.status_code == 200
    [got] = r.json()
    assert got["matched_entry_id"] == first.pk and got["score"] == 1.0 and not got["previously_awarded"]
    r = client(w.jq1_admin).get(f"/api/originality/flags?entry={again.pk}&entry={first.pk}")
    assert list(r.json()) == [str(again.pk)]  # first lies outside the admin's subtree
    assert client(w.jq1_admin).post(url).status_code == 405


def test_api_decision(w, pair):
    first, again, flag = pair
    url = f"/api/originality/flags/{flag.pk}/decision"
    body = json.dumps({"status": "cleared", "reason": "经核实为同一作者"})
    assert client().post(url, body, content_type="application/json").status_code in (401, 403)
    assert client(w.stranger).post(url, body, content_type="application/json").status_code == 403
    assert client(w.jq1_admin).get(url).status_code == 405
    r = client(w.jq1_admin).post(url, json.dumps({"status": "cleared", "reason": ""}), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = client(w.jq1_admin).post(url, body, content_type="application/json")
    assert r.status_code == 200 and r.json()["flag"]["status"] == "cleared"
    r = client(w.jq1_admin).post(url, body, content_type="application/json")
    assert r.status_code == 409


def test_api_references_and_policy(w):
    url = f"/api/originality/campaigns/{w.campaign.slug}/references"
    body = json.dumps({"title": "《巢湖晨曦》", "text": "清晨的巢湖"})
    assert client().post(url, body, content_type="application/json").status_code in (401, 403)
    assert client(w.ya1_admin).post(url, body, content_type="application/json").status_code == 403
    r = client(w.campaign_admin).post(url, body, content_type="application/json")
    assert r.status_code == 201
    ref_id = r.json()["id"]
    assert [x["id"] for x in client(w.campaign_admin).get(url).json()] == [ref_id]
    assert client(w.ya1_admin).get(url).status_code == 403
    assert client(w.ya1_admin).delete(f"/api/originality/references/{ref_id}").status_code == 403
    assert client(w.campaign_admin).delete(f"/api/originality/references/{ref_id}").status_code == 204
    purl = f"/api/originality/tracks/{w.track.pk}/ai-policy"
    assert client(w.ya1_admin).get(purl).status_code == 403
    assert client(w.host_staff).get(purl).json() == {"track_id": w.track.pk, "allow_generated": True}
    r = client(w.host_staff).put(purl, json.dumps({"allow_generated": False}), content_type="application/json")
    assert r.json()["allow_generated"] is False
    assert client(w.host_staff).post(purl, "{}", content_type="application/json").status_code == 405


def test_staff_comparing_see_the_matched_entrys_file_and_nobody_else(w, pair):
    from zhengji.originality.queries import staff_sees_compared_file

    first, again, flag = pair
    theirs = first.file_links.get().media
    assert w.jq1_admin.has_perm("media.view_media", theirs)
    assert staff_sees_compared_file(w.jq1_admin, theirs)
    assert not staff_sees_compared_file(w.stranger, theirs)
    assert not staff_sees_compared_file(w.jq1_worker, theirs)


def test_the_hub_links_campaign_admins_and_host_staff_to_their_pages(w):
    html = client(w.campaign_admin).get("/hub/").content.decode()
    assert f"/originality/campaigns/{w.campaign.slug}/references/" in html
    assert f"/originality/tracks/{w.track.pk}/ai/" in client(w.host_staff).get("/hub/").content.decode()
