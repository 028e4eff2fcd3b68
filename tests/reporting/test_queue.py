"""The vetting queue: keyset pages with a constant query count, filters, search, sorting,
subtree isolation (义安区 gets nothing of 郊区)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengji.reporting import services

pytestmark = pytest.mark.django_db


def walk(client, url, **params):
    seen, counts, cursor = [], [], None
    while True:
        q = {**params, **({"cursor": cursor} if cursor else {})}
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, q)
        assert r.status_code == 200, r.content
        body = r.json()
        counts.append(len(ctx.captured_queries))
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen, counts


def test_keyset_pages_cover_everything_once_with_constant_queries(client, rw):
    es = rw.many(12, unit="ya1") + rw.many(5, unit="ya2")
    services.recommend(rw.ya1_admin, es[:2], rw.tree["ya1"])
    services.set_opinion(rw.ya1_admin, es[3], rw.tree["ya1"], "好")
    client.force_login(rw.yian_admin)
    seen, counts = walk(client, "/api/reporting/queue", limit=5)
    assert sorted(seen) == sorted(e.pk for e in es) and len(seen) == len(set(seen))
    assert len(counts) == 4 and len(set(counts)) == 1, counts
    # Oldest first and by number give the same set, in order.
    by_number, _ = walk(client, "/api/reporting/queue", limit=4, sort="number")
    numbers = {e.pk: e.number for e in es}
    assert [numbers[i] for i in by_number] == sorted(numbers.values())
    oldest, _ = walk(client, "/api/reporting/queue", limit=7, sort="arrived")
    assert oldest == list(reversed(seen))


def test_the_queue_page_has_a_constant_query_count(client, rw):
    rw.many(9)
    client.force_login(rw.ya1_admin)
    url = reverse("reporting:queue")
    with CaptureQueriesContext(connection) as first:
        r = client.get(url, {"sort": "number"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "作品000" in body and "配额" in body
    # A page of 25 against a page of 9: the same queries.
    rw.many(20)
    with CaptureQueriesContext(connection) as second:
        r = client.get(url, {"sort": "number"})
    assert len(first.captured_queries) == len(second.captured_queries)
    assert 'rel="next"' in r.content.decode()
    nxt = r.context["next_url"]
    with CaptureQueriesContext(connection) as third:
        assert client.get(nxt).status_code == 200
    assert len(third.captured_queries) == len(second.captured_queries)


def test_filters_and_search(client, rw):
    a = rw.submitted(title="劳动最光荣")
    b = rw.submitted(title="工匠精神", unit="ya2")
    c = rw.submitted(title="网络文明", track=rw.other_track)
    services.recommend(rw.ya1_admin, [a], rw.tree["ya1"])
    services.return_for_revision(rw.yian_admin, [c], rw.tree["ya1"], "请修改")
    client.force_login(rw.yian_admin)

    def ids(**p):
        return {i["id"] for i in client.get("/api/reporting/queue", p).json()["items"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(q="工匠") == {b.pk} and ids(q=b.number) == {b.pk}
    assert ids(track=rw.other_track.pk) == {c.pk}
    assert ids(state="recommended") == {a.pk} and ids(state="waiting") == {b.pk} and ids(state="returned") == {c.pk}
    assert ids(unit=rw.tree["ya2"].pk) == {b.pk}
    assert ids(level=rw.tree["yian"].pk) == set()
    assert ids(date_from="2000-01-01") == {a.pk, b.pk, c.pk} and ids(date_to="2000-01-01") == set()
    assert client.get("/api/reporting/queue", {"cursor": "garbage"}).json()["code"] == "bad_cursor"
    page = client.get(reverse("reporting:queue"), {"q": "工匠"}).content.decode()
    assert "工匠精神" in page and "劳动最光荣" not in page
    levels = client.get("/api/reporting/queue").json()["levels"]
    row = next(r for r in levels if r["track"]["id"] == rw.track.pk)
    assert row["level"]["id"] == rw.tree["yian"].pk and row["quota"] == 2 and row["left"] == 2


def test_subtree_isolation_of_queue_batches_and_api(client, rw):
    mine = rw.submitted(title="义安作品")
    theirs = rw.submitted(title="郊区作品", unit="jq1")
    services.recommend(rw.jq1_admin, [theirs], rw.tree["jq1"])
    batch = services.create_batch(rw.jq1_admin, rw.tree["jq1"], rw.track)
    services.send_batch(rw.jq1_admin, batch)
    client.force_login(rw.yian_admin)
    items = client.get("/api/reporting/queue").json()["items"]
    assert [i["id"] for i in items] == [mine.pk]
    page = client.get(reverse("reporting:queue")).content.decode()
    assert "郊区作品" not in page and "义安作品" in page
    assert client.get("/api/reporting/batches").json() == []
    assert client.get("/api/reporting/batches?direction=received").json() == []
    assert batch.number not in client.get(reverse("reporting:batches")).content.decode()
    for url in (f"/api/reporting/batches/{batch.pk}", f"/api/reporting/batches/{batch.pk}/summary.xlsx",
                reverse("reporting:batch", args=[batch.pk]), reverse("reporting:batch_summary", args=[batch.pk]),
                reverse("reporting:entry", args=[theirs.pk])):
        assert client.get(url).status_code == 404, url
    r = client.post("/api/reporting/decisions", {"action": "reject", "entries": [theirs.pk], "reason": "x"},
                    content_type="application/json")
    assert r.status_code == 404
    r = client.post(f"/api/reporting/entries/{theirs.pk}/opinion", {"text": "x"}, content_type="application/json")
    assert r.status_code == 404
    # 郊区 sees its own, the received batch included.
    client.force_login(rw.jiao_admin)
    assert [b["id"] for b in client.get("/api/reporting/batches?direction=received").json()] == [batch.pk]
    assert [i["id"] for i in client.get("/api/reporting/queue").json()["items"]] == [theirs.pk]
