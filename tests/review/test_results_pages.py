"""The results pages for the track's staff, and for everyone who may not see them (anonymous,
a judge, another track's staff, a unit admin, a wrong method); the export; the ranking's forms;
freezing and reopening on the page; the trace; query counts at 50 entries × 5 judges."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.review.builders_results import Scored, bulk_entries, other_track_staff, score, tiers
from zhengji.common.models import AuditLog
from zhengji.review.domain import results as domain
from zhengji.review.models import Assignment, ResultLine, ReviewSetup, Round, RoundEntry, RoundKind, Score

pytestmark = pytest.mark.django_db


def urls(s: Scored) -> list[str]:
    t, r, e = s.w.track.pk, s.rnd.pk, s.entries[0].pk
    return [reverse("review:progress", args=[r]), reverse("review:scores", args=[r]),
            reverse("review:scores_xlsx", args=[r]), reverse("review:ranking", args=[t]),
            reverse("review:freeze", args=[t]), reverse("review:trace", args=[t, e])]


def test_pages_by_audience(client):
    s = Scored()
    w = s.w
    pages = urls(s)
    for url in pages:
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"], url
    for who in (s.judges[0].user, other_track_staff(w), w.ya1_admin, w.moderator, w.worker):
        client.force_login(who)
        for url in pages:
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(pages[4], {"action": "freeze"}).status_code == 404
        assert client.post(pages[0]).status_code == 404
    assert domain.frozen_snapshot(w.track) is None
    for who in (w.host_staff, w.campaign_admin):
        client.force_login(who)
        for url in pages:
            assert client.get(url).status_code == 200, (who, url)
    # Wrong methods.
    assert client.post(pages[1]).status_code == 405
    assert client.post(pages[2]).status_code == 405
    assert client.post(pages[5]).status_code == 405
    assert client.put(pages[3]).status_code == 405
    # Unknown objects: 404.
    assert client.get(reverse("review:scores", args=[99999])).status_code == 404
    assert client.get(reverse("review:trace", args=[w.track.pk, 99999])).status_code == 404
    other = bulk_entries(w, 1, track=w.other_track)[0]
    assert client.get(reverse("review:trace", args=[w.track.pk, other.pk])).status_code == 404


def test_scores_page_shows_breakdown_outliers_and_normalised_numbers(client):
    s = Scored()
    w = s.w
    # An outlier: a fourth judge gives e0 10+10 = 20 against 80, 84, 90 (mean 84.67, sd 4.11,
    # 2 sd = 8.22; 64.67 away).
    odd = w.judge(None, name="离群评委")
    score(s.rnd, s.entries[0], odd.user, 10, 10)
    ReviewSetup.objects.update_or_create(track=w.track, defaults={"normalise": True})
    client.force_login(w.host_staff)
    html = client.get(reverse("review:scores", args=[s.rnd.pk])).content.decode()
    assert "离群评委" in html and "思想性" in html
    assert "outlier" in html or "离群" in html
    assert s.entries[0].number in html
    # The export: one row per entry and judge, the outlier marked, audited.
    r = client.get(reverse("review:scores_xlsx", args=[s.rnd.pk]))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 13  # header + 4 entries × 3 judges + the odd one
    odd_row = next(row for row in rows if row[3] == "离群评委")
    assert odd_row[4:7] == (10, 10, 20)
    assert AuditLog.objects.filter(action="review.export", object_id=str(s.rnd.pk)).count() == 1


def test_progress_page_and_reminders(client):
    s = Scored()
    w = s.w
    lazy = w.judge(None, name="未完成评委")
    Assignment.objects.create(round=s.rnd, entry=s.entries[0], judge=lazy.user)
    client.force_login(w.host_staff)
    url = reverse("review:progress", args=[s.rnd.pk])
    html = client.get(url).content.decode()
    assert "未完成评委" in html
    r = client.post(url, {"judge": lazy.user_id})
    assert r.status_code == 302
    assert AuditLog.objects.filter(action="review.reminder_send").count() == 1
    # Nobody else has unfinished work: a clear message, no record.
    client.post(url, {"judge": s.judges[0].user_id})
    assert AuditLog.objects.filter(action="review.reminder_send").count() == 1


def test_ranking_page_cutoffs_decisions_and_advance(client):
    s = Scored()
    w = s.w
    e0, e1, e2, e3 = s.entries
    first, second = tiers(w.track, 1, 1)
    final = Round.objects.create(track=w.track, position=3, kind=RoundKind.FINAL, name="终审",
                                 opens=s.rnd.opens, closes=s.rnd.closes)
    client.force_login(w.host_staff)
    url = reverse("review:ranking", args=[w.track.pk])
    r = client.get(url)
    html = r.content.decode()
    # Pre-filled from the cut-offs: e1 (rank 1) 一等奖, e0 (rank 2) 二等奖.
    rows = {row["er"].entry_id: row for row in r.context["rows"]}
    assert rows[e1.pk]["tier"] == first.pk and rows[e0.pk]["tier"] == second.pk and rows[e2.pk]["tier"] is None
    assert "一等奖 ≤ 1" in html and "二等奖 ≤ 2" in html
    # Decide the page (tiers as chosen, one changed by hand).
    data = {"action": "decide", "round": s.rnd.pk, "row": [e.pk for e in s.entries],
            f"tier_{e1.pk}": first.pk, f"tier_{e0.pk}": "", f"note_{e0.pk}": "降档", f"tier_{e3.pk}": second.pk,
            f"tier_{e2.pk}": ""}
    assert client.post(url, data).status_code == 302
    lines = {line.entry_id: line for line in ResultLine.objects.filter(track=w.track)}
    assert len(lines) == 4 and lines[e3.pk].tier_id == second.pk and lines[e0.pk].note == "降档"
    assert lines[e0.pk].tier_id is None and lines[e1.pk].rank == 1
    # Decided tiers now pre-fill the form; 二等奖 holds 1 of 1, 一等奖 1 of 1.
    r = client.get(url)
    rows = {row["er"].entry_id: row for row in r.context["rows"]}
    assert [(u["decided"], u["over"]) for u in r.context["tier_use"]] == [(1, False), (1, False)]
    assert rows[e3.pk]["tier"] == second.pk
    # Advance two entries.
    client.post(url, {"action": "advance", "round": s.rnd.pk, "entry": [e0.pk, e1.pk]})
    assert set(RoundEntry.objects.filter(round=final).values_list("entry_id", flat=True)) == {e0.pk, e1.pk}
    # A tier of another track is refused with a message, nothing written.
    bad = tiers(w.other_track, 1)[0]
    client.post(url, {"action": "decide", "round": s.rnd.pk, "row": [e2.pk], f"tier_{e2.pk}": bad.pk})
    assert ResultLine.objects.get(entry=e2).tier_id is None
    # A tie straddling a cut-off is shown.
    Score.objects.filter(entry=e0).update(total=85)  # e0 85 = e1 85 → tie on … criteria break it
    ReviewSetup.objects.update_or_create(track=w.track, defaults={"tie_break": "panel"})
    html = client.get(url).content.decode()
    assert "tie at cut-off" in html or "跨越" in html
    res = client.get(url).context["res"]
    assert res.cut.straddles and set(res.cut.straddles[0].entry_ids) == {e0.pk, e1.pk}


def test_freeze_page_freeze_reopen_and_history(client):
    s = Scored()
    w = s.w
    client.force_login(w.host_staff)
    url = reverse("review:freeze", args=[w.track.pk])
    # One assignment without a submitted score: said before freezing.
    Assignment.objects.create(round=s.rnd, entry=s.entries[0], judge=w.judge(None).user)
    assert client.get(url).context["unfinished"] == 1
    assert client.post(url, {"action": "freeze"}).status_code == 302
    snap = domain.frozen_snapshot(w.track)
    html = client.get(url).content.decode()
    assert snap.sha256 in html
    # The data downloads as the canonical JSON whose SHA-256 is the hash shown.
    r = client.get(reverse("review:snapshot_json", args=[w.track.pk, snap.version]))
    assert hashlib.sha256(r.content).hexdigest() == snap.sha256
    assert client.get(reverse("review:snapshot_json", args=[w.track.pk, 9])).status_code == 404
    client.force_login(s.judges[0].user)
    assert client.get(reverse("review:snapshot_json", args=[w.track.pk, snap.version])).status_code == 404
    client.force_login(w.host_staff)
    # A decision on the ranking page is refused while frozen.
    client.post(reverse("review:ranking", args=[w.track.pk]),
                {"action": "decide", "round": s.rnd.pk, "row": [s.entries[0].pk]})
    assert not ResultLine.objects.exists()
    # Reopen without a reason: refused; with one: visible in the history, with who and why.
    client.post(url, {"action": "reopen", "reason": ""})
    assert domain.frozen_snapshot(w.track) is not None
    client.post(url, {"action": "reopen", "reason": "异议成立，重新评定"})
    assert domain.frozen_snapshot(w.track) is None
    html = client.get(url).content.decode()
    assert "异议成立，重新评定" in html and str(w.host_staff) in html
    # The trace shows the reopening too.
    html = client.get(reverse("review:trace", args=[w.track.pk, s.entries[0].pk])).content.decode()
    assert "异议成立，重新评定" in html
    client.post(reverse("review:ranking", args=[w.track.pk]),
                {"action": "decide", "round": s.rnd.pk, "row": [s.entries[0].pk]})
    assert ResultLine.objects.count() == 1


def test_trace_page_numbers(client):
    s = Scored()
    w = s.w
    domain.decide(w.host_staff, w.track, [domain.Decision(s.entries[1].pk, None, "第一名")])
    client.force_login(w.campaign_admin)
    html = client.get(reverse("review:trace", args=[w.track.pk, s.entries[1].pk])).content.decode()
    # e1: 85, 80, 90 → mean 85.0000; criterion 思想性 35, 30, 35.
    assert "85.0000" in html and "第一名" in html and "思想性" in html
    for pm in s.judges:
        assert str(pm.user) in html


QMAX = 20  # measured: scores 13, ranking 18, progress 8, export 12, freeze 8


@pytest.fixture
def big():
    """50 entries × 5 judges, submitted, normalised, trimmed, with tiers."""
    s = Scored()
    w = s.w
    entries = bulk_entries(w, 50)
    judges = [w.judge(None) for _ in range(5)]
    for i, e in enumerate(entries):
        for j, pm in enumerate(judges):
            score(s.rnd, e, pm.user, 20 + (i * 7 + j * 3) % 20, 30 + (i * 5 + j * 11) % 30)
    ReviewSetup.objects.update_or_create(track=w.track, defaults={"normalise": True, "aggregation": "trimmed"})
    tiers(w.track, 1, 2, 3, 10)
    domain.decide(w.host_staff, w.track, [domain.Decision(e.pk, None) for e in entries[:30]])
    return s


def test_query_counts_at_50_entries_by_5_judges(client, big, django_assert_max_num_queries):
    s = big
    client.force_login(s.w.host_staff)
    with django_assert_max_num_queries(QMAX):
        r = client.get(reverse("review:scores", args=[s.rnd.pk]))
    assert r.status_code == 200 and len(r.context["rows"]) == 25
    with django_assert_max_num_queries(QMAX):
        r = client.get(reverse("review:scores", args=[s.rnd.pk]) + "?page=2")
    assert r.status_code == 200
    with django_assert_max_num_queries(QMAX):
        r = client.get(reverse("review:ranking", args=[s.w.track.pk]))
    assert r.status_code == 200 and len(r.context["rows"]) == 54
    with django_assert_max_num_queries(QMAX):
        assert client.get(reverse("review:progress", args=[s.rnd.pk])).status_code == 200
    with django_assert_max_num_queries(QMAX):
        assert client.get(reverse("review:scores_xlsx", args=[s.rnd.pk])).status_code == 200
    with django_assert_max_num_queries(QMAX):
        assert client.get(reverse("review:freeze", args=[s.w.track.pk])).status_code == 200
