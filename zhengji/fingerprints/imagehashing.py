"""Perceptual hashing helpers shared by the image and video engines (docs/fingerprints.md).

- `phash`/`dhash`: imagehash's 64-bit hashes as signed ints (what a BigIntegerField holds);
- `crop_variants`: the boxes whose hashes are stored besides the full picture, so that a crop of
  up to 10 % lands near one of them (a plain pHash moves 10–28 bits under such a crop);
- multi-index hashing: a 64-bit hash is cut into `SEGMENTS` 16-bit segments stored in indexed
  columns. Two hashes within Hamming distance r share, by the pigeonhole principle, at least one
  segment within distance r // SEGMENTS, so a look-up probes each segment column with the
  segment's neighbours within that distance (`probe_values`) and verifies the full distance;
- `zncc`: zero-mean normalised correlation of two small grey thumbnails (the verifier: it is
  blind to brightness and contrast, and tells apart pictures whose hashes collide by chance).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

import imagehash
import numpy as np
from PIL import Image, ImageOps

# Four 16-bit segments. A probe is one seek in a covering index (segment, value): the rows that
# share a segment value sit side by side in it and their distance is checked without reading the
# table, so at a million rows (15 rows a value) radius 11 costs 4 × 137 seeks; three 21-bit
# segments would read fewer rows but need 3 × 1,562 seeks, which is what costs (measured).
SEGMENT_BITS = (16, 16, 16, 16)
SEGMENTS = len(SEGMENT_BITS)
THUMB_PX = 64  # the stored grey thumbnail (4 KB), the verifier's input

# (left, top, right, bottom) fractions cut away. Variant 0 is the whole picture; the others cover
# crops of up to 10 % of the width and height at the corners, the centre and each side.
VARIANT_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (0, 0, 0, 0),
    (0, 0, .1, .1), (.1, 0, 0, .1), (0, .1, .1, 0), (.1, .1, 0, 0), (.05, .05, .05, .05),
    (.1, 0, 0, 0), (0, 0, .1, 0), (0, .1, 0, 0), (0, 0, 0, .1),
)


def to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value & 0xFFFFFFFFFFFFFFFF


def _as_int(h: imagehash.ImageHash) -> int:
    bits = h.hash.flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def phash(img: Image.Image) -> int:
    """imagehash's 64-bit pHash (unsigned int)."""
    return _as_int(imagehash.phash(img))


def dhash(img: Image.Image) -> int:
    return _as_int(imagehash.dhash(img))


def distance(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()


def crop_box(img: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    if box == (0, 0, 0, 0):
        return img
    w, h = img.size
    left, top, right, bottom = box
    return img.crop((round(left * w), round(top * h), round(w - right * w), round(h - bottom * h)))


def value_channel(rgb: np.ndarray) -> np.ndarray:
    """max(R, G, B) of an H×W×3 array: the brightness the hashes read. A hue rotation leaves it
    unchanged and a tint moves it less than luma (a red disc turned blue keeps its value)."""
    return rgb.max(axis=2)


def prepare(img: Image.Image, max_px: int = 512) -> Image.Image:
    """The value channel, EXIF-oriented and at most `max_px` a side: the hashes look at 32 px,
    so decoding more costs time and never changes a bit that matters."""
    img.draft("RGB", (max_px, max_px))  # JPEG: decode at a reduced scale
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        back = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(back, img.convert("RGBA"))
    img = img.convert("RGB")
    if max(img.size) > max_px:
        img.thumbnail((max_px, max_px), Image.Resampling.BOX)
    return Image.fromarray(value_channel(np.asarray(img)))


def variant_hashes(img: Image.Image) -> list[int]:
    """The pHash of every box of VARIANT_BOXES (variant 0 first)."""
    return [phash(crop_box(img, box)) for box in VARIANT_BOXES]


def thumbnail(img: Image.Image) -> bytes:
    return img.resize((THUMB_PX, THUMB_PX), Image.Resampling.BOX).tobytes()


def thumb_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8).reshape(THUMB_PX, THUMB_PX).astype(np.float32)


def _thumb_view(arr: np.ndarray, box: tuple[float, float, float, float], mirrored: bool, n: int = 32) -> np.ndarray:
    img = Image.fromarray(arr.astype(np.uint8))
    if mirrored:
        img = ImageOps.mirror(img)
    return np.asarray(crop_box(img, box).resize((n, n), Image.Resampling.BOX), dtype=np.float32)


def zncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else 0.0


def verify(query: bytes, stored: bytes, query_variant: int, stored_variant: int, mirrored: bool,
           px: int = 16) -> float:
    """ZNCC of the two thumbnails seen through the variant boxes that matched (and mirrored when
    the match was on the mirrored hash), at `px`×`px`: what the hashes claim is the same picture
    is compared. 16 px forgives the pixel or two a small rotation moves; 32 px would not."""
    a = _thumb_view(thumb_array(query), VARIANT_BOXES[query_variant], mirrored, px)
    b = _thumb_view(thumb_array(stored), VARIANT_BOXES[stored_variant], False, px)
    return zncc(a, b)


def informative(img: Image.Image, min_std: float = 6.0) -> bool:
    """False for a (nearly) uniform picture: its pHash is noise and would match every blank."""
    small = np.asarray(img.resize((32, 32), Image.Resampling.BOX), dtype=np.float32)
    return float(small.std()) >= min_std


# --- multi-index hashing -------------------------------------------------------------------


def segments(value: int) -> list[int]:
    """The SEGMENTS segments of a 64-bit hash, most significant first."""
    u = to_unsigned(value)
    out = []
    shift = 64
    for bits in SEGMENT_BITS:
        shift -= bits
        out.append((u >> shift) & ((1 << bits) - 1))
    return out


@lru_cache(maxsize=16)
def flip_masks(radius: int, bits: int) -> tuple[int, ...]:
    """Every mask of at most `radius` set bits among `bits`."""
    masks = [0]
    for k in range(1, radius + 1):
        for chosen in combinations(range(bits), k):
            m = 0
            for b in chosen:
                m |= 1 << b
            masks.append(m)
    return tuple(masks)


def segment_radius(radius: int) -> int:
    """The per-segment radius that guarantees every hash within `radius` is found."""
    return radius // SEGMENTS


def probe_values(hashes: Iterable[int], radius: int) -> list[set[int]]:
    """For each segment column, the values to look up so that every stored hash within `radius`
    of one of `hashes` is among the rows found."""
    srad = segment_radius(radius)
    out: list[set[int]] = [set() for _ in range(SEGMENTS)]
    for h in hashes:
        for i, seg in enumerate(segments(h)):
            out[i].update(seg ^ m for m in flip_masks(srad, SEGMENT_BITS[i]))
    return out


def segment_fields(value: int) -> dict[str, int]:
    return {f"s{i}": seg for i, seg in enumerate(segments(value))}
