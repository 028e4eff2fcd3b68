"""The image engine: perceptual hashes in a multi-index table, verified on thumbnails
(docs/fingerprints.md).

Stored per image: the pHash of the whole picture and of nine crops (`VARIANT_BOXES`) as
`PerceptualHash` rows, and an `ImageSignature` (pHash and dHash of the whole picture and of its
mirror image, a 64×64 thumbnail of the value channel). A look-up asks for stored rows within
`FINGERPRINT_IMAGE_RADIUS` of: this image's whole-picture hash and its mirror's (against every
stored variant and every video frame), and of its crop variants (against stored whole pictures
and frames). A candidate image within `FINGERPRINT_IMAGE_SURE_DISTANCE` is a match; a farther
one must also pass verification: the zero-mean correlation of both thumbnails (16×16), seen
through the boxes that matched, must reach `FINGERPRINT_IMAGE_MIN_ZNCC`. A video frame has no
thumbnail and must be within `FINGERPRINT_FRAME_DISTANCE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from PIL import Image, ImageOps

from . import imagehashing as ih
from .engines import Match, Subject
from .models import ImageSignature, PerceptualHash

PROBE_CHUNK = 900  # values in one IN list (well under every database's parameter limit)


def setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


# --- the shared index ------------------------------------------------------------------------


def _sqlite_hamming(a: int | None, b: int | None) -> int:
    if a is None or b is None:
        return 64
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()


def _hamming_expr() -> str:
    """SQL for the Hamming distance of column `value` to the parameter."""
    if connection.vendor == "postgresql":
        return "bit_count(int8send(value # %s))"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        # A deterministic Python function; registering it again is harmless and cheap.
        connection.connection.create_function("fp_hamming", 2, _sqlite_hamming, deterministic=True)
        return "fp_hamming(value, %s)"
    raise NotImplementedError(connection.vendor)


def _hamming_sql(query: int) -> RawSQL:
    """The Hamming distance of `value` to `query`, computed by the database."""
    return RawSQL(_hamming_expr(), (query,))


@dataclass(frozen=True)
class Hit:
    """A stored row near one query hash."""

    key: Any  # the caller's name for the query hash: (query variant, mirrored)
    subject: Subject
    medium: str
    variant: int
    at: int
    distance: int


ROW_FIELDS = ("subject_type", "subject_id", "medium", "variant", "at", "value")


def lookup_one(value: int, radius: int, *, exclude: Subject | None = None, key: object = None,
               whole: bool = False) -> list[Hit]:
    """Stored rows within `radius` of one hash. Each segment column finds its candidates through
    its own covering (segment, value) index (an IN list of the segment's neighbours); only the
    rows within the radius are read from the table. `whole`: only rows of whole pictures and
    frames (variant 0). PostgreSQL checks the candidates' distance in SQL (one statement);
    SQLite, which has no popcount, hands them over packed (`_sqlite_near_values`)."""
    if connection.vendor == "sqlite":
        return _lookup_one_sqlite(value, radius, exclude=exclude, key=key, whole=whole)
    return lookup_one_sql(value, radius, exclude=exclude, key=key, whole=whole)


def lookup_one_sql(value: int, radius: int, *, exclude: Subject | None = None, key: object = None,
                   whole: bool = False) -> list[Hit]:
    """`lookup_one` in one statement, the distance checked by the database (PostgreSQL's path;
    SQLite runs it too, through the Python function `fp_hamming`, for the tests)."""
    table = PerceptualHash._meta.db_table
    ham = _hamming_expr()
    # The probe values are integers made here, so they are written into the SQL (hundreds of
    # parameters would cost more than the look-up itself); the hash and subject are parameters.
    # Each probe keeps, inside its (segment, value) index, the values within the radius (an
    # index-only scan: a PostgreSQL index holds no id, so asking for ids read every candidate's
    # table row, 2.4× slower at radius 11); the rows holding those few values are then found
    # through the first segment's index (s0 is the value's top 16 bits).
    parts = [f"SELECT value FROM {table} WHERE s{i} IN ({','.join(map(str, sorted(vals)))}) AND {ham} <= %s"
             for i, vals in enumerate(ih.probe_values([value], radius))]
    q = ih.to_signed(value)
    sql = (f"SELECT t.subject_type, t.subject_id, t.medium, t.variant, t.at, t.value "
           f"FROM (SELECT DISTINCT value FROM ({' UNION ALL '.join(parts)}) AS u) AS n "
           f"JOIN {table} AS t ON t.s0 = ((n.value >> 48) & 65535) AND t.value = n.value WHERE 1 = 1")
    params: list = [x for _p in parts for x in (q, radius)]
    sql, params = _narrow(sql, params, "t.", exclude, whole)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    u = ih.to_unsigned(value)
    return [Hit(key, (t, i), m, v, a, (ih.to_unsigned(h) ^ u).bit_count()) for t, i, m, v, a, h in rows]


def _narrow(sql: str, params: list, alias: str, exclude: Subject | None, whole: bool) -> tuple[str, list]:
    if exclude is not None:
        sql += f" AND NOT ({alias}subject_type = %s AND {alias}subject_id = %s)"
        params = [*params, exclude[0], exclude[1]]
    if whole:
        sql += f" AND {alias}variant = 0"
    return sql, params


def _sqlite_near_values(value: int, radius: int) -> list[int]:
    """The distinct stored hash values (signed) within `radius` of `value`, on SQLite.

    Measured at a million rows (bench/README.md): the index seeks cost little (4 × 137 probes at
    radius 11 read ~8,400 candidate entries in ~1 ms); what costs is checking ~8,400 candidates,
    of which ~12 are near: a Python function called per row (`fp_hamming`) or one row a
    candidate fetched into Python costs 1–2 µs each, and a popcount written in SQL arithmetic
    ~1.5 µs. So each segment's candidates come back as one row: `group_concat` of their values,
    a string parsed by numpy in one call, their distances computed there, vectorised."""
    table = PerceptualHash._meta.db_table
    parts = [f"SELECT group_concat(value) FROM {table} WHERE s{i} IN ({','.join(map(str, sorted(vals)))})"
             for i, vals in enumerate(ih.probe_values([value], radius))]
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts))
        packed = [r[0] for r in cur.fetchall() if r[0]]
    if not packed:
        return []
    values = np.fromstring(",".join(packed), dtype=np.int64, sep=",")
    near = np.bitwise_count(values.view(np.uint64) ^ np.uint64(ih.to_unsigned(value))) <= radius
    return np.unique(values[near]).tolist()


def _lookup_one_sqlite(value: int, radius: int, *, exclude: Subject | None, key: object,
                       whole: bool) -> list[Hit]:
    near = _sqlite_near_values(value, radius)
    if not near:
        return []
    table = PerceptualHash._meta.db_table
    # The rows holding those values: seeks in the first segment's (segment, value) index.
    firsts = sorted({ih.segments(v)[0] for v in near})
    sql = (f"SELECT subject_type, subject_id, medium, variant, at, value FROM {table} "
           f"WHERE s0 IN ({','.join(map(str, firsts))}) AND value IN ({','.join(map(str, near))})")
    sql, params = _narrow(sql, [], "", exclude, whole)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    u = ih.to_unsigned(value)
    return [Hit(key, (t, i), m, v, a, (ih.to_unsigned(h) ^ u).bit_count()) for t, i, m, v, a, h in rows]


def lookup_many(queries: Iterable[tuple[object, int]], radius: int, *, exclude: Subject | None = None,
                whole: bool = False) -> list[Hit]:
    """Stored rows within `radius` of any of many hashes (a video's frames): the candidates of
    all of them are read segment column by segment column, in chunks, and verified here, so the
    number of queries does not grow with the number of hashes. `whole`: only rows of whole
    pictures and frames (variant 0)."""
    queries = list(queries)
    if not queries:
        return []
    srad = ih.segment_radius(radius)
    unsigned = [ih.to_unsigned(v) for _k, v in queries]
    # For each segment column: probe value -> the queries it stands for.
    wanted: list[dict[int, list[int]]] = [{} for _ in range(ih.SEGMENTS)]
    for qi, u in enumerate(unsigned):
        for i, seg in enumerate(ih.segments(u)):
            for mask in ih.flip_masks(srad, ih.SEGMENT_BITS[i]):
                wanted[i].setdefault(seg ^ mask, []).append(qi)
    hits: dict[tuple[int, int], Hit] = {}
    for i, probe in enumerate(wanted):
        ordered = sorted(probe)
        for start in range(0, len(ordered), PROBE_CHUNK):
            qs = PerceptualHash.objects.filter(**{f"s{i}__in": ordered[start:start + PROBE_CHUNK]})
            if exclude is not None:
                qs = qs.exclude(subject_type=exclude[0], subject_id=exclude[1])
            if whole:
                qs = qs.filter(variant=0)
            for pk, seg, t, sid, m, v, a, value in qs.values_list("pk", f"s{i}", *ROW_FIELDS).iterator(
                    chunk_size=2000):
                u = ih.to_unsigned(value)
                for qi in probe[seg]:
                    if (pk, qi) not in hits:
                        d = (u ^ unsigned[qi]).bit_count()
                        if d <= radius:
                            hits[(pk, qi)] = Hit(queries[qi][0], (t, sid), m, v, a, d)
    return list(hits.values())


def store_rows(subject: Subject, medium: str, rows: Iterable[tuple[int, int, int]]) -> None:
    """Replace this subject's rows of `medium` by `rows` of (variant, at, unsigned hash)."""
    PerceptualHash.objects.filter(subject_type=subject[0], subject_id=subject[1], medium=medium).delete()
    PerceptualHash.objects.bulk_create(
        [PerceptualHash(subject_type=subject[0], subject_id=subject[1], medium=medium, variant=variant, at=at,
                        value=ih.to_signed(value), **ih.segment_fields(value)) for variant, at, value in rows],
        batch_size=500)


# --- the engine --------------------------------------------------------------------------------


def image_signature(path: Path) -> tuple[list[int], dict] | None:
    """The variant hashes and signature fields of one image file; None for a blank picture."""
    with Image.open(path) as src:
        width, height = src.size
        if src.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF says: turned a quarter
            width, height = height, width
        img = ih.prepare(src)
    if not ih.informative(img):
        return None
    mirror = ImageOps.mirror(img)
    return ih.variant_hashes(img), {
        "phash": ih.to_signed(ih.phash(img)), "dhash": ih.to_signed(ih.dhash(img)),
        "mirror_phash": ih.to_signed(ih.phash(mirror)),
        "width": width, "height": height, "thumb": ih.thumbnail(img)}


class ImageEngine:
    medium = "image"

    def applies(self, kind: str) -> bool:
        return kind == "image"

    def compute_file(self, subject: Subject, path: Path, kind: str) -> None:
        found = image_signature(path)
        with transaction.atomic():
            self.forget(subject)
            if found is None:
                return
            hashes, fields = found
            mirror = fields.pop("mirror_phash")
            ImageSignature.objects.create(subject_type=subject[0], subject_id=subject[1], mirror_phash=mirror,
                                          **fields)
            store_rows(subject, "image", [(v, 0, h) for v, h in enumerate(hashes)])

    def compute_text(self, subject: Subject, text: str) -> None:
        return None

    def matches(self, subject: Subject, limit: int = 20) -> list[Match]:
        mine = ImageSignature.objects.filter(subject_type=subject[0], subject_id=subject[1]).first()
        if mine is None:
            return []
        radius = int(setting("FINGERPRINT_IMAGE_RADIUS", 11))  # 11 = 4 × 3 − 1: 2 bits a segment
        variants = dict(PerceptualHash.objects.filter(subject_type=subject[0], subject_id=subject[1],
                                                      medium="image").values_list("variant", "value"))
        hits: list[Hit] = []
        # The whole picture (and its mirror image) against every stored row...
        hits += lookup_one(ih.to_unsigned(mine.phash), radius, exclude=subject, key=(0, False))
        hits += lookup_one(ih.to_unsigned(mine.mirror_phash), radius, exclude=subject, key=(0, True))
        # ... and each crop of it against stored whole pictures and video frames.
        for v, value in sorted(variants.items()):
            if v:
                hits += lookup_one(ih.to_unsigned(value), radius, exclude=subject, key=(v, False), whole=True)
        return verify_hits(subject, bytes(mine.thumb), mine.phash, hits, limit)

    def forget(self, subject: Subject) -> None:
        ImageSignature.objects.filter(subject_type=subject[0], subject_id=subject[1]).delete()
        PerceptualHash.objects.filter(subject_type=subject[0], subject_id=subject[1], medium="image").delete()


def verify_hits(subject: Subject, thumb: bytes, phash: int, hits: list[Hit], limit: int) -> list[Match]:
    """One Match per other subject that passes verification, best first."""
    min_zncc = float(setting("FINGERPRINT_IMAGE_MIN_ZNCC", 0.7))
    sure = int(setting("FINGERPRINT_IMAGE_SURE_DISTANCE", 8))
    frame_distance = int(setting("FINGERPRINT_FRAME_DISTANCE", 8))
    by_subject: dict[Subject, list[Hit]] = {}
    for h in hits:
        by_subject.setdefault(h.subject, []).append(h)
    thumbs = {}
    image_ids = [s for s, hs in by_subject.items() if any(h.medium == "image" for h in hs)]
    for t, i, th, ph in (ImageSignature.objects.filter(subject_id__in=[s[1] for s in image_ids])
                         .values_list("subject_type", "subject_id", "thumb", "phash")):
        thumbs[(t, i)] = (bytes(th), ph)
    out: list[Match] = []
    for other, hs in by_subject.items():
        best: tuple[float, Hit, float | None] | None = None
        for h in sorted(hs, key=lambda h: h.distance)[:8]:
            qv, mirrored = h.key
            if h.medium == "image" and other in thumbs:
                corr = ih.verify(thumb, thumbs[other][0], qv, h.variant, mirrored)
                if h.distance > sure and corr < min_zncc:
                    continue
                score = (1 - h.distance / 64) * (1.0 if h.distance <= sure else corr)
            elif h.medium == "video" and h.distance <= frame_distance:
                corr = None
                score = 1 - h.distance / 32
            else:
                continue
            if best is None or score > best[0]:
                best = (score, h, corr)
        if best is None:
            continue
        score, h, corr = best
        qv, mirrored = h.key
        detail: dict = {"distance": h.distance, "mirrored": mirrored, "hash": f"{ih.to_unsigned(phash):016x}",
                        "variants": [qv, h.variant]}
        if corr is not None:
            detail["correlation"] = round(corr, 3)
        if h.medium == "video":
            frames = sorted({x.at for x in hs if x.distance <= frame_distance})
            detail["segments"] = _runs_as_segments(frames)
        out.append(Match(subject, other, "image", round(min(1.0, score), 3), detail))
    out.sort(key=lambda m: -m.score)
    return out[:limit]


def _runs_as_segments(seconds: list[int]) -> list[list[float]]:
    """Frame seconds of the other (video) subject as [[0, 0, b_start, b_end], ...] runs."""
    out: list[list[float]] = []
    for s in seconds:
        if out and s - out[-1][3] <= 1:
            out[-1][3] = s + 1
        else:
            out.append([0, 0, s, s + 1])
    return out


ENGINE = ImageEngine()
