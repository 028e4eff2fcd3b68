"""Chinese search on the embedded default (SQLite FTS5) and on PostgreSQL (run this file with
DATABASE_URL=postgresql://… EXPECT_DB_VENDOR=postgresql): 1-, 2- and longer queries."""

import pytest
from django.db import connection

from zhengji.public import search
from zhengji.public.domain import showcase as domain
from zhengji.public.models import Credit, Showcase

pytestmark = pytest.mark.django_db


def found(q: str) -> set[int]:
    cond = search.matching_q(q)
    assert cond is not None
    return set(Showcase.objects.filter(cond).values_list("entry_id", flat=True))


@pytest.fixture
def shown(w):
    a = w.entry("匠心筑梦新时代", summary="一位老钳工的三十年", authors=("欧阳明远",))
    b = w.entry("大国工匠", summary="车间里的匠人，心无旁骛", authors=("李四",), unit=w.hf1)
    c = w.entry("绿水青山", summary="生态保护的故事", authors=("赵六",))
    domain.approve(w.host, w.track, [a.pk, b.pk, c.pk])
    return a, b, c


def test_two_character_query_finds_its_entries(shown):
    a, b, c = shown
    assert found("匠心") == {a.pk}  # b has 匠人 and 心无, never 匠心
    assert found("工匠") == {b.pk}
    assert found("匠") == {a.pk, b.pk}


def test_longer_queries_are_exact_substrings(shown):
    a, b, c = shown
    assert found("匠心筑梦") == {a.pk}
    assert found("老钳工") == {a.pk}
    assert found("心筑梦新时代") == {a.pk}
    assert found("筑梦新时代啊") == set()


def test_several_terms_all_must_match_and_traditional_folds(shown):
    a, b, c = shown
    assert found("匠心 钳工") == {a.pk}
    assert found("匠心 生态") == set()
    assert found("綠水青山") == {c.pk}  # traditional characters find simplified text


def test_number_and_credited_makers(shown, w):
    a, b, c = shown
    assert found(a.number.lower()) == {a.pk}
    assert found("欧阳明远") == {a.pk}
    assert found("合肥某机床") == {b.pk}
    # The entrant chooses "unit only": the author's name is no longer searchable.
    domain.choose_credit(w.worker, a, Credit.UNIT)
    assert found("欧阳明远") == set()
    assert found("义安区某公司") >= {a.pk}


def test_edits_are_reindexed(shown):
    a, b, c = shown
    a.title = "新标题工匠精神"
    a.save()
    domain.sync_entries([a.pk])
    assert found("筑梦") == set()
    assert found("工匠精神") == {a.pk}
    assert found("工匠") == {a.pk, b.pk}


def test_nothing_to_search_for():
    assert search.matching_q("，。 !!") is None
    assert search.terms("  匠心  匠心 ") == ["匠心"]


def test_the_index_answers_short_queries(shown):
    # The plan uses the index, not a scan of the documents.
    cond = search.matching_q("匠心")
    sql, params = Showcase.objects.filter(cond).values("entry_id").query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(r) for r in cur.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            cur.execute("SET enable_seqscan = off")
            cur.execute("EXPLAIN " + sql, params)
            plan = " ".join(r[0] for r in cur.fetchall())
            assert "public_gallerysearch_grams" in plan
