"""Staff mark an entry as suspected AI-generated: who may (and who may not), the audit record,
the label on the public gallery card and entry page at once (the page cache is bumped), the page
form and the API."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from tests.originality.builders import OrigWorld, fingerprint, png
from zhengji.common.audit import AuditLog
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import Entry, EntryStatus
from zhengji.originality import domain, labels
from zhengji.originality.models import AISuspicion, Flag, FlagKind
from zhengji.public.domain.showcase import sync_entries

pytestmark = pytest.mark.django_db

LABEL = "Suspected AI-generated content"
LABEL_ZH = "疑似人工智能生成内容"  # what the public pages show (the site speaks Chinese by default)


@pytest.fixture
def w():
    return OrigWorld()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def published(w, entry: Entry) -> Entry:
    """The entry published in a published campaign, listed in the gallery."""
    type(w.campaign).objects.filter(pk=w.campaign.pk).update(is_published=True)
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.PUBLISHED)
    sync_entries([entry.pk])
    return Entry.objects.get(pk=entry.pk)


def test_who_may_mark_and_who_may_not(w):
    e = w.entry(png((9, 80, 9)), unit="ya1")
    for outsider in (w.stranger, w.jq1_admin, e.submitter, w.worker):
        # a stranger, another county's admin, the entrant, a colleague in the same unit
        with pytest.raises(NotPermitted):
            domain.mark_suspected(outsider, e, suspected=True, reason="画面有生成痕迹")
    with pytest.raises(DomainError) as exc:
        domain.mark_suspected(w.ya1_admin, e, suspected=True, reason="  ")
    assert exc.value.code == "reason_required"
    assert not AISuspicion.objects.exists() and not AuditLog.objects.filter(action__startswith="originality.").exists()
    # The level where it waits (or above), the track's host staff and the campaign's admins may.
    domain.mark_suspected(w.yian_admin, e, suspected=True, reason="画面有生成痕迹")
    domain.mark_suspected(w.host_staff, e, suspected=False, reason="作者提供了原始底片")
    domain.mark_suspected(w.campaign_admin, e, suspected=True, reason="再次核查")


def test_the_mark_is_audited_and_withdrawn_with_a_reason(w):
    e = w.entry(png((9, 81, 9)), unit="ya1")
    row = domain.mark_suspected(w.ya1_admin, e, suspected=True, reason="画面有生成痕迹")
    assert row.active and row.marked_by == w.ya1_admin
    record = AuditLog.objects.get(action="originality.suspect")
    assert record.reason == "画面有生成痕迹" and record.before == {"suspected": False}
    assert record.after == {"suspected": True, "entry": e.pk} and record.actor_id == w.ya1_admin.pk
    assert record.org_path == e.unit.path and record.audience == "staff"
    with pytest.raises(DomainError) as exc:
        domain.mark_suspected(w.ya1_admin, e, suspected=True, reason="又一次")
    assert exc.value.code == "unchanged"
    domain.mark_suspected(w.ya1_admin, e, suspected=False, reason="作者提供了原始底片")
    row.refresh_from_db()
    assert not row.active and row.reason == "作者提供了原始底片"
    assert AuditLog.objects.filter(action="originality.unsuspect", reason="作者提供了原始底片").count() == 1
    with pytest.raises(DomainError):
        domain.mark_suspected(w.ya1_admin, e, suspected=False, reason="再撤一次")


def test_ai_labels_gives_the_suspected_label_in_one_query(w, django_assert_num_queries):
    wholly = w.entry(png((1, 8, 9)), ai="wholly", tools="某模型")
    marked = w.entry(png((2, 8, 9)), unit="jq1", user=w.jq1_worker)
    plain = w.entry(png((3, 8, 9)), unit="ya2")
    domain.mark_suspected(w.jq1_admin, marked, suspected=True, reason="疑似")
    domain.mark_suspected(w.campaign_admin, wholly, suspected=True, reason="疑似")  # declared wins
    with django_assert_num_queries(1):
        got = labels.ai_labels([wholly.pk, marked.pk, plain.pk])
    assert got == {wholly.pk: _("AI-generated"), marked.pk: _(LABEL)}
    assert labels.label_kinds([marked.pk]) == {marked.pk: labels.SUSPECTED}
    domain.mark_suspected(w.jq1_admin, marked, suspected=False, reason="撤销")
    assert labels.ai_labels([marked.pk]) == {}


def test_the_label_shows_on_the_cached_public_pages_after_the_mark(w, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_PAGE_CACHE = True
    e = published(w, w.entry(png((9, 82, 9)), unit="ya1", title="湖光山色"))
    gallery = f"/c/{w.campaign.slug}/gallery/?track={w.track.slug}"
    page = f"/w/{e.pk}/"
    anon = client()
    for url in (gallery, page):
        first = anon.get(url)
        assert first.status_code == 200 and "湖光山色" in first.content.decode()
        assert LABEL_ZH not in first.content.decode()
        assert anon.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        domain.mark_suspected(w.host_staff, e, suspected=True, reason="画面有生成痕迹")
    for url in (gallery, page):
        again = anon.get(url)
        assert again["X-Page-Cache"] == "miss"
        assert LABEL_ZH in again.content.decode() and "zj-ai-label" in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        domain.mark_suspected(w.host_staff, e, suspected=False, reason="作者提供了原始底片")
    for url in (gallery, page):
        assert LABEL_ZH not in anon.get(url).content.decode()


def test_the_form_on_the_entry_staff_page(w):
    e = w.entry(png((9, 83, 9)), unit="ya1")
    url = f"/originality/entries/{e.pk}/suspected/"
    staff_page = f"/reporting/entries/{e.pk}/"
    html = client(w.ya1_admin).get(staff_page).content.decode()
    assert "data-suspect-form" in html and url in html
    # Another county's admin sees neither the entry nor the form.
    assert "data-suspect-form" not in client(w.jq1_admin).get(staff_page).content.decode()
    assert client().post(url, {"action": "mark", "reason": "x"}).status_code == 302  # to the login
    assert client(w.stranger).post(url, {"action": "mark", "reason": "x"}).status_code == 403
    assert client(w.ya1_admin).get(url).status_code == 405
    assert client(w.jq1_admin).post(url, {"action": "mark", "reason": "x"}).status_code == 403
    r = client(w.ya1_admin).post(url, {"action": "mark", "reason": " ", "next": staff_page})
    assert r.status_code == 302 and not AISuspicion.objects.exists()
    r = client(w.ya1_admin).post(url, {"action": "sideways", "reason": "x", "next": staff_page})
    assert r.status_code == 302 and not AISuspicion.objects.exists()
    r = client(w.ya1_admin).post(url, {"action": "mark", "reason": "画面有生成痕迹", "next": "https://evil.example/"})
    assert r.status_code == 302 and "evil" not in r["Location"]
    assert AISuspicion.objects.get(entry=e).active
    html = client(w.ya1_admin).get(staff_page).content.decode()
    assert "画面有生成痕迹" in html and 'value="withdraw"' in html
    r = client(w.ya1_admin).post(url, {"action": "withdraw", "reason": "核实无误", "next": staff_page})
    assert r["Location"] == staff_page and not AISuspicion.objects.get(entry=e).active


def test_the_staff_entry_page_costs_constant_queries_with_the_mark(w):
    e = w.entry(png((9, 84, 9)), unit="ya1")
    c = client(w.ya1_admin)
    c.get(f"/reporting/entries/{e.pk}/")
    with CaptureQueriesContext(connection) as before:
        c.get(f"/reporting/entries/{e.pk}/")
    domain.mark_suspected(w.ya1_admin, e, suspected=True, reason="疑似")
    with CaptureQueriesContext(connection) as after:
        c.get(f"/reporting/entries/{e.pk}/")
    assert len(after) <= len(before) + 1  # the marker's name


def test_api_mark_and_withdraw(w):
    e = w.entry(png((9, 85, 9)), unit="ya1")
    url = f"/api/originality/entries/{e.pk}/suspicion"
    body = json.dumps({"suspected": True, "reason": "画面有生成痕迹"})
    assert client().put(url, body, content_type="application/json").status_code in (401, 403)
    assert client(w.stranger).put(url, body, content_type="application/json").status_code == 403
    assert client(w.jq1_admin).put(url, body, content_type="application/json").status_code == 403
    assert client(w.jq1_admin).get(url).status_code == 403
    assert client(w.ya1_admin).get(url).json()["suspected"] is False
    r = client(w.ya1_admin).put(url, json.dumps({"suspected": True, "reason": " "}), content_type="application/json")
    assert r.status_code == 422 or r.json()["code"] == "reason_required"
    r = client(w.ya1_admin).put(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["suspected"] is True and r.json()["label"] == _(LABEL)
    assert client(w.ya1_admin).put(url, body, content_type="application/json").status_code == 409
    r = client(w.host_staff).put(url, json.dumps({"suspected": False, "reason": "核实无误"}),
                                 content_type="application/json")
    assert r.status_code == 200 and r.json()["suspected"] is False and r.json()["label"] == ""
    assert client(w.ya1_admin).get("/api/originality/entries/999999/suspicion").status_code == 404


def test_the_compare_page_shows_the_mark_and_its_form(w):
    first = w.entry(png((120, 0, 0)), unit="ya1")
    again = w.entry(png((120, 0, 0)), unit="jq1", user=w.jq1_worker)
    fingerprint(first)
    fingerprint(again)
    flag = Flag.objects.get(entry=again, kind=FlagKind.SIMILAR)
    page = f"/originality/flags/{flag.pk}/"
    html = client(w.jq1_admin).get(page).content.decode()
    assert f"/originality/entries/{again.pk}/suspected/" in html and 'value="mark"' in html
    r = client(w.jq1_admin).post(f"/originality/entries/{again.pk}/suspected/",
                                 {"action": "mark", "reason": "与生成图相似", "next": page})
    assert r["Location"] == page
    html = client(w.jq1_admin).get(page).content.decode()
    assert "与生成图相似" in html and 'value="withdraw"' in html
