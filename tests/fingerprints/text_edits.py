"""Chinese texts and the edits that disguise a copy, for the text engine's tests and bench.

Texts are generated (deterministically, from a seed) from jieba's dictionary (a dev dependency:
349,000 words with frequency and part of speech): a *topic* is a few hundred nouns, verbs and
adjectives; an article is paragraphs of sentences drawn from its topic's words and the common
function words. Two articles of the same topic share their vocabulary, so they are the hard
negatives (same subject, same style, not a copy). Homophones come from pypinyin (dev only): a word
replaced by another dictionary word with the same toneless pinyin.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

import jieba
import opencc
from pypinyin import lazy_pinyin

FUNCTION_WORDS = ["的", "了", "在", "是", "和", "与", "我们", "他们", "这", "那", "也", "都", "就", "还",
                  "把", "被", "对", "从", "为了", "因为", "所以", "但是", "而且", "一个", "这些", "已经"]
# Real synonyms (the edit people make by hand); other substitutions take a word of the same class.
SYNONYMS = {"开展": "举办", "职工": "员工", "活动": "行动", "发展": "进步", "重要": "要紧", "提高": "提升",
            "美丽": "漂亮", "工作": "劳动", "帮助": "帮忙", "认为": "觉得", "立刻": "马上", "学习": "研习",
            "困难": "艰难", "经验": "心得", "优秀": "出色", "安全": "平安", "建设": "建造", "组织": "团体",
            "参加": "加入", "快乐": "愉快", "城市": "都市", "技术": "技艺", "精神": "风貌", "生活": "日子"}
EDITS = ("synonym", "homophone", "reorder", "reorder-sentences", "insert", "delete", "traditional", "halfwidth",
         "zerowidth", "excerpt", "combined")


@functools.cache
def _dictionary() -> dict[str, list[tuple[str, int]]]:
    """Words of 2-4 Chinese characters by part of speech (n, v, a), with frequencies."""
    path = Path(jieba.__file__).parent / "dict.txt"
    by_pos: dict[str, list[tuple[str, int]]] = {"n": [], "v": [], "a": []}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            word, freq, pos = line.split()
            chinese = all("\u4e00" <= c <= "\u9fff" for c in word)
            if pos in by_pos and 2 <= len(word) <= 4 and int(freq) >= 50 and chinese:
                by_pos[pos].append((word, int(freq)))
    return by_pos


@functools.cache
def _homophones() -> dict[str, list[str]]:
    """Word -> other common words with the same toneless pinyin (and the same length)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for words in _dictionary().values():
        for word, freq in words:
            if freq >= 200:
                groups.setdefault(tuple(lazy_pinyin(word)), []).append(word)
    out: dict[str, list[str]] = {}
    for group in groups.values():
        if len(group) > 1:
            for w in group:
                out[w] = [o for o in group if o != w]
    return out


def _weighted(rng: random.Random, items: list[tuple[str, int]], k: int) -> list[str]:
    words = [w for w, _ in items]
    cum = list(itertools.accumulate(f ** 0.5 for _, f in items))  # flatter than Zipf: more variety
    return [words[bisect.bisect_left(cum, rng.random() * cum[-1])] for _ in range(k)]


@dataclass(frozen=True)
class Topic:
    nouns: list[str]
    verbs: list[str]
    adjectives: list[str]


@functools.cache
def topic(seed: int) -> Topic:
    rng = random.Random(f"topic-{seed}")
    d = _dictionary()
    pick = lambda pos, k: list(dict.fromkeys(_weighted(rng, d[pos], k)))  # noqa: E731
    # Every topic also uses the synonym table's words, so the synonym edit has something to change.
    return Topic(nouns=pick("n", 220) + list(SYNONYMS)[:12], verbs=pick("v", 120) + list(SYNONYMS)[12:],
                 adjectives=pick("a", 40))


def sentence(rng: random.Random, t: Topic) -> list[str]:
    """A sentence as a list of words (the last one the full stop)."""
    words: list[str] = []
    for _ in range(rng.randint(2, 4)):
        clause = [rng.choice(t.nouns), rng.choice(FUNCTION_WORDS), rng.choice(t.verbs)]
        if rng.random() < 0.5:
            clause += [rng.choice(t.adjectives), "的"]
        clause.append(rng.choice(t.nouns))
        words += clause + ["，"]
    words[-1] = "。"
    return words


def formula(topic_seed: int) -> list[list[str]]:
    """The opening paragraph every text of a topic repeats (a notice's formula: boilerplate)."""
    rng = random.Random(f"formula-{topic_seed}")
    t = topic(topic_seed)
    return [sentence(rng, t) for _ in range(2)]


def article(seed: int, topic_seed: int, paragraphs: int = 6, *, boilerplate: bool = False) -> list[list[list[str]]]:
    """Paragraphs of sentences of words; with `boilerplate`, the topic's formula comes first."""
    rng = random.Random(f"article-{seed}-{topic_seed}")
    t = topic(topic_seed)
    paras = [[sentence(rng, t) for _ in range(rng.randint(3, 5))] for _ in range(paragraphs)]
    return [formula(topic_seed), *paras] if boilerplate else paras


def render(paras: list[list[list[str]]]) -> str:
    return "\n".join("".join("".join(s) for s in p) for p in paras)


def text(seed: int, topic_seed: int, paragraphs: int = 6, *, boilerplate: bool = False) -> str:
    return render(article(seed, topic_seed, paragraphs, boilerplate=boilerplate))


def _map_words(paras, rng: random.Random, rate: float, replace) -> list[list[list[str]]]:
    return [[[replace(w) if len(w) >= 2 and rng.random() < rate else w for w in s] for s in p] for p in paras]


def edit(paras: list[list[list[str]]], kind: str, seed: int = 0, topic_seed: int = 0) -> str:
    """The article after one kind of edit (see EDITS)."""
    rng = random.Random(f"edit-{kind}-{seed}")
    if kind == "synonym":
        t = topic(topic_seed)

        def synonym(w: str) -> str:
            if w in SYNONYMS:
                return SYNONYMS[w]
            pool = t.nouns if w in t.nouns else t.verbs if w in t.verbs else t.adjectives
            return rng.choice([o for o in pool if len(o) == len(w) and o != w] or [w])
        return render(_map_words(paras, rng, 0.12, synonym))
    if kind == "homophone":
        table = _homophones()
        return render(_map_words(paras, rng, 0.25, lambda w: rng.choice(table[w]) if w in table else w))
    if kind in ("reorder", "reorder-sentences"):
        shuffled = [list(p) for p in paras]
        while shuffled == paras:
            rng.shuffle(shuffled)
        if kind == "reorder-sentences":  # harder than the issue asks: sentences within paragraphs too
            for p in shuffled:
                rng.shuffle(p)
        return render(shuffled)
    if kind == "insert":
        other = article(seed + 10_000, topic_seed, len(paras))
        return render([p + [rng.choice(other[i])] if rng.random() < 0.7 else [rng.choice(other[i]), *p]
                       for i, p in enumerate(paras)])
    if kind == "delete":
        return render([[s for s in p if rng.random() > 0.25] or p[:1] for p in paras])
    if kind == "traditional":
        return opencc.OpenCC("s2t").convert(render(paras))
    if kind == "halfwidth":
        return render(paras).replace("，", ", ").replace("。", ". ")
    if kind == "zerowidth":
        plain = render(paras)
        return "".join(c + ("\u200b" if rng.random() < 0.2 else "") for c in plain)
    if kind == "excerpt":
        # Two paragraphs lifted from the article into a shorter commentary with an opening of its own.
        start = rng.randrange(0, max(1, len(paras) - 2))
        own = article(seed + 20_000, topic_seed, 1)
        return render([own[0], *paras[start:start + 2]])
    if kind == "combined":
        table = _homophones()
        shuffled = _map_words(paras, rng, 0.06, lambda w: rng.choice(table[w]) if w in table else SYNONYMS.get(w, w))
        shuffled = [list(p) for p in shuffled]
        rng.shuffle(shuffled)
        return opencc.OpenCC("s2t").convert(render(shuffled)).replace("，", ",")
    raise ValueError(kind)
