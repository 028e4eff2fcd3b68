"""The text engine: near-copies of texts (typed answers, .docx/.pdf/.txt files, reference texts).

How (docs/fingerprints-audio-text.md):
1. `textnorm.for_matching` folds what disguises a copy: full-width forms, traditional characters,
   zero-width characters, spaces and punctuation.
2. The normalised text is cut into chunks at content-defined boundaries (where a hash of the last
   4 characters hits), so an inserted sentence moves no boundary elsewhere and a copied passage is
   cut where the original was.
3. Each chunk's character 3-gram shingles give a MinHash (datasketch, `PERMS` values); its LSH
   bands (`BANDS` x `ROWS`) are stored as keys in `TextBand`. A look-up asks the database which
   subjects share band keys (indexed, the same on SQLite and PostgreSQL), keeps the
   `CANDIDATES` subjects sharing most, and scores them from their stored signatures.
4. Score: the share of one text (by characters) whose chunks have a counterpart with estimated
   Jaccard >= `CHUNK_MATCH` in the other, the larger of the two directions (containment: a
   commentary lifted from a longer article is 100 % contained in it). Synonyms and homophones
   lower a chunk's Jaccard a little, never to nothing; reordered paragraphs and inserted or
   deleted sentences move whole chunks, which the chunk matching ignores.

Texts shorter than `MIN_CHARS` normalised characters are only matched when identical after
normalisation (a title, a one-line answer: shingles say nothing reliable about them).
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from pathlib import Path

import numpy as np
from datasketch import MinHash
from django.conf import settings
from django.db import transaction
from django.db.models import Count

from zhengji.common.textnorm import for_matching

from .engines import Match, Subject
from .models import TextBand, TextPrint
from .textextract import MAX_CHARS, TEXT_SUFFIXES, extract

SHINGLE = 3  # characters; Chinese words are mostly 2 characters, so a substitution costs few shingles
PERMS = 64
BANDS, ROWS = 16, 4  # a chunk pair with Jaccard 0.5 shares a band with probability 0.64, 0.7: 0.99
MIN_CHUNK, AVG_GAP, MAX_CHUNK = 24, 40, 160  # characters: chunks average about 64
CHUNK_MATCH = 0.34  # estimated Jaccard of two chunks that count as the same passage
BOILERPLATE_MATCH = 0.17  # ... that count as sharing a formula, when many texts do
MIN_CHARS = 50  # shorter normalised texts: identical ones only
MIN_IDENTICAL = 8  # shorter still: not fingerprinted at all
MIN_SCORE = 0.2  # matches below this are not reported (the originality app flags from its own threshold)
CANDIDATES = 50
COMMON_KEY = 25  # a band key stored for more texts than this is boilerplate (FINGERPRINT_TEXT_COMMON_KEY)
COMMON_BANDS = 2  # a chunk with this many boilerplate band keys is boilerplate
COMMON_TEXTS = 5  # a chunk found in more partly similar texts than this is boilerplate (..._COMMON_TEXTS)
KEY_BATCH = 500
_SEED = 1
SCHEME = "affine32"  # datasketch's hashing scheme: stored signatures depend on it (and on _SEED)
_MASK63 = (1 << 63) - 1


def _key(band: int, values: bytes) -> int:
    digest = hashlib.blake2b(band.to_bytes(2, "little", signed=True) + values, digest_size=8).digest()
    return int.from_bytes(digest, "little") & _MASK63


def chunk_spans(norm: str) -> list[tuple[int, int]]:
    """Content-defined chunks of a normalised text, as (start, end): a boundary follows position i
    when the crc32 of the 4 characters ending there is 0 modulo AVG_GAP (and the chunk is at least
    MIN_CHUNK long), or when the chunk reaches MAX_CHUNK. A tail shorter than MIN_CHUNK joins the
    chunk before it."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(norm)
    for i in range(n):
        size = i + 1 - start
        if size < MIN_CHUNK:
            continue
        if size >= MAX_CHUNK or zlib.crc32(norm[i - 3:i + 1].encode()) % AVG_GAP == 0:
            spans.append((start, i + 1))
            start = i + 1
    if start < n:
        if spans and n - start < MIN_CHUNK:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((start, n))
    return spans


def _shingle_hashes(norm: str) -> np.ndarray:
    """crc32 of the 3-gram starting at each position (the last positions reuse shorter grams)."""
    return np.fromiter((zlib.crc32(norm[i:i + SHINGLE].encode()) for i in range(len(norm))),
                       dtype=np.uint64, count=len(norm))


@functools.cache
def _permutations() -> np.ndarray:
    """The MinHash permutations of (PERMS, _SEED): drawn once, not for every chunk."""
    return MinHash(num_perm=PERMS, seed=_SEED, scheme=SCHEME).permutations


def signatures(norm: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(chunks x PERMS uint32 MinHash values, chunk spans) of a normalised text."""
    spans = chunk_spans(norm)
    hashes = _shingle_hashes(norm)
    sig = np.zeros((len(spans), PERMS), dtype=np.uint32)
    for row, (a, b) in enumerate(spans):
        # Shingles starting in the chunk; the last one of a chunk spans into the next.
        last = max(a + 1, min(b, len(norm) - SHINGLE + 1))
        m = MinHash(num_perm=PERMS, seed=_SEED, hashfunc=int, permutations=_permutations(), scheme=SCHEME)
        m.update_batch(hashes[a:last].tolist())
        sig[row] = m.hashvalues.astype(np.uint32)
    return sig, spans


def band_keys(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band number, key) of every chunk's LSH bands, deduplicated."""
    keys: set[tuple[int, int]] = set()
    for row in sig:
        for band in range(BANDS):
            keys.add((band, _key(band, row[band * ROWS:(band + 1) * ROWS].tobytes())))
    return sorted(keys)


def _identical_key(norm: str) -> int:
    return _key(-1, hashlib.sha256(norm.encode()).digest())


class TextEngine:
    medium = "text"

    def applies(self, kind: str) -> bool:
        return kind in ("document", "text")

    def compute_file(self, subject: Subject, path: Path, kind: str) -> None:
        if Path(path).suffix.lower() not in TEXT_SUFFIXES:
            self.forget(subject)
            return
        self.compute_text(subject, extract(path))

    def compute_text(self, subject: Subject, text: str) -> None:
        norm = for_matching((text or "")[:MAX_CHARS])
        with transaction.atomic():
            self.forget(subject)
            if len(norm) < MIN_IDENTICAL:
                return
            if len(norm) < MIN_CHARS:
                sig, spans, keys = np.zeros((0, PERMS), dtype=np.uint32), [], [(-1, _identical_key(norm))]  # type: ignore[var-annotated]
            else:
                sig, spans = signatures(norm)
                keys = [(-1, _identical_key(norm)), *band_keys(sig)]
            TextPrint.objects.create(
                subject_type=subject[0], subject_id=subject[1], length=len(norm),
                digest=hashlib.sha256(norm.encode()).hexdigest(), signatures=sig.astype("<u4").tobytes(),
                spans=np.asarray(spans, dtype="<u4").tobytes())
            TextBand.objects.bulk_create(
                [TextBand(subject_type=subject[0], subject_id=subject[1], band=band, key=key) for band, key in keys],
                batch_size=1000)

    def matches(self, subject: Subject, limit: int = 20) -> list[Match]:
        mine = TextPrint.objects.filter(subject_type=subject[0], subject_id=subject[1]).first()
        if mine is None:
            return []
        keys = list(TextBand.objects.filter(subject_type=subject[0], subject_id=subject[1])
                    .values_list("key", flat=True))
        common_at = int(getattr(settings, "FINGERPRINT_TEXT_COMMON_KEY", COMMON_KEY))
        hits: dict[Subject, int] = {}
        common: set[int] = set()
        for i in range(0, len(keys), KEY_BATCH):
            batch = keys[i:i + KEY_BATCH]
            # Keys that many texts share are boilerplate (a formula every notice repeats): no evidence,
            # but the texts sharing them stay candidates, to tell which chunks are boilerplate.
            common.update(TextBand.objects.filter(key__in=batch).values("key").annotate(n=Count("id"))
                          .filter(n__gt=common_at).values_list("key", flat=True))
            rows = (TextBand.objects.filter(key__in=batch)
                    .values("subject_type", "subject_id").annotate(n=Count("id")))
            for row in rows:
                other = (row["subject_type"], row["subject_id"])
                if other != subject:
                    hits[other] = hits.get(other, 0) + row["n"]
        best = sorted(hits, key=lambda s: -hits[s])[:CANDIDATES]
        prints = _prints(best)
        skip = _boilerplate(mine, prints, common)
        out: list[Match] = []
        for other_print in prints:
            match = score(subject, mine, other_print, skip)
            if match is not None and match.score >= MIN_SCORE:
                out.append(match)
        out.sort(key=lambda m: -m.score)
        return out[:limit]

    def forget(self, subject: Subject) -> None:
        TextBand.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()
        TextPrint.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()


def _prints(subjects: list[Subject]) -> list[TextPrint]:
    """The candidates' prints in a query per subject type (a handful: media, texts, references)."""
    by_type: dict[str, list[int]] = {}
    for t, i in subjects:
        by_type.setdefault(t, []).append(i)
    out: list[TextPrint] = []
    for t, ids in by_type.items():
        out.extend(TextPrint.objects.filter(subject_type=t, subject_id__in=ids))
    return out


def _boilerplate(mine: TextPrint, prints: list[TextPrint], common: set[int]) -> np.ndarray:
    """The subject's chunks that are boilerplate: with COMMON_BANDS band keys that many texts share
    (`common`), or found with Jaccard >= BOILERPLATE_MATCH in more than COMMON_TEXTS candidates
    that share only a chunk or a quarter of the subject's chunks. A formula followed by each text's own words shares
    no whole chunk with the others, only part of one: hence the lower bar than for a match; and a
    popular article copied whole by many stays evidence."""
    sig, _spans = _load(mine)
    skip = np.zeros(len(sig), dtype=bool)
    if not len(sig):
        return skip
    if common:
        skip |= np.array([sum(_key(b, row[b * ROWS:(b + 1) * ROWS].tobytes()) in common for b in range(BANDS))
                          >= COMMON_BANDS for row in sig], dtype=bool)
    found_in = np.zeros(len(sig), dtype=np.int64)
    for p in prints:
        other, _ = _load(p)
        if len(other):
            best = _best(sig, other)[0]
            if (best >= CHUNK_MATCH).sum() <= max(1, len(sig) // 4):
                found_in += best >= BOILERPLATE_MATCH
    return skip | (found_in > int(getattr(settings, "FINGERPRINT_TEXT_COMMON_TEXTS", COMMON_TEXTS)))


def _load(p: TextPrint) -> tuple[np.ndarray, np.ndarray]:
    sig = np.frombuffer(bytes(p.signatures), dtype="<u4").reshape(-1, PERMS)
    spans = np.frombuffer(bytes(p.spans), dtype="<u4").reshape(-1, 2).astype(np.int64)
    return sig, spans


def _best(sa: np.ndarray, sb: np.ndarray, block: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each chunk of A: its best estimated Jaccard in B and which chunk; and B's best in A."""
    best_a = np.zeros(len(sa))
    arg_a = np.zeros(len(sa), dtype=np.int64)
    best_b = np.zeros(len(sb))
    for i in range(0, len(sa), block):
        sim = (sa[i:i + block, None, :] == sb[None, :, :]).mean(axis=2)  # block x |B|
        best_a[i:i + block] = sim.max(axis=1)
        arg_a[i:i + block] = sim.argmax(axis=1)
        best_b = np.maximum(best_b, sim.max(axis=0))
    return best_a, arg_a, best_b


def score(subject: Subject, a: TextPrint, b: TextPrint, skip: np.ndarray | None = None) -> Match | None:
    """How much of A is in B and of B in A (by characters of matched chunks). `skip`: A's chunks
    that are boilerplate; they, and B's chunks they match, count on neither side."""
    other = (b.subject_type, b.subject_id)
    if a.digest == b.digest:
        return Match(subject, other, "text", 1.0, {"kind": "identical", "containment": 1.0, "jaccard": 1.0})
    sa, spa = _load(a)
    sb, spb = _load(b)
    if not len(sa) or not len(sb):
        return None  # a short text matches only an identical one
    len_a = (spa[:, 1] - spa[:, 0]).astype(float)
    len_b = (spb[:, 1] - spb[:, 0]).astype(float)
    keep_b = np.ones(len(sb), dtype=bool)
    if skip is not None and skip.any():
        _x, _y, boiler_b = _best(sa[skip], sb)
        keep_b = boiler_b < CHUNK_MATCH
        sa, spa, len_a = sa[~skip], spa[~skip], len_a[~skip]
        if not len(sa) or not keep_b.any():
            return None  # nothing but boilerplate
    best_a, arg_a, best_b = _best(sa, sb)
    got_a = float(len_a[best_a >= CHUNK_MATCH].sum())
    got_b = float(len_b[(best_b >= CHUNK_MATCH) & keep_b].sum())
    if not got_a or not got_b:
        return None
    total_a, total_b = float(len_a.sum()), float(len_b[keep_b].sum())
    in_b = got_a / total_a  # share of A found in B
    in_a = got_b / total_b
    containment = max(in_b, in_a)
    shared = (got_a + got_b) / 2
    jaccard = shared / (total_a + total_b - shared)
    passages = _passages(spa, spb, best_a, arg_a)
    kind = "containment" if min(in_a, in_b) < 0.6 * containment else "similarity"
    return Match(subject, other, "text", round(containment, 4), {
        "kind": kind, "containment": round(containment, 4), "jaccard": round(jaccard, 4),
        "subject_in_other": round(in_b, 4), "other_in_subject": round(in_a, 4),
        # Offsets in the normalised texts (textnorm.for_matching_with_map maps them back).
        "passages": passages, "boilerplate_chunks": int(skip.sum()) if skip is not None else 0})


def _passages(spa: np.ndarray, spb: np.ndarray, best_a: np.ndarray, arg_a: np.ndarray,
              most: int = 20) -> list[list[int]]:
    """Matched chunk pairs as [a_start, a_end, b_start, b_end], neighbours merged."""
    out: list[list[int]] = []
    for i in np.flatnonzero(best_a >= CHUNK_MATCH):
        j = int(arg_a[i])
        a0, a1 = int(spa[i, 0]), int(spa[i, 1])
        b0, b1 = int(spb[j, 0]), int(spb[j, 1])
        if out and out[-1][1] == a0 and out[-1][3] == b0:
            out[-1][1], out[-1][3] = a1, b1
        else:
            out.append([a0, a1, b0, b1])
    return out[:most]


ENGINE = TextEngine()
