"""The text engine: every edit of the issue is found, hard negatives and short texts are not
flagged, look-ups go through the database (same on PostgreSQL), in bounded queries and time."""

from __future__ import annotations

import time

import pytest

from tests.fingerprints import text_edits as E
from zhengji.common.textnorm import for_matching
from zhengji.fingerprints import engines
from zhengji.fingerprints.models import TextBand, TextPrint
from zhengji.fingerprints.text import ENGINE, MIN_CHARS, MIN_SCORE

pytestmark = pytest.mark.django_db

# What the originality app should flag from (bench/README-fp-audio-text.md): every edit scores above.
FLAG = 0.5
TOPIC = 3


@pytest.fixture
def archive():
    """An original (a reference text), same-topic hard negatives and other-topic texts."""
    original = E.article(1, TOPIC, paragraphs=10)
    ENGINE.compute_text(("ref", 1), E.render(original))
    for i in range(6):
        ENGINE.compute_text(("ref", 100 + i), E.text(100 + i, TOPIC))  # same topic, same style
    for i in range(4):
        ENGINE.compute_text(("ref", 200 + i), E.text(200 + i, 40 + i))
    return original


@pytest.mark.parametrize("kind", E.EDITS)
def test_each_edit_is_found(archive, kind):
    ENGINE.compute_text(("entrytext", 1), E.edit(archive, kind, seed=1, topic_seed=TOPIC))
    found = ENGINE.matches(("entrytext", 1))
    assert [m.other for m in found] == [("ref", 1)], kind
    m = found[0]
    assert m.medium == "text" and m.score >= FLAG
    assert m.detail["kind"] in {"identical", "similarity", "containment"}
    if kind == "excerpt":
        # Most of the commentary is lifted from the article; a fifth of the article is in it.
        assert m.detail["kind"] == "containment"
        assert m.detail["subject_in_other"] > m.detail["other_in_subject"]
        assert m.detail["passages"]


@pytest.mark.parametrize("kind", ["traditional", "halfwidth", "zerowidth"])
def test_disguises_that_normalisation_removes_are_identical(archive, kind):
    ENGINE.compute_text(("entrytext", 1), E.edit(archive, kind))
    (m,) = ENGINE.matches(("entrytext", 1))
    assert m.score == 1.0 and m.detail["kind"] == "identical"


def test_hard_negatives_are_not_flagged(archive):
    for i in range(6):
        ENGINE.compute_text(("entrytext", 10 + i), E.text(300 + i, TOPIC))
        assert ENGINE.matches(("entrytext", 10 + i)) == []


def test_shared_opening_sentence_is_not_a_copy(archive):
    """A common formula (the same opening sentence) in an otherwise new text of the same topic."""
    opening = "".join(archive[0][0])
    ENGINE.compute_text(("entrytext", 1), opening + E.text(400, TOPIC))
    assert all(m.score < 0.3 for m in ENGINE.matches(("entrytext", 1)))


def test_boilerplate_many_texts_share_is_not_evidence(settings):
    """Thirty texts open with the topic's formula: a new one with it is no copy, a copy still is."""
    for i in range(30):
        ENGINE.compute_text(("ref", 500 + i), E.text(500 + i, TOPIC, paragraphs=1, boilerplate=True))
    original = E.article(1, TOPIC, paragraphs=3, boilerplate=True)
    ENGINE.compute_text(("ref", 1), E.render(original))
    ENGINE.compute_text(("entrytext", 1), E.text(600, TOPIC, paragraphs=1, boilerplate=True))
    assert ENGINE.matches(("entrytext", 1)) == []
    ENGINE.compute_text(("entrytext", 2), E.edit(original, "synonym", seed=1, topic_seed=TOPIC))
    (m,) = ENGINE.matches(("entrytext", 2))
    assert m.other == ("ref", 1) and m.score >= FLAG
    # Without the boilerplate rule the shared formula alone would flag the new text.
    settings.FINGERPRINT_TEXT_COMMON_KEY = settings.FINGERPRINT_TEXT_COMMON_TEXTS = 1000
    assert ENGINE.matches(("entrytext", 1))


def test_match_is_symmetric_and_found_from_both_sides(archive):
    ENGINE.compute_text(("entrytext", 1), E.edit(archive, "excerpt", seed=2, topic_seed=TOPIC))
    (there,) = ENGINE.matches(("entrytext", 1))
    back = [m for m in ENGINE.matches(("ref", 1)) if m.other == ("entrytext", 1)]
    assert back and back[0].score == there.score
    assert back[0].detail["other_in_subject"] == there.detail["subject_in_other"]


def test_short_texts_match_only_when_identical():
    ENGINE.compute_text(("entrytext", 1), "职工书屋建设情况说明：本单位共有藏书三千册。")
    ENGINE.compute_text(("entrytext", 2), "職工書屋建設情況說明:本單位共有藏書三千冊.")  # same, disguised
    ENGINE.compute_text(("entrytext", 3), "职工书屋建设情况说明：本单位共有藏书五千册。")  # one character
    ENGINE.compute_text(("entrytext", 4), "好")  # too short for anything
    assert [(m.other, m.score, m.detail["kind"]) for m in ENGINE.matches(("entrytext", 1))] == [
        (("entrytext", 2), 1.0, "identical")]
    assert ENGINE.matches(("entrytext", 3)) == []
    assert not TextPrint.objects.filter(subject_id=4).exists()


def test_short_text_inside_a_long_one_is_not_flagged(archive):
    sentence = "".join(archive[2][1])
    assert len(for_matching(sentence)) < MIN_CHARS
    ENGINE.compute_text(("entrytext", 1), sentence)
    assert ENGINE.matches(("entrytext", 1)) == []


def test_recompute_replaces_and_forget_drops():
    ENGINE.compute_text(("entrytext", 1), E.text(1, 1))
    n = TextBand.objects.count()
    ENGINE.compute_text(("entrytext", 1), E.text(1, 1))
    assert TextBand.objects.count() == n and TextPrint.objects.count() == 1
    engines.forget(("entrytext", 1))
    assert not TextBand.objects.exists() and not TextPrint.objects.exists()


def test_through_the_engines_interface(archive):
    assert engines.engine("text") is ENGINE
    engines.compute_text(("entrytext", 1), E.edit(archive, "synonym", topic_seed=TOPIC))
    assert [m.other for m in engines.matches(("entrytext", 1)) if m.medium == "text"] == [("ref", 1)]


def test_unknown_subject_has_no_matches():
    assert ENGINE.matches(("entrytext", 999)) == []


def test_queries_and_time_do_not_grow_with_the_archive(django_assert_max_num_queries):
    for i in range(60):
        ENGINE.compute_text(("ref", i), E.text(i, i % 12))
    ENGINE.compute_text(("entrytext", 1), E.edit(E.article(5, 5), "combined", topic_seed=5))
    # Own print, own keys, one grouped query per 500 keys, candidates' prints by subject type.
    with django_assert_max_num_queries(6):
        started = time.perf_counter()
        found = ENGINE.matches(("entrytext", 1))
        took = time.perf_counter() - started
    assert found[0].other == ("ref", 5) and found[0].score >= FLAG
    assert all(m.score >= MIN_SCORE for m in found)
    assert took < 1.0
