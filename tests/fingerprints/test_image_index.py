"""The multi-index look-up finds exactly what a brute-force scan finds."""

from __future__ import annotations

import random

import pytest

from zhengji.fingerprints import imagehashing as ih
from zhengji.fingerprints.image import lookup_many, lookup_one, lookup_one_sql, store_rows
from zhengji.fingerprints.models import PerceptualHash

pytestmark = pytest.mark.django_db


def _flip(value: int, bits: int, rnd: random.Random) -> int:
    for b in rnd.sample(range(64), bits):
        value ^= 1 << b
    return value


def test_segments_and_signed_round_trip():
    h = 0xFEDCBA9876543210
    assert ih.segments(h) == [0xFEDC, 0xBA98, 0x7654, 0x3210]
    assert ih.to_unsigned(ih.to_signed(h)) == h and ih.to_signed(h) < 0
    assert ih.segment_fields(ih.to_signed(h)) == {"s0": 0xFEDC, "s1": 0xBA98, "s2": 0x7654, "s3": 0x3210}
    assert len(ih.flip_masks(2, 16)) == 1 + 16 + 120


@pytest.mark.parametrize("radius", [3, 7, 11])
def test_lookup_equals_brute_force(radius):
    rnd = random.Random(radius)
    queries = [rnd.getrandbits(64) for _ in range(5)]
    stored = [rnd.getrandbits(64) for _ in range(1500)]
    for q in queries:  # planted neighbours at every distance up to 20
        stored += [_flip(q, d, rnd) for d in range(21)]
    PerceptualHash.objects.bulk_create(
        [PerceptualHash(subject_type="ref", subject_id=n, medium="image", value=ih.to_signed(v),
                        **ih.segment_fields(v)) for n, v in enumerate(stored)], batch_size=2000)
    for q in queries:
        expected = sorted(n for n, v in enumerate(stored) if ih.distance(q, v) <= radius)
        got = sorted(h.subject[1] for h in lookup_one(q, radius))
        assert got == expected
        assert sorted(h.subject[1] for h in lookup_one_sql(q, radius)) == expected
        assert all(h.distance == ih.distance(q, stored[h.subject[1]]) for h in lookup_one(q, radius))
    many = lookup_many([(i, q) for i, q in enumerate(queries)], radius)
    assert sorted((h.key, h.subject[1]) for h in many) == sorted(
        (i, n) for i, q in enumerate(queries) for n, v in enumerate(stored) if ih.distance(q, v) <= radius)


def test_lookup_excludes_the_subject_itself():
    store_rows(("media", 1), "image", [(0, 0, 12345)])
    store_rows(("media", 2), "image", [(0, 0, 12345)])
    assert [h.subject for h in lookup_one(12345, 4, exclude=("media", 1))] == [("media", 2)]


def test_lookup_returns_every_row_of_a_near_value_and_narrows():
    """Rows sharing one value are all returned (SQLite finds the near values first, then their
    rows); `exclude` and `whole` narrow both paths alike."""
    store_rows(("media", 1), "image", [(0, 0, 0xABCDEF0123456789), (3, 0, 0xABCDEF0123456788)])
    store_rows(("media", 2), "image", [(0, 0, 0xABCDEF0123456789), (4, 0, 0xFFFFFFFFFFFFFFFF)])
    store_rows(("media", 3), "video", [(0, 7, 0xABCDEF0123456780)])
    q = 0xABCDEF0123456789
    for fn in (lookup_one, lookup_one_sql):
        assert sorted((h.subject[1], h.variant, h.at, h.distance) for h in fn(q, 3)) == [
            (1, 0, 0, 0), (1, 3, 0, 1), (2, 0, 0, 0), (3, 0, 7, 2)]
        assert sorted(h.subject[1] for h in fn(q, 3, exclude=("media", 1), whole=True)) == [2, 3]
        assert sorted(h.subject[1] for h in fn(q, 3, whole=True)) == [1, 2, 3]
        assert fn(0x0123456789ABCDEF, 11) == []
