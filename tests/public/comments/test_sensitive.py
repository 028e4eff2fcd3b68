"""The sensitive-word automaton: folding defeats spaces, symbols, full-width and traditional
forms and zero-width characters; the hit maps back to the original text; one build per list
version, rebuilt when the list changes."""

from __future__ import annotations

import pytest

from tests import factories as f
from zhengji.public import sensitive
from zhengji.public.domain import comments as domain

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", [
    "这是敏感内容", "这是敏 感内容", "这是敏*感内容", "这是敏　感内容", "这是敏\u200b感内容", "这是敏.-_~感内容",
    "这是敏感內容", "这是敏\n感", "這是敏感",
])
def test_disguised_word_is_found(cw, text):
    domain.add_words(cw.admin, cw.campaign, ["敏感"])
    hits = sensitive.find(text, cw.campaign.pk)
    assert [h.word for h in hits] == ["敏感"]
    start, end = hits[0].start, hits[0].end
    assert text[start] == "敏" and text[end - 1] == "感"


def test_traditional_and_full_width_forms(cw):
    superuser = f.user(is_superuser=True)
    domain.add_words(superuser, None, ["发票", "VPN"])
    assert [h.word for h in sensitive.find("代開發票")] == ["发票"]
    assert [h.word for h in sensitive.find("翻墙用ｖ ｐ ｎ")] == ["VPN"]
    assert [h.word for h in sensitive.find("翻墙用 V-P-N 吧")] == ["VPN"]
    assert sensitive.find("发 明 票 据") == []  # another character between is another text


def test_global_and_campaign_lists(cw):
    superuser = f.user(is_superuser=True)
    domain.add_words(superuser, None, ["赌博"])
    domain.add_words(cw.admin, cw.campaign, ["刷票"])
    assert {h.word for h in sensitive.find("赌博和刷票", cw.campaign.pk)} == {"赌博", "刷票"}
    assert {h.word for h in sensitive.find("赌博和刷票")} == {"赌博"}


def test_automaton_built_once_per_version_and_rebuilt_on_change(cw, django_assert_num_queries):
    domain.add_words(cw.admin, cw.campaign, ["刷票"])
    sensitive.find("刷票", cw.campaign.pk)
    builds = sensitive._cache.builds
    for _ in range(5):
        with django_assert_num_queries(1):  # the versions only: the automaton is kept
            assert sensitive.find("来刷 票", cw.campaign.pk)
    assert sensitive._cache.builds == builds
    domain.add_words(cw.admin, cw.campaign, ["拉票"])
    assert {h.word for h in sensitive.find("刷票拉票", cw.campaign.pk)} == {"刷票", "拉票"}
    assert sensitive._cache.builds == builds + 1
    (word,) = [w for w in domain.words(cw.campaign.pk) if w.word == "刷票"]
    domain.remove_words(cw.admin, [word.pk])
    assert {h.word for h in sensitive.find("刷票拉票", cw.campaign.pk)} == {"拉票"}


def test_highlight_escapes_and_marks():
    out = sensitive.highlight("<b>敏 感</b>\n好", [[3, 6]])
    assert out == "&lt;b&gt;<mark>敏 感</mark>&lt;/b&gt;<br>好"
    assert sensitive.highlight("abc", [[5, 9]]) == "abc"
